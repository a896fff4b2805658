"""Compensation: does an UP element plus an extended −10 rescue a broken −10 (E_i vs D_i)?"""

import pytest

from mit_tests import gates

pytestmark = pytest.mark.mit_property("compensation")


def test_compensation(model, mit_alpha, mit_seed, mit_record):
    """CSS = share of families with s(E_i) > s(D_i), ties ½; gate: one-sided sign test."""
    compensated, broken = model.paired("core", "E", "D")
    mit_record(gates.paired_gate("compensation", compensated, broken, mit_alpha,
                                 "s(E compensated) > s(D broken), matched pairs", mit_seed), model)
