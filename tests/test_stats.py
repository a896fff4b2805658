"""MIT's statistics against scipy and hand-computed values."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from mit_tests import stats


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=60))
def test_sign_test_matches_scipy_binomtest_on_untied_pairs(values):
    d = np.array(values, dtype=float)
    result = stats.sign_test(d)
    wins, losses, ties = int((d > 0).sum()), int((d < 0).sum()), int((d == 0).sum())
    assert (result.wins, result.losses, result.ties, result.n) == (wins, losses, ties, d.size)
    if wins + losses == 0:
        assert np.isnan(result.estimate) and result.p == 1.0
        return
    assert result.estimate == pytest.approx(wins / (wins + losses))      # ties are no evidence
    expected = sps.binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue
    assert result.p == pytest.approx(expected, rel=1e-9)
    assert result.ci[0] <= result.estimate <= result.ci[1]
    assert result.ci == stats.wilson_interval(result.estimate, wins + losses)


def test_all_ties_give_no_estimate_and_no_evidence():
    result = stats.sign_test(np.zeros(50))
    assert np.isnan(result.estimate) and (result.p, result.ties) == (1.0, 50) and not result.passes(0.05)


def test_a_contrast_that_is_mostly_ties_cannot_pass():
    """5 wins, 0 losses and 95 ties: p = 0.031 on the untied pairs, but that is no evidence about the model."""
    result = stats.sign_test(np.r_[np.ones(5), np.zeros(95)])
    assert result.p == pytest.approx(0.5 ** 5) and result.p < 0.05
    assert result.mostly_ties and not result.passes(0.05)
    assert stats.sign_test(np.r_[np.ones(10), np.zeros(10)]).passes(0.05)


def test_differences_within_the_tie_tolerance_are_ties():
    """Rounding noise that points one way would pass without the tolerance."""
    noise = np.full(20, 3e-14)
    assert stats.sign_test(noise).passes(0.05)
    scores = np.r_[np.full(20, -140.0), np.full(20, -150.0)]
    tolerance = stats.tie_tolerance(scores)
    assert 1e-13 < tolerance < 1e-6, tolerance
    tied = stats.sign_test(noise, tolerance)
    assert tied.ties == 20 and not tied.passes(0.05)


def test_sign_test_rejects_empty_input():
    with pytest.raises(ValueError, match="non-empty"):
        stats.sign_test([])


def test_wilson_interval_known_value():
    # 0.8 observed on 100 trials: Wilson 95% interval 0.7112–0.8666 (Newcombe 1998, method 3 formula).
    lo, hi = stats.wilson_interval(0.8, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.7112, 0.8666)


def test_bootstrap_is_reproducible_from_its_seed_and_covers_the_mean():
    x = np.random.default_rng(1).normal(size=200)
    first, again, other = stats.bootstrap_ci(x, seed=7), stats.bootstrap_ci(x, seed=7), stats.bootstrap_ci(x, seed=8)
    assert first == again and first != other
    assert first[0] < x.mean() < first[1]


def test_cohens_d_uses_pooled_sd_with_ddof_1():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0])
    pooled = np.sqrt((3 * a.var(ddof=1) + 2 * b.var(ddof=1)) / 5)
    assert stats.cohens_d(a, b) == pytest.approx((a.mean() - b.mean()) / pooled)
    assert stats.cohens_d([1, 1], [1, 1]) == 0.0 and stats.cohens_d([2, 2], [1, 1]) == np.inf


def test_holm_matches_the_step_down_definition():
    p = [0.01, 0.04, 0.03, np.nan, 0.5]
    # sorted: 0.01×4 = 0.04, 0.03×3 = 0.09, 0.04×2 = 0.08 → running max 0.09, 0.5×1 = 0.5
    assert np.allclose(stats.holm(p), [0.04, 0.09, 0.09, np.nan, 0.5], equal_nan=True)
