"""Train a small DNA language model on the training split of NC_000913.3 and save it as a Hugging Face checkpoint.

``python -m zoo.lm RECIPE [--out DIR] [--seed N]`` (recipes: :data:`RECIPES`, e.g. ``llama-ci``, ``esm-full``,
``hyenadna-full``). Single-nucleotide tokens, both strands, windows of ``context`` nt drawn by a seeded generator.
Writes to DIR (default ``zoo/models/RECIPE``): the checkpoint (``save_pretrained``: safetensors + config +
tokenizer, loadable by MIT as ``hf-causal:DIR`` / ``hf-mlm:DIR``), ``training.json`` (recipe, seed, data sha256,
versions, wall time, loss curve, held-out NLL per nt beside order-0…5 Markov chains fitted on the same training
DNA) and ``loss.png``; and ``checkpoints/step-N/`` at about 8 steps on a log scale (gitignored).

Architectures: ``llama`` (a GPT-2-style decoder-only causal transformer with rotary positions,
LlamaForCausalLM), ``esm`` (EsmForMaskedLM, rotary positions, masked LM) and
``hyenadna`` (HyenaDNA-tiny's own architecture and code, taken from the installed ``anticapt`` wheel with
``trust_remote_code`` and trained from scratch; the code is never copied into this repository: see
:mod:`zoo.hyena_code`). Training is deterministic for one seed on one machine kind (one thread,
``torch.use_deterministic_algorithms``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from zoo.data import GenomeData, held_out_chunks, window_starts
from zoo.markov import baselines, joined, two_sided_nll

ZOO = Path(__file__).resolve().parent
MODELS = ZOO / "models"
N_TRAJECTORY = 8


@dataclass(frozen=True)
class LMRecipe:
    """One training recipe: architecture ``family`` at ``size``, ``steps`` AdamW steps of ``batch`` windows of
    ``context`` nt, peak learning rate ``lr`` (linear warm-up over ``warmup`` steps, cosine decay to 10 %),
    weights initialised with standard deviation ``init_std`` (the config's ``initializer_range``; 0.02 is every
    family's Hugging Face default)."""

    name: str
    family: str          # llama | hyenadna (causal) | esm | convbert (masked)
    size: str            # ci | full
    context: int
    width: int
    layers: int
    heads: int
    steps: int
    batch: int
    lr: float
    warmup: int
    eval_chunks: int     # held-out chunks of `context` nt per evaluation during training (all at the end)
    init_std: float = 0.02

    @property
    def causal(self) -> bool:
        return self.family not in MASKED_FAMILIES


RECIPES = {r.name: r for r in (
    LMRecipe("llama-ci", "llama", "ci", 512, 64, 2, 4, steps=400, batch=8, lr=5e-3, warmup=25, eval_chunks=16),
    LMRecipe("llama-full", "llama", "full", 512, 64, 2, 4, steps=800, batch=8, lr=5e-3, warmup=50,
             eval_chunks=48),
    LMRecipe("esm-ci", "esm", "ci", 512, 32, 2, 2, steps=120, batch=8, lr=1e-2, warmup=10, eval_chunks=4),
    LMRecipe("esm-full", "esm", "full", 512, 64, 2, 4, steps=500, batch=8, lr=5e-3, warmup=50, eval_chunks=12),
    # convbert-full's model with weights drawn at 5 times the default std: off the base-composition plateau by
    # step 200, where the default initialisation sits on it for 300-400 steps (docs/zoo.md)
    LMRecipe("convbert-ci", "convbert", "ci", 512, 64, 2, 4, steps=600, batch=8, lr=3e-3, warmup=40,
             eval_chunks=4, init_std=0.1),
    LMRecipe("convbert-full", "convbert", "full", 512, 64, 2, 4, steps=3000, batch=8, lr=3e-3, warmup=100,
             eval_chunks=12),
    LMRecipe("hyenadna-ci", "hyenadna", "ci", 512, 64, 2, 1, steps=200, batch=8, lr=3e-3, warmup=10,
             eval_chunks=16),
    LMRecipe("hyenadna-full", "hyenadna", "full", 512, 128, 2, 1, steps=600, batch=8, lr=3e-3, warmup=50,
             eval_chunks=48),
)}

MASKED_FAMILIES = ("esm", "convbert")

# Token ids: ``offset`` is the id of A (C, G, T follow), ``bos``/``mask`` the special ids the model sees.
CAUSAL_VOCAB = ["<pad>", "<unk>", "<bos>", "<eos>", "A", "C", "G", "T", "N"]
BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "A", "C", "G", "T", "N"]
HYENA_VOCAB = ["[CLS]", "[SEP]", "[BOS]", "[MASK]", "[PAD]", "[RESERVED]", "[UNK]", "A", "C", "G", "T", "N"]
MASK_FRACTION = 0.15
EVAL_STRIDE = 8      # masked LM held-out NLL: one position in 8 masked per pass, 8 passes cover every position


