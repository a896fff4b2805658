"""Targets for the zoo's models fitted on measured expression (``zoo.cnn``, ``zoo.fit_sigma70``)."""

from __future__ import annotations

import numpy as np


def normal_scores(values: np.ndarray) -> np.ndarray:
    """``(n,)`` float64 normal quantiles of the ranks of ``values`` (ties averaged): a unit-free target that
    libraries measured on different scales share."""
    from scipy.stats import norm, rankdata
    return norm.ppf((rankdata(values) - 0.5) / len(values))
