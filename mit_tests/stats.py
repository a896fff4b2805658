"""MIT's statistics: exact sign test with ties counted ½, Wilson and seeded bootstrap CIs, Cohen's d, Holm.

Plain arrays in, plain numbers out. Every random draw takes an explicit seed.
"""

from __future__ import annotations

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
            "details": self.details,
        })

    def summary(self) -> str:
        p = "n/a" if self.p is None else f"{self.p:.3g}"
        if self.estimate is None or not np.isfinite(self.estimate):
            estimate = "no untied pair"
        elif np.isfinite(self.ci[0]):
            estimate = f"estimate {self.estimate:.3f} (95% CI {self.ci[0]:.3f}–{self.ci[1]:.3f})"
        else:
            estimate = f"estimate {self.estimate:.3f}"
        return f"{self.property}: {estimate}, p = {p}, n = {self.n}, ties = {self.ties}; tested {self.statement}"
