"""A zoo of scorers with no promoter grammar, each built to pass MIT's gates for the wrong reason.

They read fixed coordinates, nucleotide composition, composition weighted by position, bags of motifs (which
motifs occur, never where or in which order) or gapped composition. DESIGN.md section 3a rule 4: every gate must
reject each of them at no more than its level, except where ``MUST_FAIL`` below says why one may pass motif
(``tests/test_cheats.py`` on the default sets, ``benchmarks/bench_calibration.py`` over hundreds of set seeds). The first three are the cheats that passed the first design's gates: "A/T count in
[0, 30) + A/T count in [53, 59) + 0.5 if base 53 is T" passed all six; "A/T count in [0, 30)" passed scramble
and up_position; "the hexamer at [53, 59)" passed spacing and strand.

Every cheat is a Scorer (``--model tests.cheats:NAME`` works) over ACGT strings of any length ≥ 60, vectorised:
``(n,)`` float64 scores from ``(n, L)`` uint8 codes (A0 C1 G2 T3).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from fixtures.grammar import encode
from scorers.reference.pwm import PWM_MINUS_10, by_length, window_codes

A, C, G, T = 0, 1, 2, 3
MIN_LENGTH = 60                     # the coordinate cheats read up to base 59


def _at(codes: np.ndarray) -> np.ndarray:
    return ((codes == A) | (codes == T)).astype(np.float64)


def _count(codes: np.ndarray, motif: str) -> np.ndarray:
    """``(n,)`` occurrences of ``motif`` on the forward strand, anywhere."""
    index = window_codes(encode([motif]), len(motif))[0, 0]
    return (window_codes(codes, len(motif)) == index).sum(axis=1).astype(np.float64)


def _reverse_complement(motif: str) -> str:
    return motif.translate(str.maketrans("ACGT", "TGCA"))[::-1]


@dataclass(frozen=True)
class Cheat:
    """A grammar-free scorer: ``rule`` maps ``(n, L)`` codes of equal-length sequences to ``(n,)`` scores."""

    name: str
    description: str
    rule: Callable[[np.ndarray], np.ndarray]
    reads: str                       # "coordinates", "composition", "motifs" (which occur, not where) or
                                     # "gapped" (how often a base recurs d bases later)
    kind: str = "score"

    @property
    def fingerprint(self) -> str:
        return f"cheat/{self.name}"

    def score(self, sequences) -> np.ndarray:
        # sets may mix window lengths (robustness designs): one call of the rule per length
        return by_length(sequences, MIN_LENGTH, self.rule)


def _position_weighted_at(codes: np.ndarray, upstream: bool) -> np.ndarray:
    weights = np.linspace(1.0, 0.0, codes.shape[1]) if upstream else np.linspace(0.0, 1.0, codes.shape[1])
    return _at(codes) @ weights


_MOTIFS = ("TTGACA", "TATAAT", "TGT", "AAAAAA")


def _bag_of_motifs(codes: np.ndarray, both_strands: bool) -> np.ndarray:
    total = sum(_count(codes, m) for m in _MOTIFS)
    if both_strands:
        total = total + sum(_count(codes, _reverse_complement(m)) for m in _MOTIFS)
    return total


def _best_windows(codes: np.ndarray) -> np.ndarray:
    """The best −10 PWM window and the most A/T-rich 9-mer, anywhere: motif quality without positions."""
    from scorers.reference.pwm import window_table
    best_10 = window_table(PWM_MINUS_10)[window_codes(codes, 6)].max(axis=1)
    at9 = np.lib.stride_tricks.sliding_window_view(_at(codes), 9, axis=1).sum(axis=2).max(axis=1)
    return best_10 + at9


@functools.cache
def _genome_markov_table(order: int = 5) -> np.ndarray:
    """ln P(base | previous ``order`` bases) from the E. coli genome's (order+1)-mer counts, both strands."""
    from fixtures.datasets import ECOLI_GENOME, resolve
    from fixtures.fasta import read_fasta_gz
    from scorers.reference.baselines import count_kmers_both_strands
    counts = count_kmers_both_strands(read_fasta_gz(resolve(ECOLI_GENOME)), k=order + 1).astype(np.float64) + 1
    counts = counts.reshape(-1, 4)
    return np.log(counts / counts.sum(axis=1, keepdims=True)).ravel()


def _genome_markov(codes: np.ndarray, order: int = 5) -> np.ndarray:
    return _genome_markov_table(order)[window_codes(codes, order + 1)].sum(axis=1)


