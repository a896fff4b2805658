"""Time to build the natural set: the first build in a process (reads the genome and RegulonDB, locates the
boxes of every candidate) and later builds (other seeds: draws, selection and 250 windows from cached data).

Run: MIT_DATA_DIR=../shared/data python benchmarks/bench_natural.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.natural import build_natural, missing_data  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    reason = missing_data()
    if reason:
        print(f"no natural data: {reason}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    natural = build_natural(42)
    first = time.perf_counter() - start
    later = []
    for seed in range(43, 43 + args.repeats):
        start = time.perf_counter()
        build_natural(seed)
        later.append(time.perf_counter() - start)
    print(f"natural set: {len(natural)} sequences")
    print(f"first build (reads genome + RegulonDB): {first * 1000:8.1f} ms")
    print(f"later builds, best of {args.repeats} seeds:      {min(later) * 1000:8.1f} ms "
          f"(worst {max(later) * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
