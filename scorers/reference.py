"""Built-in reference scorers of the core slice: ``pa-pwm``, ``at-content``, ``gc`` and ``random``.

Each takes a list of ACGT strings and returns float64 ``(n,)`` scores, higher = more promoter-like.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fixtures.grammar import DEFAULT_SEED, EXTENDED_10, MINUS_10, MINUS_35, UP
from scorers.protocol import check_sequences, fixed_layout_codes, uniform_codes
from scorers.pwm import PWM_EXTENDED_10, PWM_MINUS_10, PWM_MINUS_35, PWM_UP, exact, window_score


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


def _base_counts(sequences: Sequence[str], bases: tuple[int, ...]) -> np.ndarray:
    """``(n,)`` count of the given base codes in each sequence (any lengths)."""
    codes = uniform_codes(sequences, None, 0) if len(sequences) else np.zeros((0, 0), dtype=np.uint8)
    if codes is not None:
        return np.isin(codes, bases).sum(axis=1).astype(np.float64)
    check_sequences(sequences)
    return np.array([sum(s.count("ACGT"[b]) for b in bases) for s in sequences], dtype=np.float64)


@dataclass(frozen=True)
class ATContent:
    """Scores a sequence by its A+T count only: the paper's purely compositional model. It must pass the
    compensation gate and fail the positional ones (the compositional illusion, shown by the suite itself)."""

    name: str = "at-content"
    kind: str = "score"
    fingerprint: str = "at-content/v1"
    rc_equivariant: bool = True

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return _base_counts(sequences, (0, 3))


@dataclass(frozen=True)
class GCContent:
    """Scores a sequence by its G+C count: a compositional model pointing the other way."""

    name: str = "gc"
    kind: str = "score"
    fingerprint: str = "gc/v1"
    rc_equivariant: bool = True

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return _base_counts(sequences, (1, 2))


@dataclass(frozen=True)
class SeededRandom:
    """A standard-normal score per sequence, a pure function of (seed, sequence): the same sequence gets the
    same score in any order, batch or run, so its verdicts are reproducible from the seed."""

    seed: int = DEFAULT_SEED
    name: str = "random"
    kind: str = "score"

    @property
    def fingerprint(self) -> str:
        return f"random/v1 seed={self.seed}"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        check_sequences(sequences)
        digests = np.frombuffer(b"".join(
            hashlib.sha256(f"{self.seed}:{s}".encode()).digest()[:16] for s in sequences), dtype="<u8")
        digests = digests.reshape(len(sequences), 2)
        # Box–Muller on two 53-bit uniforms taken from the digest.
        u1 = ((digests[:, 0] >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
        u2 = (digests[:, 1] >> np.uint64(11)).astype(np.float64) / 2.0**53
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
