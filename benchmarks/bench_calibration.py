"""Calibration of every gate (DESIGN.md section 3a rule 4): how often scorers with no grammar pass, and how often
the relative-grammar reference does.

    python benchmarks/bench_calibration.py [--set-seeds 200] [--random-seeds 1000] [--natural-seeds 100]
                                           [--adversary-seeds 40] [--alpha 0.05] [--markdown]

For each of ``--set-seeds`` set seeds (1 … N) every default set is built and scored by: the null scorers
(``random`` with ``--random-seeds`` scorer seeds, scorer seed k on set seed 1 + k mod N; a constant; the
random local function ``random-kmer``, its scorer seed the set seed, which may pass motif only), the
composition scorers (``at-content``, ``gc``, ``kmer``, ``kmer-paper``, a genome Markov chain), every cheat of
``tests/cheats.py`` (its untrained networks with the set seed as their seed, like ``random-kmer``), the fitted
adversary of ``tests/adversary.py`` (fitted first on the sets of set seeds 10001 … 10000 + ``--adversary-seeds``
and as many drawn robustness designs, none of which the table's seeds use; also its form with pairs of A/T-or-G/C
classes only, and its local form with pairs up to 8 apart) and the reference models. Each gate is decided exactly as a run decides it
(``mit_tests.gates.decide``); the table gives each gate's pass rate with its Monte Carlo standard error
sqrt(r(1 − r)/N), the rate at which every gate passes ("all gates"), the rate of the overall line "grammar" as a
run prints it (every gate and the outside-construction criterion of ``mit_tests/outside.py``, measured once per
scorer on the genome windows and the measured libraries, seed 42, 500 constructs per library), and a verdict line: every null scorer and cheat must pass each gate
at most at alpha + 2 MC errors of a scorer passing at exactly alpha, and ``rpa-pwm`` every gate on ≥ 95% of set
seeds; the fitted adversary must get the overall "grammar" line on at most alpha of them. A second table runs
every single gapped-pair count (x at t, y at t + d, all 16 ordered pairs, d = 1 … 8, either sign: 256 scorers)
and gives, per gate, how many of them pass above the limit (about 2.5% of 256 would by chance). Needs the data
dir for the genome models (``MIT_DATA_DIR``); without it they are left out, said so.

With the data dir, a second table gives the pass rate of the ``motif_natural`` gate (natural A_i vs B_i) over
``--natural-seeds`` set seeds for the references, ``at-content``, ``random-kmer`` at k = 3, 4, 6, 8 (scorer
seed = set seed) and the two readers of gapped composition. It is printed, not checked: real −10s are near-consensus, so a random function of k-mers that
happens to favour their k-mers passes it more often than alpha (README, "Who gets what").
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.datasets import DataUnavailable  # noqa: E402
from fixtures.grammar import encode  # noqa: E402
from fixtures.natural import build_natural  # noqa: E402
from fixtures.sets import build_all_sets, build_core  # noqa: E402
from mit_tests.gates import GATE_SETS, decide, motif  # noqa: E402
from mit_tests.properties import GATES, overall_of  # noqa: E402
from mit_tests.stats import tie_tolerance  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.reference.baselines import RandomKmer  # noqa: E402
from scorers.reference.composition import SeededRandom  # noqa: E402
from scorers.registry import resolve  # noqa: E402
from tests import adversary  # noqa: E402
from tests.cheats import BUILTIN_CHEATS, CHEATS, MUST_FAIL, UNTRAINED, UntrainedNet  # noqa: E402

NULLS = ("random", "constant")
# A random function of local sequence (scorer seed = set seed): it may pass motif (see tests/cheats.py), no other gate.
LOCAL_NULLS = ("random-kmer",)
COMPOSITION = ("at-content", "gc", "kmer", "kmer-paper")
REFERENCES = ("rpa-pwm", "pa-pwm-nopos", "pa-pwm", "thermo", "scan", "pa-pwm-nocomp", "pwm", "energy-lafleur",
              "energy-lagator", "energy-kinney")
GRAMMAR_REFERENCE = "rpa-pwm"
# "all gates": every synthetic gate passes (Holm), the gates' half of the overall line; "grammar": the overall line
# a run prints, which also needs the outside-construction criterion (mit_tests/outside.py) on sequences MIT did
# not build, measured once per scorer (it does not depend on the set seed) whenever the gates all pass.
COLUMNS = GATES + ("all gates", "grammar")
NATURAL_SCORERS = ("rpa-pwm", "pa-pwm-nopos", "scan", "at-content")
NATURAL_CHEATS = ("period-3-repeats", "period-4-avoidance", "c-c-lag-4", "s-s-lag-4", "w-w-lag-4")
GATE_ROLES = tuple(dict.fromkeys(GATE_SETS.values()))     # the sets the gates read
ADVERSARY = "fitted-adversary"
LOCAL_LAG = 8                          # the local adversary: pairs no farther apart than an UP element spans
LOCAL_ADVERSARY = f"fitted-adversary-lag{LOCAL_LAG}"
AT_ADVERSARY = "fitted-at-adversary"    # A/T-or-G/C pairs only (lags 1–40) and clustering: no base identity
ADVERSARY_FIRST_SEED = 10_001
GAPPED_LAGS = tuple(range(1, 9))       # the lags a −10 (1–5) or an UP element (1–8) spans
NATURAL_KMER_SIZES = (3, 4, 6, 8)


class Constant:
    name, kind, fingerprint = "constant", "score", "constant/v1"

    def score(self, sequences):
        return np.zeros(len(sequences))


def must_fail(name: str) -> tuple[str, ...]:
    """The gates (and the grammar line) a scorer without grammar must fail: a null or composition scorer all of
    them; a cheat what ``tests.cheats.MUST_FAIL`` says for what it reads; the references none."""
    if name in LOCAL_NULLS or name in UNTRAINED:
        return MUST_FAIL["local"] + ("all gates", "grammar")
    if name == ADVERSARY:
        return ("grammar",)
    if name == LOCAL_ADVERSARY:
        return MUST_FAIL["gapped"] + ("all gates", "grammar")
    if name == AT_ADVERSARY:
        return MUST_FAIL["clustering"] + ("all gates", "grammar")
    reads = "composition" if name in NULLS else CHEATS[name].reads if name in CHEATS else BUILTIN_CHEATS.get(name)
    return MUST_FAIL[reads] + ("all gates", "grammar") if reads else ()


def scorers_of_run() -> dict:
    found = {"constant": Constant()}
    for name in COMPOSITION + REFERENCES:
        found[name] = resolve(name)
    found.update(CHEATS)
    return found


def verdicts(scorer, sets: dict, alpha: float) -> dict[str, bool]:
    """``{gate: passed, "all gates": every gate passes (Holm), "grammar": that and the outside criterion}`` of one
    scorer on one seed's sets (the outside criterion does not depend on the set seed)."""
    passed = verdicts_of_scores({role: scorer.score(list(sets[role].sequences)) for role in GATE_ROLES}, sets, alpha)
    passed["grammar"] = passed["all gates"] and outside_met(scorer)
    return passed


