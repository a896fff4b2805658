"""From scores to verdicts: each function turns one model's scores on matched families into a PropertyResult.

A property function takes ``scores(condition) -> (n_families,) float64``, the model's scores of the members
with that condition ordered by family (``ScoredModel.scores`` bound to a set, or a robustness example's
scores), plus the gate level ``alpha``, the bootstrap ``seed`` and the model's ``tie_tolerance`` (scores closer
than it tie; ties are no evidence, DESIGN.md section 3a rule 3). ``describe=False`` skips the bootstrap CIs and
curves that only the report needs (the calibration benchmark calls these functions thousands of times).

A gate of several contrasts (a positional contrast and its twin, rule 1) passes only when every contrast passes:
its p-value is the largest of theirs (an intersection–union test), its estimate, CI, n and ties those of that
weakest contrast; ``details["contrasts"]`` holds each one. Every synthetic contrast is tested twice, plainly and
beyond the members' class shadows (``<contrast>~class``, :func:`gate_contrasts`), so a reader of k-mers (which
ties the plain contrast) and a reader of the A/T class string (which ties the other) both fail.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from fixtures.sets import (SHADOW, SPACING_FAR, SPACING_OPTIMUM, SPACINGS, UP_CORRECT, UP_FAR, UP_NEAR, UP_POSITIONS,
                           UP_WRONG)
from mit_tests.properties import SPACING_PEAK
from mit_tests.stats import PropertyResult, SignTest, bootstrap_ci, cohens_d, paired_effect, pearson, sign_test

Scores = Callable[[str], np.ndarray]

# What a model got wrong, one sentence per failed contrast.
FAILURES = {
    ("motif", "M>K"): "it does not score an intact −10 above the same region rearranged (the same bases and "
                      "dinucleotides) on the same background",
    ("motif_natural", "A>B"): "it does not score natural promoters above the same promoters with their −10 "
                              "rearranged",
    ("compensation", "E>H"): "it does not score the UP element in its place above the same bases moved into the "
                             "spacer",
    ("compensation", "E>J"): "it does not score the −35/−10 boxes next to the UP and extended −10 above the same "
                             "boxes moved away from them",
    ("compensation", "E>L"): "it does not score the UP element in its place above the same bases moved far "
                             "upstream",
    ("up_position", "a"): "it does not prefer the UP element upstream of the −35 over the same bases just "
                          "downstream of the −10",
    ("up_position", "a_far"): "it does not prefer the UP element upstream of the −35 over the same bases far "
                              "downstream of the −10",
    ("up_position", "b"): "with the UP element kept in place, it does not prefer the −35…−10 core downstream of "
                          "it over the same core moved upstream of it",
    ("spacing", "a"): "moving the −10 box, it does not prefer the 17 bp spacer over far spacers",
    ("spacing", "b"): "moving the −35 box, it does not prefer the 17 bp spacer over far spacers",
    ("strand", "rc"): "it does not prefer the −35 and −10 boxes over their reverse complements in place",
    ("strand", "order"): "it does not prefer the −35 box upstream of the −10 box over the two boxes exchanged",
    ("strand", "rc_twin"): "with the promoter on the reverse strand, it does not prefer the boxes over their "
                           "reverse complements in place",
    ("strand", "order_twin"): "with the promoter on the reverse strand, it does not prefer the −35 box upstream of "
                              "the −10 box over the two boxes exchanged",
}
# The contrasts each gate compares: name → (conditions whose mean score is the first member, conditions whose
# mean is the second), matched by family; the gate passes when the first beats the second in every contrast.
# The fitted adversary of tests/adversary.py is fitted to these same differences.
GATE_CONTRASTS = {
    "motif": {"M>K": (("M",), ("K",))},
    "compensation": {"E>H": (("E",), ("H",)), "E>J": (("E",), ("J",)), "E>L": (("E",), ("L",))},
    "up_position": {"a": ((f"up@{UP_CORRECT}",), tuple(f"up@{p}" for p in UP_NEAR)),
                    "a_far": ((f"up@{UP_CORRECT}",), tuple(f"up@{p}" for p in UP_FAR)),
                    "b": (("b/correct",), ("b/wrong",))},
    "spacing": {design: ((f"{design}/s{SPACING_OPTIMUM}",), tuple(f"{design}/s{s}" for s in SPACING_FAR))
                for design in ("a", "b")},
    "strand": {"rc": (("forward",), ("rc_in_place",)), "order": (("forward",), ("swapped",)),
               "rc_twin": (("full_rc",), ("full_rc/rc_in_place",)), "order_twin": (("full_rc",), ("full_rc/swapped",))},
}


BEYOND = "~class"      # the suffix of a contrast taken beyond the class shadows


def beyond_class(scores: Scores) -> Scores:
    """``condition -> s(member) − s(its class shadow)``, matched by family (``fixtures.sets.SHADOW``).

    A family's shadows keep every A/T-or-G/C class difference between its members and redraw base identity, so
    a contrast of these differences is the model's contrast minus what the class string alone gives it: a reader
    of A/T-rich blocks (richest windows, runs, A/T autocorrelation, where A/T sits) scores exactly 0 on every
    pair and ties, whatever the contrast moves. What is left is what the model reads from base identity."""
    return lambda condition: scores(condition) - scores(SHADOW + condition)


def contrast_scores(prop: str, scores: Scores, beyond: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{contrast: (first, second)}`` of ``prop``'s GATE_CONTRASTS, each a mean over its conditions; with
    ``beyond``, of the scores beyond their class shadows (:func:`beyond_class`). ``scores`` may return
    ``(families, …)`` arrays (the fitted adversary passes feature rows)."""
    if beyond:
        scores = beyond_class(scores)
    return {name: (np.mean([scores(c) for c in first], axis=0), np.mean([scores(c) for c in second], axis=0))
            for name, (first, second) in GATE_CONTRASTS[prop].items()}


