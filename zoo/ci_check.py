"""``python -m zoo.ci_check``: the zoo's CI steps, cheap enough for CI's 2 cores (``MIT_DATA_DIR`` must hold the
E. coli genome and RegulonDB; the ``anticapt`` wheel must be installed for HyenaDNA's code).

1. The committed checkpoints match the sha256 in their records (``tests/test_zoo.py`` does the same).
2. ``hyenadna-ci``, ``llama-ci`` and ``convbert-ci`` train from scratch (seed 0) and each record must say it is a
   working LM: a causal model's held-out NLL per nucleotide beats the order-2 Markov chain fitted on the same
   training DNA, the masked model's beats the two-sided order-2 chain (centre base given 2 bases either side) on
   the whole held-out region and on the chunks it was measured on (:func:`zoo.lm.judge`).
3. Determinism: each of them trained twice for 20 steps with one seed gives byte-identical weights.
4. The committed masked LM (``convbert-full``), loaded by ``AutoModelForMaskedLM`` and re-measured on 16 held-out
   chunks, beats the two-sided order-2 chain on the same chunks. Step 1 proves its bytes unchanged; this proves
   that the installed transformers still loads them into a working model and that the zoo's masked measure
   (tokens, masking) still agrees with the record. It costs about 2 s.

Prints each step's wall time; exits 1 naming what failed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


# every recipe of CI's size that is a working LM; esm-ci is the ESM recipe's small size, and ESM did not learn
CI_RECIPES = ("hyenadna-ci", "llama-ci", "convbert-ci")


def committed_files_match() -> list[str]:
    """Problems with the committed zoo models: a file whose sha256 differs from its record, or over 10 MB."""
    import hashlib
    import json
    from zoo.lm import MODELS
    problems = []
    for record_path in sorted(MODELS.glob("*/training.json")):
        record = json.loads(record_path.read_text())
        for name, digest in record["files"].items():
            path = record_path.parent / name
            if not path.is_file():
                problems.append(f"{path}: missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{path}: sha256 differs from {record_path}")
            elif path.stat().st_size > 10 * 2 ** 20:
                problems.append(f"{path}: over 10 MB")
    return problems


def masked_lm_beats_two_sided_2(data, name: str = "convbert-full", n_chunks: int = 16) -> tuple[float, float]:
    """Held-out NLL per nt of the committed masked LM ``name`` on ``n_chunks`` held-out chunks (seeded draw) and
    the two-sided order-2 chain's on the same chunks."""
    import numpy as np
    from transformers import AutoModelForMaskedLM
    from zoo.data import held_out_chunks
    from zoo.lm import MODELS, RECIPES, held_out_nll
    from zoo.markov import joined, two_sided_nll
    recipe = RECIPES[name]
    chunks = held_out_chunks(data.held_out, recipe.context)
    chunks = chunks[np.random.default_rng(23).permutation(len(chunks))[:n_chunks]]
    model = AutoModelForMaskedLM.from_pretrained(MODELS / name)
    return held_out_nll(recipe, model, chunks), two_sided_nll(data.train, joined(chunks), 2)


def trains_identically(recipe, folder: Path, data) -> bool:
    """Whether ``recipe`` trained twice with seed 0 (in ``folder/a`` and ``folder/b``) gives identical weights."""
    from zoo.lm import train
    weights = []
    for run in ("a", "b"):
        train(recipe, folder / run, seed=0, data=data, trajectory=False, log=lambda *a, **k: None)
        weights.append((folder / run / "model.safetensors").read_bytes())
    return weights[0] == weights[1]


def main() -> int:
    from zoo.data import GenomeData
    from zoo.lm import RECIPES, train
    failures = []
    started = time.time()
    failures += committed_files_match()
    print(f"zoo ci: committed checkpoints checked ({time.time() - started:.1f} s)", flush=True)
    data = GenomeData.ecoli()
    with tempfile.TemporaryDirectory() as tmp:
        for name in CI_RECIPES:
            t = time.time()
            record = train(RECIPES[name], Path(tmp, name), seed=0, data=data, trajectory=False,
                           log=lambda *a, **k: None)
            print(f"zoo ci: {name} {record['verdict']} ({time.time() - t:.0f} s)", flush=True)
            if not record["working"]:
                failures.append(f"{name} is not a working LM: {record['verdict']}")
        for name in CI_RECIPES:
            t = time.time()
            same = trains_identically(replace(RECIPES[name], steps=20), Path(tmp, name), data)
            print(f"zoo ci: {name} trained twice with seed 0, 20 steps: weights "
                  f"{'identical' if same else 'DIFFER'} ({time.time() - t:.0f} s)", flush=True)
            if not same:
                failures.append(f"{name} trained twice with one seed gives different weights")
    t = time.time()
    model_nll, chain_nll = masked_lm_beats_two_sided_2(data)
    print(f"zoo ci: convbert-full on 16 held-out chunks {model_nll:.4f} nats/nt, two-sided order-2 chain "
          f"{chain_nll:.4f} ({time.time() - t:.0f} s)", flush=True)
    if not model_nll < chain_nll:
        failures.append(f"convbert-full ({model_nll:.4f}) does not beat the two-sided order-2 chain "
                        f"({chain_nll:.4f}) on held-out DNA")
    print(f"zoo ci: {time.time() - started:.0f} s in all")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