# -- tokenizers: fast character tokenizers that MIT's NucleotideTokenizer reads as one token per nucleotide ---

def _char_tokenizer(vocab: list[str], template: str | None, **specials):
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast
    ids = {t: i for i, t in enumerate(vocab)}
    tok = Tokenizer(models.WordLevel(ids, unk_token=specials["unk_token"]))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    if template:
        names = [w for w in template.split() if w != "$A"]
        tok.post_processor = processors.TemplateProcessing(single=template,
                                                           special_tokens=[(n, ids[n]) for n in names])
    return PreTrainedTokenizerFast(tokenizer_object=tok, **specials)


def make_tokenizer(family: str):
    """The character tokenizer of ``family``: GPT-2 adds nothing (MIT prepends the declared BOS), ESM wraps a
    sequence in [CLS] … [SEP], HyenaDNA uses HyenaDNA's CharacterTokenizer ids and adds nothing."""
    if family == "llama":
        return _char_tokenizer(CAUSAL_VOCAB, None, unk_token="<unk>", pad_token="<pad>", bos_token="<bos>",
                               eos_token="<eos>")
    if family in MASKED_FAMILIES:
        return _char_tokenizer(BERT_VOCAB, "[CLS] $A [SEP]", unk_token="[UNK]", pad_token="[PAD]",
                               cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    if family == "hyenadna":
        return _char_tokenizer(HYENA_VOCAB, None, unk_token="[UNK]", pad_token="[PAD]", bos_token="[BOS]",
                               sep_token="[SEP]", cls_token="[CLS]", mask_token="[MASK]",
                               model_input_names=["input_ids"])
    raise ValueError(f"unknown family {family!r}")


# Each family's vocabulary and the token it puts first (BOS; [CLS] for the masked families).
VOCABS = {"llama": (CAUSAL_VOCAB, "<bos>"), "hyenadna": (HYENA_VOCAB, "[BOS]"),
          **dict.fromkeys(MASKED_FAMILIES, (BERT_VOCAB, "[CLS]"))}


def token_offset(family: str) -> int:
    """Token id of A (C, G, T follow) in ``family``'s vocabulary."""
    return VOCABS[family][0].index("A")


def bos_id(family: str) -> int:
    vocab, first = VOCABS[family]
    return vocab.index(first)


def build_model(recipe: LMRecipe):
    """A freshly initialised model of ``recipe`` (seed the torch generator first)."""
    import transformers
    if recipe.family == "llama":
        # GPT-2's decoder-only layout with rotary positions (LlamaForCausalLM): at 150 steps of 8 × 512 nt it
        # reached 1.378 nats/nt where GPT-2's learned absolute positions gave 1.396 (same width, best of two
        # learning rates each; docs/zoo.md)
        config = transformers.LlamaConfig(
            vocab_size=len(CAUSAL_VOCAB), hidden_size=recipe.width, intermediate_size=4 * recipe.width,
            num_hidden_layers=recipe.layers, num_attention_heads=recipe.heads, num_key_value_heads=recipe.heads,
            max_position_embeddings=1024, bos_token_id=bos_id("llama"), eos_token_id=CAUSAL_VOCAB.index("<eos>"),
            pad_token_id=0, tie_word_embeddings=False, initializer_range=recipe.init_std)
        return transformers.LlamaForCausalLM(config)
    if recipe.family == "esm":
        config = transformers.EsmConfig(
            vocab_size=len(BERT_VOCAB), hidden_size=recipe.width, num_hidden_layers=recipe.layers,
            num_attention_heads=recipe.heads, intermediate_size=4 * recipe.width, max_position_embeddings=1026,
            pad_token_id=0, mask_token_id=BERT_VOCAB.index("[MASK]"), position_embedding_type="rotary",
            token_dropout=False, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
            initializer_range=recipe.init_std)
        return transformers.EsmForMaskedLM(config)
    if recipe.family == "convbert":
        # ConvBERT: half the heads are self-attention, half span-based dynamic convolutions over 9 neighbours.
        # The convolution sees a masked base's neighbours from step 1, where attention must first learn to find
        # them: at width 64, 2 layers, 800 steps of 8 × 512 nt (default initialisation) it reached 1.336 nats/nt
        # held-out where ESM (rotary, the same width) and DeBERTa-v2 (relative positions) sat on the base
        # composition (docs/zoo.md)
        config = transformers.ConvBertConfig(
            vocab_size=len(BERT_VOCAB), hidden_size=recipe.width, embedding_size=recipe.width,
            num_hidden_layers=recipe.layers, num_attention_heads=recipe.heads, intermediate_size=4 * recipe.width,
            head_ratio=2, conv_kernel_size=9, max_position_embeddings=1026, pad_token_id=0,
            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, initializer_range=recipe.init_std)
        return transformers.ConvBertForMaskedLM(config)
    if recipe.family == "hyenadna":
        from zoo.hyena_code import wheel_checkpoint
        config = transformers.AutoConfig.from_pretrained(wheel_checkpoint(), trust_remote_code=True)
        # HyenaDNA-tiny-1k is d_model 128, 2 layers, d_inner 4 × d_model: the full recipe keeps it as it is.
        config.d_model, config.n_layer, config.d_inner = recipe.width, recipe.layers, 4 * recipe.width
        config.bos_token_id, config.initializer_range = bos_id("hyenadna"), recipe.init_std
        return transformers.AutoModelForCausalLM.from_config(config, trust_remote_code=True)
    raise ValueError(f"unknown family {recipe.family!r}")


# -- training -------------------------------------------------------------------------------------------------

def _deterministic(seed: int):
    import torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)


