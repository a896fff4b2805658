"""Motif: does the model score an intact −10 box above a broken one on the same background?"""

import pytest

from fixtures.natural import missing_data
from mit_tests import gates
from mit_tests.stats import bootstrap_ci

pytestmark = pytest.mark.mit_property("motif")


def test_motif(model, mit_alpha, mit_seed, mit_record):
    """C_i (TATAAT) vs D_i (TGTAAT), matched by family; also reports MES = Cohen's d."""
    intact, broken = model.paired("core", "C", "D")
    mit_record(gates.motif(intact, broken, mit_alpha, mit_seed), model)


@pytest.mark.mit_property("motif_natural")
def test_motif_natural(model, mit_alpha, mit_seed, mit_record):
    """A_i (a real σ70 promoter window, −10 ≥ 5/6 TATAAT) vs B_i (the same window with its −10 rearranged: the
    same bases), matched by family. With ``--mit-set mit-v1`` the paper's classes A and B, paired by index."""
    role = "natural" if model.has("natural") else "core"
    if not (model.has(role, "A") and model.has(role, "B")):
        pytest.skip(missing_data() or "this run has no natural classes A and B")
    intact, broken = model.paired(role, "A", "B")
    result = gates.motif(intact, broken, mit_alpha, mit_seed, prop="motif_natural")
    # For the report's figure of the natural classes: each class's mean score and the per-family differences.
    result.details["class_means"] = {label: class_mean(model.scores(role, label), mit_seed)
                                     for label in "ABG" if model.has(role, label)}
    result.details["differences"] = [float(d) for d in intact - broken]
    mit_record(result, model)


def class_mean(scores, seed: int) -> dict:
    """``{"mean", "ci"}``: the mean of one class's scores and its seeded bootstrap 95% CI."""
    lo, hi = bootstrap_ci(scores, seed=seed)
    return {"mean": float(scores.mean()), "ci": [lo, hi]}
