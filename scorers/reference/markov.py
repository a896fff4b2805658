"""``markov:K``: an order-K Markov chain of E. coli DNA, the simplest honest likelihood model MIT can judge.

Fitted on both strands of the language-model training split of NC_000913.3 (``fixtures.genome_split``: the
chromosome less its last 5 % and every σ70 TSS ± 150 nt), so the canary's held-out windows and the natural
promoters are DNA it never saw. Transition probabilities are (count + 1) / (context count + 4) (add-one), which
keeps every probability positive. A sequence's score is its exact log-likelihood in nats,

    ln P(x) = Σ_{i<K} ln P_i(x_i | x_0 … x_{i−1}) + Σ_{i≥K} ln P_K(x_i | x_{i−K} … x_{i−1}),

the first K bases read by the chains of order 0 … K−1 fitted the same way, so P sums to 1 over the sequences of
each length (a test checks it) and every nucleotide is scored (``n_scored_nucleotides`` = length).

The k-mer counting (:func:`kmer_counts`: one pass over code arrays in which BREAK ends a piece) is also the zoo's
(``zoo.markov``: its held-out baselines, α = 0.5).
"""

from __future__ import annotations

import functools
from typing import Sequence

import numpy as np

from fixtures.grammar import encode
from scorers.protocol import ScorerUnavailable
from scorers.reference.pwm import by_length, exact, window_codes

MAX_ORDER = 10          # 4**11 counts of (K+1)-mers: 4 M cells, still a fraction of the genome's size
PSEUDOCOUNT = 1.0


BREAK = 4               # a code that ends a piece of DNA: no k-mer spans it


def joined(segments: Sequence[np.ndarray]) -> np.ndarray:
    """One ``uint8`` code array of ``segments`` with a BREAK after each, so they are counted in one pass."""
    pieces = []
    for codes in segments:
        pieces += [codes, [BREAK]]
    return np.concatenate(pieces).astype(np.uint8) if pieces else np.zeros(0, dtype=np.uint8)


def kmer_index(codes: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """``(n − width + 1,)`` base-4 index (``window_codes``) of each ``width``-mer of the 1-D ``codes`` starting at
    0, 1, …, and a bool array saying which hold no BREAK (the index of one that does is meaningless)."""
    codes = np.asarray(codes)
    n = codes.size - width + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    clean = np.ones(n, dtype=bool)
    # breaks are few (two per training segment): marking the width starts before each beats a pass over all codes
    dirty = (np.flatnonzero(codes == BREAK)[:, None] - np.arange(width)).ravel()
    clean[dirty[(dirty >= 0) & (dirty < n)]] = False
    return window_codes(np.minimum(codes, 3)[None, :], width)[0], clean


def kmer_counts(codes: np.ndarray, width: int) -> np.ndarray:
    """``(4**width,)`` int64 count of every ``width``-mer of the 1-D ``codes`` that holds no BREAK."""
    index, clean = kmer_index(codes, width)
    index[~clean] = 4 ** width                  # one spare bin for them: cheaper than copying out the clean ones
    return np.bincount(index, minlength=4 ** width + 1)[:-1]


def transition_log_table(codes: np.ndarray, order: int, pseudocount: float) -> np.ndarray:
    """``(4**order, 4)`` ln P(base | the ``order`` bases before it), context as a base-4 number (first base most
    significant), from the (order+1)-mers of the 1-D ``codes`` (none spanning a BREAK), each count plus
    ``pseudocount``."""
    table = kmer_counts(codes, order + 1).reshape(4 ** order, 4).astype(np.float64) + pseudocount
    return np.log(table / table.sum(axis=1, keepdims=True))


def transition_log_tables(segments: Sequence[np.ndarray], order: int) -> list[np.ndarray]:
    """``[T_0 … T_order]``: ``T_j`` is :func:`transition_log_table` of order j from the ``uint8`` code segments
    (a k-mer never spans two segments), add-one smoothing."""
    codes = joined(segments)
    return [transition_log_table(codes, j, PSEUDOCOUNT) for j in range(order + 1)]


def chain_log_likelihood(codes: np.ndarray, tables: Sequence[np.ndarray]) -> np.ndarray:
    """``(n,)`` ln P of each row of ``(n, L)`` codes under the chain whose tables are ``tables`` (order
    ``len(tables) − 1``): each of the first bases by the longest context it has, the rest by the full order."""
    order = len(tables) - 1
    n, length = codes.shape
    total = np.zeros(n, dtype=np.float64)
    for i in range(min(order, length)):                       # the first bases: their context is shorter
        context = window_codes(codes[:, :i], i)[:, 0] if i else np.zeros(n, dtype=np.int32)
        total += tables[i][context, codes[:, i]]
    if length > order:
        contexts = window_codes(codes[:, :length - 1], order) if order else np.zeros((n, length), dtype=np.int32)
        terms = tables[order][contexts[:, :length - order], codes[:, order:]]
        total += terms.sum(axis=1)
    return total


def training_codes(data_dir=None) -> list[np.ndarray]:
    """Both strands of the training split as ``uint8`` code segments. ScorerUnavailable when the genome or
    RegulonDB (which the split excludes) is not here."""
    from fixtures.datasets import DataUnavailable
    from fixtures.genome_split import ecoli_training_segments
    try:
        segments = ecoli_training_segments(data_dir)
    except DataUnavailable as exc:
        raise ScorerUnavailable(f"a Markov chain is fitted on the E. coli genome's training split: {exc}") from None
    forward = [encode([s])[0] for s in segments]
    return forward + [3 - codes[::-1] for codes in forward]


@functools.lru_cache(maxsize=4)
def _fitted(order: int, data_dir: str | None) -> tuple[tuple[np.ndarray, ...], str]:
    from fixtures.genome_split import ecoli_training_segments, segments_sha256
    codes = training_codes(data_dir)
    return tuple(transition_log_tables(codes, order)), segments_sha256(ecoli_training_segments(data_dir))


class MarkovChain:
    """An order-``order`` Markov chain of the training split, kind ``likelihood``: scores are ln P(sequence)."""

    kind = "likelihood"

    def __init__(self, order: int, data_dir: str | None = None):
        if not 0 <= order <= MAX_ORDER:
            raise ValueError(f"a Markov chain's order must lie in 0…{MAX_ORDER}, got {order}")
        self.order = order
        self.name = f"markov:{order}"
        self.tables, data_sha256 = _fitted(order, None if data_dir is None else str(data_dir))
        self.fingerprint = f"markov/v1 order={order} add-one, training split sha256 {data_sha256}"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, 1, lambda codes: exact(chain_log_likelihood(codes, self.tables)))

    def n_scored_nucleotides(self, sequences: Sequence[str]) -> np.ndarray:
        return np.array([len(s) for s in sequences], dtype=np.int64)


def parse_order(argument: str) -> int:
    """The K of ``markov:K``; ValueError naming the accepted range."""
    if not argument.isdigit() or not 0 <= int(argument) <= MAX_ORDER:
        raise ValueError(f"markov:K needs an order K in 0…{MAX_ORDER}, got {argument!r}")
    return int(argument)


PREFIXES = {"markov:": (lambda argument, options: MarkovChain(parse_order(argument)),
                        f"order-K Markov chain (K = 0…{MAX_ORDER}) of E. coli DNA, fitted on both strands of the "
                        "genome's training split; exact log-likelihood in nats")}
CHECKS = {"markov:": parse_order}
