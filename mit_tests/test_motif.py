"""Motif: does the model score an intact −10 box above the same bases rearranged, on the same background?"""

import pytest

from fixtures.sets import NATURAL_CLASSES_REASON
from mit_tests import gates
from mit_tests.plugin import require, tolerance

pytestmark = pytest.mark.mit_property("motif")


def test_motif(model, mit_alpha, mit_seed, mit_record):
    """C_i (TATAAT) vs K_i (ATATAT, the same bases), matched by family; also reports MES = Cohen's d and the
    paper's C vs D (TGTAAT) as a diagnostic."""
    require(model, "core", "K", reason="class K (the −10 rearranged, same bases) is MIT's; the paper's set has "
                                       "none (its C vs D changes composition: see paper mode)")
    mit_record(gates.motif(model.condition_scores("core"), mit_alpha, mit_seed, tolerance(model)), model)


@pytest.mark.mit_property("motif_natural")
def test_motif_natural(model, mit_alpha, mit_seed, mit_record):
    """A_i (natural intact) vs B_i (the same promoter with its −10 broken, same bases)."""
    if not (model.has("core", "A") and model.has("core", "B")):
        pytest.skip(NATURAL_CLASSES_REASON)
    mit_record(gates.motif(model.condition_scores("core"), mit_alpha, mit_seed, tolerance(model),
                           intact="A", broken="B", prop="motif_natural"), model)
