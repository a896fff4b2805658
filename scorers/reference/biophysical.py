"""The paper's other biophysical reference scorers, vectorised with numpy: ``thermo``, ``scan`` and ``rpa-pwm``.

Every rule and constant follows the paper's code as audited in anchor_mit.md section 4
(``mit_benchmark/models/biophysical.py`` @f93aa74 and ``scripts/rpa_pwm.py``). Each scorer maps ``n`` ACGT strings
to float64 ``(n,)`` scores, higher = more promoter-like, working on ``(n, L)`` uint8 codes (A0 C1 G2 T3): no
per-base Python loop. Fixed windows are matrix look-ups (``window_score``); scans index every window as a base-4
number once (``window_codes``) and read the score of each matrix from a table over all 4**width windows
(``window_table``), so the reverse strand is a permuted table, not a second scan.

Scores that are equal in exact arithmetic must tie (the paper's CSS/SCR use a strict ">"), so the PWM-based
scores pass through ``exact``. Scanning scorers accept any length ≥ 9 nt and score sequences of different
lengths group by group; ``thermo`` reads only ``[0, 100)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fixtures.grammar import EXTENDED_10, MINUS_10, MINUS_35, UP
from scorers.protocol import fixed_layout_codes
from scorers.reference.papwm import SCAN_MIN_LENGTH, SPACING
from scorers.reference.pwm import (RPA_MINUS_10_BROKEN, RPA_MINUS_10_INTACT, RPA_MINUS_35, THERMO_MINUS_10,
                                   THERMO_MINUS_35, THERMO_SPACING, THERMO_SPACING_OTHER, all_kmers, by_length,
                                   exact, pa_pwm_tables, reverse_complement_codes, window_codes, window_score,
                                   window_table)

A, C, G, T = 0, 1, 2, 3


def _reverse_complement_index(width: int) -> np.ndarray:
    """``(4**width,)`` index of the reverse complement of each ``width``-mer (a permutation)."""
    return window_codes(reverse_complement_codes(all_kmers(width)), width)[:, 0]


@functools.cache
def _rpa_tables() -> dict[str, np.ndarray]:
    """RPA-PWM's score tables over all windows, built once per process. Keys ending in ``_rc`` score the
    reverse strand: the table read at the reverse complement."""
    rc6 = _reverse_complement_index(6)
    rpa_10 = np.maximum(window_table(RPA_MINUS_10_INTACT), window_table(RPA_MINUS_10_BROKEN))
    rpa_35 = window_table(RPA_MINUS_35)
    # A window is an RPA candidate box only when it scores ≥ −2; others can never be part of a parse.
    rpa_35 = np.where(rpa_35 >= RPA_THRESHOLD, rpa_35, -np.inf)
    rpa_10 = np.where(rpa_10 >= RPA_THRESHOLD, rpa_10, -np.inf)
    tri = all_kmers(3)
    return {
        "rpa_35": rpa_35, "rpa_10": rpa_10, "rpa_35_rc": rpa_35[rc6], "rpa_10_rc": rpa_10[rc6],
        "rpa_up": _rpa_up_table(),
        # The 3 bp 5′ of a −10: forward TGT → 2, TnT → 1; on the reverse strand the reverse complement of the
        # 3 bp 3′ of the box is read, which is TGT iff they are ACA and TnT iff they are AnA.
        "rpa_ext": np.where((tri[:, 0] == T) & (tri[:, 2] == T), np.where(tri[:, 1] == G, 2.0, 1.0), 0.0),
        "rpa_ext_rc": np.where((tri[:, 0] == A) & (tri[:, 2] == A), np.where(tri[:, 1] == C, 2.0, 1.0), 0.0),
    }


# ----------------------------------------------------------------------------------------------------------
# Thermodynamic model
# ----------------------------------------------------------------------------------------------------------

THERMO_UP_WIDTH = 20            # the AT window starts at the UP (15) and runs 20 bp, over the −35 box
# Step function on the A+T count of that window: > 16/20 (AT > 0.8) → 2.5, > 14/20 → 1.5, > 12/20 → 0.5.
# Integer counts give the same decisions as the paper's float fractions (16/20 == 0.8 exactly: not "> 0.8").
THERMO_UP_STEPS = ((16, 2.5), (14, 1.5), (12, 0.5))


@dataclass(frozen=True)
class Thermodynamic:
    """The paper's "thermodynamic" model: ΔG35 + ΔG10 + spacing(17 → +1) + UP(AT step) + ext, every element
    at its MIT position; the ext term ("TG" at 50 → 2, "T" then not G → 0.5) doubles when ΔG10 < 8 and
    ext > 1."""

    name: str = "thermo"
    kind: str = "energy"
    fixed_layout: bool = True
    rc_equivariant: bool = False
    fingerprint: str = "thermo/v1 (anchor_mit.md s4)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        codes = fixed_layout_codes(sequences, self.name)
        dg35 = window_score(codes, THERMO_MINUS_35, MINUS_35.start)
        dg10 = window_score(codes, THERMO_MINUS_10, MINUS_10.start)
        dg_spacing = THERMO_SPACING.get(SPACING, THERMO_SPACING_OTHER)
        window = codes[:, UP.start:UP.start + THERMO_UP_WIDTH]
        at_count = ((window == A) | (window == T)).sum(axis=1)
        dg_up = np.select([at_count > k for k, _ in THERMO_UP_STEPS], [v for _, v in THERMO_UP_STEPS], 0.0)
        first, second = codes[:, EXTENDED_10.start], codes[:, EXTENDED_10.start + 1]
        dg_ext = np.where(first == T, np.where(second == G, 2.0, 0.5), 0.0)
        dg_ext = np.where((dg10 < 8.0) & (dg_ext > 1.0), 2.0 * dg_ext, dg_ext)
        return exact(dg35 + dg10 + dg_spacing + dg_up + dg_ext)


# ----------------------------------------------------------------------------------------------------------
# Position-scanning model
# ----------------------------------------------------------------------------------------------------------

# The paper's comparison scripts build this model with the generator layout (−35 expected at 30, −10 at 53);
# its load_position_scanning_model() would use the TSS = 60 default (25/50) instead. Both give the Table 6
# row on the stored sequences (CSS 0.43, SCR 0.54); the MIT layout is the one that fits MIT's sets.
SCAN_EXPECTED_35 = MINUS_35.start
SCAN_EXPECTED_10 = MINUS_10.start


def scan_codes(codes: np.ndarray, expected_35: int = SCAN_EXPECTED_35,
               expected_10: int = SCAN_EXPECTED_10) -> np.ndarray:
    """``(n,)`` position-scanning score of ``(n, L)`` codes.

    The best forward −35 and −10 (first position on ties), −0.3/bp deviation from the expected positions,
    −0.4/bp deviation from 17 bp spacing, −5 when the −35 does not precede the −10; the best extended −10 in
    the 5 starts before the −10 adds 1.5× (S10 < 7) or 0.3× when > 1; the A+T fraction of [p35−25, p35−5)
    adds 2·(AT − 0.5) when > 0.75.
    """
    n, length = codes.shape
    rows = np.arange(n)
    tables, six = pa_pwm_tables(), window_codes(codes, 6)
    s35_all = tables["35"][six]                  # (n, L − 5)
    s10_all = tables["10"][six]
    p35 = s35_all.argmax(axis=1)                 # argmax keeps the first maximum, like the paper's strict ">"
    p10 = s10_all.argmax(axis=1)
    s35, s10 = s35_all[rows, p35], s10_all[rows, p10]
    score = s35 + s10
    score = score + -(np.abs(p35 - expected_35) + np.abs(p10 - expected_10)) * 0.3
    score = score + -np.abs(p10 - p35 - 6 - 17) * 0.4
    score = score - 5.0 * (p35 >= p10)
    # Extended −10: best window starting in [max(0, p10 − 5), p10); none when p10 = 0.
    ext_all = tables["ext"][window_codes(codes, 3)]                  # (n, L − 2)
    starts = np.arange(ext_all.shape[1])
    in_range = (starts >= np.maximum(p10 - 5, 0)[:, None]) & (starts < p10[:, None])
    best_ext = np.where(in_range, ext_all, -np.inf).max(axis=1)
    score = score + np.where(best_ext > 1.0, best_ext * np.where(s10 < 7.0, 1.5, 0.3), 0.0)
    # UP: A+T fraction of [max(0, p35 − 25), p35 − 5) from a prefix sum of A/T indicators.
    at_prefix = np.zeros((n, length + 1), dtype=np.int64)
    at_prefix[:, 1:] = np.cumsum((codes == A) | (codes == T), axis=1)
    up_start, up_end = np.maximum(p35 - 25, 0), p35 - 5
    has_region = up_end > up_start
    width = np.where(has_region, up_end - up_start, 1)
    at = (at_prefix[rows, np.clip(up_end, 0, length)] - at_prefix[rows, up_start]) / width
    score = score + np.where(has_region & (at > 0.75), 2.0 * (at - 0.5), 0.0)
    return exact(score)


@dataclass(frozen=True)
class PositionScanning:
    """The paper's position-scanning model (``PositionScanningModel`` as loaded by its scripts). Any length
    ≥ 9 nt; positions are read on the forward strand from the sequence start."""

    name: str = "scan"
    kind: str = "energy"
    rc_equivariant: bool = False
    fingerprint: str = f"scan/v1 (anchor_mit.md s4; expected -35@{SCAN_EXPECTED_35}, -10@{SCAN_EXPECTED_10})"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, SCAN_MIN_LENGTH, scan_codes)


# ----------------------------------------------------------------------------------------------------------
# RPA-PWM (relative position-aware PWM, scripts/rpa_pwm.py)
# ----------------------------------------------------------------------------------------------------------

RPA_THRESHOLD = -2.0                 # a window is a candidate box when its PWM score is ≥ this
RPA_SPACINGS = (15, 16, 17, 18, 19)
RPA_SPACING_SCORE = {15: 1.0, 16: 1.5, 17: 2.0, 18: 1.5, 19: 1.0}   # 2 − 0.5·|s − 17| (tolerance 2)
RPA_STRAND_BONUS = 1.0               # forward-strand parses only
RPA_UP_WINDOW = 20                   # the UP 9-mer must lie within 20 bp upstream of the −35
RPA_UP_WIDTH = 9
RPA_UP_MIN_AT = 7                    # AT fraction ≥ 0.7 of 9 bp ⇔ at least 7 A/T (6/9 < 0.7 ≤ 7/9)
RPA_UP_FOUND = 1.5                   # an UP counts when its score exceeds this ...
RPA_UP_BONUS = 2.0                   # ... and then adds this × its score
RPA_EXT_BONUS = 1.5                  # ext: TGT → 2, TnT → 1, times this
RPA_INVALID = -10.0                  # no valid same-strand pair

def _rpa_up_table() -> np.ndarray:
    """``(4**9,)`` RPA UP score of every 9-mer: 2·AT + (longest A run)/9 when AT ≥ 0.7, else 0 (the paper's
    running best starts at 0, so 0 never wins). A runs are counted on the forward strand, also for
    reverse-strand parses, as the paper does."""
    kmers = all_kmers(RPA_UP_WIDTH)                                       # (4**9, 9)
    at_count = ((kmers == A) | (kmers == T)).sum(axis=1)
    run = np.zeros(kmers.shape[0], dtype=np.int64)
    longest = np.zeros(kmers.shape[0], dtype=np.int64)
    for k in range(RPA_UP_WIDTH):                                          # 9 array steps over all 9-mers
        run = np.where(kmers[:, k] == A, run + 1, 0)
        longest = np.maximum(longest, run)
    value = (at_count / 9) * 2.0 + (longest / 9) * 1.0
    return np.where(at_count >= RPA_UP_MIN_AT, value, 0.0)


RPA_UP_REACH = RPA_UP_WINDOW - RPA_UP_WIDTH + 1     # 12 possible 9-mer starts in a 20 bp window


def _rpa_up_bonus(up: np.ndarray, n_starts: int) -> dict[str, np.ndarray]:
    """``{"+": (n, n_starts), "-": (n, n_starts)}`` UP term for a −35 at each forward position p, from ``up``
    ((n, L − 8) score of the 9-mer at each start): the best window fully inside the 20 bp upstream of the box
    on its strand (forward starts [p − 20, p − 9]; reverse strand [p + 6, p + 17]; clipped to the sequence),
    times RPA_UP_BONUS when it exceeds RPA_UP_FOUND, else 0."""
    n, width = up.shape
    # Zero columns stand for starts outside the sequence (a 0 never wins: the paper's running best starts
    # at 0). Column c of `padded` is the 9-mer at c − 20.
    padded = np.zeros((n, RPA_UP_WINDOW + width + RPA_UP_REACH + n_starts + 6))
    padded[:, RPA_UP_WINDOW:RPA_UP_WINDOW + width] = up
    # Sliding maximum over 12 consecutive starts by doubling: windows of 2, 4, 8, then 8 + 4 = 12.
    m2 = np.maximum(padded[:, :-1], padded[:, 1:])
    m4 = np.maximum(m2[:, :-2], m2[:, 2:])
    m8 = np.maximum(m4[:, :-4], m4[:, 4:])
    m12 = np.maximum(m8[:, :-4], m4[:, 8:])          # m12[:, c] = max(padded[:, c : c + 12])
    forward = m12[:, 0:n_starts]                                          # starts p − 20 … p − 9
    reverse = m12[:, RPA_UP_WINDOW + 6:RPA_UP_WINDOW + 6 + n_starts]      # starts p + 6 … p + 17
    return {strand: np.where(best > RPA_UP_FOUND, best * RPA_UP_BONUS, 0.0)
            for strand, best in (("+", forward), ("-", reverse))}


def _rpa_ext_bonus(three: np.ndarray, n_starts: int, strand: str) -> np.ndarray:
    """``(n, n_starts)`` ext term for a −10 at each forward position p, from the 3-mer index ``three``
    ((n, L − 2)): forward the 3 bp at p − 3, reverse strand the reverse complement of the 3 bp at p + 6;
    TGT → 2, TnT → 1, times 1.5; 0 where those bases fall outside the sequence."""
    n = three.shape[0]
    if strand == "+":
        value = _rpa_tables()["rpa_ext"][three]
        shifted = np.concatenate([np.zeros((n, 3)), value], axis=1)          # index p reads start p − 3
    else:
        value = _rpa_tables()["rpa_ext_rc"][three]
        shifted = np.concatenate([value[:, 6:], np.zeros((n, 9))], axis=1)   # index p reads start p + 6
    return shifted[:, :n_starts] * RPA_EXT_BONUS


def rpa_codes(codes: np.ndarray) -> np.ndarray:
    """``(n,)`` RPA-PWM score of ``(n, L)`` codes: the best same-strand (−35, −10) parse on either strand.

    Boxes are candidate windows scoring ≥ −2 (−10: the better of the intact and broken matrices); a parse
    needs spacing 15–19 (−10 downstream of the −35 on its strand) and scores S35 + S10 + spacing
    + 1 (forward) + UP + ext. No valid parse scores −10. Positions are forward-strand starts; a
    reverse-strand box at p is the reverse complement of the window at p.
    """
    n, length = codes.shape
    n_starts = length - 6 + 1
    tables = _rpa_tables()
    six, three = window_codes(codes, 6), window_codes(codes, 3)
    up = _rpa_up_bonus(tables["rpa_up"][window_codes(codes, RPA_UP_WIDTH)], n_starts)
    best = np.full(n, -np.inf)
    for strand in "+-":                                  # two strands × five spacings: array ops over (n, L)
        suffix = "" if strand == "+" else "_rc"
        box35 = tables["rpa_35" + suffix][six] + up[strand]
        box10 = tables["rpa_10" + suffix][six] + _rpa_ext_bonus(three, n_starts, strand)
        strand_bonus = RPA_STRAND_BONUS if strand == "+" else 0.0
        for spacing in RPA_SPACINGS:
            gap = 6 + spacing
            if gap >= n_starts:
                continue
            if strand == "+":     # −35 at p, −10 at p + 6 + s
                pair = box35[:, :n_starts - gap] + box10[:, gap:]
            else:                 # −10 at p, −35 at p + 6 + s (upstream on the reverse strand)
                pair = box10[:, :n_starts - gap] + box35[:, gap:]
            best = np.maximum(best, pair.max(axis=1) + (RPA_SPACING_SCORE[spacing] + strand_bonus))
    return exact(np.where(np.isfinite(best), best, RPA_INVALID))


@dataclass(frozen=True)
class RelativePositionAwarePWM:
    """The paper's RPA-PWM: scans both strands, keeps only relative constraints. Because it scores the broken
    TGTAAT as a perfect −10 it cannot rank intact above broken (MES_syn ≈ −0.05). Any length ≥ 9 nt."""

    name: str = "rpa-pwm"
    kind: str = "energy"
    rc_equivariant: bool = False
    fingerprint: str = "rpa-pwm/v1 (anchor_mit.md s4, scripts/rpa_pwm.py)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, SCAN_MIN_LENGTH, rpa_codes)


SCORERS = {
    "rpa-pwm": (lambda o: RelativePositionAwarePWM(),
                "the paper's relative position-aware PWM (both strands, relative constraints only)"),
    "thermo": (lambda o: Thermodynamic(), "the paper's thermodynamic model (fixed MIT layout)"),
    "scan": (lambda o: PositionScanning(), "the paper's position-scanning model"),
}