_OUTSIDE: dict[str, bool] = {}
OUTSIDE_SEED, OUTSIDE_MPRA_N = 42, 500     # as benchmarks/bench_outside.py measures it


@functools.cache
def outside_data() -> tuple | None:
    """The genome windows and the measured libraries of the outside criterion, built once for every scorer;
    None without the data dir."""
    from fixtures.genome_windows import build_genome_windows
    from fixtures.libraries import build_libraries
    try:
        return build_genome_windows(OUTSIDE_SEED), build_libraries(OUTSIDE_SEED, OUTSIDE_MPRA_N).libraries
    except DataUnavailable:
        return None


def outside_met(scorer) -> bool:
    """Whether ``scorer`` meets the outside-construction criterion (measured on first need, kept by fingerprint);
    without the data dir it is not measured, and a line without it is never "grammar"."""
    key = scorer.fingerprint
    if key not in _OUTSIDE:
        from mit_tests.outside import measure
        data = outside_data()
        _OUTSIDE[key] = data is not None and measure(getattr(scorer, "name", key), scorer, *data,
                                                     OUTSIDE_SEED).details["met"] is True
    return _OUTSIDE[key]


def verdicts_of_scores(scores: dict, sets: dict, alpha: float) -> dict[str, bool]:
    index = condition_indices(sets)
    results = decide(lambda role: (lambda c: scores[role][index[role][c]]), alpha, tie_tolerance(scores["core"]))
    passed = {gate: bool(results[gate].gate_passed) for gate in GATES}
    passed["all gates"] = overall_of(results, alpha)["gates_all_pass"]
    return passed


_INDICES: dict[int, dict] = {}


def condition_indices(sets: dict) -> dict[str, dict[str, np.ndarray]]:
    """``{role: {condition: SequenceSet.indices(condition)}}``, kept for the last sets seen (thousands of calls)."""
    if id(sets) not in _INDICES:
        _INDICES.clear()
        _INDICES[id(sets)] = {role: {c: s.indices(c) for c in s.condition_names()} for role, s in sets.items()}
    return _INDICES[id(sets)]


def gapped_pair_scores(sets: dict) -> dict[str, dict]:
    """``{"x…y lag d": {role: (n,) counts}}`` of every ordered base pair at every lag of GAPPED_LAGS."""
    table = {role: adversary.features(encode(list(sets[role].sequences)))[:, :16 * len(GAPPED_LAGS)]
             for role in GATE_ROLES}
    return {f"{'ACGT'[cell % 16 // 4]}…{'ACGT'[cell % 4]} lag {GAPPED_LAGS[cell // 16]}":
            {role: t[:, cell] for role, t in table.items()} for cell in range(16 * len(GAPPED_LAGS))}


