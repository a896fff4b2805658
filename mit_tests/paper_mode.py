"""The paper's statistics, exactly as its code computes them (anchor_mit.md section 5), for "paper mode".

Paper mode exists only to reproduce the paper's numbers from its stored scores; MIT's own gates use the
statistics of ``mit_tests/stats.py`` (matched families, sign tests on untied pairs: ties are left out). The differences are
deliberate and listed in anchor_mit.md section 5 "Statistical weaknesses":

* pairs are formed by index (E_i vs D_i, E_i vs H_i) although the classes are independent draws;
* the comparison is a strict ">" so a tie counts as a failure (PWM and NoComp get 0, not 0.5);
* the p-value is a one-sample t-test of the 0/1 win vector against 0.5, made one-sided by halving;
* Benjamini–Hochberg runs over the paper's family of 8 CSS tests, baselines included.

All functions take and return plain numpy arrays / floats.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
from scipy import stats

from mit_tests.stats import cohens_d as mit_cohens_d

# The family of CSS tests over which the paper's p_FDR values were adjusted (5 gLMs + 3 baselines). Only
# over these 8 do the published values reproduce (HyenaDNA 0.0346, Evo2 0.0899, ...).
PAPER_FDR_FAMILY = ("hyenadna", "evo2_1b", "nt_500m", "grover", "caduceus", "kmer", "random", "pwm")
MES_CLIP = 10.0


def class_scores(sequence_set, scores: Sequence[float]) -> dict[str, np.ndarray]:
    """``{class: (n_class,) float64}`` of ``scores`` (parallel to ``sequence_set.ids``, a
    ``fixtures.sequence_set.SequenceSet``), each class in index order."""
    values = np.asarray(scores, dtype=np.float64)
    if values.shape != (len(sequence_set),):
        raise ValueError(f"{values.shape} scores for a set of {len(sequence_set)} sequences")
    return {label: values[sequence_set.indices(label)] for label in sequence_set.condition_names()}


def index_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The paper's pairing: element i of ``first`` with element i of ``second``, for i < min of the lengths
    (E_i with H_i uses only E_000..E_049)."""
    n = min(len(first), len(second))
    return np.asarray(first, dtype=np.float64)[:n], np.asarray(second, dtype=np.float64)[:n]


