"""Time the fitted energy scorers on every MIT set, against the < 1 s target of issue 11.

    python benchmarks/bench_energy.py [--repeats 5] [--data-dir ../shared/data]

Prints, per scorer, the best-of-N wall time to score all core and probe sets (``fixtures.sets.build_all_sets``),
the total of the three, and its ratio to the target. Needs the σ70 matrices of the data dir.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_reference import all_sequences, best_time  # noqa: E402
from scorers.protocol import ScorerOptions, ScorerUnavailable  # noqa: E402
from scorers.registry import resolve  # noqa: E402

SCORERS = ("energy-lafleur", "energy-lagator", "energy-kinney")
TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=os.environ.get("MIT_DATA_DIR"))
    args = parser.parse_args()
    sequences, source = all_sequences()
    lengths = sorted({len(s) for s in sequences})
    print(f"sequences: {len(sequences)} of {lengths[0]}–{lengths[-1]} nt ({source})")
    total = 0.0
    for name in SCORERS:
        try:
            scorer = resolve(name, ScorerOptions(data_dir=args.data_dir))
        except ScorerUnavailable as exc:
            print(f"{name}: cannot run: {exc}")
            return 3
        scorer.score(sequences[:10])                 # warm-up: lazy tables
        seconds = best_time(functools.partial(scorer.score, sequences), args.repeats)
        total += seconds
        print(f"{name:15s} {seconds:8.4f} s  {1e6 * seconds / len(sequences):7.1f} µs/seq")
    verdict = "meets" if total < TARGET_S else "MISSES"
    print(f"{'total':15s} {total:8.4f} s  = {total / TARGET_S:.2f} × the {TARGET_S:g} s target ({verdict} it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
