"""Position weight matrices of the paper's biophysical models and the window helpers every reference scorer
uses: fixed-window scores, k-mer window indices, score tables over all windows, scoring by length.

Matrices are ``(width, 4)`` float64 arrays, columns in ``ACGT`` order. Values are the constants of the paper's
``mit_benchmark/models/biophysical.py`` (audited in ../shared/reference/anchor_mit.md section 4).
Sequences come in as ``(n, length)`` uint8 codes (``fixtures.grammar.encode``).
"""

from __future__ import annotations

import functools
from typing import Callable, Sequence

import numpy as np

from fixtures.grammar import encode
from scorers.protocol import check_sequences, uniform_codes


def matrix(rows: list[dict[str, float]]) -> np.ndarray:
    """``(len(rows), 4)`` matrix from per-position ``{base: value}`` rows (every base must be given)."""
    return np.array([[row[b] for b in "ACGT"] for row in rows], dtype=np.float64)


# −35 box, consensus TTGACA (+1.5 per consensus base: TTGACA = 9.0).
PWM_MINUS_35 = matrix([
    {"A": -0.5, "C": -1.5, "G": -1.5, "T": 1.5},
    {"A": -0.5, "C": -1.5, "G": -1.5, "T": 1.5},
    {"A": -0.5, "C": -1.5, "G": 1.5, "T": -1.0},
    {"A": 1.5, "C": -1.5, "G": -1.5, "T": -0.3},
    {"A": -0.5, "C": 1.5, "G": -1.5, "T": -1.0},
    {"A": 1.5, "C": -1.5, "G": -1.5, "T": -0.3},
])
# −10 box, consensus TATAAT = 9.5; the broken TGTAAT scores exactly 5.0.
PWM_MINUS_10 = matrix([
    {"A": -0.3, "C": -2.0, "G": -2.0, "T": 1.5},
    {"A": 2.0, "C": -2.5, "G": -2.5, "T": -0.5},
    {"A": -0.5, "C": -1.5, "G": -2.0, "T": 1.5},
    {"A": 1.5, "C": -2.0, "G": -1.5, "T": -0.3},
    {"A": 1.5, "C": -1.5, "G": -1.5, "T": -0.3},
    {"A": -0.3, "C": -1.5, "G": -2.0, "T": 1.5},
])
# Proximal UP element, AAAAAARNR-like: AAAAAAAAA = 7.0.
_UP_A = {"A": 1.0, "C": -1.0, "G": -1.0, "T": 0.5}
_UP_W = {"A": 0.5, "C": -0.5, "G": -0.5, "T": 0.5}
_UP_R = {"A": 0.5, "C": -0.5, "G": 0.5, "T": -0.5}
PWM_UP = matrix([_UP_A] * 5 + [_UP_W, _UP_R, _UP_W, _UP_R])
# Extended −10 TGn: TGN = 3.3.
PWM_EXTENDED_10 = matrix([
    {"A": -0.5, "C": -1.5, "G": -1.5, "T": 1.5},
    {"A": -1.0, "C": -1.5, "G": 1.5, "T": -1.0},
    {"A": 0.3, "C": 0.3, "G": 0.3, "T": 0.3},
])

# The paper's code sums per-base floats one at a time; sums that are equal in exact arithmetic must tie
# here too (ties decide CSS/SCR under the paper's strict ">"), so scores are rounded to this many decimals.
SCORE_DECIMALS = 9


def window_score(codes: np.ndarray, pwm: np.ndarray, start: int) -> np.ndarray:
    """``(n,)`` score of ``pwm`` on the window at ``start`` of every sequence."""
    width = pwm.shape[0]
    return pwm[np.arange(width), codes[:, start:start + width]].sum(axis=1)


def exact(scores: np.ndarray) -> np.ndarray:
    return np.round(scores, SCORE_DECIMALS) + 0.0


# --- Matrices of the other reference models (constants audited in anchor_mit.md sections 3-4) ---

# Thermodynamic model (biophysical.py ThermodynamicModel): "energies" signed so that higher = better binding.
# −35: consensus +2 per base (TTGACA = 12.0).
THERMO_MINUS_35 = matrix([
    {"A": 0.0, "C": -1.0, "G": -1.0, "T": 2.0},
    {"A": 0.0, "C": -1.0, "G": -1.0, "T": 2.0},
    {"A": 0.5, "C": -1.0, "G": 2.0, "T": -0.5},
    {"A": 2.0, "C": -1.0, "G": -1.0, "T": 0.5},
    {"A": 0.5, "C": 2.0, "G": -1.0, "T": -0.5},
    {"A": 2.0, "C": -1.0, "G": -1.0, "T": 0.5},
])
# −10: the critical second base carries A +3 / G,C −3, so TATAAT = 13.0 and TGTAAT = 7.0.
THERMO_MINUS_10 = matrix([
    {"A": 0.5, "C": -1.5, "G": -2.0, "T": 2.0},
    {"A": 3.0, "C": -3.0, "G": -3.0, "T": 0.0},
    {"A": 0.5, "C": -1.0, "G": -1.5, "T": 2.0},
    {"A": 2.0, "C": -1.5, "G": -1.0, "T": 0.5},
    {"A": 2.0, "C": -1.0, "G": -1.0, "T": 0.5},
    {"A": 0.5, "C": -1.0, "G": -1.5, "T": 2.0},
])
# −35/−10 spacing (bp) → energy term; any spacing outside 12–22 scores THERMO_SPACING_OTHER.
THERMO_SPACING = {12: -2.0, 13: -1.5, 14: -1.0, 15: -0.3, 16: -0.1, 17: 1.0,
                  18: -0.1, 19: -0.5, 20: -1.0, 21: -1.5, 22: -2.0}