CHEATS = {
    "coordinate-at-plus-box": Cheat(
        "coordinate-at-plus-box", "A/T count in [0, 30) + A/T count in [53, 59) + 0.5 if base 53 is T",
        lambda c: _at(c[:, :30]).sum(1) + _at(c[:, 53:59]).sum(1) + 0.5 * (c[:, 53] == T), "coordinates"),
    "coordinate-at": Cheat("coordinate-at", "A/T count in [0, 30)", lambda c: _at(c[:, :30]).sum(1), "coordinates"),
    "fixed-hexamer": Cheat("fixed-hexamer", "the −10 PWM score of the hexamer at [53, 59)",
                           lambda c: PWM_MINUS_10[np.arange(6), c[:, 53:59]].sum(1), "coordinates"),
    "upstream-weighted-at": Cheat("upstream-weighted-at", "A/T weighted 1 → 0 from the first to the last base",
                                  lambda c: _position_weighted_at(c, upstream=True), "coordinates"),
    "downstream-weighted-at": Cheat("downstream-weighted-at", "A/T weighted 0 → 1 from the first to the last base",
                                    lambda c: _position_weighted_at(c, upstream=False), "coordinates"),
    "ta-steps": Cheat("ta-steps", "count of TA dinucleotides (promoter-rich steps) anywhere",
                      lambda c: _count(c, "TA"), "composition"),
    "a-tract-steps": Cheat("a-tract-steps", "count of AA and TT dinucleotides (A-tract steps) anywhere",
                           lambda c: _count(c, "AA") + _count(c, "TT"), "composition"),
    "genome-dinucleotide": Cheat("genome-dinucleotide", "log-likelihood under an order-1 Markov chain (dinucleotide "
                                                        "frequencies) of the E. coli genome (needs the data dir)",
                                 lambda c: _genome_markov(c, 1), "composition"),
    "bag-of-motifs": Cheat("bag-of-motifs", "occurrences of TTGACA, TATAAT, TGT, AAAAAA anywhere, forward strand",
                           lambda c: _bag_of_motifs(c, both_strands=False), "motifs"),
    "bag-of-motifs-both-strands": Cheat("bag-of-motifs-both-strands", "the same motifs counted on both strands",
                                        lambda c: _bag_of_motifs(c, both_strands=True), "motifs"),
    "best-windows": Cheat("best-windows", "best −10 PWM window anywhere + A/T count of the richest 9-mer anywhere",
                          _best_windows, "motifs"),
    # Gapped composition: how often a base recurs d bases later, anywhere. A near-consensus −10 (x A x x x T) is
    # period-3-like and never period-4-like, and its rearrangements that match TATAAT worst are the opposite; these
    # passed the motif gate on 199 and 200 of 200 set seeds until class K's background was exchanged to restore
    # the recurrences (fixtures/recurrence.py). Now they must fail every gate.
    "period-3-repeats": Cheat("period-3-repeats", "count of positions whose base recurs 3 bases later, anywhere",
                              lambda c: (c[:, 3:] == c[:, :-3]).sum(1).astype(np.float64), "gapped"),
    "period-4-avoidance": Cheat("period-4-avoidance", "minus the count of positions whose base recurs 4 bases "
                                                      "later, anywhere",
                                lambda c: -(c[:, 4:] == c[:, :-4]).sum(1).astype(np.float64), "gapped"),
    "genome-markov": Cheat("genome-markov", "log-likelihood under an order-5 Markov chain of the E. coli genome "
                                            "(needs the data dir)", _genome_markov, "composition"),
}
# Registered built-ins that read no grammar either, with what they read.
BUILTIN_CHEATS = {"at-content": "composition", "gc": "composition", "kmer": "composition",
                  "kmer-paper": "composition", "pa-pwm-nopos": "motifs", "random-kmer": "local"}
# Which gates each kind of cheat must fail: all of them. A motif reader recognises TATAAT-like hexamers anywhere,
# but each motif family's −10 (class M) matches TATAAT at 4 or 5 of 6 and is seldom the best hexamer of its
# window, so a reader of the best window or of TATAAT counts ties M with K. A random function of local sequence
# (``random-kmer``) prefers one side of any contrast of k-mers, the −10's included, so it may pass motif on some
# set seeds (benchmarks/bench_calibration.py measures how often), never a positional gate. A reader of gapped
# composition (a base recurring d bases later) ties K with M: K's background is exchanged until its recurrence
# counts at the lags of ``fixtures.recurrence.RECURRENCE_LAGS`` match M's.
_ALL_GATES = ("motif", "compensation", "up_position", "spacing", "strand")
_POSITIONAL_GATES = ("compensation", "up_position", "spacing", "strand")
MUST_FAIL = {"coordinates": _ALL_GATES, "composition": _ALL_GATES, "motifs": _ALL_GATES,
             "local": _POSITIONAL_GATES, "gapped": _ALL_GATES}
NEEDS_DATA = ("genome-markov", "genome-dinucleotide", "kmer")


def cheat(name: str) -> Cheat:
    return CHEATS[name]


# ``--model tests.cheats:coordinate_at`` style attributes for end-to-end runs.
coordinate_at_plus_box = CHEATS["coordinate-at-plus-box"]
coordinate_at = CHEATS["coordinate-at"]
fixed_hexamer = CHEATS["fixed-hexamer"]
