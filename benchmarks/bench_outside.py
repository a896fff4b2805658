"""The outside-construction criterion (``mit_tests.outside``) measured for scorers: AUROC of real σ70 promoters over
A/T-matched genome windows and the mean Spearman margin over A/T content on the measured libraries, each with its
95% CI, and whether the criterion holds. The numbers of docs/verdicts.md.

Run: MIT_DATA_DIR=../shared/data python benchmarks/bench_outside.py [--seed 42] [--mpra-n 500] [SPEC ...]
(default specs: the reference scorers that score any window and the fitted adversaries of tests/adversary.py,
``adversary`` and ``at-adversary``, fitted on set seeds 1 and 2 and two drawn designs as tests/test_verdicts.py
fits them; ``cheats`` adds every cheat of tests/cheats.py, ``cheat:NAME`` one of them).
With ``--gate-seeds N`` it instead decides the six gates in-process (no robustness) on set seeds seed … seed+N−1
and prints on how many each spec passes every gate, Holm-adjusted: what the outside criterion has to catch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.genome_windows import build_genome_windows  # noqa: E402
from fixtures.libraries import build_libraries  # noqa: E402
from mit_tests.outside import measure  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.registry import resolve  # noqa: E402

DEFAULT_SPECS = ("energy-lafleur", "energy-lagator", "energy-kinney", "rpa-pwm", "scan", "pa-pwm-nopos", "kmer",
                 "at-content", "random", "random-kmer", "adversary", "at-adversary")


def scorer_of(spec: str, seed: int):
    """A registered scorer, a cheat (``cheat:NAME``) or a fitted adversary (``adversary``, ``at-adversary``)."""
    from tests import adversary
    from tests.cheats import CHEATS
    if spec in ("adversary", "at-adversary"):
        return adversary.fit((1, 2), designs=2, design_seed=1, at_only=spec == "at-adversary")
    if spec.startswith("cheat:"):
        return CHEATS[spec.removeprefix("cheat:")]
    return resolve(spec, ScorerOptions(seed=seed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("specs", nargs="*", default=list(DEFAULT_SPECS))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--mpra-n", type=int, default=500)
    parser.add_argument("--gate-seeds", type=int, default=0)
    args = parser.parse_args()
    from tests.cheats import CHEATS
    args.specs = [s for spec in args.specs for s in ([f"cheat:{n}" for n in CHEATS] if spec == "cheats" else [spec])]
    if args.gate_seeds:
        return gate_seeds(args.specs, args.seed, args.gate_seeds)
    windows = build_genome_windows(args.seed)
    libraries = build_libraries(args.seed, args.mpra_n)
    print(f"{len(windows)} genome-window sequences; libraries: {', '.join(libraries.libraries)}"
          + (f"; missing: {', '.join(libraries.missing)}" if libraries.missing else ""))
    print(f"{'model':40} {'AUROC (95% CI)':>22} {'margin (95% CI)':>24}  per-library margin        verdict")
    for spec in args.specs:
        start = time.perf_counter()
        scorer = scorer_of(spec, args.seed)
        result = measure(spec, scorer, windows, libraries.libraries, args.seed)
        genome, expression = result.details["genome"], result.details["expression"]
        per = " ".join(f"{name[:6]}{r['margin']:+.2f}{'*' if r['fitted_on'] else ''}"
                       for name, r in expression["libraries"].items() if "margin" in r)
        verdict = {True: "met", False: "fails", None: "not measured"}[result.details["met"]]
        print(f"{spec[-40:]:40} {genome['auroc']:6.3f} ({genome['ci'][0]:.3f}–{genome['ci'][1]:.3f})"
              f" {expression['margin']:+7.3f} ({expression['ci'][0]:+.3f}–{expression['ci'][1]:+.3f})  {per}  "
              f"{verdict} [{time.perf_counter() - start:.1f} s]")
    print("* = a library the model was fitted on, left out of its mean margin")
    return 0


def gate_seeds(specs, first: int, count: int) -> int:
    from fixtures.natural import with_natural
    from fixtures.sets import build_all_sets
    from mit_tests.gates import decide_scorer
    from mit_tests.properties import overall_of
    scorers = {spec: scorer_of(spec, first) for spec in specs}
    every = dict.fromkeys(specs, 0)
    for seed in range(first, first + count):
        sets = with_natural(build_all_sets(seed), seed)
        for spec, scorer in scorers.items():
            results = decide_scorer(scorer, sets, 0.05)
            line = overall_of(results, 0.05)
            every[spec] += line["gates_all_pass"]
            print(f"seed {seed} {spec[-40:]:40} passes {', '.join(line['passed']) or 'none'}"
                  + (f"; fails {', '.join(line['failed'])}" if line["failed"] else ""))
    for spec, n in every.items():
        print(f"{spec}: every gate passes (Holm) on {n} of {count} set seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