def natural_pass_rates(seeds: int, alpha: float) -> dict[str, float]:
    """``{scorer: share of set seeds 1 … seeds on which it passes motif_natural}``, decided as a run decides it
    (ties judged on the scale of the scorer's core-set scores). Raises DataUnavailable without the data dir."""
    passes: dict[str, int] = {}
    for seed in range(1, seeds + 1):
        natural, core = build_natural(seed), build_core(seed)
        scorers = {name: resolve(name) for name in NATURAL_SCORERS}
        scorers.update({f"random-kmer k={k}": RandomKmer(seed=seed, k=k) for k in NATURAL_KMER_SIZES})
        scorers.update({name: CHEATS[name] for name in NATURAL_CHEATS})
        for name, scorer in scorers.items():
            scores = scorer.score(list(natural.sequences))
            result = motif(lambda c, s=scores: s[natural.indices(c)], alpha, 0,  # noqa: B023 (called here)
                           tie_tolerance(scorer.score(list(core.sequences))), intact="A", broken="B",
                           prop="motif_natural", describe=False)
            passes[name] = passes.get(name, 0) + bool(result.gate_passed)
    return {name: count / seeds for name, count in passes.items()}


def report(args, counts: dict, trials: dict, gapped: dict, seeds_done: int, elapsed: float,
           fitted_s: float | None) -> list[str]:
    """Print the calibration table of the first ``seeds_done`` set seeds; return the failures of the checks."""
    order = [n for n in NULLS + LOCAL_NULLS + COMPOSITION + tuple(CHEATS) + tuple(UNTRAINED)
             + (ADVERSARY, AT_ADVERSARY, LOCAL_ADVERSARY) + REFERENCES if n in counts]
    print(f"pass rate per gate (MC standard error); alpha {args.alpha}; set seeds 1..{seeds_done}; "
          f"random: {trials.get('random', 0)} scorer seeds; {elapsed:.0f} s"
          + (f" (the adversaries' fit: {fitted_s:.0f} s on {args.adversary_seeds} seeds and designs)"
             if fitted_s is not None else ""))
    bar = "|" if args.markdown else " "
    header = f"{'scorer':28s}{bar} {'n':>5s} " + "".join(f"{bar} {c:>14s} " for c in COLUMNS)
    print(header)
    if args.markdown:
        print("|---" * (len(COLUMNS) + 2) + "|")
    failures = []
    for name in order:
        n = trials[name]
        limit = args.alpha + 2 * math.sqrt(args.alpha * (1 - args.alpha) / n)
        cells = []
        for column in COLUMNS:
            rate = counts[name][column] / n
            error = math.sqrt(rate * (1 - rate) / n)
            cells.append(f"{rate:6.3f} ± {error:5.3f}")
            if column in must_fail(name) and rate > (args.alpha if name == ADVERSARY else limit):
                failures.append(f"{name} passes {column} at {rate:.3f} > "
                                f"{args.alpha if name == ADVERSARY else limit:.3f}")
            if name == GRAMMAR_REFERENCE and rate < 0.95:
                failures.append(f"{name} passes {column} on only {rate:.3f} of set seeds")
        name_cell = f"`{name}`" if args.markdown else name
        print(f"{name_cell:28s}{bar} {n:5d} " + "".join(f"{bar} {c:>14s} " for c in cells) + (bar if args.markdown
                                                                                               else ""))
    gapped_seeds = min(seeds_done, args.gapped_seeds)
    limit = args.alpha + 2 * math.sqrt(args.alpha * (1 - args.alpha) / max(gapped_seeds, 1))
    print(f"single gapped-pair counts on set seeds 1..{gapped_seeds} (x at t, y at t + d, d = {GAPPED_LAGS[0]}…"
          f"{GAPPED_LAGS[-1]}, either sign: {len(gapped)} scorers): how many pass each gate above {limit:.3f}, and "
          "the most often passed")
    for column in GATES + ("all gates",) if gapped else ():
        rates = {cell: row[column] / max(gapped_seeds, 1) for cell, row in gapped.items()}
        worst = max(rates, key=rates.get)
        over = sum(rate > limit for rate in rates.values())
        print(f"  {column:14s} {over:4d} of {len(rates)} above; most: {worst} {rates[worst]:.3f}")
        if over > 0.05 * len(rates):
            failures.append(f"{over} of {len(rates)} single gapped-pair counts pass {column} above {limit:.3f}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set-seeds", type=int, default=200)
    parser.add_argument("--random-seeds", type=int, default=1000)
    parser.add_argument("--natural-seeds", type=int, default=100,
                        help="set seeds for the motif_natural table (0: leave it out)")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for README)")
    parser.add_argument("--gapped-seeds", type=int, default=200,
                        help="set seeds for the table of single gapped-pair counts (the first ones)")
    parser.add_argument("--report-every", type=int, default=0,
                        help="also print the table after every this many set seeds (0: only at the end)")
    parser.add_argument("--adversary-seeds", type=int, default=40,
                        help="set seeds (and drawn designs) the fitted adversary is fitted on (0: leave it out)")
    args = parser.parse_args()
    start = time.perf_counter()
    scorers = scorers_of_run()
    if args.adversary_seeds:
        training = range(ADVERSARY_FIRST_SEED, ADVERSARY_FIRST_SEED + args.adversary_seeds)
        scorers[ADVERSARY] = adversary.fit(training, designs=args.adversary_seeds, design_seed=1)
        scorers[AT_ADVERSARY] = adversary.fit(training, designs=args.adversary_seeds, design_seed=1, at_only=True)
        scorers[LOCAL_ADVERSARY] = adversary.fit(training, designs=args.adversary_seeds, design_seed=1,
                                                 max_lag=LOCAL_LAG)
        fitted_s = time.perf_counter() - start
    else:
        fitted_s = None
    gapped: dict[str, dict[str, int]] = {}
    counts: dict[str, dict[str, int]] = {}
    trials: dict[str, int] = {}
    left_out: dict[str, str] = {}
    random_done = 0

    def tally(name: str, passed: dict[str, bool]) -> None:
        row = counts.setdefault(name, dict.fromkeys(COLUMNS, 0))
        for column, ok in passed.items():
            row[column] += ok
        trials[name] = trials.get(name, 0) + 1

    for seed in range(1, args.set_seeds + 1):
        sets = build_all_sets(seed)
        for name, scorer in list(scorers.items()):
            try:
                passed = verdicts(scorer, sets, args.alpha)
            except DataUnavailable as exc:
                left_out[name] = exc.reason.split(". ")[0]
                del scorers[name]
                continue
            tally(name, passed)
        for name in LOCAL_NULLS:
            tally(name, verdicts(resolve(name, ScorerOptions(seed=seed)), sets, args.alpha))
        for name, net in UNTRAINED.items():
            tally(name, verdicts(UntrainedNet(net.arch, net.rf, seed), sets, args.alpha))
        for cell, counts_of in (gapped_pair_scores(sets).items() if seed <= args.gapped_seeds else ()):
            for sign, label in ((1, "+"), (-1, "−")):
                passed = verdicts_of_scores({role: sign * c for role, c in counts_of.items()}, sets, args.alpha)
                row = gapped.setdefault(f"{label}{cell}", dict.fromkeys(COLUMNS, 0))
                for column, ok in passed.items():
                    row[column] += ok
        # Scorer seed k runs on set seed 1 + k mod N: every set seed gets its share of the random seeds.
        while random_done < args.random_seeds and random_done % args.set_seeds == seed - 1:
            tally("random", verdicts(SeededRandom(seed=random_done), sets, args.alpha))
            random_done += 1
        if args.report_every and seed % args.report_every == 0 and seed < args.set_seeds:
            print(f"--- after {seed} set seeds", flush=True)
            report(args, counts, trials, gapped, seed, time.perf_counter() - start, fitted_s)
            sys.stdout.flush()
    for k in range(random_done, args.random_seeds):           # the seeds left over when N > set seeds
        tally("random", verdicts(SeededRandom(seed=k), build_all_sets(1 + k % args.set_seeds), args.alpha))
    failures = report(args, counts, trials, gapped, args.set_seeds, time.perf_counter() - start, fitted_s)
    for name, why in left_out.items():
        print(f"left out: {name}: {why}")
    print("calibration: " + ("every null scorer, composition scorer and cheat at or below alpha + 2 MC errors on "
                             "every gate it must fail; rpa-pwm passes every gate on >= 95% of set seeds"
                             if not failures else "FAILS: " + "; ".join(failures)))
    print("(random-kmer, a random function of local sequence, prefers one side of any contrast of k-mers, the "
          "−10's included: it may pass motif, no other gate)")
    if args.natural_seeds:
        try:
            rates = natural_pass_rates(args.natural_seeds, args.alpha)
        except DataUnavailable as exc:
            print(f"left out: motif_natural: {exc.reason.split('. ')[0]}")
        else:
            print(f"motif_natural pass rate (MC standard error), set seeds 1..{args.natural_seeds}; not checked:")
            for name, rate in rates.items():
                error = math.sqrt(rate * (1 - rate) / args.natural_seeds)
                print(f"  {name:28s} {rate:6.3f} ± {error:5.3f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