def gate_contrasts(prop: str, scores: Scores) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every contrast a gate tests: each of GATE_CONTRASTS and the same beyond its class shadows, named
    ``<contrast>~class``. A contrast holds when both pass: the model prefers the grammatical member, and prefers
    it by more than the class string alone gives (so a reader of k-mers, which ties the first, and a reader of
    A/T classes, which ties the second, both fail)."""
    plain = contrast_scores(prop, scores)
    return plain | {f"{name}{BEYOND}": pair for name, pair in contrast_scores(prop, scores, beyond=True).items()}


# How each contrast is named where several of a gate are listed together.
CONTRAST_NAMES = {("compensation", "E>H"): "the UP moved", ("compensation", "E>J"): "the boxes moved",
                  ("compensation", "E>L"): "the UP moved upstream",
                  ("up_position", "a"): "the UP moved near", ("up_position", "a_far"): "the UP moved far",
                  ("up_position", "b"): "the core moved",
                  ("spacing", "a"): "the −10 moved", ("spacing", "b"): "the −35 moved",
                  ("strand", "rc"): "the boxes reverse-complemented", ("strand", "order"): "the boxes exchanged",
                  ("strand", "rc_twin"): "the boxes reverse-complemented, reverse strand",
                  ("strand", "order_twin"): "the boxes exchanged, reverse strand"}


def failure_sentence(prop: str, name: str) -> str:
    """What a model got wrong in contrast ``name`` of ``prop`` (a ``~class`` contrast: beyond the class string)."""
    plain = name.removesuffix(BEYOND)
    if plain == name:
        return FAILURES[(prop, name)]
    return (FAILURES[(prop, plain)] + " by more than the A/T-or-G/C class string alone gives (the same members with "
            "base identity redrawn within each class)")


def contrast_label(prop: str, name: str) -> str:
    plain = name.removesuffix(BEYOND)
    label = CONTRAST_NAMES.get((prop, plain), plain)
    return label + (", beyond the class string" if plain != name else "")


def mostly_ties_sentence(prop: str, tied: dict[str, SignTest]) -> str:
    """One sentence for the contrasts of a gate that are mostly ties."""
    counts = "; ".join(f"{contrast_label(prop, name)}: {t.ties} of {t.n}" for name, t in tied.items())
    return f"most pairs tie ({counts}), so it cannot tell the arrangements apart"


def _mean_ci(values, seed: int) -> dict:
    values = np.asarray(values, dtype=np.float64)
    lo, hi = bootstrap_ci(values, seed=seed)
    return {"mean": float(values.mean()), "ci": [lo, hi]}


def _contrast_record(test: SignTest, first: np.ndarray, second: np.ndarray, seed: int, describe: bool) -> dict:
    """A contrast's sign test and, when ``describe``, its size: ``effect`` (``stats.paired_effect``: the mean
    paired difference with its CI, in score units and in units of the score SD) beside the verdict."""
    record = {"estimate": test.estimate, "ci": list(test.ci), "p": test.p, "n": test.n, "ties": test.ties,
              "wins": test.wins, "losses": test.losses}
    if describe:
        record["mean_difference"] = _mean_ci(first - second, seed)
        record["effect"] = paired_effect(first, second, seed)
    return record


def contrast_gate(prop: str, contrasts: dict[str, tuple[np.ndarray, np.ndarray]], alpha: float, statement: str,
                  seed: int, tie_tolerance: float, describe: bool = True) -> PropertyResult:
    """Sign tests of ``first_i > second_i`` for each named contrast (matched families); all must pass."""
    tests, records = {}, {}
    for name, (first, second) in contrasts.items():
        first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
        if first.shape != second.shape:
            raise ValueError(f"{prop} {name}: {first.shape} vs {second.shape} scores; pairs must be matched")
        tests[name] = sign_test(first - second, tie_tolerance)
        records[name] = _contrast_record(tests[name], first, second, seed, describe)
    weakest = max(tests, key=lambda name: (not tests[name].passes(alpha), tests[name].p))
    test = tests[weakest]
    failed = [name for name, t in tests.items() if not t.passes(alpha)]
    tied = {name: tests[name] for name in failed if tests[name].mostly_ties}
    failure = "; ".join(([mostly_ties_sentence(prop, tied)] if tied else [])
                        + [failure_sentence(prop, name) for name in failed if name not in tied])
    return PropertyResult(prop, test.estimate, test.ci, max(t.p for t in tests.values()), test.n, test.ties,
                          not failed, statement, failure, {"contrasts": records, "weakest": weakest},
                          records[weakest].get("effect"))


def info_contrast(prop: str, first, second, alpha: float, statement: str, seed: int, tie_tolerance: float,
                  describe: bool = True) -> PropertyResult:
    """A diagnostic contrast: measured like a gate, never gated (``gate_passed`` None). ``details["significant"]``
    says whether its one-sided sign test rejects at ``alpha``."""
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    test = sign_test(first - second, tie_tolerance)
    details = _contrast_record(test, first, second, seed, describe)
    details["significant"] = test.passes(alpha)
    return PropertyResult(prop, test.estimate, test.ci, test.p, test.n, test.ties, None, statement, "", details,
                          details.get("effect"))


# ------------------------------------------------------------------------------------------------- gates

def motif(scores: Scores, alpha: float, seed: int, tie_tolerance: float, describe: bool = True,
          intact: str = "M", broken: str = "K", prop: str = "motif") -> PropertyResult:
    """Intact −10 vs the same region rearranged (the same bases and dinucleotides), matched by family; MES =
    Cohen's d. The paper's C vs D (TATAAT vs TGTAAT, one base changed: composition differs) is reported in
    ``details["paper_c_vs_d"]``."""
    a, b = scores(intact), scores(broken)
    # the natural set has no shadows (its members come from the genome)
    contrasts = gate_contrasts(prop, scores) if prop == "motif" else {f"{intact}>{broken}": (a, b)}
    result = contrast_gate(prop, contrasts, alpha,
                           f"s({intact}) > s({broken}), matched families, same bases and dinucleotides"
                           + (", also beyond their class shadows" if prop == "motif" else ""), seed, tie_tolerance,
                           describe)
    result.details["mes"] = cohens_d(a, b)
    result.details["score_sd"] = float(np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)) if a.size > 1 else 0.0
    if prop == "motif" and describe:
        c, d = scores("C"), scores("D")
        paper = info_contrast("motif", c, d, alpha, "s(C) > s(D)", seed, tie_tolerance, False)
        result.details["paper_c_vs_d"] = {"estimate": paper.estimate, "ci": list(paper.ci), "p": paper.p,
                                          "ties": paper.ties, "mes": cohens_d(c, d)}
    return result


def compensation(scores: Scores, alpha: float, seed: int, tie_tolerance: float,
                 describe: bool = True) -> PropertyResult:
    """Rescue only in place: E (UP and ext −10 next to the boxes) beats H (the UP moved into the spacer), J (the
    boxes moved away from the UP and ext −10) and L (the UP moved far upstream). All four have the same bases."""
    return contrast_gate("compensation", gate_contrasts("compensation", scores), alpha,
                         "s(E) > s(H, UP moved), s(J, boxes moved) and s(L, UP moved upstream), matched families, same "
                         "bases, also beyond their class shadows",
                         seed, tie_tolerance, describe)


def up_position(scores: Scores, alpha: float, seed: int, tie_tolerance: float,
                describe: bool = True) -> PropertyResult:
    """Design a: d_i = s(UP@15) − mean s(UP@60..70) and s(UP@15) − mean s(UP@80..90), the UP moved. Design b: the UP kept, the core moved
    upstream of it. The curve (design a) is each position's score relative to no UP."""
    result = contrast_gate("up_position", gate_contrasts("up_position", scores), alpha,
                           f"s(UP@{UP_CORRECT}) > mean s(UP@{min(UP_NEAR)}..{max(UP_NEAR)}) and mean "
                           f"s(UP@{min(UP_FAR)}..{max(UP_FAR)}) (UP moved) and "
                           "s(core downstream of the UP) > s(core upstream of it) (UP kept), also beyond their class "
                           "shadows", seed, tie_tolerance,
                           describe)
    if describe:
        no_up = scores("up@none")
        result.details["curve"] = {str(p): _mean_ci(scores(f"up@{p}") - no_up, seed) for p in sorted(UP_POSITIONS)}
        result.details["curve_reference"] = "no UP (D_i + TGT)"
    return result


