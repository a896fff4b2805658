"""Fit ``fitted-sigma70`` (``scorers/reference/fitted.py``) on the shipped measured libraries, and cross-validate it
by library.

    MIT_DATA_DIR=../shared/data python -m zoo.fit_sigma70.fit            # fit on all 8 libraries, write the JSON
    MIT_DATA_DIR=../shared/data python -m zoo.fit_sigma70.fit --cv       # leave-one-library-out table (markdown)

Training data: every library of ``fixtures.libraries`` (each as the mpra property builds it: the constructs with
their flanks, one length per library), at most ``TRAIN_CAP`` constructs each, drawn with
``default_rng([SEED, FIT_CODE, library index])``. Target: within-library normal scores of the measured
expression's ranks (so libraries in different units weigh alike and only the order inside a library counts).

Fit (hard expectation-maximisation): start from one point per consensus base (TTGACA, TATAAT) and 17 bp; align
every construct at its best placement; ridge-regress the normal scores on the placement's features, each feature
and the target centred within its library (so a library's offset is free); realign with the new weights; repeat
until the weights repeat those of one or two rounds before within ``TOLERANCE`` (a few constructs may flip between
two placements; at most ``ROUNDS``), so two more rounds from the written weights return to them (a test
recomputes them from the data). Cross-validation holds out one whole library at a time: fit on the other seven, then Spearman ρ
on the held-out library's 500-construct mpra sample (seed 42, the sample the mpra property scores).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import numpy as np
from scipy import stats as sps

from fixtures.datasets import FILES, resolve, sha256_of
from fixtures.grammar import encode
from fixtures.libraries import LIBRARY_NAMES, SOURCES, build_library
from scorers.reference import fitted as model
from zoo.targets import normal_scores

SEED = 42
FIT_CODE = 211                        # default_rng([SEED, FIT_CODE, library index]) draws the training rows
TRAIN_CAP = 3000                      # constructs per library used for fitting
ROUNDS = 30                           # at most; a fit stops when its alignments repeat
TOLERANCE = 0.01                      # a fit stops when no weight moves more than this over one or two rounds
RIDGE = 300.0                         # λ of the ridge penalty: chosen from 3, 30, 300 by the leave-one-library-out median ρ


def training_library(name: str):
    """``(codes, y)`` of at most TRAIN_CAP constructs of the library ``name``."""
    library = build_library(name, seed=SEED, max_constructs=10 ** 9)
    n = len(library.expression)
    rng = np.random.default_rng([SEED, FIT_CODE, LIBRARY_NAMES.index(name)])
    pick = np.sort(rng.choice(n, size=min(n, TRAIN_CAP), replace=False))
    sequences = [library.sequences.sequences[i] for i in pick]
    return encode(sequences), normal_scores(library.expression[pick])


def initial_weights() -> np.ndarray:
    w = np.zeros(len(model.FEATURES))
    for box, part in (("TTGACA", "m35"), ("TATAAT", "m10")):
        for k, base in enumerate(box):
            w[model.SLICES[part].start + 4 * k + "ACGT".index(base)] = 1.0
    w[model.SLICES["spacer"]] = -0.5 * np.abs(np.asarray(model.SPACERS) - 17)
    return w


def refit(data: dict[str, tuple[np.ndarray, np.ndarray]], w: np.ndarray, ridge: float = RIDGE):
    """One round: every construct aligned at its best placement under ``w``, then the ridge solution. Returns
    ``(new weights, the alignments as one (N, 2) array of spacer index and −10 start)``."""
    xs, ys, placed = [], [], []
    for codes, y in data.values():
        _, spacer, start = model.best_placement(codes, w)
        x = model.features(codes, spacer, start)
        xs.append(x - x.mean(axis=0))
        ys.append(y - y.mean())
        placed.append(np.stack([spacer, start], axis=1))
    x, y = np.concatenate(xs), np.concatenate(ys)
    return np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ y), np.concatenate(placed)


def fit(data: dict[str, tuple[np.ndarray, np.ndarray]], rounds: int = ROUNDS, ridge: float = RIDGE):
    """Weights fitted on ``data`` (library → (codes, normal scores)) and the rounds taken: rounds stop when the
    weights come within ``TOLERANCE`` (every weight) of those of the round before or of two rounds before (the
    alignments then settle, or a few constructs flip between two placements), at most ``rounds``."""
    w, history = initial_weights(), []
    for taken in range(1, rounds + 1):
        w, _ = refit(data, w, ridge)
        if any(np.abs(w - before).max() < TOLERANCE for before in history[-2:]):
            return w, taken
        history.append(w)
    return w, rounds


def held_out_rho(w: np.ndarray, name: str) -> tuple[float, int]:
    library = build_library(name, seed=SEED)
    scores = model.best_placement(encode(list(library.sequences.sequences)), w)[0]
    return float(sps.spearmanr(scores, library.expression).statistic), len(library.expression)


def data_hashes() -> dict[str, str]:
    files = sorted({f for name in LIBRARY_NAMES for f in SOURCES[name].files})
    return {f: sha256_of(resolve(f)) for f in files if f in FILES}


COMPARED = ("energy-lagator", "energy-lafleur", "rpa-pwm", "at-content")


def cross_validate(data) -> dict[str, dict]:
    """Per library: the held-out ρ of a fit on the other libraries, and the ρ of the :data:`COMPARED` scorers on
    the same 500 constructs."""
    from scorers.registry import resolve as resolve_model
    compared = {spec: resolve_model(spec) for spec in COMPARED}
    table = {}
    for name in data:
        started = time.perf_counter()
        w, rounds = fit({k: v for k, v in data.items() if k != name})
        rho, n = held_out_rho(w, name)
        library = build_library(name, seed=SEED)
        others = {spec: float(sps.spearmanr(scorer.score(list(library.sequences.sequences)),
                                            library.expression).statistic) for spec, scorer in compared.items()}
        table[name] = {"rho": rho, "n": n, "rounds": rounds, "seconds": time.perf_counter() - started, **others}
        print(f"{name}: held-out ρ {rho:+.3f} (n {n}, {rounds} rounds, {table[name]['seconds']:.0f} s)",
              file=sys.stderr)
    return table


def markdown(table: dict[str, dict]) -> str:
    head = ["library", "n", "fitted-sigma70 (held out)", *COMPARED]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, row in table.items():
        lines.append(f"| {name} | {row['n']} | **{row['rho']:.3f}** | "
                     + " | ".join(f"{row[spec]:.3f}" for spec in COMPARED) + " |")
    medians = [np.median([row[key] for row in table.values()]) for key in ("rho", *COMPARED)]
    lines.append("| median | | **" + f"{medians[0]:.3f}** | " + " | ".join(f"{m:.3f}" for m in medians[1:]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv", action="store_true", help="leave-one-library-out ρ instead of the final fit")
    parser.add_argument("--out", default=str(model.COEFFICIENTS))
    args = parser.parse_args(argv)
    data = {name: training_library(name) for name in LIBRARY_NAMES}
    if args.cv:
        table = cross_validate(data)
        print(json.dumps(table, indent=1))
        print(markdown(table))
        return 0
    w, rounds = fit(data)
    record = {"model": "fitted-sigma70", "features": model.FEATURES, "weights": [float(v) for v in w],
              "fit": {"seed": SEED, "fit_code": FIT_CODE, "train_cap": TRAIN_CAP, "rounds": rounds,
                      "max_rounds": ROUNDS, "tolerance": TOLERANCE, "ridge": RIDGE,
                      "libraries": {k: int(len(v[1])) for k, v in data.items()},
                      "target": "within-library normal scores of expression ranks"},
              "data_sha256": data_hashes()}
    text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {args.out}: sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
