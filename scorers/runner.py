"""Scores the sequences of a run with one scorer: input checks, de-duplication, the cache, output checks."""

from __future__ import annotations

import inspect
import math
from typing import Callable, Sequence

import numpy as np

from fixtures.grammar import LENGTH
from scorers.progress import Progress
from scorers.protocol import check_scores, check_sequences, fingerprint


def score_sequences(scorer, ids: Sequence[str], sequences: Sequence[str], cache=None,
                    progress: Progress | None = None) -> np.ndarray:
    """Float64 ``(n,)`` scores of ``sequences`` (named by ``ids``) under ``scorer``.

    Bad input raises ValueError naming the ids; a bad output (shape, NaN, inf) raises ScoreError naming them.
    A scorer with ``score_with_ids(ids, sequences)`` (a replay of precomputed scores) gets every id; any other
    scorer sees each distinct sequence once. A scorer gets tuples, never MIT's own lists: one that sorts or
    edits its input cannot change MIT's order. ``cache`` (``scorers.cache.ScoreCache`` or None) is consulted first.
    ``progress(done, total, cached)`` (see :mod:`scorers.progress`) hears how scoring goes, from ``done = 0``
    (when anything is to be scored) to ``done = total`` (always, last).
    """
    ids, sequences = list(ids), list(sequences)
    min_length = LENGTH if getattr(scorer, "fixed_layout", False) else getattr(scorer, "min_length", None)
    check_sequences(sequences, ids, min_length=min_length)
    if hasattr(scorer, "score_with_ids"):
        return check_scores(scorer.score_with_ids(tuple(ids), tuple(sequences)), sequences, ids, scorer.name)
    unique = list(dict.fromkeys(sequences))
    known = cache.get_many(fingerprint(scorer), unique) if cache is not None else {}
    missing = [s for s in unique if s not in known]
    cached = len(known)
    report = (lambda done: progress(done, len(missing), cached)) if progress is not None else None
    if missing:
        if report is not None:
            report(0)
        first_id = dict(zip(reversed(sequences), reversed(ids)))   # the first id of each sequence
        fresh = check_scores(_score_reporting(scorer, missing, cache, report), missing,
                             [first_id[s] for s in missing], scorer.name)
        if cache is not None:
            cache.put_many(fingerprint(scorer), dict(zip(missing, fresh.tolist())))
        known.update(zip(missing, fresh.tolist()))
    if report is not None:
        report(len(missing))
    return np.array([known[s] for s in sequences], dtype=np.float64)


def _score_reporting(scorer, sequences: Sequence[str], cache, report: Callable[[int], None] | None) -> np.ndarray:
    """``scorer.score(sequences)``; a scorer that reports finished sequences (``on_scored``) has them cached as
    they finish, so an interrupted run keeps them and the next run resumes, and counted for ``report(done)``.
    Non-finite values are never cached."""
    sequences = tuple(sequences)
    if (cache is None and report is None) or "on_scored" not in inspect.signature(scorer.score).parameters:
        return scorer.score(sequences)
    key = fingerprint(scorer) if cache is not None else None
    done = 0

    def finished(scores: dict[str, float]) -> None:
        nonlocal done
        if cache is not None:
            cache.put_many(key, {s: v for s, v in scores.items() if math.isfinite(v)})
        done += len(scores)
        if report is not None and done < len(sequences):   # the runner reports the end itself
            report(done)

    return scorer.score(sequences, on_scored=finished)
