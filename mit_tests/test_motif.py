"""Motif: does the model score an intact −10 box above a broken one on the same background?"""

import pytest

from fixtures.sets import NATURAL_CLASSES_REASON
from mit_tests import gates

pytestmark = pytest.mark.mit_property("motif")


def test_motif(model, mit_alpha, mit_seed, mit_record):
    """C_i (TATAAT) vs D_i (TGTAAT), matched by family; also reports MES = Cohen's d."""
    intact, broken = model.paired("core", "C", "D")
    mit_record(gates.motif(intact, broken, mit_alpha, mit_seed), model)


@pytest.mark.mit_property("motif_natural")
def test_motif_natural(model, mit_alpha, mit_seed, mit_record):
    """A_i (natural intact) vs B_i (the same promoter with its −10 broken)."""
    if not (model.has("core", "A") and model.has("core", "B")):
        pytest.skip(NATURAL_CLASSES_REASON)
    intact, broken = model.paired("core", "A", "B")
    mit_record(gates.motif(intact, broken, mit_alpha, mit_seed, prop="motif_natural"), model)
