"""The canary for likelihood scorers (DESIGN.md section 6), three checks on the set of ``fixtures.canary``:

(a) trained: a trained DNA LM is confident on tandem repeats, mean NLL per nucleotide below ln 4 − 0.3;
(b) summed and normalised: on i.i.d. uniform random DNA the mean NLL per nucleotide of a summed, normalised
    log-likelihood (or PLL) is at least ln 4 in expectation (Gibbs' inequality), so it must not fall below
    ln 4 − 0.1 — a per-nucleotide mean or an unnormalised score does;
(c) deterministic: two scorings of the canary's sequences are identical (not checked for replayed scores, which
    cannot be scored again).
"""

from __future__ import annotations

import math

import numpy as np

from fixtures.canary import is_uniform
from mit_tests.stats import PropertyResult, bootstrap_ci

DEFAULT_MAX_NLL = math.log(4) - 0.3
MIN_UNIFORM_NLL = math.log(4) - 0.1
UNTRAINED = "model looks untrained or weights did not load"
NOT_NORMALISED = "scores are not summed, normalised log-likelihoods"
REPLAY_NOT_RESCORED = "not checked: replayed scores cannot be scored a second time"


def _nll(scores, nucleotides) -> np.ndarray:
    return -np.asarray(scores, dtype=np.float64) / np.asarray(nucleotides, dtype=np.float64)


def canary_result(repeat_scores, repeat_nucleotides, uniform_scores, uniform_nucleotides, rescored=None,
                  first_scoring=None, reference_scores=None, reference_nucleotides=None,
                  reference_label: str = "", max_nll: float = DEFAULT_MAX_NLL,
                  min_uniform_nll: float = MIN_UNIFORM_NLL, seed: int = 0) -> PropertyResult:
    """The canary verdict: checks (a), (b) and (c) of the module docstring.

    ``*_scores`` are ``(n,)`` log-likelihoods (nats) and ``*_nucleotides`` ``(n,)`` how many nucleotides each sums
    over. ``first_scoring`` and ``rescored`` are the same sequences' scores from two scorings; ``rescored=None``
    (a replay) skips check (c) and says so in the details. ``reference_scores`` (promoter windows) give the NLL
    reported beside it, never gated. The estimate is the mean NLL per nucleotide on the repeats.
    """
    nll = _nll(repeat_scores, repeat_nucleotides)
    mean_nll = float(nll.mean())
    uniform_nll = float(_nll(uniform_scores, uniform_nucleotides).mean())
    checks = {"repeats": mean_nll < max_nll, "uniform": uniform_nll >= min_uniform_nll}
    details = {"max_nll": max_nll, "uniform_nll_per_nt": uniform_nll, "min_uniform_nll": min_uniform_nll,
               "n_uniform": len(np.asarray(uniform_scores))}
    if rescored is None:
        details["identical_rescoring"] = None
        details["rescoring"] = REPLAY_NOT_RESCORED
    else:
        difference = float(np.max(np.abs(np.asarray(first_scoring) - np.asarray(rescored))))
        checks["identical"] = bool(np.allclose(first_scoring, rescored, rtol=1e-6, atol=1e-6))
        details["identical_rescoring"] = checks["identical"]
        details["max_rescoring_difference"] = difference
    details["checks"] = checks
    if reference_scores is not None:
        details["promoter_nll_set"] = reference_label
        details["promoter_nll_per_nt"] = float(_nll(reference_scores, reference_nucleotides).mean())
    reasons = []
    if not checks["repeats"]:
        reasons.append(f"{UNTRAINED}: its mean NLL on low-complexity repeats is {mean_nll:.3f} nats/nt, not "
                       f"below ln 4 − {math.log(4) - max_nll:.1f} = {max_nll:.3f} (ln 4 = {math.log(4):.3f} is a "
                       "uniform guess)")
    if not checks["uniform"]:
        reasons.append(f"mean NLL on uniform random DNA is {uniform_nll:.3f} nats/nt, below ln 4 − "
                       f"{math.log(4) - min_uniform_nll:.1f} = {min_uniform_nll:.3f}, which no summed, normalised "
                       f"log-likelihood can be (Gibbs' inequality): {NOT_NORMALISED} (a per-nucleotide mean, or an "
                       "unnormalised score?)")
    if not checks.get("identical", True):
        reasons.append(f"two scorings of the same sequences differ (by up to {details['max_rescoring_difference']:.3g}"
                       "): dropout left on, or a nondeterministic model?")
    passed = not reasons
    statement = (f"mean NLL/nt on tandem repeats < {max_nll:.3f}, on uniform random DNA ≥ {min_uniform_nll:.3f}"
                 + (", identical rescoring" if rescored is not None else " (replay: rescoring not checked)"))
    return PropertyResult("canary", mean_nll, bootstrap_ci(nll, seed=seed), None, len(nll), 0, passed,
                          statement, "; ".join(reasons), details)


def measure_canary(model, max_nll: float = DEFAULT_MAX_NLL, seed: int = 0) -> PropertyResult | None:
    """The canary verdict of a scored model (``scorers.scored_model.ScoredModel``): None unless it gives
    likelihoods and the run holds the canary set, and for an untrained copy of ``--mit-null-control``.

    A live model scores the canary alone first (an untrained model is caught before the full batch), then once
    more for check (c). A replayed one (``precomputed``) is read in one request for every set of the run, as a
    score file must be, and check (c) is skipped."""
    if model.kind != "likelihood" or "canary" not in model.sets or model.null_control_of:
        return None
    canary = model.sets["canary"]
    uniform = is_uniform(canary)
    # Natural promoter windows when the run has them, else the designed ones: the NLL beside the canary's.
    role = "natural" if "natural" in model.sets else "core"
    reference = model.sets[role]
    condition = "A" if "A" in reference.conditions else "C"
    promoters = reference.member_sequences(condition)
    if model.precomputed:
        model.score_now(list(model.sets))
        first, rescored = model.role_scores("canary"), None
        promoter_scores = model.scores(role, condition)
    else:
        model.score_now(["canary"])
        first, rescored = model.role_scores("canary"), model.rescore("canary")
        promoter_scores = model.score_more([reference.ids[i] for i in reference.indices(condition)], promoters)
    nucleotides = model.scored_nucleotides(canary.sequences)
    return canary_result(first[~uniform], nucleotides[~uniform], first[uniform], nucleotides[uniform],
                         rescored=rescored, first_scoring=first, reference_scores=promoter_scores,
                         reference_nucleotides=model.scored_nucleotides(promoters),
                         reference_label=f"{reference.name} class {condition}", max_nll=max_nll, seed=seed)
