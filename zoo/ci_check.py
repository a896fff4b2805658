"""``python -m zoo.ci_check``: the zoo's CI steps, cheap enough for CI's 2 cores (``MIT_DATA_DIR`` must hold the
E. coli genome and RegulonDB; the ``anticapt`` wheel must be installed for HyenaDNA's code).

1. The committed checkpoints match the sha256 in their records (``tests/test_zoo.py`` does the same).
2. ``hyenadna-ci`` trains from scratch (seed 0) and its held-out NLL per nucleotide beats the order-2 Markov
   chain fitted on the same training DNA.
3. Determinism: the smallest recipe (``llama-ci``, 20 steps) trained twice with one seed gives byte-identical
   weights.

Prints each step's wall time; exits 1 naming what failed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


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


def main() -> int:
    from zoo.data import GenomeData
    from zoo.lm import RECIPES, train
    failures = []
    started = time.time()
    failures += committed_files_match()
    print(f"zoo ci: committed checkpoints checked ({time.time() - started:.1f} s)", flush=True)
    data = GenomeData.ecoli()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.time()
        record = train(RECIPES["hyenadna-ci"], Path(tmp, "hyenadna-ci"), seed=0, data=data, trajectory=False,
                       log=lambda *a, **k: None)
        print(f"zoo ci: hyenadna-ci {record['verdict']} ({time.time() - t:.0f} s)", flush=True)
        if not record["working"]:
            failures.append(f"hyenadna-ci does not beat the order-2 chain: {record['verdict']}")
        t = time.time()
        small = replace(RECIPES["llama-ci"], steps=20)
        weights = []
        for run in ("a", "b"):
            train(small, Path(tmp, run), seed=0, data=data, trajectory=False, log=lambda *a, **k: None)
            weights.append(Path(tmp, run, "model.safetensors").read_bytes())
        same = weights[0] == weights[1]
        print(f"zoo ci: llama-ci trained twice with seed 0, 20 steps: weights "
              f"{'identical' if same else 'DIFFER'} ({time.time() - t:.0f} s)", flush=True)
        if not same:
            failures.append("llama-ci trained twice with one seed gives different weights")
    print(f"zoo ci: {time.time() - started:.0f} s in all")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
