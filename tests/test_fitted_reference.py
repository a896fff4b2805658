"""``fitted-sigma70``: its placement scan, its committed coefficients (sha256, data hashes, reproduced from the data
by the fitting code) and a fit that recovers weights planted in synthetic data."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as sps

from fixtures.grammar import decode, encode
from scorers.reference import fitted as model


def _random_codes(n: int, length: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 4, (n, length)).astype(np.uint8)


def test_features_times_weights_is_the_scanned_score():
    codes = _random_codes(40, 120, 0)
    w = np.random.default_rng(1).normal(size=len(model.FEATURES))
    best, spacer, start = model.best_placement(codes, w)
    assert np.allclose(model.features(codes, spacer, start) @ w, best, atol=1e-9)
    # the best placement is the maximum over every placement the scan considers
    assert np.allclose(best, model.placement_scores(codes, w).reshape(40, -1).max(axis=1))


def test_the_scan_finds_a_planted_promoter_and_reads_the_boxes_on_the_forward_strand():
    w = np.zeros(len(model.FEATURES))
    for part, box in (("m35", "TTGACA"), ("m10", "TATAAT")):
        for k, base in enumerate(box):
            w[model.SLICES[part].start + 4 * k + "ACGT".index(base)] = 1.0
    w[model.SLICES["spacer"].start + model.SPACERS.index(17)] = 0.5
    background = decode(_random_codes(1, 120, 2))[0]
    promoter = background[:40] + "TTGACA" + background[46:63] + "TATAAT" + background[69:]
    reverse = promoter[::-1].translate(str.maketrans("ACGT", "TGCA"))
    best, spacer, start = model.best_placement(encode([promoter, reverse]), w)
    assert (model.SPACERS[spacer[0]], start[0]) == (17, 63) and best[0] == pytest.approx(12.5)
    assert best[1] <= best[0] - 3          # the reverse strand holds no full box on the forward strand


def test_committed_coefficients_are_pinned_and_name_their_data():
    from fixtures.datasets import FILES
    record = model.load_coefficients()
    assert model.file_sha256(model.COEFFICIENTS) == model.COEFFICIENTS_SHA256
    assert record["features"] == model.FEATURES and len(record["weights"]) == len(model.FEATURES)
    assert record["data_sha256"] and all(FILES[key].sha256 == digest for key, digest in record["data_sha256"].items())
    assert record["fit"]["seed"] == 42


def test_a_changed_coefficients_file_is_refused(tmp_path, monkeypatch):
    from scorers.protocol import ScorerUnavailable
    changed = tmp_path / "fitted_sigma70.json"
    record = json.loads(model.COEFFICIENTS.read_text(encoding="utf-8"))
    record["weights"][0] += 1.0
    changed.write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setattr(model, "COEFFICIENTS", changed)
    model.load_coefficients.cache_clear()
    try:
        with pytest.raises(ScorerUnavailable, match="not the pinned"):
            model.load_coefficients()
    finally:
        model.load_coefficients.cache_clear()


def test_the_fit_recovers_planted_weights():
    """Sequences with boxes of random strength, spacers and UP A+T, expression from known weights plus noise:
    the fit's scores rank held-out sequences almost as the truth does."""
    from zoo.fit_sigma70.fit import fit, initial_weights
    rng = np.random.default_rng(3)
    truth = initial_weights() + np.where(initial_weights() != 0, 0.0, 0.4 * rng.normal(size=len(model.FEATURES)))
    truth[model.SLICES["spacer"]] = -0.5 * np.abs(np.asarray(model.SPACERS) - 18)       # 18 bp, not 17
    truth[model.SLICES["up"]] = 0.15
    truth[model.SLICES["down"]] = -0.1

    def library(n, seed):
        codes = _random_codes(n, 110, seed)
        local = np.random.default_rng(seed)
        for i in range(n):
            spacer = local.choice([15, 16, 17, 18, 19])
            p35 = local.integers(30, 45)
            for p, box in ((p35, "TTGACA"), (p35 + 6 + spacer, "TATAAT")):
                keep = local.random(6) < 0.7
                codes[i, p:p + 6] = np.where(keep, encode([box])[0], codes[i, p:p + 6])
        return codes

    train = {f"lib{k}": library(600, 10 + k) for k in range(2)}
    data = {k: (c, model.best_placement(c, truth)[0] + 0.3 * rng.normal(size=len(c))) for k, c in train.items()}
    w, rounds = fit(data, rounds=6, ridge=3.0)
    test = library(400, 20)
    rho = sps.spearmanr(model.best_placement(test, w)[0], model.best_placement(test, truth)[0]).statistic
    assert rho > 0.9, (rho, rounds)
    assert sps.spearmanr(model.best_placement(test, initial_weights())[0],
                         model.best_placement(test, truth)[0]).statistic < rho


def test_the_committed_weights_come_from_the_fitting_code_and_the_data():
    """Two more rounds of the fit from the committed weights return to them: the fit ends in a two-cycle (a few
    constructs flip between two placements), whose members differ by at most 0.1 per weight."""
    from fixtures.datasets import DataUnavailable
    from zoo.fit_sigma70 import fit as fitting
    try:
        data = {name: fitting.training_library(name) for name in fitting.LIBRARY_NAMES}
    except DataUnavailable as exc:
        pytest.skip(exc.reason)
    w = np.asarray(model.load_coefficients()["weights"])
    once, _ = fitting.refit(data, w)
    twice, _ = fitting.refit(data, once)
    assert np.abs(twice - w).max() < 0.01 and np.abs(once - w).max() < 0.1


def test_fitted_sigma70_is_listed():
    from scorers.registry import model_listing, resolve
    assert "fitted-sigma70" in model_listing()
    scorer = resolve("fitted-sigma70")
    scores = scorer.score(["TTGACA" + "A" * 17 + "TATAAT" + "C" * 20, "C" * 49])
    assert scores.shape == (2,) and scores[0] > scores[1]
