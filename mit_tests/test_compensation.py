"""Compensation: does an UP element and an extended −10 rescue a broken −10 only in their place?"""

import pytest

from mit_tests import gates
from mit_tests.plugin import require, tolerance

pytestmark = pytest.mark.mit_property("compensation")


def test_compensation(model, mit_alpha, mit_seed, mit_record):
    """E_i (rescued in place) vs H_i (the UP moved into the spacer) and vs J_i (the −35/−10 boxes moved away from
    the UP and ext −10): the same bases in all three; gate: both one-sided sign tests."""
    require(model, "core", "J", reason="classes H and J of MIT's sets move elements by swaps; the paper's set "
                                       "has independent draws instead (see paper mode)")
    mit_record(gates.compensation(model.condition_scores("core"), mit_alpha, mit_seed, tolerance(model)), model)
