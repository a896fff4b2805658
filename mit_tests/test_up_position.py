"""UP position: the same UP bases upstream of the −35 vs downstream of the −10, moving the UP and moving the core."""

import pytest

from mit_tests import gates
from mit_tests.plugin import require, tolerance

pytestmark = pytest.mark.mit_property("up_position")


def test_up_position(model, mit_alpha, mit_seed, mit_record):
    """Design a: d_i = s(UP@o+15) − mean s(UP@o+60..90), the UP moved by swaps; design b: the UP kept where it
    is, the −35…−10 core moved from downstream of it to upstream of it. Gate: both sign tests."""
    require(model, "up_sweep")
    mit_record(gates.up_position(model.condition_scores("up_sweep"), mit_alpha, mit_seed, tolerance(model)), model)
