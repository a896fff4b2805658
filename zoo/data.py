"""The DNA a zoo language model trains and is measured on, as ``uint8`` codes (A=0, C=1, G=2, T=3, 4 = break).

Training DNA: both strands of ``fixtures.genome_split.training_segments`` of NC_000913.3 (each segment and its
reverse complement, breaks between them). Held-out DNA: both strands of the held-out region (the last 5 %).
Windows are drawn from the training codes by a seeded generator, never across a break.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fixtures.genome_split import held_out_interval, segments_sha256, training_segments
from fixtures.grammar import encode as encode_equal_length
from zoo.markov import BREAK


def encode(sequence: str) -> np.ndarray:
    """``(len,)`` uint8 codes of an ACGT string; ValueError on any other character."""
    codes = encode_equal_length([sequence])[0]
    if (codes == 255).any():
        raise ValueError(f"not ACGT: {sequence[:40]!r}")
    return codes


def both_strands(pieces: list[np.ndarray]) -> np.ndarray:
    """Each piece then its reverse complement, a break after every one."""
    out = []
    for piece in pieces:
        out += [piece, [BREAK], 3 - piece[::-1], [BREAK]]
    return np.concatenate(out).astype(np.uint8)


@dataclass(frozen=True)
class GenomeData:
    """Training and held-out codes of one genome, with the sha256 of the training DNA (forward segments)."""

    train: np.ndarray
    held_out: np.ndarray
    sha256: str
    train_nt: int

    @classmethod
    def from_genome(cls, genome: str, tss=None, data_dir=None) -> "GenomeData":
        segments = training_segments(genome, tss, data_dir)
        start, stop = held_out_interval(len(genome))
        train = both_strands([encode(s) for s in segments])
        return cls(train, both_strands([encode(genome[start:stop])]), segments_sha256(segments),
                   int((train != BREAK).sum()))

    @classmethod
    def ecoli(cls, data_dir=None) -> "GenomeData":
        from fixtures.genome import ecoli_genome
        return cls.from_genome(ecoli_genome(data_dir), data_dir=data_dir)


def window_starts(codes: np.ndarray, length: int) -> np.ndarray:
    """``(m,)`` every start of a ``length``-nt window of ``codes`` that holds no break."""
    breaks = np.concatenate([[0], np.cumsum(codes == BREAK)])
    starts = np.arange(codes.size - length + 1)
    return starts[breaks[starts + length] == breaks[starts]]


def held_out_chunks(codes: np.ndarray, length: int) -> np.ndarray:
    """``(m, length)`` consecutive non-overlapping windows of the held-out codes, each inside one strand
    (the tail of a strand shorter than ``length`` is dropped)."""
    rows = []
    for piece in np.split(codes, np.flatnonzero(codes == BREAK)):
        piece = piece[piece != BREAK]
        n = piece.size // length
        rows.append(piece[:n * length].reshape(n, length))
    return np.concatenate(rows)
