"""``fitted-sigma70``: a σ70 model MIT fits itself on the shipped measured libraries (``zoo/fit_sigma70``).

The model scans every placement of a −35 box, a spacer of ``SPACERS`` bp and a −10 box on the forward strand and
scores each placement with one linear function whose every weight was learned from measured expression:

* −35 and −10 position weight matrices (6 × 4 each) and the extended −10 (the 2 bases 3..2 nt 5′ of the −10);
* the spacer length (one weight per length);
* A+T counts in position bins relative to the boxes: ``UP_BINS`` bins of ``BIN`` nt upstream of the −35 (the UP
  element), the spacer's A+T fraction, and ``DOWN_BINS`` bins of ``BIN`` nt downstream of the −10 (discriminator
  and initial transcribed region). Bases beyond the sequence's ends count ½.

The score of a sequence is its best placement's: ``max_p w · f(p)`` (log expression in units of one within-library
standard normal score). No weight is set by hand: the fit starts from a one-per-consensus-base guess, aligns every
construct at its best placement, solves a ridge regression of within-library normal scores on the features
(centred within each library), and repeats (``zoo/fit_sigma70/fit.py``). The weights live in
``fitted_sigma70.json`` beside this module, with the sha256 of every data file, the seed and the fit's settings;
the file's own sha256 is pinned here and checked on load.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from scorers.protocol import ScorerUnavailable
from scorers.reference.pwm import by_length, window_codes, window_table

BOX = 6
SPACERS = tuple(range(14, 21))        # bp between the −35 box's last base and the −10 box's first
EXTENDED = 2                          # the extended −10: bases at −10 start −3, −2 (TGn)
BIN = 6                               # nt per A+T bin
UP_BINS = 5                           # 30 nt upstream of the −35 box
DOWN_BINS = 4                         # 24 nt downstream of the −10 box
OUTSIDE_AT = 0.5                      # A+T of a base beyond the sequence's ends
MIN_LENGTH = BOX + SPACERS[0] + BOX   # the shortest sequence that holds one placement (26 nt)

# Feature layout of w (FEATURES names every entry).
FEATURES = ([f"m35_{k}{b}" for k in range(BOX) for b in "ACGT"] + [f"m10_{k}{b}" for k in range(BOX) for b in "ACGT"]
            + [f"ext_{k}{b}" for k in range(EXTENDED) for b in "ACGT"] + [f"spacer_{s}" for s in SPACERS]
            + [f"up_at_{BIN * (k + 1)}_{BIN * k}" for k in range(UP_BINS)] + ["spacer_at"]
            + [f"down_at_{BIN * k}_{BIN * (k + 1)}" for k in range(DOWN_BINS)])
SLICES = {"m35": slice(0, 24), "m10": slice(24, 48), "ext": slice(48, 56), "spacer": slice(56, 56 + len(SPACERS)),
          "up": slice(56 + len(SPACERS), 56 + len(SPACERS) + UP_BINS),
          "spacer_at": slice(56 + len(SPACERS) + UP_BINS, 57 + len(SPACERS) + UP_BINS),
          "down": slice(57 + len(SPACERS) + UP_BINS, 57 + len(SPACERS) + UP_BINS + DOWN_BINS)}
assert SLICES["down"].stop == len(FEATURES)

COEFFICIENTS = Path(__file__).with_name("fitted_sigma70.json")
COEFFICIENTS_SHA256 = "eeb953aa2c4e43c42767644093b7eb544f2d01a0af8fc5dd39fdc9045eacb66e"   # fitted_sigma70.json


def _bin_sums(cumulative: np.ndarray, pad: int, starts: np.ndarray, width) -> np.ndarray:
    """``(n, len(starts))`` sum of A+T over ``[start, start + width)`` (sequence coordinates) for every start;
    ``cumulative`` is :func:`_cumulative_at`'s."""
    lo = np.clip(starts + pad, 0, cumulative.shape[1] - 1)
    hi = np.clip(starts + pad + width, 0, cumulative.shape[1] - 1)
    return cumulative[:, hi] - cumulative[:, lo]


def _cumulative_at(codes: np.ndarray, pad: int) -> np.ndarray:
    """``(n, L + 2·pad + 1)`` running A+T count of the sequence with ``pad`` bases of ``OUTSIDE_AT`` each side."""
    at = ((codes == 0) | (codes == 3)).astype(np.float64)
    fill = np.full((codes.shape[0], pad), OUTSIDE_AT)
    padded = np.concatenate([fill, at, fill], axis=1)
    return np.concatenate([np.zeros((codes.shape[0], 1)), np.cumsum(padded, axis=1)], axis=1)


PAD = BIN * max(UP_BINS, DOWN_BINS) + BOX + SPACERS[-1] + 8


