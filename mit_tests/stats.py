"""MIT's statistics: exact sign test on untied pairs (ties are left out and counted, DESIGN.md section 3a rule 3),
Wilson and seeded bootstrap CIs, Cohen's d, paired effect sizes and fold changes, Holm.

Plain arrays in, plain numbers out. Every random draw takes an explicit seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sps

BOOTSTRAP_RESAMPLES = 10_000
CONFIDENCE = 0.95


@dataclass
class SignTest:
    """One-sided exact sign test of paired differences ``d > 0`` (DESIGN.md section 3a, rule 3).

    A difference no larger than the tie tolerance is a tie, and ties are no evidence: ``estimate`` is the share
    of untied pairs with d > 0 (NaN when every pair ties), ``ci`` its Wilson interval, ``p`` the exact binomial
    P(X ≥ wins | wins + losses, ½). ``n`` counts every pair, ``ties`` the tied ones.
    """

    estimate: float
    ci: tuple[float, float]
    p: float
    n: int
    ties: int
    wins: int
    losses: int

    @property
    def untied(self) -> int:
        return self.wins + self.losses

    @property
    def mostly_ties(self) -> bool:
        """More than half the pairs tie: such a contrast cannot pass, whatever its p-value."""
        return 2 * self.ties > self.n

    def passes(self, alpha: float) -> bool:
        return self.p < alpha and not self.mostly_ties


def sign_test(differences, tie_tolerance: float = 0.0) -> SignTest:
    d = np.asarray(differences, dtype=np.float64)
    if d.ndim != 1 or d.size == 0:
        raise ValueError(f"sign test needs a non-empty 1-d array of differences, got shape {d.shape}")
    tied = np.abs(d) <= tie_tolerance
    wins = int(np.sum((d > 0) & ~tied))
    losses = int(np.sum((d < 0) & ~tied))
    untied = wins + losses
    if untied == 0:
        return SignTest(float("nan"), (float("nan"), float("nan")), 1.0, d.size, d.size, 0, 0)
    estimate = wins / untied
    p = float(sps.binom.sf(wins - 1, untied, 0.5))
    return SignTest(estimate, wilson_interval(estimate, untied), p, d.size, int(tied.sum()), wins, losses)


def tie_tolerance(scores) -> float:
    """The largest difference that counts as a tie for a model whose scores are ``scores``: 1e-9 of their SD,
    and never below 64 ulp of their largest magnitude (float64 rounding of sums that are equal in exact
    arithmetic differs by a few ulp; no real effect is that small)."""
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return 0.0
    return float(max(1e-9 * values.std(), 64 * np.finfo(np.float64).eps * np.abs(values).max()))


def wilson_interval(proportion: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a proportion observed on ``n`` trials."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z = sps.norm.ppf(0.5 + confidence / 2)
    denominator = 1 + z * z / n
    centre = (proportion + z * z / (2 * n)) / denominator
    half = z * np.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n)) / denominator
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def bootstrap_ci(values, statistic=np.mean, seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES,
                 confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Percentile bootstrap CI of ``statistic`` over the rows of ``values`` (``(n,)`` or ``(n, k)``).

    ``statistic`` must accept an ``axis`` keyword; all resamples are drawn and evaluated at once.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.shape[0] == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, x.shape[0], size=(resamples, x.shape[0]))
    replicates = statistic(x[rows], axis=1)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(replicates, [tail, 100 - tail], axis=0)
    return (float(lo), float(hi))


def paired_effect(first, second, seed: int) -> dict:
    """The size of a matched contrast ``first_i − second_i``: its mean with a seeded bootstrap CI (raw score units)
    and the same in units of the model's score SD, the pooled SD (ddof = 1) of the two members' scores
    (``score_sd``), held fixed across resamples. ``sd_units`` is None when the scores are constant."""
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    difference = first - second
    lo, hi = bootstrap_ci(difference, seed=seed)
    sd = float(np.sqrt((np.var(first, ddof=1) + np.var(second, ddof=1)) / 2)) if first.size > 1 else 0.0
    mean = float(difference.mean())
    return {"mean_difference": mean, "ci": [lo, hi], "score_sd": sd,
            "sd_units": mean / sd if sd > 0 else None, "sd_units_ci": [lo / sd, hi / sd] if sd > 0 else None}


def with_fold_change(effect: dict, log_scale: str) -> dict:
    """``effect`` (:func:`paired_effect`) with the fold change its mean difference means for a model whose score
    is the natural log of ``log_scale`` (a likelihood, a predicted expression): exp(mean Δ) with exp of its CI,
    the geometric-mean ratio of ``first`` to ``second`` per sequence."""
    lo, hi = effect["ci"]
    return {**effect, "fold_change": float(np.exp(effect["mean_difference"])),
            "fold_change_ci": [float(np.exp(lo)), float(np.exp(hi))], "fold_of": log_scale}


def cohens_d(a, b) -> float:
    """(mean a − mean b) / pooled SD (ddof = 1). 0 when both groups are constant and equal; ±inf when only
    the means differ."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    # (n − 1)·var(ddof=1) as a sum of squares: a group of one contributes 0 instead of NaN.
    squares = ((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()
    pooled = np.sqrt(squares / (a.size + b.size - 2))
    difference = a.mean() - b.mean()
    if pooled == 0:
        return 0.0 if difference == 0 else float(np.sign(difference) * np.inf)
    return float(difference / pooled)


def holm(p_values) -> np.ndarray:
    """Holm step-down adjusted p-values, in the input order (NaN stays NaN and is not counted)."""
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = order.size
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def pearson(x, y) -> tuple[float, float]:
    """Pearson r and its two-sided p-value; (nan, nan) when either input is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.std() == 0 or y.std() == 0:
        return (float("nan"), float("nan"))
    result = sps.pearsonr(x, y)
    return (float(result.statistic), float(result.pvalue))


@dataclass
class PropertyResult:
    """What a property test measured, in the schema of mit-results.json (DESIGN.md section 10)."""

    property: str
    estimate: float
    ci: tuple[float, float]
    p: float | None
    n: int
    ties: int
    gate_passed: bool | None          # None for diagnostics that never gate
    statement: str                    # the claim tested, e.g. "s(E_i) > s(D_i)"
    failure: str = ""                 # one sentence: what the model got wrong
    details: dict = field(default_factory=dict)
    effect: dict | None = None        # the weakest contrast's paired_effect (stats.paired_effect)

    def to_json(self) -> dict:
        def clean(x):
            if isinstance(x, (float, np.floating)):
                return None if not np.isfinite(x) else float(x)
            if isinstance(x, (np.integer,)):
                return int(x)
            if isinstance(x, dict):
                return {str(k): clean(v) for k, v in x.items()}
            if isinstance(x, (list, tuple, np.ndarray)):
                return [clean(v) for v in x]
            return x
        return clean({
            "estimate": self.estimate, "ci": list(self.ci), "p": self.p, "n": self.n, "ties": self.ties,
            "gate_passed": self.gate_passed, "statement": self.statement, "failure": self.failure,
            "details": self.details, "effect": self.effect,
        })

    def add_fold_changes(self, log_scale: str) -> None:
        """Give every effect of this result (``effect`` and each contrast's) its fold change
        (:func:`with_fold_change`): for a model whose score is the natural log of ``log_scale``."""
        self.effect = with_fold_change(self.effect, log_scale) if self.effect else self.effect
        contrasts = self.details.get("contrasts") or {}
        for record in list(contrasts.values()) + [self.details]:
            if isinstance(record, dict) and record.get("effect"):
                record["effect"] = with_fold_change(record["effect"], log_scale)

    def summary(self) -> str:
        p = "n/a" if self.p is None else f"{self.p:.3g}"
        if self.estimate is None or not np.isfinite(self.estimate):
            estimate = "no untied pair"
        elif np.isfinite(self.ci[0]):
            estimate = f"estimate {self.estimate:.3f} (95% CI {self.ci[0]:.3f}–{self.ci[1]:.3f})"
        else:
            estimate = f"estimate {self.estimate:.3f}"
        size = f", {effect_text(self.effect)}" if self.effect else ""
        return (f"{self.property}: {estimate}, p = {p}, n = {self.n}, ties = {self.ties}{size}; "
                f"tested {self.statement}")


def effect_text(effect: dict) -> str:
    """``mean difference +0.078 (95% CI 0.01–0.15), 0.41 SD, ×1.08 (1.01–1.16)`` of a :func:`paired_effect`."""
    lo, hi = effect["ci"]
    text = f"mean difference {effect['mean_difference']:+.3g} (95% CI {lo:.3g}–{hi:.3g})"
    if effect.get("sd_units") is not None:
        text += f", {effect['sd_units']:+.2f} SD"
    if "fold_change" in effect:
        flo, fhi = effect["fold_change_ci"]
        text += f", ×{effect['fold_change']:.3g} ({flo:.3g}–{fhi:.3g}) {effect['fold_of']}"
    return text




SPEARMAN_RESAMPLES = 1_000   # the (n = 500) × resamples rank arrays are rebuilt per model: 10,000 would cost seconds


def _resample_ranks(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``(B, n)`` midranks of ``values`` (``(n,)``) within each resample, a resample given by how often it draws
    each item (``counts``, ``(B, n)``): the rank of item i = the draws of smaller values + (draws tied with it
    + 1) / 2, as ``scipy.stats.rankdata`` ranks the resample with its repeats."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    new_value = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    drawn = counts[:, order]
    if new_value.all():
        ranks = np.cumsum(drawn, axis=1) - (drawn - 1) * 0.5
    else:
        per_value = np.add.reduceat(drawn, np.flatnonzero(new_value), axis=1)
        ranks = (np.cumsum(per_value, axis=1) - (per_value - 1) * 0.5)[:, np.cumsum(new_value) - 1]
    out = np.empty_like(ranks)
    out[:, order] = ranks
    return out


class _Resampled:
    """One side of a Spearman bootstrap: the resample counts of a seed and the resampled midranks of ``y`` with
    their weighted mean and variance, shared by every model scored against the same measurements."""

    def __init__(self, y: np.ndarray, seed: int, resamples: int):
        n = y.size
        draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
        self.counts = np.bincount((draws + n * np.arange(resamples)[:, None]).ravel(),
                                  minlength=resamples * n).reshape(resamples, n)
        self.weights = self.counts / n
        self.ranks = _resample_ranks(y, self.counts)
        self.mean = np.einsum("ij,ij->i", self.weights, self.ranks)
        self.variance = np.einsum("ij,ij,ij->i", self.weights, self.ranks, self.ranks) - self.mean ** 2


_RESAMPLED: dict = {}


def _resampled(y: np.ndarray, seed: int, resamples: int) -> _Resampled:
    key = (hashlib.sha256(y.tobytes()).hexdigest(), y.size, repr(seed), resamples)
    if key not in _RESAMPLED:
        if len(_RESAMPLED) >= 32:
            _RESAMPLED.pop(next(iter(_RESAMPLED)))
        _RESAMPLED[key] = _Resampled(y, seed, resamples)
    return _RESAMPLED[key]


def spearman_replicates(x, y, seed, resamples: int = SPEARMAN_RESAMPLES) -> tuple[float, np.ndarray]:
    """Spearman ρ of ``x`` and ``y`` (``(n,)`` each, n ≥ 3, neither constant) and its ``(resamples,)`` bootstrap
    replicates over resampled pairs (seeded; ties ranked as midranks within each resample), NaN where a resample
    leaves either variable constant. The resamples depend on ``y`` and the seed only, so every model scored
    against the same measurements sees the same resamples, and replicates of two models pair up."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    side = _resampled(y, seed, resamples)
    ranks = _resample_ranks(x, side.counts)
    mean = np.einsum("ij,ij->i", side.weights, ranks)
    variance = np.einsum("ij,ij,ij->i", side.weights, ranks, ranks) - mean ** 2
    covariance = np.einsum("ij,ij,ij->i", side.weights, ranks, side.ranks) - mean * side.mean
    valid = (variance > 1e-12) & (side.variance > 1e-12)
    replicates = np.full(resamples, np.nan)
    replicates[valid] = covariance[valid] / np.sqrt(variance[valid] * side.variance[valid])
    return float(sps.spearmanr(x, y).statistic), replicates


def spearman_bootstrap(x, y, seed, resamples: int = SPEARMAN_RESAMPLES,
                       confidence: float = CONFIDENCE) -> tuple[float, tuple[float, float], float]:
    """Spearman ρ of ``x`` and ``y`` (``(n,)`` each), its percentile bootstrap CI over resampled pairs
    (:func:`spearman_replicates`; a resample in which either variable is constant has no ρ and is left out) and
    the two-sided p-value of ρ = 0. NaN for fewer than 3 pairs or a constant input."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"Spearman needs two equal 1-d arrays, got shapes {x.shape} and {y.shape}")
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), (float("nan"), float("nan")), float("nan")
    result = sps.spearmanr(x, y)
    _, replicates = spearman_replicates(x, y, seed, resamples)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.nanpercentile(replicates, [tail, 100 - tail])
    return float(result.statistic), (float(lo), float(hi)), float(result.pvalue)
