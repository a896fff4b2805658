"""Wall time of the Ray fan-out (``python -m fanout``) against one sequential MIT run of the same models.

    python benchmarks/bench_fanout.py [--models rpa-pwm,at-content,random,gc] [--num-cpus 2] [-- PYTEST OPTIONS]

Prints both wall times and their ratio (sequential / fan-out; above 1 the fan-out is faster), and checks that the
two runs' verdicts and numbers are identical. Each fan-out task is a whole MIT run in its own process, so on a
machine with fewer cores than models the ratio is bounded by the cores; a GPU cluster gives each large model its
own device (``--ray-address``), which this script does not need.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else ["--mit-examples=1"]
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="rpa-pwm,at-content,random,gc")
    parser.add_argument("--num-cpus", type=int, default=None)
    parser.add_argument("--ray-address", default=None)
    args = parser.parse_args(argv)
    specs = args.models.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "models.txt").write_text("\n".join(specs) + "\n", encoding="utf-8")
        common = ["--mit-cache=none", *extra]
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mit_glm", *(f"--model={s}" for s in specs), "-q",
                        f"--mit-report={tmp / 'sequential'}", *common], check=False, capture_output=True)
        sequential = time.perf_counter() - start
        fan = [sys.executable, "-m", "fanout", "--models", str(tmp / "models.txt"), "--out", str(tmp / "fanout")]
        fan += [f"--num-cpus={args.num_cpus}"] if args.num_cpus else []
        fan += [f"--ray-address={args.ray_address}"] if args.ray_address else []
        start = time.perf_counter()
        done = subprocess.run([*fan, "--", *common], check=False, capture_output=True, text=True)
        fanned = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        same = (json.loads((tmp / "sequential" / "mit-results.json").read_text())["models"]
                == json.loads((tmp / "fanout" / "mit-results.json").read_text())["models"])
    print(f"{len(specs)} models ({', '.join(specs)}): sequential {sequential:.1f} s, fan-out {fanned:.1f} s "
          f"(Ray start-up included); ratio {sequential / fanned:.2f}; identical results: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
