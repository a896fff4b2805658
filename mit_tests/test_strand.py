"""Strand: are the −35 and −10 boxes read on the promoter's strand and in its order?"""

import pytest

from mit_tests import gates
from mit_tests.plugin import require, tolerance

pytestmark = pytest.mark.mit_property("strand")


def test_strand(model, mit_alpha, mit_seed, mit_record):
    """s(forward) > s(TGTCAA/ATTATA in place) and s(forward) > s(the two boxes exchanged), same bases; the full
    reverse complement and shuffled boxes are reported."""
    require(model, "strand")
    result = gates.strand(model.condition_scores("strand"), mit_alpha, mit_seed, tolerance(model))
    result.details["rc_equivariant_declared"] = model.rc_equivariant
    mit_record(result, model)