def _inputs(recipe: LMRecipe, codes: np.ndarray):
    """``(B, T)`` int64 token ids of ``(B, context)`` codes: BOS first (causal), [CLS] … [SEP] (masked)."""
    import torch
    ids = codes.astype(np.int64) + token_offset(recipe.family)
    first = np.full((len(ids), 1), bos_id(recipe.family))
    parts = [first, ids] + ([np.full((len(ids), 1), BERT_VOCAB.index("[SEP]"))] if not recipe.causal else [])
    return torch.from_numpy(np.concatenate(parts, axis=1))


def _logits(model, inputs):
    out = model(input_ids=inputs)
    return out.logits if hasattr(out, "logits") else out[0]


def batch_loss(recipe: LMRecipe, model, codes: np.ndarray, rng: np.random.Generator):
    """Mean NLL (nats) of a training batch: next-token (causal) or masked-token (15 % masked) loss."""
    import torch
    import torch.nn.functional as F
    inputs = _inputs(recipe, codes)
    if recipe.causal:
        logits = _logits(model, inputs)[:, :-1]
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), inputs[:, 1:].reshape(-1))
    masked = torch.from_numpy(rng.random(codes.shape) < MASK_FRACTION)
    masked[:, 0] |= ~masked.any(dim=1)
    positions = torch.nn.functional.pad(masked, (1, 1))          # [CLS] and [SEP] never masked
    corrupted = inputs.masked_fill(positions, BERT_VOCAB.index("[MASK]"))
    logits = _logits(model, corrupted)
    return F.cross_entropy(logits[positions], inputs[positions])


def held_out_nll(recipe: LMRecipe, model, chunks: np.ndarray, batch: int = 16) -> float:
    """Mean NLL per nucleotide (nats) of held-out ``chunks`` ``(m, context)``: causal, every nucleotide from
    BOS and what precedes it in its chunk; masked, each nucleotide masked with one in 8 positions of its chunk
    masked at once (8 passes), log-softmax over the whole vocabulary as MIT scores."""
    import torch
    total, count = 0.0, 0
    model.eval()
    with torch.inference_mode():
        for i in range(0, len(chunks), batch):
            inputs = _inputs(recipe, chunks[i:i + batch])
            if recipe.causal:
                lp = _logits(model, inputs)[:, :-1].float().log_softmax(-1)
                total -= lp.gather(-1, inputs[:, 1:, None]).sum().item()
                count += inputs[:, 1:].numel()
                continue
            for offset in range(EVAL_STRIDE):
                positions = torch.zeros_like(inputs, dtype=torch.bool)
                positions[:, 1 + offset:-1:EVAL_STRIDE] = True
                lp = _logits(model, inputs.masked_fill(positions, BERT_VOCAB.index("[MASK]"))).float()
                lp = lp[positions].log_softmax(-1)
                total -= lp.gather(-1, inputs[positions][:, None]).sum().item()
                count += int(positions.sum())
    model.train()
    return total / count


