"""The canary for likelihood scorers: a trained DNA LM is confident on tandem repeats; a random one is not."""

from __future__ import annotations

import math

import numpy as np

from mit_tests.stats import PropertyResult, bootstrap_ci

DEFAULT_MAX_NLL = math.log(4) - 0.3
UNTRAINED = "model looks untrained or weights did not load"


def canary_result(repeat_scores, repeat_nucleotides, rescored, reference_scores=None, reference_nucleotides=None,
                  reference_label: str = "", max_nll: float = DEFAULT_MAX_NLL, seed: int = 0) -> PropertyResult:
    """Mean per-nucleotide NLL (nats) on the repeats must be below ``max_nll``, and two scorings identical.

    ``*_scores`` are ``(n,)`` summed log-likelihoods (nats), ``*_nucleotides`` ``(n,)`` how many nucleotides each
    sums over. ``reference_scores`` (promoter windows) give the NLL reported beside it, never gated.
    """
    nll = -np.asarray(repeat_scores) / np.asarray(repeat_nucleotides)
    mean_nll = float(nll.mean())
    identical = bool(np.allclose(repeat_scores, rescored, rtol=1e-6, atol=1e-6))
    details = {"max_nll": max_nll, "identical_rescoring": identical,
               "max_rescoring_difference": float(np.max(np.abs(np.asarray(repeat_scores) - rescored)))}
    if reference_scores is not None:
        details["promoter_nll_set"] = reference_label
        details["promoter_nll_per_nt"] = float(np.mean(-np.asarray(reference_scores)
                                                       / np.asarray(reference_nucleotides)))
    passed = mean_nll < max_nll and identical
    failure = ""
    if not passed:
        why = (f"its mean NLL on low-complexity repeats is {mean_nll:.3f} nats/nt, not below {max_nll:.3f} "
               f"(ln 4 = {math.log(4):.3f} is a uniform guess)" if mean_nll >= max_nll
               else "two scorings of the same sequences differ")
        failure = f"{UNTRAINED}: {why}"
    return PropertyResult("canary", mean_nll, bootstrap_ci(nll, seed=seed), None, len(nll), 0, passed,
                          f"mean NLL/nt on tandem repeats < {max_nll:.3f} and identical rescoring", failure, details)
