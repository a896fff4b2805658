"""The paper's baselines: the fixed-window PWM (``pwm``) and k-mer models (``kmer-paper``, the paper's
independence model; ``kmer``, MIT's, counted from the E. coli genome), and ``random-kmer``, a null of the same
form with random weights.

Constants follow anchor_mit.md section 3. Each maps ``n`` ACGT strings to float64 ``(n,)`` scores working on
``(n, L)`` uint8 codes; k-mers are indexed once as base-4 numbers (``window_codes``) and read from a table.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fixtures.grammar import MINUS_10, MINUS_35, encode
from scorers.protocol import ScorerUnavailable, check_sequences, fixed_layout_codes
from scorers.reference.pwm import (BASELINE_MINUS_10, BASELINE_MINUS_35, all_kmers, by_length, exact,
                                   reverse_complement_codes, window_codes, window_score)


@dataclass(frozen=True)
class PaperPWMBaseline:
    """The paper's "PWM" baseline: motifs.py's −35 and −10 matrices at the fixed windows 30 and 53, summed
    (TTGACA 9.6, TATAAT 10.2, TGTAAT 7.4). D, E and H all score 17.0, so its CSS = SCR = 0 through ties."""

    name: str = "pwm"
    kind: str = "score"
    fixed_layout: bool = True
    rc_equivariant: bool = False
    fingerprint: str = "pwm/v1 (paper motifs.py matrices, windows 30/53)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        codes = fixed_layout_codes(sequences, self.name)
        return exact(window_score(codes, BASELINE_MINUS_35, MINUS_35.start)
                     + window_score(codes, BASELINE_MINUS_10, MINUS_10.start))


KMER = 6


def kmer_log_table_from_base_frequencies(frequencies: Sequence[float], k: int = KMER) -> np.ndarray:
    """``(4**k,)`` ln f(kmer) of an independence model: f = Π f(base), multiplied left to right from 1.0 in
    the paper's order of operations. Index = the k-mer as a base-4 number, first base most significant."""
    freq = np.asarray(frequencies, dtype=np.float64)
    product = np.ones(4 ** k)
    digits = all_kmers(k)                                       # (4**k, k), first base first
    for position in range(k):                                   # k vectorised products
        product = product * freq[digits[:, position]]
    return np.log(product)


def score_kmers(codes: np.ndarray, log_table: np.ndarray, k: int = KMER) -> np.ndarray:
    """``(n,)`` Σ over the L − k + 1 overlapping k-mers of ``log_table[kmer]``, accumulated left to right
    (``cumsum``) in the order of the paper's loop. (Its stored kmer scores still differ by one ulp for 12 of
    650 sequences: float ``log`` itself differs between CPUs/libm builds.)"""
    terms = log_table[window_codes(codes, k)]
    return np.cumsum(terms, axis=1)[:, -1]


# The paper's k-mer "E. coli" frequencies: not counted from the genome but an independence model.
PAPER_BASE_FREQUENCIES = (0.246, 0.254, 0.254, 0.246)          # A, C, G, T
PAPER_KMER_LOG_TABLE = kmer_log_table_from_base_frequencies(PAPER_BASE_FREQUENCIES)


@dataclass(frozen=True)
class PaperKmer:
    """The paper's k-mer baseline, reproduced: Σ over the 95 overlapping 6-mers of ln Π f(base) with
    f(A) = f(T) = 0.246, f(C) = f(G) = 0.254. It is a pure G+C counter (coverage-weighted); the paper's stored
    kmer_results.json equals these scores to within one ulp. Any length ≥ 6 nt."""

    name: str = "kmer-paper"
    kind: str = "score"
    rc_equivariant: bool = True
    fingerprint: str = "kmer-paper/v1 (independence model A=T=0.246, C=G=0.254)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, KMER, lambda codes: score_kmers(codes, PAPER_KMER_LOG_TABLE))


def count_kmers_both_strands(genome: str, k: int = KMER, circular: bool = True) -> np.ndarray:
    """``(4**k,)`` int64 count of every k-mer on both strands of ``genome`` (ACGT only).

    With ``circular`` the k − 1 windows across the origin are included, so each strand contributes exactly
    ``len(genome)`` windows. A reverse-strand k-mer is counted as itself, which makes the table
    reverse-complement symmetric: count(w) = count(rc(w)).
    """
    codes = encode([genome])
    if (codes == 255).any():
        bad = sorted({genome[i] for i in np.flatnonzero(codes[0] == 255)[:1000]})
        raise ValueError(f"genome holds characters outside ACGT: {bad}")
    if circular:
        codes = np.concatenate([codes, codes[:, :k - 1]], axis=1)
    forward = np.bincount(window_codes(codes, k)[0], minlength=4 ** k)
    reverse = np.bincount(window_codes(reverse_complement_codes(codes), k)[0], minlength=4 ** k)
    return forward + reverse


