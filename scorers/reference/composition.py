"""Compositional controls: scorers that read nucleotide counts, or nothing at all.

``at-content`` and ``gc`` score a sequence by its A+T or G+C count; ``random`` gives a seeded standard-normal
score per sequence. None reads any grammar, so each must fail every positional gate (DESIGN.md section 3a).
Each takes a list of ACGT strings (any length) and returns float64 ``(n,)`` scores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fixtures.grammar import DEFAULT_SEED
from scorers.protocol import check_sequences, uniform_codes


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


SCORERS = {
    "at-content": (lambda o: ATContent(), "A+T count only (compositional model)"),
    "gc": (lambda o: GCContent(), "G+C count only"),
    "random": (lambda o: SeededRandom(seed=o.seed), "seeded standard-normal score per sequence"),
}
