"""Robustness: every gate holds on drawn promoter designs, not only on the default one.

Each hypothesis example draws a design (``fixtures.strategies.designs``: background and spacer AT, −35 and −10
variants, UP variant, window length, where the families sit), builds ``ROBUSTNESS_FAMILIES`` (motif and strand: ``GATE_ROBUSTNESS_FAMILIES``) matched families of
the gate's set for it, and applies the same gate (twins included) as the core test. A failure shrinks to the
simplest design on which the model breaks the property and is recorded as ``robustness_<gate>``: a FAIL in the
matrix and in mit-results.json. Robustness asks whether a model that passes a core gate keeps passing it, so a
gate the model fails on the core sets is skipped here. Examples: ``--mit-examples``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given

from fixtures.strategies import GATE_ROBUSTNESS_FAMILIES, ROBUSTNESS_FAMILIES, design_set, designs
from mit_tests import gates
from mit_tests.plugin import tolerance
from mit_tests.properties import GATES
from mit_tests.stats import PropertyResult


def conditions_read(gate) -> set[str]:
    """The conditions a gate function reads when it only decides (``describe=False``): only those are scored."""
    read: set[str] = set()

    def record(condition):
        read.add(condition)
        return np.zeros(3)
    gate(record, 0.05, 0, 0.0, describe=False)
    return read


@pytest.mark.parametrize("gate_name", [pytest.param(g, marks=pytest.mark.mit_property(f"robustness_{g}"))
                                       for g in GATES])
def test_gate_holds_on_drawn_designs(gate_name, model, mit_alpha, mit_seed, mit_record):
    if model.precomputed:
        pytest.skip(f"{model.spec} replays precomputed scores, so it cannot score newly drawn designs")
    gate, role = gates.GATES[gate_name], gates.GATE_SETS[gate_name]
    needed = conditions_read(gate)
    if not all(model.has(role, c) for c in needed):
        pytest.skip(f"the {gate_name} gate reads classes {', '.join(sorted(needed))} of the {role} set, which this "
                    "run does not have (the paper's set, --mit-set mit-v1, has none of MIT's matched classes)")
    tie = tolerance(model)
    core = gate(model.condition_scores(role), mit_alpha, mit_seed, tie, describe=False)
    if not core.gate_passed:
        pytest.skip(f"{model.spec} fails the core {gate_name} gate; robustness is measured for models that pass it")
    examples: list[dict] = []
    n_families = GATE_ROBUSTNESS_FAMILIES.get(gate_name, ROBUSTNESS_FAMILIES)

    @given(design=designs())
    def gate_holds(design):
        sequence_set = design_set(role, design, mit_seed, n_families)
        where = [i for i, c in enumerate(sequence_set.conditions) if c in needed]
        scores = np.full(len(sequence_set), np.nan)
        scores[where] = model.score_more([f"rb-{sequence_set.ids[i]}" for i in where],
                                         [sequence_set.sequences[i] for i in where])
        result = gate(lambda c: scores[sequence_set.indices(c)], mit_alpha, mit_seed, tie, describe=False)
        examples.append({"design": dataclasses.asdict(design), "estimate": result.estimate, "p": result.p,
                         "ties": result.ties, "passed": result.gate_passed})
        assert result.gate_passed, (f"{model.spec} fails {gate_name} on {design}: {result.failure}. "
                                    f"{result.summary()}")

    try:
        gate_holds()
    except AssertionError as exc:
        failing = examples[-1]
        mit_record(PropertyResult(
            f"robustness_{gate_name}", failing["estimate"], (float("nan"), float("nan")), failing["p"],
            len(examples), failing["ties"], False, f"the {gate_name} gate holds on every drawn design",
            f"it breaks on a drawn design: {str(exc).split(': ', 1)[-1].split('. ')[0]}",
            {"failing_design": failing["design"], "examples": examples}), model)
    else:
        weakest = max(examples, key=lambda e: e["p"])
        mit_record(PropertyResult(
            f"robustness_{gate_name}", weakest["estimate"], (float("nan"), float("nan")), weakest["p"],
            len(examples), weakest["ties"], True, f"the {gate_name} gate holds on every drawn design", "",
            {"examples": examples}), model)
