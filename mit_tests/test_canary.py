"""Canary (likelihood scorers): are the weights trained? A failure makes every other test of the model an error."""

import pytest

pytestmark = pytest.mark.mit_property("canary")


def test_canary(mit_model, mit_canary, mit_record):
    """Mean NLL/nt on seeded tandem repeats below ln 4 − 0.3, and two scorings identical."""
    if mit_canary is None and mit_model.kind == "likelihood":
        pytest.skip(f"{mit_model.spec} replays a score file, which holds no scores of the canary's tandem repeats")
    if mit_canary is None:
        pytest.skip(f"{mit_model.spec} gives {mit_model.kind!r} values, not log-likelihoods; the canary checks "
                    "likelihood models only")
    mit_record(mit_canary, mit_model)
