"""Deliberately broken user scorers, for the tests of how MIT treats bad scorer output (``--model tests.bad_scorers:X``)."""

import os
import sys
import time

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


def _at_count(sequences):
    return np.array([s.count("A") + s.count("T") for s in sequences], dtype=float)


class SortsInPlace:
    """Sorts the list it is given to batch similar sequences (mutating the caller's list), then puts the scores
    back in the order it was given: correct scores, in an order MIT no longer has."""

    name, kind = "sorts-in-place", "score"

    def score(self, sequences):
        order = sorted(range(len(sequences)), key=lambda i: sequences[i])
        sequences.sort()
        scores = np.empty(len(sequences))
        scores[order] = _at_count(sequences)
        return scores


class ReturnsSortedOrder:
    """Scores sequences sorted alphabetically and returns the scores in that order, not the order given."""

    name, kind = "returns-sorted-order", "score"

    def score(self, sequences):
        return _at_count(sorted(sequences))


class BatchNormalising:
    """z-scores its A+T counts within each batch it is given (like a scaler fitted on each input)."""

    name, kind = "batch-normalising", "score"

    def score(self, sequences):
        counts = _at_count(sequences)
        return (counts - counts.mean()) / (counts.std() or 1.0)


class Raising:
    """Raises on every call; appends one line per call to the file named by $MIT_TEST_CALLS (when set)."""

    name, kind = "raising", "score"

    def score(self, sequences):
        calls = os.environ.get("MIT_TEST_CALLS")
        if calls:
            with open(calls, "a") as handle:
                handle.write(f"{len(sequences)}\n")
        raise RuntimeError("the model server refused the request")


class SleepsForever:
    """Hangs in its first call, as a scorer waiting on a dead server does."""

    name, kind = "sleeps-forever", "score"

    def score(self, sequences):
        time.sleep(10 ** 6)


class Exits:
    """Calls sys.exit in its first call, as a script turned into a scorer may."""

    name, kind = "exits", "score"

    def score(self, sequences):
        sys.exit(3)


sorts_in_place = SortsInPlace()
returns_sorted_order = ReturnsSortedOrder()
batch_normalising = BatchNormalising()
raising = Raising()
sleeps_forever = SleepsForever()
exits = Exits()


class PeriodLM:
    """A small, properly normalised causal LM that is confident on tandem repeats, as a trained DNA LM is: a
    Bayesian mixture over periods k = 1…6 of "x_t repeats x_{t−k}" (that letter 0.97, each other 0.01); a letter
    with nothing k back is uniform. ``score`` is the summed log-likelihood (nats), or with ``per_nucleotide_mean``
    the mean per nucleotide — the mistake the canary's uniform-DNA check exists to catch."""

    kind = "likelihood"
    PERIODS = np.arange(1, 7)

    def __init__(self, name="period-lm", per_nucleotide_mean=False):
        self.name, self.per_nucleotide_mean = name, per_nucleotide_mean

    def n_scored_nucleotides(self, sequences):
        return np.array([len(s) for s in sequences], dtype=np.int64)

    def score(self, sequences):
        from fixtures.grammar import encode

        out = np.empty(len(sequences))
        lengths = np.array([len(s) for s in sequences])
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            codes = encode([sequences[i] for i in rows]).astype(np.int64)
            log_w = np.full((len(rows), len(self.PERIODS)), -np.log(len(self.PERIODS)))
            total = np.zeros(len(rows))
            for t in range(length):          # the mixture weights depend on every earlier letter
                back = codes[:, np.maximum(t - self.PERIODS, 0)]
                p = np.where(t >= self.PERIODS, np.where(back == codes[:, [t]], 0.97, 0.01), 0.25)
                joint = log_w + np.log(p)
                step = np.logaddexp.reduce(joint, axis=1)
                total += step
                log_w = joint - step[:, None]
            out[rows] = total / length if self.per_nucleotide_mean else total
        return out


period_lm = PeriodLM()
period_lm_mean = PeriodLM("period-lm-mean", per_nucleotide_mean=True)
