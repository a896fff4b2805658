"""From scores to verdicts: each function turns one model's scores on matched families into a PropertyResult.

Inputs are float64 arrays aligned by family; outputs carry the estimate, CI, p-value, n, ties, whether the
gate passed, and the curves the report draws (``details``).
"""

from __future__ import annotations

import numpy as np

from mit_tests.properties import SPACING_PEAK
from mit_tests.stats import PropertyResult, bootstrap_ci, cohens_d, pearson, sign_test

FAILURES = {
    "motif": "it does not score the intact −10 (TATAAT) above the broken one (TGTAAT) on the same background",
    "motif_natural": "it does not score natural promoters above the same promoters with their −10 broken",
    "compensation": "it does not score a broken promoter rescued by an UP element and an extended −10 above the "
                    "broken promoter alone",
    "scramble": "it scores the UP element moved into the spacer as high as the UP element in its place, so it "
                "reads composition, not position",
    "up_position": "it does not prefer the UP element upstream of the −35 over the same nucleotides downstream of "
                   "the −10",
    "spacing": f"its score does not peak at the {SPACING_PEAK[0]}–{SPACING_PEAK[-1]} bp −35/−10 spacing",
    "strand": "it does not prefer the −35 and −10 boxes in forward orientation over their reverse complements in "
              "place, so it is strand-blind",
}


def _mean_ci(values, seed: int) -> dict:
    values = np.asarray(values, dtype=np.float64)
    lo, hi = bootstrap_ci(values, seed=seed)
    return {"mean": float(values.mean()), "ci": [lo, hi]}


def paired_gate(prop: str, first, second, alpha: float, statement: str, seed: int) -> PropertyResult:
    """Sign test of ``first_i > second_i`` over matched families."""
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if first.shape != second.shape:
        raise ValueError(f"{prop}: {first.shape} vs {second.shape} scores; pairs must be matched by family")
    test = sign_test(first - second)
    return PropertyResult(
        prop, test.estimate, test.ci, test.p, test.n, test.ties, test.p < alpha, statement,
        "" if test.p < alpha else FAILURES[prop],
        {"wins": test.wins, "losses": test.losses, "mean_difference": _mean_ci(first - second, seed)})


def motif(intact, broken, alpha: float, seed: int, prop: str = "motif") -> PropertyResult:
    result = paired_gate(prop, intact, broken, alpha, "s(intact) > s(broken −10), matched pairs", seed)
    result.details["mes"] = cohens_d(intact, broken)
    result.details["score_sd"] = float(np.sqrt((np.var(intact, ddof=1) + np.var(broken, ddof=1)) / 2))
    return result


def up_position(by_position: dict[int, np.ndarray], correct: int, wrong, no_up, alpha: float,
                seed: int) -> PropertyResult:
    """d_i = s(UP@correct) − mean s(UP@wrong); the curve is each position's score relative to no UP."""
    wrong_mean = np.mean([by_position[p] for p in wrong], axis=0)
    result = paired_gate("up_position", by_position[correct], wrong_mean, alpha,
                         f"s(UP@{correct}) > mean s(UP@{min(wrong)}..{max(wrong)})", seed)
    result.details["curve"] = {str(p): _mean_ci(s - no_up, seed) for p, s in sorted(by_position.items())}
    result.details["curve_reference"] = "no UP (D_i + TGT)"
    return result


def spacing(by_spacing: dict[int, np.ndarray], optimum: int, far, alpha: float, seed: int,
            accepted_peak=SPACING_PEAK) -> PropertyResult:
    """Gate: the mean score peaks at one of ``accepted_peak`` (bp) and d_i = s(optimum) − mean s(far) > 0 by a
    sign test."""
    means = {s: float(v.mean()) for s, v in by_spacing.items()}
    peak = max(means, key=means.get)
    far_mean = np.mean([by_spacing[s] for s in far], axis=0)
    result = paired_gate("spacing", by_spacing[optimum], far_mean, alpha,
                         f"peak in {accepted_peak[0]}–{accepted_peak[-1]} bp and s({optimum}) > mean s(far)", seed)
    if peak not in accepted_peak:
        result.gate_passed = False
        result.failure = FAILURES["spacing"] + f" (its mean score peaks at {peak} bp)"
    elif not result.gate_passed:
        result.failure = (f"its mean score peaks at {peak} bp, but the 17 bp spacer does not beat the far "
                          "spacings family by family")
    result.details.update({
        "peak": peak,
        "curve": {str(s): _mean_ci(v - by_spacing[optimum], seed) for s, v in sorted(by_spacing.items())},
        "curve_reference": f"{optimum} bp",
    })
    return result


def strand(by_condition: dict[str, np.ndarray], alpha: float, seed: int) -> PropertyResult:
    result = paired_gate("strand", by_condition["forward"], by_condition["rc_in_place"], alpha,
                         "s(forward) > s(boxes reverse-complemented in place)", seed)
    result.details["curve"] = {c: _mean_ci(v - by_condition["forward"], seed) for c, v in by_condition.items()}
    result.details["curve_reference"] = "forward"
    return result


def composition(at_fraction, scores, titration: dict[float, dict[str, np.ndarray]] | None,
                sweep: dict[int, np.ndarray] | None, correct: int, wrong, no_up, seed: int) -> PropertyResult:
    """Diagnostic, never gated: how much of the model's score is nucleotide composition.

    ``estimate`` is the per-sequence Pearson r(AT fraction, score). With the probe sets, ``details`` also holds
    the compensation effect (compensated − broken, matched) per AT level, and the matched-pair ratio of the
    compositional to the positional effect of the UP element: compositional = median over families of
    |s(UP at a wrong place) − s(no UP)| (its nucleotides added, no grammar), positional = median of
    |s(UP@correct) − s(UP at a wrong place)| (the same nucleotides, moved). This replaces the paper's "46-fold",
    which divided effects measured on different designs.
    """
    r, p = pearson(at_fraction, scores)
    details: dict = {"r_at_score": r}
    if titration:
        details["titration"] = {
            f"{level:.2f}": {kind: _mean_ci(v, seed) for kind, v in members.items()}
            | {"compensation_effect": _mean_ci(members["compensated"] - members["broken"], seed)}
            for level, members in sorted(titration.items())}
    if sweep:
        wrong_mean = np.mean([sweep[p] for p in wrong], axis=0)
        compositional = float(np.median(np.abs(wrong_mean - no_up)))
        positional = float(np.median(np.abs(sweep[correct] - wrong_mean)))
        details.update({"compositional_effect": compositional, "positional_effect": positional,
                        "composition_to_position_ratio":
                            compositional / positional if positional > 0 else float("inf")})
    ci = (float("nan"), float("nan"))
    n = len(scores)
    if np.isfinite(r) and n > 3:
        z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), 1.959963984540054 / np.sqrt(n - 3)
        ci = (float(np.tanh(z - half)), float(np.tanh(z + half)))
    return PropertyResult("composition", r, ci, p, n, 0, None, "Pearson r(AT fraction, score) per sequence",
                          "", details)