def kmer_log_table_from_counts(counts: np.ndarray, pseudocount: float = 1.0) -> np.ndarray:
    """``(4**k,)`` smoothed k-mer log-frequencies ln[(count + pseudocount) / (total + 4**k · pseudocount)]."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.log((counts + pseudocount) / (counts.sum() + counts.size * pseudocount))


_GENOME_TABLES: dict[str, np.ndarray] = {}
_GENOME_LOCK = threading.Lock()


def ecoli_kmer_log_table(data_dir=None) -> np.ndarray:
    """The E. coli 6-mer log-frequency table (counted once per process and kept in memory): NC_000913.3 from
    ``fixtures.genome`` (raises DataUnavailable when absent), both strands, circular, pseudocount 1."""
    from fixtures.datasets import ECOLI_GENOME, resolve     # the data layer is only needed when scoring
    from fixtures.genome import ecoli_genome

    path = str(resolve(ECOLI_GENOME, data_dir))
    with _GENOME_LOCK:
        if path not in _GENOME_TABLES:
            _GENOME_TABLES[path] = kmer_log_table_from_counts(count_kmers_both_strands(ecoli_genome(data_dir)))
        return _GENOME_TABLES[path]


@dataclass(frozen=True)
class EcoliKmer:
    """MIT's k-mer baseline, counted from the real genome (the paper's was not):

        score(x) = Σ_{i=0}^{L−6} ln[(c(x_i … x_{i+5}) + 1) / (N + 4096)]

    where c counts each 6-mer on both strands of the circular E. coli K-12 MG1655 chromosome (NC_000913.3) and
    N = 2 × 4,641,652 is the number of counted windows. Like the paper's model it sums log-frequencies of
    overlapping 6-mers (not a normalised likelihood, hence kind "score"). Any length ≥ 6 nt. The table is
    built on first use (≈0.3 s) and cached in memory.
    """

    data_dir: str | None = None
    name: str = "kmer"
    kind: str = "score"
    rc_equivariant: bool = True
    fingerprint: str = "kmer/v1 (6-mers of NC_000913.3, both strands, circular, pseudocount 1)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        check_sequences(sequences, min_length=KMER)      # bad input is reported before the genome is read
        table = ecoli_kmer_log_table(self.data_dir)
        return by_length(sequences, KMER, lambda codes: score_kmers(codes, table))


def _ecoli_kmer(options) -> EcoliKmer:
    """``kmer``, or ScorerUnavailable (its tests skip, saying how to get the genome) when the genome is absent."""
    from fixtures.datasets import ECOLI_GENOME, DataUnavailable, resolve

    try:
        resolve(ECOLI_GENOME, options.data_dir)
    except DataUnavailable as exc:
        raise ScorerUnavailable(f"kmer counts the 6-mers of the E. coli genome: {exc.reason}") from None
    return EcoliKmer(data_dir=options.data_dir)


@dataclass(frozen=True)
class RandomKmer:
    """A random local function: Σ over the overlapping k-mers of a seeded standard-normal weight per k-mer
    (``numpy.random.default_rng(seed)``, 4**k weights). It reads no grammar, yet as a fixed function of local
    sequence it prefers one of any two fixed strings, as an untrained network does: a contrast of one fixed
    pair of boxes (``TATAAT`` vs ``ATATAT``) it passes for about half of its seeds, which is why each motif family
    draws its own −10. ``benchmarks/bench_calibration.py`` measures its pass rates. Any length ≥ k nt."""

    seed: int = 42
    k: int = KMER
    name: str = "random-kmer"
    kind: str = "score"

    @property
    def fingerprint(self) -> str:
        return f"random-kmer/v1 k={self.k} seed={self.seed}"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        table = np.random.default_rng(self.seed).standard_normal(4 ** self.k)
        return by_length(sequences, self.k, lambda codes: score_kmers(codes, table, self.k))


SCORERS = {
    "pwm": (lambda o: PaperPWMBaseline(), "the paper's PWM baseline (motifs.py matrices at 30/53)"),
    "kmer": (_ecoli_kmer,
             "6-mer log-frequencies counted from the E. coli K-12 genome (needs the data dir)"),
    "kmer-paper": (lambda o: PaperKmer(), "the paper's k-mer baseline (independence model A=T=0.246, C=G=0.254)"),
    "random-kmer": (lambda o: RandomKmer(seed=o.seed),
                    "seeded random weight per 6-mer, summed: a random local function (null)"),
}
