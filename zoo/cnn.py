"""A supervised sequence-to-expression CNN trained on the measured promoter libraries, scored by MIT as kind ``score``.

``python -m zoo.cnn {ci,full} [--out DIR] [--seed N]`` trains it on the libraries ``fixtures.libraries`` reads
(La Fleur 2022, Hossain 2020, Yu 2021, Anderson, Kosuri 2013, Lagator 2022 36N/PR/PL), leaving out every
construct of MIT's own mpra subsample at the default seed (``build_library(name)``: at most 500 per library),
so the suite's mpra gate at ``--mit-seed 42`` measures constructs the CNN never saw. Expression is oriented
higher = stronger by the library reader; each library's values are turned into normal scores of their ranks
(units differ between libraries, only order is shared). The record (``training.json``) holds the
cross-validated Spearman ρ by library: for each library, a CNN trained on the other libraries only predicts it.

MIT loads the committed weights through ``--model zoo.cnn:full`` (or ``zoo.cnn:ci`` after training it).
Model: one-hot ACGT → 3 convolutions (kernel 9, dilations 1, 2, 4, ReLU) → mean and max over positions → linear;
any sequence length.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from zoo.data import encode
from zoo.targets import normal_scores

ZOO = Path(__file__).resolve().parent
MODELS = ZOO / "models"


@dataclass(frozen=True)
class CNNRecipe:
    name: str
    size: str
    channels: int
    epochs: int
    batch: int
    lr: float
    max_per_library: int     # training rows per library (after MIT's subsample is removed)


RECIPES = {r.name: r for r in (
    CNNRecipe("cnn-ci", "ci", 16, 2, 64, 3e-3, 1500),
    CNNRecipe("cnn-full", "full", 32, 2, 64, 2e-3, 3000),
)}


def _network(channels: int):
    import torch
    from torch import nn

    class ExpressionCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([nn.Conv1d(4, channels, 9, padding=4)] + [
                nn.Conv1d(channels, channels, 9, padding=4 * d, dilation=d) for d in (2, 4)])
            self.out = nn.Linear(2 * channels, 1)

        def forward(self, onehot):                       # (B, 4, L) → (B,)
            x = onehot
            for k, conv in enumerate(self.convs):
                y = torch.relu(conv(x))
                x = y if k == 0 else x + y
            return self.out(torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1))[:, 0]

    return ExpressionCNN()


def one_hot(sequences) -> np.ndarray:
    """``(n, 4, L)`` float32 one-hot of equal-length ACGT ``sequences``."""
    codes = np.stack([encode(s) for s in sequences])
    return np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1).copy()


def training_rows(max_per_library: int, seed: int, data_dir=None) -> dict[str, tuple[list[str], np.ndarray]]:
    """Per library: constructs and normal-score targets, without MIT's default-seed mpra subsample, at most
    ``max_per_library`` (drawn with ``default_rng([seed, 30])``)."""
    from fixtures.libraries import LIBRARY_NAMES, build_library
    rows = {}
    rng = np.random.default_rng([seed, 30])
    for name in LIBRARY_NAMES:
        everything = build_library(name, max_constructs=10 ** 9, data_dir=data_dir)
        mit = set(build_library(name, data_dir=data_dir).sequences.ids)
        keep = np.array([i for i, sid in enumerate(everything.sequences.ids) if sid not in mit], dtype=np.int64)
        if len(keep) < 20:
            continue
        if len(keep) > max_per_library:
            keep = np.sort(rng.choice(keep, size=max_per_library, replace=False))
        rows[name] = ([everything.sequences.sequences[i] for i in keep],
                      normal_scores(everything.expression[keep]).astype(np.float32))
    return rows


def _fit(recipe: CNNRecipe, rows: dict, seed: int, log=print):
    import torch
    torch.manual_seed(seed)
    model = _network(recipe.channels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=1e-4)
    batches = [(one_hot(s), y) for s, y in rows.values()]     # one library per array: lengths differ
    rng = np.random.default_rng([seed, 31])
    curve = []
    for epoch in range(recipe.epochs):
        order = [(k, i) for k, (x, _) in enumerate(batches) for i in range(0, len(x), recipe.batch)]
        losses = []
        for j in rng.permutation(len(order)):
            k, i = order[j]
            x, y = batches[k]
            pick = slice(i, i + recipe.batch)
            loss = torch.mean((model(torch.from_numpy(x[pick])) - torch.from_numpy(y[pick])) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        curve.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)})
        log(f"    epoch {epoch + 1}/{recipe.epochs}  mse {curve[-1]['loss']:.4f}", flush=True)
    return model.eval(), curve


def _predict(model, sequences, batch: int = 512) -> np.ndarray:
    import torch
    out = []
    with torch.inference_mode():
        for i in range(0, len(sequences), batch):
            out.append(model(torch.from_numpy(one_hot(sequences[i:i + batch]))).double().numpy())
    return np.concatenate(out) if out else np.zeros(0)


def train(recipe: CNNRecipe, out: Path, seed: int = 0, log=print) -> dict:
    import torch
    from scipy.stats import spearmanr
    started = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rows = training_rows(recipe.max_per_library, seed)
    log(f"zoo {recipe.name}: {sum(len(s) for s, _ in rows.values()):,} constructs from {len(rows)} libraries",
        flush=True)
    cv = {}
    for name in rows:
        log(f"  cross-validation: trained without {name}", flush=True)
        model, _ = _fit(recipe, {k: v for k, v in rows.items() if k != name}, seed, log=lambda *a, **k: None)
        cv[name] = round(float(spearmanr(_predict(model, rows[name][0]), rows[name][1]).statistic), 4)
        log(f"    Spearman ρ on {name}: {cv[name]:+.3f}", flush=True)
    model, curve = _fit(recipe, rows, seed, log=log)
    out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps({"architecture": "zoo.cnn ExpressionCNN",
                                                 "channels": recipe.channels}, indent=1) + "\n")
    import transformers
    record = {"recipe": asdict(recipe), "seed": seed,
              "data": {"libraries": {k: len(v[0]) for k, v in rows.items()},
                       "excluded": "MIT's mpra subsample at the default seed 42 (fixtures.libraries.build_library)",
                       "target": "normal scores of expression ranks within each library",
                       "sha256": _rows_sha256(rows)},
              "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                           "numpy": np.__version__, "cpu_threads": 1},
              "wall_seconds": round(time.time() - started, 1), "loss_curve": curve,
              "cv_spearman_by_library": cv,
              "cv_spearman_mean": round(float(np.mean(list(cv.values()))), 4),
              "cv": "leave one library out: a CNN trained on the other libraries predicts the left-out one",
              "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.iterdir()) if p.name in ("model.safetensors", "config.json")}}
    (out / "training.json").write_text(json.dumps(record, indent=1) + "\n")
    log(f"zoo {recipe.name}: leave-one-library-out Spearman ρ mean {record['cv_spearman_mean']:+.3f} "
        f"({time.time() - started:.0f} s), saved in {out}")
    return record


def _rows_sha256(rows: dict) -> str:
    digest = hashlib.sha256()
    for name, (sequences, targets) in rows.items():
        digest.update(name.encode())
        digest.update("\n".join(sequences).encode())
        digest.update(np.asarray(targets, dtype=np.float32).tobytes())
    return digest.hexdigest()


class CNNScorer:
    """MIT scorer (kind ``score``, higher = stronger predicted expression) of a trained ExpressionCNN."""

    kind = "score"

    def __init__(self, folder: Path, name: str):
        import torch
        from safetensors.torch import load_file
        config = json.loads((folder / "config.json").read_text())
        self.model = _network(config["channels"])
        self.model.load_state_dict(load_file(str(folder / "model.safetensors")))
        self.model.eval()
        self.name = name
        weights = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
        self.fingerprint = f"{name}|zoo.cnn|{weights}|torch {torch.__version__}"

    def score(self, sequences) -> np.ndarray:
        """Float64 ``(n,)`` predicted expression (normal-score units), sequences grouped by length."""
        import torch
        sequences = list(sequences)
        out = np.empty(len(sequences))
        lengths = np.array([len(s) for s in sequences])
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for length in np.unique(lengths):
                index = np.flatnonzero(lengths == length)
                out[index] = _predict(self.model, [sequences[i] for i in index])
        finally:
            torch.set_num_threads(threads)
        return out


def full() -> CNNScorer:
    """The committed CNN (``zoo/models/cnn-full``): ``--model zoo.cnn:full``."""
    return CNNScorer(MODELS / "cnn-full", "zoo-cnn-full")


def ci() -> CNNScorer:
    """The CNN that ``python -m zoo.cnn ci`` trains (``zoo/models/cnn-ci``)."""
    return CNNScorer(MODELS / "cnn-ci", "zoo-cnn-ci")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.cnn", description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=("ci", "full"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    recipe = RECIPES[f"cnn-{args.size}"]
    train(recipe, args.out or MODELS / recipe.name, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
