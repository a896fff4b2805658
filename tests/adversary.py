"""The fitted adversary: a flexible scorer with no grammar, fitted to pass MIT's own gates.

Its features are translation-invariant: for every lag d = 1…40 the count of each ordered base pair (x at t, y at
t + d), 640 numbers, plus A/T clustering counts (the A+T count of the richest window of 6…40 nt, the number of A/T
runs of at least 3…10 nt, the summed squared A/T run length). None says where a box is, which hexamer it is or
which side of another it sits on, so the adversary reads no grammar; what it can learn is whatever MIT's
construction leaves between the members of a contrast.

:func:`fit` builds MIT's sets for training set seeds (and drawn robustness designs), takes every gated contrast's
matched-pair feature differences (``mit_tests.gates.GATE_CONTRASTS``: first member minus second), and fits a
linear score w·φ by ridge-penalised logistic regression on those differences (no intercept: a contrast's sign is
what a gate tests), each contrast weighted alike; then it reweights the contrasts it passes least and refits
(a few rounds), because a gate needs every contrast. The result is a Scorer; ``benchmarks/bench_calibration.py``
runs it on fresh set seeds, where it must get the overall line "grammar" on at most alpha of them.
Seeded and numpy/scipy only.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import numpy as np

from fixtures.grammar import encode
from fixtures.sets import Design, build_all_sets
from mit_tests.gates import GATE_CONTRASTS, GATE_SETS, gate_contrasts
from scorers.reference.pwm import by_length

MAX_LAG = 40
RICHEST_WINDOWS = (6, 9, 12, 20, 30, 40)
RUN_LENGTHS = tuple(range(3, 11))
ROUNDS = 4
RIDGE = 1e-2
MIN_LENGTH = 60


def features(codes: np.ndarray, max_lag: int = MAX_LAG, at_only: bool = False) -> np.ndarray:
    """``(n, 16 · max_lag + len(RICHEST_WINDOWS) + len(RUN_LENGTHS) + 1)`` float64 features of ``(n, L)`` codes.
    ``at_only``: the pairs of A/T-or-G/C classes instead (4 of the 16 cells per lag are used): a reader of A/T
    clustering that cannot tell one base of a class from the other."""
    n = codes.shape[0]
    codes = codes.astype(np.int64)
    if at_only:
        codes = np.where((codes == 0) | (codes == 3), 0, 1)
    rows = 16 * np.arange(n)[:, None]
    pairs = [np.bincount((rows + 4 * codes[:, :-d] + codes[:, d:]).ravel(), minlength=16 * n).reshape(n, 16)
             for d in range(1, max_lag + 1)]
    at = ((codes == 0) | (codes == 3)).astype(np.float64)
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(at, axis=1)], axis=1)
    richest = [(cumulative[:, w:] - cumulative[:, :-w]).max(axis=1) for w in RICHEST_WINDOWS]
    run = np.zeros(n)
    ends = np.zeros((n, codes.shape[1]))
    for t in range(codes.shape[1]):
        run = (run + 1) * at[:, t]
        ends[:, t] = run
    # a run of length r ends where ``ends`` is r and the next position is not A/T
    finished = ends * (1 - np.concatenate([at[:, 1:], np.zeros((n, 1))], axis=1))
    runs = [(finished >= r).sum(axis=1) for r in RUN_LENGTHS]
    squares = (finished ** 2).sum(axis=1)
    return np.concatenate([np.concatenate(pairs, axis=1).astype(np.float64), np.stack(richest, axis=1),
                           np.stack(runs, axis=1).astype(np.float64), squares[:, None]], axis=1)


def contrast_differences(sets: dict, max_lag: int = MAX_LAG, at_only: bool = False) -> dict[tuple[str, str], np.ndarray]:
    """``{(gate, contrast): (families, features)}`` of φ(first) − φ(second) over every contrast a gate tests
    (``gates.gate_contrasts``: each plain and beyond its class shadows): the adversary is linear, so fitting w on
    these differences fits the gates' own statistics."""
    table = {role: features(encode(list(s.sequences)), max_lag, at_only) for role, s in sets.items()
             if role in set(GATE_SETS.values())}
    out = {}
    for gate in GATE_CONTRASTS:
        role = GATE_SETS[gate]
        for name, (first, second) in gate_contrasts(gate, functools.partial(_rows, table[role], sets[role])).items():
            out[gate, name] = first - second
    return out


def _rows(table: np.ndarray, sequence_set, condition: str) -> np.ndarray:
    return table[sequence_set.indices(condition)]


