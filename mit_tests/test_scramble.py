"""The paper's SCR (diagnostic, never gated): E_i vs H_i, the UP element in place vs moved into the spacer."""

import pytest

from mit_tests import gates
from mit_tests.plugin import tolerance

pytestmark = pytest.mark.mit_property("scramble")


def test_scramble(model, mit_alpha, mit_seed, mit_record):
    """Share of untied families with s(E_i) > s(H_i); the compensation gate tests it together with its twin."""
    mit_record(gates.scramble(model.condition_scores("core", matched=("E", "H")), mit_alpha, mit_seed, tolerance(model)), model)
