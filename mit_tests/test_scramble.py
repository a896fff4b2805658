"""Positional, scramble: is the UP element worth more in its place than moved into the spacer (E_i vs H_i)?"""

import pytest

from mit_tests import gates

pytestmark = pytest.mark.mit_property("scramble")


def test_scramble(model, mit_alpha, mit_seed, mit_record):
    """SCR = share of families with s(E_i) > s(H_i); H_i has exactly E_i's nucleotides, UP at [40, 49)."""
    compensated, scrambled = model.paired("core", "E", "H")
    mit_record(gates.paired_gate("scramble", compensated, scrambled, mit_alpha,
                                 "s(E, UP at 15) > s(H, same nucleotides, UP at 40)", mit_seed), model)