def spacing(scores: Scores, alpha: float, seed: int, tie_tolerance: float, describe: bool = True,
            accepted_peak=SPACING_PEAK) -> PropertyResult:
    """For each design (a: the −10 moved, b: the −35 moved): the mean score peaks at one of ``accepted_peak``
    (bp) and d_i = s(17) − mean s(spacings ≥ 3 bp from 17) > 0 by a sign test."""
    peaks, curves = {}, {}
    for design in ("a", "b"):
        by_spacing = {s: scores(f"{design}/s{s}") for s in SPACINGS}
        means = {s: float(v.mean()) for s, v in by_spacing.items()}
        peaks[design] = max(means, key=means.get)
        if describe:
            curves[design] = {str(s): _mean_ci(v - by_spacing[SPACING_OPTIMUM], seed)
                              for s, v in sorted(by_spacing.items())}
    result = contrast_gate("spacing", gate_contrasts("spacing", scores), alpha,
                           f"mean score peaks in {accepted_peak[0]}–{accepted_peak[-1]} bp and s({SPACING_OPTIMUM}) "
                           "> mean s(far), the −10 moved and the −35 moved, also beyond their class shadows", seed,
                           tie_tolerance, describe)
    off_peak = {d: p for d, p in peaks.items() if p not in accepted_peak}
    if off_peak:
        result.gate_passed = False
        where = ", ".join(f"{p} bp moving the {'−10' if d == 'a' else '−35'}" for d, p in off_peak.items())
        result.failure = "; ".join(filter(None, [f"its mean score peaks at {where}, not at "
                                                 f"{accepted_peak[0]}–{accepted_peak[-1]} bp", result.failure]))
    result.details.update({"peak": peaks["a"], "peaks": peaks})
    if describe:
        result.details.update({"curve": curves["a"], "curve_b": curves["b"],
                               "curve_reference": f"{SPACING_OPTIMUM} bp"})
    return result


