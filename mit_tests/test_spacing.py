"""Spacing: does the score peak at the 17 bp −35/−10 spacer, whichever box moves?"""

import pytest

from mit_tests import gates
from mit_tests.plugin import require, tolerance

pytestmark = pytest.mark.mit_property("spacing")


def test_spacing(model, mit_alpha, mit_seed, mit_record):
    """Spacers 12–25 bp, moving the −10 (design a) and moving the −35 (design b): in each, the mean score
    peaks in 16–18 bp and s(17) > mean s(spacers ≥ 3 bp from 17) by a sign test."""
    require(model, "spacing")
    mit_record(gates.spacing(model.condition_scores("spacing"), mit_alpha, mit_seed, tolerance(model)), model)
