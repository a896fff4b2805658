"""Order-k Markov chains of DNA, fitted by counting: the baselines a trained language model must beat.

Sequences are ``uint8`` codes (A=0, C=1, G=2, T=3) with 4 marking a break (a k-mer never spans one). k-mers are
indexed and counted by the ``markov:K`` reference scorer's routines (``scorers.reference.markov``); only the
smoothing (``alpha``) and what is scored differ.

* :func:`causal_nll`: ``-log p(x_t | x_{t-k} … x_{t-1})`` averaged over the scored positions (nats per nt) of
  an order-k chain fitted on the training codes, additive smoothing ``alpha`` (0.5 by default).
* :func:`two_sided_nll`: ``-log p(x_t | k bases either side)``, the baseline of a masked LM's pseudo-likelihood.
"""

from __future__ import annotations

import numpy as np

from scorers.reference.markov import BREAK, kmer_counts, kmer_index, transition_log_table

__all__ = ["BREAK", "baselines", "causal_nll", "joined", "kmer_index", "two_sided_nll"]


def joined(chunks) -> np.ndarray:
    """``(n, L)`` chunks as one code array with a break after each, so that no k-mer spans two chunks."""
    return np.concatenate([np.append(c, BREAK) for c in chunks]).astype(np.uint8)


def causal_nll(train: np.ndarray, test: np.ndarray, order: int, alpha: float = 0.5) -> float:
    """Mean NLL (nats per nucleotide) of ``test`` codes under the order-``order`` chain fitted on ``train``
    codes; a position is scored when its ``order`` preceding bases are in the same piece."""
    log_p = transition_log_table(train, order, alpha).ravel()
    index, clean = kmer_index(test, order + 1)
    return float(-log_p[index[clean]].mean())


def two_sided_nll(train: np.ndarray, test: np.ndarray, k: int, alpha: float = 0.5) -> float:
    """Mean NLL (nats per nucleotide) of each centre base of ``test`` given the ``k`` bases either side, from
    (2k+1)-mer counts of ``train``; positions with fewer than ``k`` bases on a side in their piece are skipped."""
    width = 2 * k + 1
    counts = kmer_counts(train, width).reshape(4 ** k, 4, 4 ** k).astype(np.float64) + alpha
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True)).ravel()
    index, clean = kmer_index(test, width)
    # the index of (left, centre, right) is already left·4^(k+1) + centre·4^k + right: the flat layout above
    return float(-log_p[index[clean]].mean())


def baselines(train: np.ndarray, test: np.ndarray, orders=range(6), two_sided: bool = False) -> dict[str, float]:
    """``{"order_k": nats per nt}`` for each order (two-sided chains: ``{"two_sided_k": …}``)."""
    if two_sided:
        return {f"two_sided_{k}": round(two_sided_nll(train, test, k), 5) for k in orders}
    return {f"order_{k}": round(causal_nll(train, test, k), 5) for k in orders}
