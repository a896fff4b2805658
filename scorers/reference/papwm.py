"""The paper's position-aware PWM (``pa-pwm``) and its two ablations (``pa-pwm-nocomp``, ``pa-pwm-nopos``).

Constants and rules follow the paper's ``mit_benchmark/models/biophysical.py`` as audited in anchor_mit.md
section 4. PA-PWM and NoComp read fixed windows of the first MIT layout (−35 at 30, −10 at 53, UP at 15, ext at
50); NoPos scans every forward-strand window. Each maps ``n`` ACGT strings to float64 ``(n,)`` scores, higher =
more promoter-like, through matrix look-ups on ``(n, L)`` uint8 codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fixtures.grammar import EXTENDED_10, MINUS_10, MINUS_35, UP
from scorers.protocol import fixed_layout_codes
from scorers.reference.pwm import (PWM_EXTENDED_10, PWM_MINUS_10, PWM_MINUS_35, PWM_UP, by_length, exact,
                                   pa_pwm_tables, window_codes, window_score)

SCAN_MIN_LENGTH = PWM_UP.shape[0]           # the widest scanned matrix (UP, 9 nt)
SPACING = MINUS_10.start - MINUS_35.stop    # 17 bp in the MIT layout


def pa_pwm_parts(codes: np.ndarray) -> dict[str, np.ndarray]:
    """The terms of the paper's position-aware PWM at the MIT layout, each ``(n,)``."""
    return {
        "s35": window_score(codes, PWM_MINUS_35, MINUS_35.start),
        "s10": window_score(codes, PWM_MINUS_10, MINUS_10.start),
        "up": window_score(codes, PWM_UP, UP.start),
        "ext": window_score(codes, PWM_EXTENDED_10, EXTENDED_10.start),
    }


def extended_10_bonus(ext: np.ndarray, s10: np.ndarray) -> np.ndarray:
    """A good extended −10 (score > 1) adds 1.5×ext when the −10 is weak (< 5.0), else 0.5×ext."""
    return np.where(ext > 1.0, np.where(s10 < 5.0, 1.5, 0.5) * ext, 0.0)


@dataclass(frozen=True)
class PositionAwarePWM:
    """The paper's PA-PWM (anchor_mit.md section 4): S35 + S10 + 0.5·S_UP + spacing (0 here) + ext bonus,
    every element read at its fixed MIT position."""

    name: str = "pa-pwm"
    kind: str = "energy"
    fixed_layout: bool = True
    rc_equivariant: bool = False

    @property
    def fingerprint(self) -> str:
        return "pa-pwm/v1 (anchor_mit.md s4 constants)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        parts = pa_pwm_parts(fixed_layout_codes(sequences, self.name))
        # The −35/−10 distance is fixed by the layout, so the spacing term −0.5·|17 − 17| is always 0.
        total = parts["s35"] + parts["s10"] + 0.5 * parts["up"] + extended_10_bonus(parts["ext"], parts["s10"])
        return exact(total)


@dataclass(frozen=True)
class PAPWMNoComp:
    """PA-PWM without compensation: S35 at 30 + S10 at 53 + spacing (0 in the MIT layout); no UP, no ext.
    On the paper's D, E and H every score is 14.0, so CSS = SCR = 0 purely through ties."""

    name: str = "pa-pwm-nocomp"
    kind: str = "energy"
    fixed_layout: bool = True
    rc_equivariant: bool = False
    fingerprint: str = "pa-pwm-nocomp/v1 (anchor_mit.md s4)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        codes = fixed_layout_codes(sequences, self.name)
        s35 = window_score(codes, PWM_MINUS_35, MINUS_35.start)
        s10 = window_score(codes, PWM_MINUS_10, MINUS_10.start)
        return exact(s35 + s10 - 0.5 * abs(SPACING - 17))


def nopos_codes(codes: np.ndarray) -> np.ndarray:
    """``(n,)`` PA-PWM without positions: the best forward-strand window of each matrix anywhere
    (S35 + S10 + 0.5·UP), plus PA-PWM's extended −10 rule applied to the best ext window and best S10."""
    tables, six = pa_pwm_tables(), window_codes(codes, 6)
    best_35 = tables["35"][six].max(axis=1)
    best_10 = tables["10"][six].max(axis=1)
    best_up = tables["up"][window_codes(codes, 9)].max(axis=1)
    best_ext = tables["ext"][window_codes(codes, 3)].max(axis=1)
    return exact(best_35 + best_10 + 0.5 * best_up + extended_10_bonus(best_ext, best_10))


@dataclass(frozen=True)
class PAPWMNoPos:
    """PA-PWM without positional encoding (``PositionAwarePWM_NoPosition``): every element scanned anywhere
    on the forward strand. Any length ≥ 9 nt."""

    name: str = "pa-pwm-nopos"
    kind: str = "energy"
    rc_equivariant: bool = False
    fingerprint: str = "pa-pwm-nopos/v1 (anchor_mit.md s4)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, SCAN_MIN_LENGTH, nopos_codes)


SCORERS = {
    "pa-pwm": (lambda o: PositionAwarePWM(),
               "the paper's position-aware PWM (fixed coordinates of the first MIT layout)"),
    "pa-pwm-nopos": (lambda o: PAPWMNoPos(), "PA-PWM ablation: every element scanned anywhere"),
    "pa-pwm-nocomp": (lambda o: PAPWMNoComp(), "PA-PWM ablation: no UP or extended −10 terms"),
}