def trajectory_steps(steps: int, n: int = N_TRAJECTORY) -> list[int]:
    """About ``n`` steps on a log scale ending at ``steps`` (ratio 2 apart for the default recipes)."""
    return sorted({int(round(s)) for s in np.geomspace(max(1, steps / 2 ** (n - 1)), steps, n)})


def save_checkpoint(model, recipe: LMRecipe, folder: Path) -> Path:
    """``save_pretrained`` the model (safetensors) and its tokenizer into ``folder``; HyenaDNA's modelling code
    is put beside it from the installed wheel (gitignored, see :mod:`zoo.hyena_code`)."""
    folder.mkdir(parents=True, exist_ok=True)
    model.eval()
    # HyenaDNA's implicit filter shares one `freq` parameter between its Sin activations; safetensors stores no
    # shared tensors, so each name gets its own copy (equal values; loading puts them back into the one tensor)
    model.save_pretrained(folder, state_dict={k: v.detach().clone() for k, v in model.state_dict().items()})
    model.train()
    make_tokenizer(recipe.family).save_pretrained(folder)
    if recipe.family == "hyenadna":
        from zoo.hyena_code import install_code
        install_code(folder)
    return folder


def versions() -> dict:
    import torch
    import transformers
    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "numpy": np.__version__, "machine": platform.machine(),
            "cpu_threads": 1}