def drawn_designs(rng: np.random.Generator, count: int) -> list[Design]:
    from fixtures.strategies import AT_FRACTIONS, INTACT_10_VARIANTS, MINUS_35_VARIANTS, WINDOWS
    return [Design(at_fraction=float(rng.choice(AT_FRACTIONS)), minus_35=str(rng.choice(MINUS_35_VARIANTS)),
                   intact_10=str(rng.choice(INTACT_10_VARIANTS)), window=int(rng.choice(WINDOWS)))
            for _ in range(count)]


def training_differences(seeds, designs: int = 0, design_seed: int = 0, max_lag: int = MAX_LAG,
                         at_only: bool = False) -> dict[tuple[str, str], np.ndarray]:
    """The contrast differences of the default sets of ``seeds`` and of ``designs`` drawn robustness designs
    (30 families each, seeds from ``design_seed``), stacked per contrast."""
    from fixtures.strategies import design_set
    stacked: dict[tuple[str, str], list[np.ndarray]] = {}
    for seed in seeds:
        for key, diff in contrast_differences(build_all_sets(seed), max_lag, at_only).items():
            stacked.setdefault(key, []).append(diff)
    rng = np.random.default_rng(design_seed)
    for k, design in enumerate(drawn_designs(rng, designs)):
        sets = {role: design_set(role, design, 10_000 + design_seed * 1000 + k) for role in set(GATE_SETS.values())}
        for key, diff in contrast_differences(sets, max_lag, at_only).items():
            stacked.setdefault(key, []).append(diff)
    return {key: np.concatenate(parts) for key, parts in stacked.items()}


def fit_weights(differences: dict[tuple[str, str], np.ndarray], ridge: float = RIDGE,
                rounds: int = ROUNDS) -> np.ndarray:
    """The weights w of the logistic fit (see the module docstring), fitted on standardised differences and
    returned on the features' own scale."""
    from scipy.optimize import minimize
    keys = list(differences)
    x_all = np.concatenate([differences[k] for k in keys])
    scale = x_all.std(axis=0)
    scale[scale == 0] = 1.0
    blocks = [differences[k] / scale for k in keys]
    importance = np.ones(len(keys))
    w = np.zeros(x_all.shape[1])
    for _ in range(rounds):
        weights = np.concatenate([np.full(len(b), importance[j] / len(b)) for j, b in enumerate(blocks)])
        w = minimize(_logistic_loss, w, args=(np.concatenate(blocks), weights, ridge), jac=True,
                     method="L-BFGS-B", options={"maxiter": 300}).x
        # the contrasts it wins least get more weight next round: a gate needs every contrast
        win = np.array([np.mean(b @ w > 0) for b in blocks])
        importance = np.exp(4 * (1 - win))
        importance /= importance.mean()
    return w / scale


def _logistic_loss(v: np.ndarray, x: np.ndarray, weights: np.ndarray, ridge: float) -> tuple[float, np.ndarray]:
    """Weighted logistic loss of ``x @ v > 0`` (every row a difference that should be positive) plus ridge, and its
    gradient."""
    from scipy.special import expit
    margin = x @ v
    value = weights @ np.logaddexp(0.0, -margin) + ridge * v @ v
    return value, -(x.T @ (weights * expit(-margin))) + 2 * ridge * v


@dataclass(frozen=True)
class FittedAdversary:
    """A Scorer: w·φ(sequence), φ of :func:`features`."""

    weights: np.ndarray = field(repr=False)
    max_lag: int = MAX_LAG
    at_only: bool = False
    name: str = "fitted-adversary"
    kind: str = "score"
    reads: str = "fitted"

    @property
    def fingerprint(self) -> str:
        return f"cheat/{self.name}/{hashlib.sha256(self.weights.tobytes()).hexdigest()[:12]}"

    def score(self, sequences) -> np.ndarray:
        return by_length(sequences, MIN_LENGTH, lambda codes: features(codes, self.max_lag, self.at_only) @ self.weights)


def fit(seeds, designs: int = 0, design_seed: int = 0, ridge: float = RIDGE, max_lag: int = MAX_LAG,
        at_only: bool = False) -> FittedAdversary:
    """The adversary fitted on the sets of ``seeds`` and ``designs`` drawn designs."""
    w = fit_weights(training_differences(seeds, designs, design_seed, max_lag, at_only), ridge)
    return FittedAdversary(w, max_lag, at_only, name=f"fitted-{'at-' if at_only else ''}adversary-lag{max_lag}")
