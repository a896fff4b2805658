"""Canary (likelihood scorers): are the weights trained? A failure makes every other test of the model an error."""

import pytest

pytestmark = pytest.mark.mit_property("canary")


def test_canary(mit_model, mit_canary, mit_record):
    """Mean NLL/nt on held-out E. coli DNA below ln 4 − 0.005, on natural promoters at most ln 4 + 0.1, on
    uniform random DNA at least ln 4 − 0.1, and two scorings identical (``mit_tests.canary``)."""
    if mit_model.null_control_of:
        pytest.skip(f"{mit_model.spec} is an untrained copy of {mit_model.null_control_of} (--mit-null-control): "
                    "it is meant to fail the canary, so the canary is not run on it")
    if mit_canary is None and mit_model.kind == "likelihood":
        pytest.skip(f"{mit_model.spec} replays a score file without the canary's sequences (python -m fixtures' "
                    "FASTA carries them: score that to have it canaried)")
    if mit_canary is None:
        pytest.skip(f"{mit_model.spec} gives {mit_model.kind!r} values, not log-likelihoods; the canary checks "
                    "likelihood models only")
    mit_record(mit_canary, mit_model)