def train(recipe: LMRecipe, out: Path, seed: int = 0, data: GenomeData | None = None, trajectory: bool = True,
          log=print) -> dict:
    """Train ``recipe`` with ``seed``, save it in ``out`` and return its record (also ``out/training.json``)."""
    import torch
    started = time.time()
    data = data or GenomeData.ecoli()
    _deterministic(seed)
    model = build_model(recipe)
    model.train()
    rng = np.random.default_rng([seed, 20])
    starts = window_starts(data.train, recipe.context)
    chunks = held_out_chunks(data.held_out, recipe.context)
    probe = chunks[np.random.default_rng([seed, 21]).permutation(len(chunks))[:recipe.eval_chunks]]
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, betas=(0.9, 0.98), weight_decay=0.01)

    def factor(step):   # linear warm-up, cosine decay to 10 %
        if step < recipe.warmup:
            return (step + 1) / recipe.warmup
        progress = (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    saves = set(trajectory_steps(recipe.steps)) if trajectory else set()
    parameters = sum(p.numel() for p in model.parameters())
    log(f"zoo {recipe.name}: {parameters:,} parameters, {recipe.steps} steps of {recipe.batch} × "
        f"{recipe.context} nt, training DNA {data.train_nt:,} nt (both strands), seed {seed}")
    curve, checkpoints, window = [], [], []
    report_every = max(1, recipe.steps // 40)
    train_started = time.time()
    for step in range(1, recipe.steps + 1):
        picks = starts[rng.integers(0, len(starts), recipe.batch)]
        codes = data.train[picks[:, None] + np.arange(recipe.context)]
        loss = batch_loss(recipe, model, codes, rng)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        window.append(loss.item())
        if step % report_every == 0 or step == recipe.steps:
            elapsed = time.time() - train_started
            curve.append({"step": step, "loss": round(float(np.mean(window)), 5), "seconds": round(elapsed, 1)})
            window = []
            log(f"  step {step}/{recipe.steps}  loss {curve[-1]['loss']:.4f}  {elapsed:.0f} s elapsed, "
                f"about {elapsed / step * (recipe.steps - step):.0f} s left", flush=True)
        if step in saves:
            folder = save_checkpoint(model, recipe, out / "checkpoints" / f"step-{step:06d}")
            nll = held_out_nll(recipe, model, probe)
            checkpoints.append({"step": step, "path": str(folder.relative_to(out)), "held_out_nll_probe": round(nll, 5)})
            log(f"  checkpoint step {step}: held-out NLL {nll:.4f} nats/nt on {len(probe)} chunks", flush=True)
    train_seconds = time.time() - train_started
    # every held-out chunk for a causal LM; a masked LM needs 8 passes per chunk, so a fixed subset of 128
    final_chunks = chunks if recipe.causal else chunks[np.random.default_rng([seed, 22]).permutation(len(chunks))[:128]]
    final = held_out_nll(recipe, model, final_chunks)
    markov = baselines(data.train, data.held_out, two_sided=not recipe.causal)
    # a masked LM is measured on a subset of the held-out region, which may be easier than the whole: it must
    # also beat the two-sided order-2 chain on the chunks it was measured on
    same_chunks = None if recipe.causal else round(two_sided_nll(data.train, joined(final_chunks), 2), 5)
    save_checkpoint(model, recipe, out)
    record = {
        "recipe": asdict(recipe), "seed": seed, "parameters": parameters,
        "data": {"genome": "NC_000913.3", "split": "fixtures.genome_split (held out: last 5 %; σ70 TSS ± 150 nt "
                 "excluded)", "training_sha256": data.sha256, "training_nt_both_strands": data.train_nt,
                 "held_out_chunks": len(final_chunks)},
        "versions": versions(), "wall_seconds": round(time.time() - started, 1),
        "train_seconds": round(train_seconds, 1), "nice": os.nice(0),
        "loss_curve": curve, "checkpoints": checkpoints,
        "held_out_nll": round(final, 5),
        "held_out_measure": ("next-nucleotide NLL from BOS within 512-nt chunks, both strands" if recipe.causal
                             else "masked-nucleotide NLL, one in 8 positions of a 512-nt chunk masked per pass"),
        "markov": markov,
        "markov_measure": ("order-k chain fitted on both strands of the training DNA, add-0.5 counts" if
                           recipe.causal else "two-sided chain: centre base given k bases either side"),
    }
    if same_chunks is not None:
        record["two_sided_2_on_measured_chunks"] = same_chunks
    record.update(judge(final, markov, recipe.causal, same_chunks))
    record["files"] = {p.name: _sha256(p) for p in sorted(out.iterdir()) if p.is_file()
                       and p.suffix in (".safetensors", ".json") and p.name != "training.json"}
    (out / "training.json").write_text(json.dumps(record, indent=1) + "\n")
    plot_loss(record, out / "loss.png")
    log(f"zoo {recipe.name}: {record['verdict']}; {train_seconds:.0f} s training, saved in {out}")
    return record


def judge(final: float, markov: dict[str, float], causal: bool, same_chunks: float | None = None) -> dict:
    """``beats``, ``working`` and ``verdict`` of a held-out NLL against its chains: working means below the
    order-2 chain (a masked LM: the two-sided order-2 chain, on the whole held-out region and, ``same_chunks``,
    on the chunks the model was measured on); the goal is order 5, for a masked LM the best two-sided chain (the
    two-sided order-5 chain, 4^11 cells from 8 M nt, over-fits and is not the best)."""
    baseline = "order_2" if causal else "two_sided_2"
    goal = "order_5" if causal else min(markov, key=markov.get)
    working = final < markov[baseline] and (same_chunks is None or final < same_chunks)
    reached = f"beats {baseline} and {goal}" if final < markov[goal] else f"beats {baseline}, not {goal}"
    measured_on = "" if same_chunks is None else f" ({same_chunks:.4f} on the chunks measured)"
    return {"beats": {k: final < v for k, v in markov.items()}, "working": working,
            "verdict": (f"held-out {final:.4f} nats/nt vs {baseline} {markov[baseline]:.4f}{measured_on} and "
                        f"{goal} {markov[goal]:.4f}: " + (reached if working else
                                                          f"does NOT beat {baseline}: not a working LM"))}


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plot_loss(record: dict, path: Path) -> None:
    """Training loss and held-out NLL against step, with the Markov baselines as lines."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 4))
    curve = record["loss_curve"]
    ax.plot([c["step"] for c in curve], [c["loss"] for c in curve], label="training loss (batch mean)")
    if record["checkpoints"]:
        ax.plot([c["step"] for c in record["checkpoints"]], [c["held_out_nll_probe"] for c in record["checkpoints"]],
                "o-", label="held-out NLL (probe chunks)")
    for name, value in record["markov"].items():
        if name.endswith(("_0", "_2", "_5")):
            ax.axhline(value, ls=":", lw=1, color="grey")
            ax.text(curve[0]["step"], value, name.replace("_", " "), fontsize=7, va="bottom", color="grey")
    ax.set_xscale("log")
    ax.set_ylim(min(1.25, min(c["loss"] for c in curve)), 1.45)
    ax.set_xlabel("step")
    ax.set_ylabel("nats per nucleotide")
    ax.set_title(f"{record['recipe']['name']} (seed {record['seed']}): held-out {record['held_out_nll']:.4f}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.lm", description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument("--out", type=Path, help="output folder (default zoo/models/RECIPE)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="override the recipe's steps (not for committed models)")
    parser.add_argument("--no-trajectory", action="store_true", help="save no intermediate checkpoints")
    args = parser.parse_args(argv)
    recipe = RECIPES[args.recipe]
    if args.steps:
        recipe = replace(recipe, steps=args.steps)
    train(recipe, args.out or MODELS / recipe.name, seed=args.seed, trajectory=not args.no_trajectory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
