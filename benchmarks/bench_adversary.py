"""How far apart must two bases be for a fitted reader of base pairs to pass MIT's gates? (issue 19)

    python benchmarks/bench_adversary.py [--lags 5,8,12,20,40] [--train 10] [--seeds 20] [--alpha 0.05]

For each maximum lag L the fitted adversary of ``tests/adversary.py`` (counts of every ordered base pair x at t,
y at t + d for d = 1 … L, plus A/T clustering counts) is fitted on the sets of set seeds 10001 … 10000 + ``--train``
and as many drawn robustness designs, then decided on set seeds 1 … ``--seeds`` exactly as a run decides (no
robustness tests); the same for its form that sees only A/T-or-G/C classes (lags 1 … 40). Prints each gate's pass
rate, the rate at which every gate passes, and the rate of the overall line "grammar" (every gate and the
outside-construction criterion, as ``bench_calibration`` measures it). Pairs up to 8 apart lie within an element (a −10 spans 1–5, an UP 1–8);
farther pairs span two elements, so a reader of them can read where one element lies from another.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_calibration import ADVERSARY_FIRST_SEED, COLUMNS, verdicts  # noqa: E402
from fixtures.sets import build_all_sets  # noqa: E402
from tests import adversary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lags", default="5,8,12,20,40")
    parser.add_argument("--train", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--alpha", type=float, default=0.05)
    args = parser.parse_args()
    start = time.perf_counter()
    training = range(ADVERSARY_FIRST_SEED, ADVERSARY_FIRST_SEED + args.train)
    fitted = {f"pairs up to lag {lag}": adversary.fit(training, args.train, 1, max_lag=int(lag))
              for lag in args.lags.split(",")}
    fitted["A/T classes, lag 40"] = adversary.fit(training, args.train, 1, at_only=True)
    fit_s = time.perf_counter() - start
    columns = COLUMNS
    passes = {name: dict.fromkeys(columns, 0) for name in fitted}
    for seed in range(1, args.seeds + 1):
        sets = build_all_sets(seed)
        for name, scorer in fitted.items():
            for column, ok in verdicts(scorer, sets, args.alpha).items():
                passes[name][column] += ok
    print(f"fitted adversaries: pass rate on set seeds 1..{args.seeds}, fitted on {args.train} seeds and designs "
          f"({fit_s:.0f} s to fit, {time.perf_counter() - start:.0f} s in all)")
    print("| reader | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in passes.items():
        print(f"| {name} | " + " | ".join(f"{row[c] / args.seeds:.2f}" for c in columns) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
