"""Scoring hygiene: a sequence's score must not depend on the order or the batch it was scored in.

Scorers that get this wrong exist: one that sorts its input and returns scores in sorted order, one that caches
by position, one that normalises or fits a scaler on each input batch (PyPI ``sigmap`` fits a MinMaxScaler on
every batch it predicts). Their scores look fine and every gate computed from them is wrong. The check rescores a
seeded, shuffled sample of the run's sequences in other batches (:data:`CHUNKS` batches, scored last first) and
compares with the run's scores at a tolerance relative to the model's own score spread.

The spread is measured per set (core, each probe set, each measured library: their scores can live on different
scales) and robustly (:func:`robust_scale`: the median absolute deviation, else the interquartile range), so that
one extreme score, which would inflate an SD by orders of magnitude and with it the tolerance, cannot hide a
real order bug; heavy-tailed honest models still pass, because an honest rescoring differs by float noise only.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from scorers.protocol import ScoreError, check_scores, name_ids

SAMPLE = 64              # sequences rescored
CHUNKS = 3               # batches they are rescored in
DRAW_CODE = 1001         # default_rng([seed, DRAW_CODE]); distinct from fixtures.sets.SET_CODES
# Tolerance of a sequence = RELATIVE × robust scale of its set's run scores + FLOOR × max(1, |its score|). A real
# order or batch dependence moves scores by a large share of their spread (sigmap: 0.25 on an SD of 0.29); float
# noise from another batch composition was 0 for the HF scorers on CPU (float32 and bfloat16). 1e-4 leaves room
# for the reduction-order differences of GPU kernels; FLOOR covers a constant scorer (scale 0).
RELATIVE = 1e-4
FLOOR = 1e-12
# 1.4826 × MAD and IQR / 1.349 estimate the SD of normal scores: the scale stays comparable to the former SD.
MAD_TO_SD = 1.4826
IQR_TO_SD = 1.349


class OrderOrBatchDependence(ScoreError):
    """A scorer whose scores change with the order or the batch of its input."""


def rescoring_batches(n: int, seed: int) -> list[np.ndarray]:
    """Indices into ``n`` distinct sequences: a shuffled sample of ``min(SAMPLE, n)`` split into ``CHUNKS``
    batches, in the order they are scored (the last chunk first)."""
    picks = np.random.default_rng([seed, DRAW_CODE]).permutation(n)[:min(SAMPLE, n)]
    return [chunk for chunk in reversed(np.array_split(picks, CHUNKS)) if chunk.size]


def robust_scale(values: np.ndarray) -> float:
    """The spread of ``values`` that no single value can move: 1.4826 × the median absolute deviation, or, when
    more than half the values are equal (MAD 0), the interquartile range / 1.349; 0 for fewer than 2 values or a
    constant set. Finite for any finite input (the centre is subtracted before anything is squared or summed)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return 0.0
    mad = float(np.median(np.abs(values - np.median(values))))
    if mad > 0:
        return MAD_TO_SD * mad
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 - q1) / IQR_TO_SD


def tolerances(run: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``(n,)`` the largest difference allowed for each of the run's scores: RELATIVE × the robust scale of its
    group (set) + FLOOR × max(1, |score|)."""
    result = FLOOR * np.maximum(1.0, np.abs(run))
    for group in np.unique(groups):
        members = groups == group
        result[members] += RELATIVE * robust_scale(run[members])
    return result


def check_order_and_batch(scorer, ids: Sequence[str], sequences: Sequence[str], scores: np.ndarray,
                          seed: int, groups: Sequence | None = None) -> dict:
    """Rescore a sample of ``sequences`` (whose run scores are ``scores``, ``(n,)``) in other batches and orders.

    ``groups`` (``(n,)``, e.g. the set role of each sequence; default one group) says which scores share a scale:
    each sequence's tolerance comes from the robust scale of its group (:func:`tolerances`). Returns what was
    checked (``n``, ``batches``, ``max_difference``, ``tolerance``: the smallest per-sequence tolerance); raises
    OrderOrBatchDependence naming the ids whose scores changed. Each distinct sequence counts once."""
    first = {}
    for i, sequence in enumerate(sequences):
        first.setdefault(sequence, i)
    where = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    if where.size < 2:
        return {"n": int(where.size), "batches": 0, "max_difference": 0.0, "tolerance": 0.0}
    run = np.asarray(scores, dtype=np.float64)[where]
    group_of = np.zeros(where.size, dtype=np.int64) if groups is None else \
        np.unique(np.asarray([str(g) for g in groups]), return_inverse=True)[1].reshape(-1)[where]
    batches = rescoring_batches(where.size, seed)
    rescored = np.empty(where.size)
    for batch in batches:
        chosen = where[batch]
        batch_sequences = tuple(sequences[i] for i in chosen)
        rescored[batch] = check_scores(scorer.score(batch_sequences), batch_sequences,
                                       [ids[i] for i in chosen], scorer.name)
    sample = np.concatenate(batches)
    difference = np.abs(rescored[sample] - run[sample])
    allowed = tolerances(run, group_of)[sample]
    changed = sample[difference > allowed]
    if changed.size:
        named = [f"{ids[where[i]]} ({run[i]:.6g} -> {rescored[i]:.6g})" for i in changed]
        raise OrderOrBatchDependence(
            f"scorer {scorer.name!r}: scores depend on order or batch: rescoring {sample.size} of the run's "
            f"sequences, shuffled, in {len(batches)} batches changed {changed.size} of them by more than "
            f"{float(allowed[np.isin(sample, changed)].min()):.3g} ({RELATIVE:g} × the robust spread of their "
            f"set's scores): {name_ids(named, 5)}. A scorer must score each sequence on its own: no sorting, no "
            "normalising or fitting on the batch")
    return {"n": int(sample.size), "batches": len(batches), "max_difference": float(difference.max()),
            "tolerance": float(allowed.min())}
