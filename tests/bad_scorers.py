"""Deliberately broken user scorers, for the tests of how MIT treats bad scorer output (``--model tests.bad_scorers:X``)."""

import numpy as np


class _Broken:
    kind = "score"

    def __init__(self, name, make):
        self.name, self._make = name, make

    def score(self, sequences):
        return self._make(len(sequences))


def _nan_at_three(n):
    scores = np.arange(n, dtype=float)
    scores[3] = np.nan
    return scores


nan_scorer = _Broken("nan-scorer", _nan_at_three)
inf_scorer = _Broken("inf-scorer", lambda n: np.full(n, np.inf))
short_scorer = _Broken("short-scorer", lambda n: np.zeros(n - 1))


def make_at_scorer():
    """A factory, as users write them: returns a Scorer."""
    from scorers.reference.composition import ATContent
    return ATContent(name="user-at")


class DeclaredStrandBlind:
    """Scores A+T only and declares (``expected``) that it fails the strand gate."""

    name, kind = "declared-strand-blind", "score"
    expected = {"strand": "fail"}

    def score(self, sequences):
        return np.array([s.count("A") + s.count("T") for s in sequences], dtype=float)


declared_strand_blind = DeclaredStrandBlind()
