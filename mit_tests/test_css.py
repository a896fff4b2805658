"""The paper's CSS (diagnostic, never gated): E_i vs D_i. E adds A/T-rich elements, so composition passes it."""

import pytest

from mit_tests import gates
from mit_tests.plugin import tolerance

pytestmark = pytest.mark.mit_property("css")


def test_css(model, mit_alpha, mit_seed, mit_record):
    """Share of untied families with s(E_i) > s(D_i); significant or not, the verdict is info."""
    mit_record(gates.css(model.condition_scores("core", matched=("E", "D")), mit_alpha, mit_seed, tolerance(model)), model)