def strand(scores: Scores, alpha: float, seed: int, tie_tolerance: float, describe: bool = True) -> PropertyResult:
    """The boxes on the promoter's strand and in its order: forward beats both boxes reverse-complemented in
    place and the two boxes exchanged (same bases in all three), and so does each of the three read from the
    other strand (the twins). Shuffled boxes are reported."""
    forward = scores("forward")
    result = contrast_gate("strand", gate_contrasts("strand", scores), alpha,
                           "s(forward) > s(boxes reverse-complemented in place) and s(forward) > s(boxes exchanged), "
                           "on either strand, matched families, same bases, also beyond their class shadows", seed,
                           tie_tolerance, describe)
    if describe:
        result.details["curve"] = {c: _mean_ci(scores(c) - forward, seed)
                                   for c in ("forward", "rc_in_place", "swapped", "full_rc", "scrambled")}
        result.details["curve_reference"] = "forward"
    return result


GATES = {"motif": motif, "compensation": compensation, "up_position": up_position, "spacing": spacing,
         "strand": strand}
# The set each gate reads.
GATE_SETS = {"motif": "core", "compensation": "core", "up_position": "up_sweep", "spacing": "spacing",
             "strand": "strand"}


def decide(scores_of: Callable[[str], Scores], alpha: float, tie_tolerance: float,
           natural: bool = False) -> dict[str, PropertyResult]:
    """Every gate and the css diagnostic, decided without the report's descriptions: ``scores_of(role)`` gives a
    set's ``scores(condition)``. The calibration benchmark and the cheat tests call this thousands of times.
    With ``natural``, motif_natural too (A > B of the role ``natural``)."""
    results = {name: gate(scores_of(GATE_SETS[name]), alpha, 0, tie_tolerance, describe=False)
               for name, gate in GATES.items()}
    results["css"] = css(scores_of("core"), alpha, 0, tie_tolerance, describe=False)
    if natural:
        results["motif_natural"] = motif(scores_of("natural"), alpha, 0, tie_tolerance, describe=False,
                                         intact="A", broken="B", prop="motif_natural")
    return results


