"""Scoring speed of a real gLM on CPU: HyenaDNA-tiny-1k (0.44 M parameters) as the PyPI wheel anticapt ships it.

    pip install --no-deps anticapt
    python benchmarks/bench_hyenadna.py [--repeats 3] [--suite]

The checkpoint is saved without its LM head; a copy with the head tied to the input embeddings is written to a
temporary folder (``python -m scorers.glm.tie_head``) and scored through ``hyenadna:COPY --trust-remote-code``.

Throughput: every distinct sequence a default run scores (core and probe sets and the canary), scored in one call
by the same loaded model in two configurations, alternated ``--repeats`` times (a busy machine changes speed
from minute to minute; the median and the load average are printed):

* ``before``: as MIT scored before issue 14 — the checkpoint's Python tokenizer called for every sequence, and
  torch's default number of intra-op threads;
* ``after``: the nucleotide table look-up for one-token-per-nucleotide tokenizers and one thread for a model
  this small (``scorers.glm.hf.default_threads``).

``--suite`` also times the whole conformance suite (cold cache) with the default threads and with
``--mit-threads`` set to torch's default. Prints measurements only.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from fixtures.canary import build_canary_set  # noqa: E402
from fixtures.help_text import plain  # noqa: E402
from fixtures.sets import build_all_sets  # noqa: E402
from scorers.glm.tie_head import tie_head  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.registry import resolve  # noqa: E402


def checkpoint() -> Path:
    spec = importlib.util.find_spec("anticapt")
    if spec is None:
        sys.exit("needs the checkpoint of the PyPI wheel anticapt: pip install --no-deps anticapt")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / "dataset1" / "finetuned_hyenadna"


def run_sequences(seed: int = 42) -> list[str]:
    sets = {**build_all_sets(seed), "canary": build_canary_set(seed)}
    return list(dict.fromkeys(q for s in sets.values() for q in s.sequences))


def configure(scorer, table, threads, mode: str) -> None:
    scorer.tokens._table = None if mode == "before" else table
    scorer.threads = None if mode == "before" else threads


def main() -> None:
    parser = argparse.ArgumentParser(description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--suite", action="store_true", help="also time the whole suite (minutes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "hyenadna-tiny-tied"
        tie_head(checkpoint(), copy, trust_remote_code=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scorer = resolve(f"hyenadna:{copy}", ScorerOptions(trust_remote_code=True))
        threads, table = scorer.threads, scorer.tokens._table
        sequences = run_sequences()
        params = sum(p.numel() for p in scorer.model.parameters())
        print(f"HyenaDNA-tiny (anticapt), {params / 1e6:.2f} M parameters, {len(sequences)} distinct sequences of "
              f"a default run; torch {torch.__version__}, {os.cpu_count()} CPUs, torch default threads "
              f"{torch.get_num_threads()}, MIT's threads for this model: {threads}")
        scorer.score(sequences[:50])                      # warm-up: first-call allocations and kernel choices
        rates = {"before": [], "after": []}
        encode = {"before": [], "after": []}
        for _ in range(args.repeats):
            for mode in rates:
                configure(scorer, table, threads, mode)
                start = time.perf_counter()
                scorer.tokens.encode(sequences)
                encode[mode].append(time.perf_counter() - start)
                load = os.getloadavg()[0]
                start = time.perf_counter()
                scorer.score(sequences)
                wall = time.perf_counter() - start
                rates[mode].append(len(sequences) / wall)
                print(f"  {mode:6s} {len(sequences) / wall:7.0f} sequences/s ({wall:5.1f} s; tokenizing alone "
                      f"{encode[mode][-1]:.2f} s; load average {load:.1f})", flush=True)
        before, after = statistics.median(rates["before"]), statistics.median(rates["after"])
        print(f"median: before {before:.0f} sequences/s, after {after:.0f} sequences/s ({after / before:.1f}x); "
              f"tokenizing {statistics.median(encode['before']):.2f} s -> {statistics.median(encode['after']):.3f} s")
        if args.suite:
            for label, extra in (("MIT's default threads", []),
                                 (f"--mit-threads={torch.get_num_threads()}", [f"--mit-threads={torch.get_num_threads()}"])):
                command = [sys.executable, "-m", "pytest", "mit_tests", "-q", "-p", "no:cacheprovider",
                           f"--model=hyenadna:{copy}", "--trust-remote-code", "--mit-cache=none",
                           f"--mit-report={Path(tmp) / 'report'}", *extra]
                load = os.getloadavg()[0]
                start = time.perf_counter()
                proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
                wall = time.perf_counter() - start
                summary = [line for line in proc.stdout.splitlines() if " in " in line and "passed" in line]
                print(f"whole suite, cold cache, {label}: {wall:.0f} s wall (load average {load:.1f} at start); "
                      f"{summary[-1] if summary else proc.stdout[-300:]}")


if __name__ == "__main__":
    main()
