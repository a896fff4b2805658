"""Motif: does the model score an intact −10 box above the same bases rearranged, on the same background?"""

import pytest

from fixtures.natural import missing_data
from mit_tests import gates
from mit_tests.plugin import require, tolerance
from mit_tests.stats import bootstrap_ci

pytestmark = pytest.mark.mit_property("motif")


def test_motif(model, mit_alpha, mit_seed, mit_record):
    """M_i (the family's own −10) vs K_i (its −10 region rearranged: the same bases and dinucleotides), matched
    by family; also reports MES = Cohen's d and the paper's C vs D (TATAAT vs TGTAAT) as a diagnostic."""
    require(model, "core", "K", reason="classes M and K (a −10 and its rearrangement, same bases and "
                                       "dinucleotides) are MIT's; the paper's set has none (its C vs D changes "
                                       "composition: see paper mode)")
    mit_record(gates.motif(model.condition_scores("core"), mit_alpha, mit_seed, tolerance(model)), model)


@pytest.mark.mit_property("motif_natural")
def test_motif_natural(model, mit_alpha, mit_seed, mit_record):
    """A_i (a real σ70 promoter window, −10 ≥ 5/6 TATAAT) vs B_i (the same window with its −10 region rearranged:
    the same bases and dinucleotides), matched by family. With ``--mit-set mit-v1`` the paper's classes A and B, paired by index."""
    role = "natural" if model.has("natural") else "core"
    if not (model.has(role, "A") and model.has(role, "B")):
        pytest.skip(missing_data() or "this run has no natural classes A and B")
    scores = model.condition_scores(role, matched=("A", "B"))
    result = gates.motif(scores, mit_alpha, mit_seed, tolerance(model), intact="A", broken="B",
                         prop="motif_natural")
    # For the report's figure of the natural classes: each class's mean score and the per-family differences.
    result.details["class_means"] = {label: class_mean(model.scores(role, label), mit_seed)
                                     for label in "ABG" if model.has(role, label)}
    result.details["differences"] = [float(d) for d in scores("A") - scores("B")]
    mit_record(result, model)


def class_mean(scores, seed: int) -> dict:
    """``{"mean", "ci"}``: the mean of one class's scores and its seeded bootstrap 95% CI."""
    lo, hi = bootstrap_ci(scores, seed=seed)
    return {"mean": float(scores.mean()), "ci": [lo, hi]}