THERMO_SPACING_OTHER = -4.0

# RPA-PWM (scripts/rpa_pwm.py): its own −35 matrix and two −10 matrices, +1.5 per consensus base, so
# TTGACA, TATAAT and the "broken" TGTAAT all score 9.0.
RPA_MINUS_35 = matrix([
    {"A": -1.0, "C": -1.0, "G": -1.0, "T": 1.5},
    {"A": -1.0, "C": -1.0, "G": -1.0, "T": 1.5},
    {"A": -1.0, "C": -1.0, "G": 1.5, "T": -1.0},
    {"A": 1.5, "C": -1.0, "G": -1.0, "T": -0.5},
    {"A": -0.5, "C": 1.5, "G": -1.0, "T": -1.0},
    {"A": 1.5, "C": -1.0, "G": -1.0, "T": -0.5},
])
_RPA_T = {"A": -0.5, "C": -1.0, "G": -1.0, "T": 1.5}
_RPA_A = {"A": 1.5, "C": -1.0, "G": -1.0, "T": -0.5}
RPA_MINUS_10_INTACT = matrix([_RPA_T, _RPA_A, _RPA_T, _RPA_A, _RPA_A, _RPA_T])
_RPA_G = {"A": -1.0, "C": -1.0, "G": 1.5, "T": -1.0}
RPA_MINUS_10_BROKEN = matrix([_RPA_T, _RPA_G, _RPA_T, _RPA_A, _RPA_A, _RPA_T])

# The paper's "PWM baseline" (mit_benchmark/sequences/motifs.py, used by baselines.PWMBaseline). These differ
# from PA-PWM's matrices: TTGACA = 9.6, TATAAT = 10.2, TGTAAT = 7.4.
BASELINE_MINUS_35 = matrix([
    {"A": -0.5, "C": -1.0, "G": -1.0, "T": 1.5},
    {"A": -1.0, "C": -1.0, "G": -0.5, "T": 1.8},
    {"A": -0.5, "C": -1.0, "G": 1.5, "T": -0.5},
    {"A": 1.8, "C": -1.0, "G": -1.0, "T": -0.5},
    {"A": -0.5, "C": 1.5, "G": -1.0, "T": -0.5},
    {"A": 1.5, "C": -0.5, "G": -1.0, "T": -0.5},
])
BASELINE_MINUS_10 = matrix([
    {"A": -0.5, "C": -1.0, "G": -1.0, "T": 1.8},
    {"A": 1.8, "C": -1.0, "G": -1.0, "T": -0.5},
    {"A": -0.5, "C": -0.5, "G": -0.5, "T": 1.5},
    {"A": 1.8, "C": -1.0, "G": -1.0, "T": -0.5},
    {"A": 1.5, "C": -0.5, "G": -1.0, "T": -0.5},
    {"A": -0.5, "C": -1.0, "G": -1.0, "T": 1.8},
])


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """``(n, length)`` codes of the reverse complements (A0 C1 G2 T3: the complement of code c is 3 − c)."""
    return (3 - codes[:, ::-1]).astype(np.uint8)


def window_codes(codes: np.ndarray, width: int) -> np.ndarray:
    """``(n, length - width + 1)`` index of every ``width``-mer (base-4 number, first base most significant),
    for table look-ups such as k-mer frequencies or :func:`window_table` scores. int32 up to width 15 (half
    the memory traffic of int64), int64 above."""
    starts = codes.shape[1] - width + 1
    index = codes[:, :starts].astype(np.int32 if width <= 15 else np.int64)
    for k in range(1, width):                  # Horner's rule: ``width`` array ops, not a loop over bases
        index = index * 4 + codes[:, k:k + starts]
    return index


def all_kmers(width: int) -> np.ndarray:
    """``(4**width, width)`` uint8 codes of every ``width``-mer, row i = the k-mer whose index is i."""
    return ((np.arange(4 ** width)[:, None] >> (2 * np.arange(width - 1, -1, -1))) & 3).astype(np.uint8)


def window_table(pwm: np.ndarray) -> np.ndarray:
    """``(4**width,)`` score of ``pwm`` on every possible window, indexed like :func:`window_codes`: scanning
    a batch is then one look-up per window, ``window_table(pwm)[window_codes(codes, width)]``. Rows are
    added left to right, the order of the paper's per-base loop."""
    kmers = all_kmers(pwm.shape[0])
    table = np.zeros(kmers.shape[0])
    for k in range(pwm.shape[0]):
        table = table + pwm[k, kmers[:, k]]
    return table


@functools.cache
def pa_pwm_tables() -> dict[str, np.ndarray]:
    """PA-PWM's matrices as score tables over all windows (``window_table``), built once per process:
    ``"35"``, ``"10"``, ``"up"`` (4**9 entries, most of the ≈20 ms) and ``"ext"``."""
    return {"35": window_table(PWM_MINUS_35), "10": window_table(PWM_MINUS_10),
            "up": window_table(PWM_UP), "ext": window_table(PWM_EXTENDED_10)}


def by_length(sequences: Sequence[str], min_length: int,
              score_codes: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Check ``sequences`` (ACGT, ≥ ``min_length``) and score them with ``score_codes`` ((m, L) codes → (m,)),
    one call per distinct length, results in input order."""
    codes = uniform_codes(sequences, None, min_length) if len(sequences) else None
    if codes is not None:
        return score_codes(codes)
    check_sequences(sequences, min_length=min_length)
    out = np.empty(len(sequences), dtype=np.float64)
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    for length in np.unique(lengths):
        where = np.flatnonzero(lengths == length)
        out[where] = score_codes(encode([sequences[i] for i in where]))
    return out
