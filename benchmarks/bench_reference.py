"""Time every reference scorer on every MIT set, and the speed-up of vectorising over a per-base Python loop.

    python benchmarks/bench_reference.py [--repeats 5] [--data-dir ../shared/data]

Prints, per scorer, the best-of-N wall time to score all core and probe sets (≈3,000 sequences of 100 nt; from
``fixtures.sets.build_all_sets`` when it exists, else 3,000 seeded random sequences), the total against the
DESIGN.md section 12 target (< 0.5 s), and for each paper model the ratio to a per-base loop implementation of
the same scorer (the slow references of tests/test_reference_scorers.py; the scores must agree). ``kmer``
needs the E. coli genome; its one-off table build is timed separately and left out of the total (it is
cached in memory for the rest of a run).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.datasets import DataUnavailable  # noqa: E402
from fixtures.grammar import decode  # noqa: E402
from scorers import biophysical  # noqa: E402
from scorers.registry import ScorerOptions, resolve  # noqa: E402

SCORERS = ["pa-pwm", "rpa-pwm", "thermo", "scan", "pa-pwm-nopos", "pa-pwm-nocomp", "pwm", "kmer",
           "kmer-paper", "at-content", "gc", "random"]
TARGET_S = 0.5


def all_sequences(seed: int = 42) -> tuple[list[str], str]:
    try:
        from fixtures.sets import build_all_sets
    except ImportError:
        build_all_sets = None
    if build_all_sets is not None:
        sets = build_all_sets(seed)
        sequences = [s for sequence_set in sets.values() for s in sequence_set.sequences]
        sizes = ", ".join(f"{k} {len(v)}" for k, v in sets.items())
        return sequences, "fixtures.sets.build_all_sets: " + sizes
    codes = np.random.default_rng(seed).integers(0, 4, size=(3000, 100), dtype=np.uint8)
    return decode(codes), "3,000 random 100 nt sequences (fixtures.sets not available)"


def map_list(fn, items) -> list:
    return [fn(item) for item in items]


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def slow_implementations() -> dict:
    """The per-sequence, per-base loop implementations of tests/test_reference_scorers.py (the suite's slow
    references), by scorer name: one source for the test oracle and this comparison."""
    path = Path(__file__).resolve().parents[1] / "tests" / "test_reference_scorers.py"
    spec = importlib.util.spec_from_file_location("_mit_slow_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: fn for name, (fn, _) in module.SLOW.items()}


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
                biophysical.ecoli_kmer_log_table(args.data_dir)
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

    print("\nspeed-up over a per-base Python loop (tests/test_reference_scorers.py's slow references; "
          "scores equal to 1e-9):")
    for name, loop in slow_implementations().items():
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
