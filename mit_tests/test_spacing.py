"""Spacing: does the score peak at the 17 bp −35/−10 spacer?"""

import pytest

from fixtures.sets import SPACING_FAR, SPACING_OPTIMUM, SPACINGS
from mit_tests import gates
from mit_tests.plugin import require

pytestmark = pytest.mark.mit_property("spacing")


def test_spacing(model, mit_alpha, mit_seed, mit_record):
    """Mean score per spacing 12–25 bp peaks in 16–18, and s(17) > mean s(spacings ≥ 3 bp from 17)."""
    require(model, "spacing")
    by_spacing = {s: model.scores("spacing", f"s{s}") for s in SPACINGS}
    mit_record(gates.spacing(by_spacing, SPACING_OPTIMUM, SPACING_FAR, mit_alpha, mit_seed), model)
