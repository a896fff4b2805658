"""Time every reference scorer on every MIT set, and the speed-up of vectorising over a per-base Python loop.

    python benchmarks/bench_reference.py [--repeats 5] [--data-dir ../shared/data]

Prints, per scorer, the best-of-N wall time to score all core and probe sets (``fixtures.sets.build_all_sets``), the total against the
DESIGN.md section 12 target (< 0.5 s), and for each paper model the ratio to a per-base loop implementation of
the same scorer (the oracles of tests/oracles.py; the scores must agree). ``kmer``
needs the E. coli genome; its one-off table build is timed separately and left out of the total (it is
cached in memory for the rest of a run).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.datasets import DataUnavailable  # noqa: E402
from fixtures.sets import build_all_sets  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.reference import baselines  # noqa: E402
from scorers.registry import resolve  # noqa: E402
from tests.oracles import SLOW  # noqa: E402

SCORERS = ["pa-pwm", "rpa-pwm", "thermo", "scan", "pa-pwm-nopos", "pa-pwm-nocomp", "pwm", "kmer",
           "kmer-paper", "at-content", "gc", "random"]
TARGET_S = 0.5


def all_sequences(seed: int = 42) -> tuple[list[str], str]:
    sets = build_all_sets(seed)
    sequences = [s for sequence_set in sets.values() for s in sequence_set.sequences]
    sizes = ", ".join(f"{k} {len(v)}" for k, v in sets.items())
    return sequences, "fixtures.sets.build_all_sets: " + sizes


def map_list(fn, items) -> list:
    return [fn(item) for item in items]


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# RPA-PWM's loop pairs every candidate box with every other: ~3 ms a sequence, so it runs on a 10% sample.
LOOP_SAMPLE = {"rpa-pwm": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=os.environ.get("MIT_DATA_DIR"))
    args = parser.parse_args()
    sequences, source = all_sequences()
    print(f"sequences: {len(sequences)} ({source})")
    options = ScorerOptions(data_dir=args.data_dir)

    total = 0.0
    print(f"{'scorer':15s} {'seconds':>9s} {'µs/seq':>8s}")
    for name in SCORERS:
        scorer = resolve(name, options)
        if name == "kmer":
            try:
                start = time.perf_counter()
                baselines.ecoli_kmer_log_table(args.data_dir)
                print(f"{'(kmer table)':15s} {time.perf_counter() - start:9.4f}  one-off: count 6-mers of "
                      "NC_000913.3, both strands (not in the total)")
            except DataUnavailable as exc:
                print(f"{name:15s} skipped: {exc.reason.split('. ')[0]}")
                continue
        scorer.score(sequences[:10])                 # warm-up: imports, lazy tables
        seconds = best_time(functools.partial(scorer.score, sequences), args.repeats)
        total += seconds
        print(f"{name:15s} {seconds:9.4f} {1e6 * seconds / len(sequences):8.1f}")
    verdict = "meets" if total < TARGET_S else "MISSES"
    print(f"{'total':15s} {total:9.4f}   ({verdict} the < {TARGET_S} s target of DESIGN.md section 12)")

    print("\nspeed-up over a per-base Python loop (tests/oracles.py; "
          "scores equal to 1e-9):")
    for name, (loop, _) in SLOW.items():
        sample = sequences[::LOOP_SAMPLE.get(name, 1)]
        scorer = resolve(name, options)
        looped_scores = np.array([loop(s) for s in sample])
        if not np.allclose(scorer.score(sample), looped_scores, rtol=0, atol=1e-9):
            raise SystemExit(f"{name}: vectorised and loop scores differ")
        vectorised = best_time(functools.partial(scorer.score, sample), args.repeats)
        looped = best_time(functools.partial(map_list, loop, sample), max(1, args.repeats // 2))
        print(f"{name:15s} n={len(sample):5d}  loop {looped:8.4f} s  vectorised {vectorised:8.4f} s  "
              f"speed-up {looped / vectorised:7.1f}x")

if __name__ == "__main__":
    main()
