"""Time to build every default MIT set and score it with pa-pwm (DESIGN.md section 12: target < 0.5 s together).

Run: python benchmarks/bench_core.py [--repeats N]
Prints the best of N wall times for building, for scoring, and their sum against the target.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.sets import build_all_sets  # noqa: E402
from scorers.reference.papwm import PositionAwarePWM  # noqa: E402
from scorers.runner import score_sequences  # noqa: E402

TARGET_SECONDS = 0.5


def best_of(repeats: int, work) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    build_s, sets = best_of(args.repeats, build_all_sets)
    ids = [i for s in sets.values() for i in s.ids]
    sequences = [q for s in sets.values() for q in s.sequences]
    scorer = PositionAwarePWM()
    score_s, _ = best_of(args.repeats, lambda: score_sequences(scorer, ids, sequences))
    total = build_s + score_s
    print(f"sequences: {len(sequences)} in {len(sets)} sets")
    print(f"build all sets:      {build_s * 1000:8.1f} ms")
    print(f"score with pa-pwm:   {score_s * 1000:8.1f} ms  ({len(sequences) / score_s:,.0f} sequences/s)")
    print(f"together:            {total * 1000:8.1f} ms  = {total / TARGET_SECONDS:.2f} × the {TARGET_SECONDS} s target"
          f"  ({'met' if total < TARGET_SECONDS else 'MISSED'})")


if __name__ == "__main__":
    main()
