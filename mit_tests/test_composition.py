"""Composition (diagnostic, never fails): how much of the score is nucleotide composition?"""

import numpy as np
import pytest

from fixtures.grammar import at_fraction
from fixtures.sets import AT_LEVELS, UP_POSITIONS
from mit_tests import gates

pytestmark = pytest.mark.mit_property("composition")


def test_composition(model, mit_seed, mit_record):
    """Pearson r(AT fraction, score) per sequence; compensation effect per AT level; composition/position ratio."""
    if model.has("at_titration"):
        titration_set = model.sets["at_titration"]
        sequences, scores = list(titration_set.sequences), model.role_scores("at_titration")
        titration = {level: {kind: model.scores("at_titration", f"at{level:.2f}/{kind}")
                             for kind in ("intact", "broken", "compensated")} for level in AT_LEVELS}
    else:
        sequences, scores = list(model.sets["core"].sequences), model.role_scores("core")
        titration = None
    sweep = no_up = None
    if model.has("up_sweep"):
        sweep = {p: model.scores("up_sweep", f"up@{p}") for p in UP_POSITIONS}
        no_up = model.scores("up_sweep", "up@none")
    result = gates.composition(at_fraction(sequences), np.asarray(scores), titration, sweep, no_up, mit_seed)
    mit_record(result, model)
