"""A grammar-free model fitted to MIT's own sets: the teaching-to-the-test adversary of the outside-construction
criterion (``mit_tests.outside``, issue 21).

Features, translation-invariant and blind to where anything is: for each lag d = 1…40 the 4 × 4 counts of base x
followed d bases later by base y (640), plus the A+T count of the richest :data:`RICHEST_WINDOW`-nt window. The
weights are fitted by L2-regularised logistic regression on every gated contrast of MIT's sets of other seeds
(:data:`TRAINING_SEEDS`; the run's default seed 42 is not among them): motif M > K, compensation E > H and E > J,
up_position (UP at 15 > each wrong position; the core downstream of the UP > upstream), spacing (17 bp > each far
spacer, both designs), strand (forward > boxes reverse-complemented in place and > boxes exchanged). The natural
set is never seen. Score = the fitted linear function of the features.

It learns how MIT builds its sets, not how σ70 reads DNA, so on sequences MIT did not build (real promoters
against A/T-matched genome windows, measured libraries) it must not do better than A/T content
(``tests/test_verdicts.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from fixtures.grammar import encode
from fixtures.sets import SPACING_FAR, SPACING_OPTIMUM, UP_CORRECT, UP_WRONG, build_all_sets

LAGS = tuple(range(1, 41))
RICHEST_WINDOW = 20                 # nt: the A/T count of the most A/T-rich window anywhere
TRAINING_SEEDS = (1, 2, 3)
L2 = 1.0                            # ridge penalty on the standardised weights
MIN_LENGTH = max(LAGS) + 1


def features(codes: np.ndarray) -> np.ndarray:
    """``(n, 641)`` float64 features of ``(n, L)`` uint8 codes (module docstring)."""
    n = codes.shape[0]
    rows = np.arange(n)[:, None] * 16
    columns = []
    for d in LAGS:
        pairs = (4 * codes[:, :-d] + codes[:, d:]).astype(np.int64) + rows
        columns.append(np.bincount(pairs.ravel(), minlength=16 * n).reshape(n, 16))
    at = ((codes == 0) | (codes == 3)).astype(np.int64)
    running = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(at, axis=1)], axis=1)
    richest = (running[:, RICHEST_WINDOW:] - running[:, :-RICHEST_WINDOW]).max(axis=1)
    return np.concatenate(columns + [richest[:, None]], axis=1).astype(np.float64)


def training_pairs(sets: dict) -> list[tuple[list[str], list[str]]]:
    """``(better, worse)`` member sequences, matched by family, of every gated contrast of one seed's sets."""
    def members(role, condition):
        return sets[role].member_sequences(condition)
    pairs = [(members("core", "M"), members("core", "K")), (members("core", "E"), members("core", "H")),
             (members("core", "E"), members("core", "J")),
             (members("up_sweep", "b/correct"), members("up_sweep", "b/wrong")),
             (members("strand", "forward"), members("strand", "rc_in_place")),
             (members("strand", "forward"), members("strand", "swapped"))]
    pairs += [(members("up_sweep", f"up@{UP_CORRECT}"), members("up_sweep", f"up@{p}")) for p in UP_WRONG]
    pairs += [(members("spacing", f"{design}/s{SPACING_OPTIMUM}"), members("spacing", f"{design}/s{s}"))
              for design in "ab" for s in SPACING_FAR]
    return pairs


@functools.cache
def fitted_weights(seeds: tuple[int, ...] = TRAINING_SEEDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(weights, mean, scale)``: the logistic-regression weights on standardised feature differences."""
    better, worse = [], []
    for seed in seeds:
        for first, second in training_pairs(build_all_sets(seed)):
            better += first
            worse += second
    x_better, x_worse = features(encode(better)), features(encode(worse))
    everything = np.concatenate([x_better, x_worse])
    mean, scale = everything.mean(axis=0), everything.std(axis=0)
    scale[scale == 0] = 1.0
    difference = (x_better - x_worse) / scale

    def loss(w):
        margin = difference @ w
        value = np.logaddexp(0.0, -margin).sum() + L2 * w @ w
        gradient = -(difference.T @ (1.0 / (1.0 + np.exp(margin)))) + 2 * L2 * w
        return value, gradient
    result = minimize(loss, np.zeros(difference.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x, mean, scale


@dataclass(frozen=True)
class FittedGappedComposition:
    """The fitted adversary as a Scorer (``--model tests.fitted_adversary:fitted_gapped``)."""

    name: str = "fitted-gapped-composition"
    kind: str = "score"
    min_length: int = MIN_LENGTH
    fingerprint: str = f"fitted-gapped-composition/v1 (lags 1-40, window {RICHEST_WINDOW}, seeds {TRAINING_SEEDS})"

    def score(self, sequences) -> np.ndarray:
        from scorers.reference.pwm import by_length
        weights, _, scale = fitted_weights()
        return by_length(sequences, MIN_LENGTH, lambda codes: features(codes) @ (weights / scale))


fitted_gapped = FittedGappedComposition()