def decide_scorer(scorer, sets: dict, alpha: float) -> dict[str, PropertyResult]:
    """:func:`decide` for a Scorer on ``sets`` (role → SequenceSet), motif_natural included when ``sets`` has the
    natural set; ties judged on the scale of its core-set scores, as a run judges them (no robustness)."""
    from mit_tests.stats import tie_tolerance
    scores = {role: scorer.score(list(s.sequences)) for role, s in sets.items()}
    return decide(lambda role: (lambda c: scores[role][sets[role].indices(c)]), alpha,
                  tie_tolerance(scores["core"]), natural="natural" in sets)


# ------------------------------------------------------------------------------------------- diagnostics

def css(scores: Scores, alpha: float, seed: int, tie_tolerance: float, describe: bool = True) -> PropertyResult:
    """The paper's CSS, E vs D: E adds A/T-rich elements to D, so a composition reader passes it. Not gated."""
    return info_contrast("css", scores("E"), scores("D"), alpha, "s(E) > s(D): the paper's CSS (E adds A/T)",
                         seed, tie_tolerance, describe)


def scramble(scores: Scores, alpha: float, seed: int, tie_tolerance: float,
             describe: bool = True) -> PropertyResult:
    """The paper's SCR on MIT's matched families, E vs H (the first contrast of the compensation gate)."""
    return info_contrast("scramble", scores("E"), scores("H"), alpha, "s(E) > s(H, the UP moved into the spacer)",
                         seed, tie_tolerance, describe)


def composition(at_fraction, all_scores, titration: dict[float, dict[str, np.ndarray]] | None,
                sweep: dict[int, np.ndarray] | None, no_up, seed: int) -> PropertyResult:
    """Diagnostic, never gated: how much of the model's score is nucleotide composition.

    ``estimate`` is the per-sequence Pearson r(AT fraction, score). With the probe sets, ``details`` also holds
    the compensation effect (compensated − broken, matched) per AT level, and the matched-pair ratio of the
    compositional to the positional effect of the UP element: compositional = median over families of
    |s(UP at a wrong place) − s(no UP)| (its nucleotides added, no grammar), positional = median of
    |s(UP@correct) − s(UP at a wrong place)| (the same nucleotides, moved). This replaces the paper's "46-fold",
    which divided effects measured on different designs.
    """
    r, p = pearson(at_fraction, all_scores)
    details: dict = {"r_at_score": r}
    if titration:
        details["titration"] = {
            f"{level:.2f}": {kind: _mean_ci(v, seed) for kind, v in members.items()}
            | {"compensation_effect": _mean_ci(members["compensated"] - members["broken"], seed)}
            for level, members in sorted(titration.items())}
    if sweep:
        wrong_mean = np.mean([sweep[p] for p in UP_WRONG], axis=0)
        compositional = float(np.median(np.abs(wrong_mean - no_up)))
        positional = float(np.median(np.abs(sweep[UP_CORRECT] - wrong_mean)))
        details.update({"compositional_effect": compositional, "positional_effect": positional,
                        "composition_to_position_ratio":
                            compositional / positional if positional > 0 else float("inf")})
    ci = (float("nan"), float("nan"))
    n = len(all_scores)
    if np.isfinite(r) and n > 3:
        z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), 1.959963984540054 / np.sqrt(n - 3)
        ci = (float(np.tanh(z - half)), float(np.tanh(z + half)))
    return PropertyResult("composition", r, ci, p, n, 0, None, "Pearson r(AT fraction, score) per sequence",
                          "", details)
