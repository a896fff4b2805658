"""Positional, UP position: the same UP nucleotides at 15 (correct) vs downstream of the −10 (wrong)."""

import pytest

from fixtures.sets import UP_CORRECT, UP_POSITIONS, UP_WRONG
from mit_tests import gates
from mit_tests.plugin import require

pytestmark = pytest.mark.mit_property("up_position")


def test_up_position(model, mit_alpha, mit_seed, mit_record):
    """d_i = s(UP@15) − mean s(UP@60..90) on composition-preserving moves of E_i; gate: sign test d > 0."""
    require(model, "up_sweep")
    by_position = {p: model.scores("up_sweep", f"up@{p}") for p in UP_POSITIONS}
    no_up = model.scores("up_sweep", "up@none")
    mit_record(gates.up_position(by_position, UP_CORRECT, UP_WRONG, no_up, mit_alpha, mit_seed), model)
