"""Strand: are the −35 and −10 boxes worth more forward than reverse-complemented in place?"""

import pytest

from fixtures.sets import STRAND_CONDITIONS
from mit_tests import gates
from mit_tests.plugin import require

pytestmark = pytest.mark.mit_property("strand")


def test_strand(model, mit_alpha, mit_seed, mit_record):
    """Share of families with s(forward C_i) > s(TGTCAA/ATTATA in place); full RC and scrambled reported."""
    require(model, "strand")
    by_condition = {c: model.scores("strand", c) for c in STRAND_CONDITIONS}
    result = gates.strand(by_condition, mit_alpha, mit_seed)
    result.details["rc_equivariant_declared"] = model.rc_equivariant
    mit_record(result, model)
