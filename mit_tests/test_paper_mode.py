"""Paper mode (``--mit-set mit-v1``, diagnostic): the paper's own statistics on its own 650 sequences.

Index pairs, strict ">", the one-sided t-test of the 0/1 vector, Cohen's d clipped to ±10 (``paper_mode``): the
numbers of the paper's Table 2 (gLMs, baselines) and Table 6 (biophysical models), which the terminal and the
report print beside the paper's values. ``pytest --mit-set=mit-v1 --model=paper`` runs every model of both tables.
"""

import math

import pytest

from mit_tests import paper_mode
from mit_tests.stats import PropertyResult

pytestmark = pytest.mark.mit_property("paper")


def test_paper_mode(model, mit_record):
    """CSS, SCR, their ties and one-sided t p-values, MES_nat, MES_syn, CM and CIR, as the paper's code computes."""
    if model.sets["core"].name != "mit-v1":
        pytest.skip("paper mode reads the paper's 650 sequences: run with --mit-set=mit-v1")
    metrics = paper_mode.paper_metrics(paper_mode.class_scores(model.sets["core"], model.role_scores("core")))
    mit_record(PropertyResult("paper", metrics["css"], (math.nan, math.nan), metrics["css_p"], 100,
                              metrics["css_ties"], None, "the paper's CSS (E_i > D_i by index, ties fail) and the "
                              "rest of its Table 2 row", "", metrics), model)
