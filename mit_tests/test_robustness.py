"""Robustness: the motif, compensation and scramble gates hold on every drawn promoter design.

Robustness asks whether a model that passes a core gate keeps passing it on other designs, so a property
whose core gate fails is skipped here (it would only shrink, at the model's cost, to the design it already
fails). Each hypothesis example draws a design (background AT 0.40–0.70, −35 and −10 variants, UP variant, 3′ flank),
builds matched families for it and asserts the same one-sided sign-test gate as the core test. A failure
shrinks to the simplest design on which the model breaks the property. Examples: ``--mit-examples``.
"""

import numpy as np
import pytest
from hypothesis import given

from fixtures.strategies import ROBUSTNESS_FAMILIES, design_families, designs, family_arrays
from mit_tests.gates import FAILURES
from mit_tests.stats import sign_test

COMPARISONS = {
    "motif": ("C", "D"),
    "compensation": ("E", "D"),
    "scramble": ("E", "H"),
}


@pytest.mark.parametrize("prop", list(COMPARISONS))
def test_gate_holds_on_drawn_designs(prop, model, mit_alpha, mit_seed):
    if model.precomputed:
        pytest.skip(f"{model.spec} replays precomputed scores, so it cannot score newly drawn designs")
    better, worse = COMPARISONS[prop]
    core = sign_test(np.subtract(*model.paired("core", better, worse)))
    if core.p >= mit_alpha:
        pytest.skip(f"{model.spec} fails the core {prop} gate (p = {core.p:.3g}); robustness is measured for "
                    "models that pass it")

    @given(design=designs())
    def gate_holds(design):
        members = design_families(design, mit_seed)
        flat = [s for label in "CDEH" for s in members[label]]
        ids = [f"{label}_{i:03d}" for label in "CDEH" for i in range(ROBUSTNESS_FAMILIES)]
        scores = family_arrays(model.score_more(ids, flat), ROBUSTNESS_FAMILIES)
        test = sign_test(scores[better] - scores[worse])
        assert test.p < mit_alpha, (
            f"{model.spec} fails {prop} on {design}: {FAILURES[prop]}. Share s({better}) > s({worse}) = "
            f"{test.estimate:.3f} (95% CI {test.ci[0]:.3f}–{test.ci[1]:.3f}), p = {test.p:.3g}, "
            f"n = {test.n}, ties = {test.ties}, alpha = {mit_alpha}")

    gate_holds()
