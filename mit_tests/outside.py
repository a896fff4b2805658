"""Evidence from outside MIT's construction: does the model do on sequences MIT did not build what a model of σ70
grammar does? Every gate is built by one public construction, so a model fitted to that construction can pass
them all (the fitted adversaries of ``tests/adversary.py`` pass most); the overall line "grammar" also needs this criterion to hold.

Two parts, each with a seeded bootstrap CI:

* **Real promoters against the genome** (``fixtures.genome_windows``): AUROC of the model's scores separating
  RegulonDB σ70 promoters from NC_000913.3 windows of the same A+T count (A/T content scores 0.5 there by
  construction). Met when the CI's lower bound exceeds :data:`MIN_AUROC`.
* **Measured expression** (the shipped libraries of the mpra property, ``fixtures.libraries``): per library, the
  margin ρ(model score, expression) − ρ(A+T count, expression), Spearman, on the same bootstrap resamples; the
  estimate is the mean margin over the libraries the model was not fitted on (``grounding.FITTED_ON``). Met when
  the CI's lower bound exceeds :data:`MIN_MARGIN`.

The criterion holds when both parts are met; a part that could not be measured (no data, a fixed-layout or
replayed scorer) leaves it "not measured" with the reason, never met.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from mit_tests.grounding import FITTED_ON
from mit_tests.stats import CONFIDENCE, PropertyResult, spearman_replicates

# Thresholds (docs/verdicts.md measures every reference scorer and the fitted adversary against them).
MIN_AUROC = 0.5            # better than chance at telling real promoters from genome windows of their A+T count
MIN_MARGIN = 0.0           # better than A/T content at ranking measured expression
AUROC_RESAMPLES = 2_000
OUTSIDE_CODE = 401          # bootstrap seeds: default_rng([seed, OUTSIDE_CODE, part])


def at_counts(sequences) -> np.ndarray:
    """``(n,)`` A+T count of each sequence: the composition baseline every margin is measured against."""
    return np.array([s.count("A") + s.count("T") for s in sequences], dtype=np.float64)


def auroc(positives, negatives, seed, resamples: int = AUROC_RESAMPLES) -> tuple[float, list[float]]:
    """AUROC of ``positives`` above ``negatives`` (ties count ½: the Mann–Whitney U / (n₁n₀)) and its percentile
    bootstrap CI, each group resampled on its own with ``default_rng(seed)``."""
    positives, negatives = np.asarray(positives, dtype=np.float64), np.asarray(negatives, dtype=np.float64)
    if positives.size == 0 or negatives.size == 0:
        raise ValueError(f"AUROC needs both groups: {positives.size} positives, {negatives.size} negatives")

    def area(pos, neg):
        ranks = sps.rankdata(np.concatenate([pos, neg], axis=-1), axis=-1)
        n1, n0 = pos.shape[-1], neg.shape[-1]
        return (ranks[..., :n1].sum(axis=-1) - n1 * (n1 + 1) / 2) / (n1 * n0)
    rng = np.random.default_rng(seed)
    draws_pos = positives[rng.integers(0, positives.size, size=(resamples, positives.size))]
    draws_neg = negatives[rng.integers(0, negatives.size, size=(resamples, negatives.size))]
    tail = (1 - CONFIDENCE) / 2 * 100
    lo, hi = np.percentile(area(draws_pos, draws_neg), [tail, 100 - tail])
    return float(area(positives, negatives)), [float(lo), float(hi)]


def genome_part(promoter_scores, genome_scores, seed: int) -> dict:
    """The first part: AUROC of promoters over A/T-matched genome windows, CI, n, and whether it is met."""
    value, ci = auroc(promoter_scores, genome_scores, [seed, OUTSIDE_CODE, 0])
    return {"auroc": value, "ci": ci, "n_promoters": len(promoter_scores), "n_genome": len(genome_scores),
            "threshold": MIN_AUROC, "met": bool(ci[0] > MIN_AUROC)}


def expression_part(model_scores: dict[str, np.ndarray], libraries: dict, seed: int, fitted_on=()) -> dict:
    """The second part: per library ρ(model), ρ(A+T count) and their margin with a CI (the same resamples for
    both), and the mean margin over the libraries not in ``fitted_on`` with its CI."""
    per_library, replicates = {}, []
    for index, (name, library) in enumerate(libraries.items()):
        at = at_counts(library.sequences.sequences)
        x, y = np.asarray(model_scores[name], dtype=np.float64), library.expression
        if np.ptp(x) == 0 or np.ptp(y) == 0 or x.size < 3:
            per_library[name] = {"n": int(x.size), "note": "constant scores or expression: no ρ"}
            continue
        library_seed = [seed, OUTSIDE_CODE, 1, index]
        rho, rho_reps = spearman_replicates(x, y, library_seed)
        rho_at, at_reps = spearman_replicates(at, y, library_seed)
        margins = rho_reps - at_reps
        tail = (1 - CONFIDENCE) / 2 * 100
        lo, hi = np.nanpercentile(margins, [tail, 100 - tail])
        excluded = name in fitted_on
        per_library[name] = {"rho": rho, "rho_at": rho_at, "margin": rho - rho_at, "ci": [float(lo), float(hi)],
                             "n": int(x.size), "fitted_on": excluded}
        if not excluded:
            replicates.append(margins)
    counted = [r for r in per_library.values() if "margin" in r and not r["fitted_on"]]
    if not counted:
        return {"libraries": per_library, "met": None,
                "reason": "no measured library the model was not fitted on has a ρ"}
    mean = float(np.mean([r["margin"] for r in counted]))
    tail = (1 - CONFIDENCE) / 2 * 100
    lo, hi = np.nanpercentile(np.mean(replicates, axis=0), [tail, 100 - tail])
    return {"libraries": per_library, "margin": mean, "ci": [float(lo), float(hi)], "n_libraries": len(counted),
            "threshold": MIN_MARGIN, "met": bool(lo > MIN_MARGIN)}


def outside(genome: dict | None, expression: dict | None, missing: dict[str, str]) -> PropertyResult:
    """The outside-construction criterion from its two parts (:func:`genome_part`, :func:`expression_part`;
    None when not measured, with the reason in ``missing[part]``). A diagnostic record (``gate_passed`` None: the
    exit code does not depend on it); ``details["met"]`` is True, False, or None when a part was not measured
    and no measured part failed. The overall line reads it (``properties.overall``)."""
    parts = {"genome": genome, "expression": expression}
    failed = [name for name, part in parts.items() if part is not None and part.get("met") is False]
    unmeasured = {name: missing.get(name) or (part or {}).get("reason", "not measured")
                  for name, part in parts.items() if part is None or part.get("met") is None}
    met = False if failed else (None if unmeasured else True)
    estimate = genome["auroc"] if genome else float("nan")
    ci = tuple(genome["ci"]) if genome else (float("nan"), float("nan"))
    n = (genome or {}).get("n_promoters", 0) + (genome or {}).get("n_genome", 0)
    sentences = []
    if genome is not None and genome["met"] is False:
        sentences.append(f"it separates real σ70 promoters from A/T-matched genome windows with AUROC "
                         f"{genome['auroc']:.2f} (95% CI {genome['ci'][0]:.2f}–{genome['ci'][1]:.2f}), not above "
                         f"{MIN_AUROC}")
    if expression is not None and expression.get("met") is False:
        sentences.append(f"it ranks measured expression no better than A/T content: mean margin in Spearman ρ "
                         f"{expression['margin']:+.2f} (95% CI {expression['ci'][0]:+.2f} to {expression['ci'][1]:+.2f}"
                         f") over {expression['n_libraries']} libraries, not above {MIN_MARGIN}")
    return PropertyResult(
        "outside", estimate, ci, None, n, 0, None,
        f"AUROC(σ70 promoters > A/T-matched genome windows) CI above {MIN_AUROC} and mean ρ margin over A/T "
        f"content on measured libraries CI above {MIN_MARGIN}", "; ".join(sentences),
        {"met": met, "genome": genome, "expression": expression, "not_measured": unmeasured})


def measure(spec: str, scorer, windows, libraries: dict, seed: int) -> PropertyResult:
    """The criterion for a Scorer outside a run: ``windows`` is ``fixtures.genome_windows``' set, ``libraries``
    the measured libraries by name (``fixtures.libraries.LibraryRun.libraries``)."""
    scores = scorer.score(list(windows.sequences))
    genome = genome_part(scores[windows.indices("promoter")], scores[windows.indices("genome")], seed)
    expression = expression_part({name: scorer.score(list(library.sequences.sequences))
                                  for name, library in libraries.items()}, libraries, seed, fitted_on(spec))
    return outside(genome, expression, {})


def fitted_on(spec: str) -> tuple[str, ...]:
    """The libraries ``spec`` was fitted on, left out of its expression margin."""
    return FITTED_ON.get(spec, ())