def paper_pairs(by_class: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The index-paired comparisons of paper mode: ``"css"`` = (E_i, D_i), i < 100; ``"scr"`` = (E_i, H_i),
    i < 50. The first array of each pair is the one expected to score higher."""
    return {"css": index_pairs(by_class["E"], by_class["D"]),
            "scr": index_pairs(by_class["E"], by_class["H"])}


def wins(first: Sequence[float], second: Sequence[float]) -> np.ndarray:
    """``(n,)`` float 0/1 vector of ``first[i] > second[i]`` (strict: ties fail), n = the shorter length."""
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    n = min(len(a), len(b))
    return (a[:n] > b[:n]).astype(np.float64)


def ties(first: Sequence[float], second: Sequence[float]) -> int:
    """Number of index pairs with equal scores (each counted as a failure by :func:`wins`)."""
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    n = min(len(a), len(b))
    return int(np.sum(a[:n] == b[:n]))


def win_rate(first: Sequence[float], second: Sequence[float]) -> float:
    """CSS (first = E, second = D) or SCR (first = E, second = H): the share of index pairs with
    first > second."""
    return float(np.mean(wins(first, second)))


def one_sided_p(win_vector: Sequence[float]) -> float:
    """The paper's one-sided p-value for "win rate > 0.5": a two-sided one-sample t-test of the 0/1 vector
    against 0.5, halved when the mean exceeds 0.5 and otherwise 1 − p/2.

    A constant vector has zero variance. The paper reports NaN for PWM's all-failure vector; scipy 1.17 gives
    t = −inf, p = 0 there, hence 1 here. Either way the paper's FDR step uses 1 (:func:`paper_fdr`)."""
    x = np.asarray(win_vector, dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # A constant vector makes scipy warn about precision loss; its NaN/0 result is the paper's too.
        warnings.simplefilter("ignore", RuntimeWarning)
        p_two = float(stats.ttest_1samp(x, 0.5).pvalue)
    return p_two / 2 if x.mean() > 0.5 else 1 - p_two / 2


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values, ``(m,)`` in the input order.

    adj_(k) = min over j ≥ k of m·p_(j)/j for the ascending order p_(1) ≤ … ≤ p_(m), capped at 1. NaN is not
    allowed: replace it first (the paper treats PWM's NaN as 1, see :func:`paper_fdr`).
    """
    p = np.asarray(p_values, dtype=np.float64)
    if np.isnan(p).any():
        where = np.flatnonzero(np.isnan(p)).tolist()
        raise ValueError(f"NaN p-values at positions {where}; replace them first")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted


def paper_fdr(p_by_model: Mapping[str, float], family: Sequence[str] = PAPER_FDR_FAMILY) -> dict[str, float]:
    """The paper's p_FDR: BH over the CSS p-values of ``family`` (all must be present); NaN (PWM's constant
    win vector) counts as 1, as the paper does."""
    missing = [m for m in family if m not in p_by_model]
    if missing:
        raise KeyError(f"paper FDR family needs p-values for {missing}")
    raw = np.array([p_by_model[m] for m in family], dtype=np.float64)
    raw = np.where(np.isnan(raw), 1.0, raw)
    return dict(zip(family, benjamini_hochberg(raw).tolist()))


def cohens_d(intact: Sequence[float], broken: Sequence[float]) -> float:
    """MES: (mean intact − mean broken) / pooled SD (ddof = 1), clipped to ±10.

    When the pooled SD is 0 (every score equal within each group) the paper returns +10, −10 or 0 by the sign
    of the mean difference; fewer than 3 values in total, or an empty group, give 0.
    """
    a = np.asarray(intact, dtype=np.float64)
    b = np.asarray(broken, dtype=np.float64)
    if a.size == 0 or b.size == 0 or a.size + b.size <= 2:
        return 0.0
    # MIT's d gives ±inf for SD 0 and a mean difference; clipping turns that into the paper's ±10.
    return float(np.clip(mit_cohens_d(a, b), -MES_CLIP, MES_CLIP))


def compensation_magnitude(broken: Sequence[float], compensated: Sequence[float],
                           intact: Sequence[float]) -> float:
    """CM = (mean E − mean D) / (mean C − mean D), 0 when the denominator is 0 (unstable, as in the paper)."""
    d, e, c = (float(np.mean(np.asarray(x, dtype=np.float64))) for x in (broken, compensated, intact))
    return 0.0 if c == d else (e - d) / (c - d)


def paper_metrics(by_class: Mapping[str, Sequence[float]]) -> dict[str, float | int]:
    """Every number of the paper's Table 2 row for one model, from ``{class: scores in index order}``.

    Returns css, css_p (one-sided t), css_ties, scr, scr_p, scr_ties, mes_natural (A vs B), mes_synthetic
    (C vs D), cm (C, D, E) and cir (MES_syn / MES_nat; inf or 1 when MES_nat = 0, as coded).
    """
    e, d, h = by_class["E"], by_class["D"], by_class["H"]
    css_w, scr_w = wins(e, d), wins(e, h)
    mes_nat = cohens_d(by_class["A"], by_class["B"])
    mes_syn = cohens_d(by_class["C"], d)
    if mes_nat == 0:
        cir = float("inf") if mes_syn > 0 else 1.0
    else:
        cir = mes_syn / mes_nat
    return {
        "css": float(css_w.mean()), "css_p": one_sided_p(css_w), "css_ties": ties(e, d),
        "scr": float(scr_w.mean()), "scr_p": one_sided_p(scr_w), "scr_ties": ties(e, h),
        "mes_natural": mes_nat, "mes_synthetic": mes_syn,
        "cm": compensation_magnitude(d, e, by_class["C"]), "cir": cir,
    }
