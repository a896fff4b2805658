"""How much a gLM's scores move when the same sequences are scored in other batches: the float noise the
scoring-hygiene tolerance (``scorers.hygiene.RELATIVE`` × the robust spread of a set's scores) must leave room
for.

    python benchmarks/bench_batch_noise.py [--device cpu] [--dtypes float32,bfloat16]

Models: three tiny randomly initialised checkpoints of ``tests/tiny_models.py`` (GPT-2 causal, ESM with 6-mers,
BERT with characters), loaded through ``hf-causal:``/``hf-mlm:`` like any checkpoint. Sequences: 200 distinct
sequences of MIT's default sets. Each model scores them in one call, then the hygiene check's sample (64, in 3
batches, last first) again; prints the largest difference and its ratio to the robust spread of the scores
(``scorers.hygiene.robust_scale``, 1.4826 × MAD), which the tolerance is relative to.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.sets import build_all_sets  # noqa: E402
from scorers.hygiene import RELATIVE, rescoring_batches, robust_scale  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.registry import resolve  # noqa: E402
from tests.tiny_models import make_bert, make_esm_6mer, make_gpt2  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    args = parser.parse_args(argv)
    every = list(dict.fromkeys(s for sequence_set in build_all_sets(42).values() for s in sequence_set.sequences))
    pool = [every[i] for i in np.random.default_rng([42, 1]).choice(len(every), 200, replace=False)]
    print(f"tolerance: {RELATIVE:g} x robust spread")
    with tempfile.TemporaryDirectory() as folder:
        for make, prefix in ((make_gpt2, "hf-causal"), (make_esm_6mer, "hf-mlm"), (make_bert, "hf-mlm")):
            checkpoint = make(Path(folder) / make.__name__)
            for dtype in args.dtypes.split(","):
                scorer = resolve(f"{prefix}:{checkpoint}", ScorerOptions(device=args.device, dtype=dtype))
                full = scorer.score(tuple(pool))
                worst = 0.0
                for batch in rescoring_batches(len(pool), 42):
                    again = scorer.score(tuple(pool[i] for i in batch))
                    worst = max(worst, float(np.max(np.abs(again - full[batch]))))
                spread = robust_scale(full)
                print(f"{make.__name__:13s} {dtype:9s} {args.device}: robust spread {spread:7.3f} nats, largest "
                      f"difference {worst:.3g} ({worst / spread:.3g} x spread)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