def placement_scores(codes: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``(n, len(SPACERS), L)`` score ``w · f`` of the placement with spacer ``SPACERS[j]`` and its −10 box at
    ``p`` (−inf where the −35 or −10 box would leave the sequence)."""
    n, length = codes.shape
    w = np.asarray(w, dtype=np.float64)
    starts = np.arange(length)
    m10 = np.full((n, length), -np.inf)
    m35 = np.full((n, length), -np.inf)
    six = window_codes(codes, BOX)
    m10[:, :six.shape[1]] = window_table(w[SLICES["m10"]].reshape(BOX, 4))[six]
    m35[:, :six.shape[1]] = window_table(w[SLICES["m35"]].reshape(BOX, 4))[six]
    ext = np.zeros((n, length))
    two = window_codes(codes, EXTENDED)
    ext_table = window_table(w[SLICES["ext"]].reshape(EXTENDED, 4))
    ext[:, 3:] = ext_table[two[:, :length - 3]]
    at = _cumulative_at(codes, PAD)
    down = sum(wk * _bin_sums(at, PAD, starts + BOX + BIN * k, BIN) for k, wk in enumerate(w[SLICES["down"]]))
    ten = m10 + ext + down                                      # (n, L): everything fixed by the −10 start
    out = np.full((n, len(SPACERS), length), -np.inf)
    up_weights, spacer_at_weight = w[SLICES["up"]], float(w[SLICES["spacer_at"]][0])
    for j, (spacer, spacer_weight) in enumerate(zip(SPACERS, w[SLICES["spacer"]])):
        shift = BOX + spacer                                     # −35 start = p − shift
        if shift >= length:
            continue
        q = starts[shift:] - shift
        up = sum(wk * _bin_sums(at, PAD, q - BIN * (k + 1), BIN) for k, wk in enumerate(up_weights))
        inner = _bin_sums(at, PAD, q + BOX, spacer - 3) / (spacer - 3)
        out[:, j, shift:] = ten[:, shift:] + m35[:, q] + spacer_weight + up + spacer_at_weight * inner
    return out


def best_placement(codes: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(n,)`` best score, spacer index and −10 start of each sequence."""
    scores = placement_scores(codes, w)
    flat = scores.reshape(scores.shape[0], -1).argmax(axis=1)
    spacer, start = np.divmod(flat, scores.shape[2])
    return scores.reshape(scores.shape[0], -1)[np.arange(len(flat)), flat], spacer, start


def features(codes: np.ndarray, spacer_index: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``(n, len(FEATURES))`` features of each sequence's placement (spacer ``SPACERS[spacer_index]``, −10 box at
    ``start``): ``features(...) @ w`` equals :func:`placement_scores` there."""
    n, length = codes.shape
    rows = np.arange(n)
    spacers = np.asarray(SPACERS)[spacer_index]
    p35 = start - BOX - spacers
    x = np.zeros((n, len(FEATURES)))
    for k in range(BOX):
        x[rows, SLICES["m35"].start + 4 * k + codes[rows, p35 + k]] = 1.0
        x[rows, SLICES["m10"].start + 4 * k + codes[rows, start + k]] = 1.0
    for k in range(EXTENDED):
        x[rows, SLICES["ext"].start + 4 * k + codes[rows, start - 3 + k]] = 1.0
    x[rows, SLICES["spacer"].start + spacer_index] = 1.0
    cumulative = _cumulative_at(codes, PAD)

    def window(lo, width):
        a = np.clip(lo + PAD, 0, cumulative.shape[1] - 1)
        b = np.clip(lo + PAD + width, 0, cumulative.shape[1] - 1)
        return cumulative[rows, b] - cumulative[rows, a]

    for k in range(UP_BINS):
        x[:, SLICES["up"].start + k] = window(p35 - BIN * (k + 1), BIN)
    x[:, SLICES["spacer_at"].start] = window(p35 + BOX, spacers - 3) / (spacers - 3)
    for k in range(DOWN_BINS):
        x[:, SLICES["down"].start + k] = window(start + BOX + BIN * k, BIN)
    return x


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def load_coefficients(path: str | None = None) -> dict:
    """The fitted model (``weights`` ``(len(FEATURES),)`` and the fit's record). The default file's sha256 must
    be :data:`COEFFICIENTS_SHA256`."""
    target = Path(path) if path else COEFFICIENTS
    if not target.exists():
        raise ScorerUnavailable(f"fitted-sigma70's coefficients {target} are missing: refit them with "
                                "`python -m zoo.fit_sigma70.fit`")
    if path is None and file_sha256(target) != COEFFICIENTS_SHA256:
        raise ScorerUnavailable(f"{target} has sha256 {file_sha256(target)}, not the pinned {COEFFICIENTS_SHA256}: "
                                "refit with `python -m zoo.fit_sigma70.fit` and pin the new sha256")
    record = json.loads(target.read_text(encoding="utf-8"))
    if record.get("features") != FEATURES:
        raise ScorerUnavailable(f"{target} was fitted on other features than scorers.reference.fitted.FEATURES")
    return record


@dataclass(frozen=True)
class FittedSigma70:
    """``fitted-sigma70``: the best forward placement's ``w · f`` (module docstring). Any ACGT sequence of ≥ 26
    nt."""

    weights: tuple
    fingerprint: str
    name: str = "fitted-sigma70"
    kind: str = "energy"
    min_length: int = MIN_LENGTH
    rc_equivariant: bool = False

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        w = np.asarray(self.weights)
        return by_length(sequences, MIN_LENGTH, lambda codes: best_placement(codes, w)[0])


def fitted_sigma70(options=None) -> FittedSigma70:
    record = load_coefficients()
    return FittedSigma70(tuple(record["weights"]), f"fitted-sigma70/v1 (coefficients sha256 {COEFFICIENTS_SHA256[:16]})")


SCORERS = {
    "fitted-sigma70": (fitted_sigma70, "σ70 model MIT fits on the shipped measured libraries (scanned −35/−10 "
                       "PWMs, spacer, extended −10, A+T of UP, spacer and downstream bins; zoo/fit_sigma70)"),
}
