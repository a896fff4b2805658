"""The zoo (``zoo/``): committed checkpoints match their records, the recorded language models beat the order-2
Markov chain on held-out DNA, the Markov baselines are right on chains of known entropy, and training is
deterministic for one seed (a few steps of the smallest recipe on a small synthetic genome)."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from zoo import markov
from zoo.ci_check import committed_files_match
from zoo.lm import MODELS

RECORDS = sorted(MODELS.glob("*/training.json"))


def test_the_committed_files_match_their_recorded_sha256():
    assert RECORDS, f"no committed zoo model under {MODELS}"
    assert committed_files_match() == []


@pytest.mark.parametrize("path", RECORDS, ids=[p.parent.name for p in RECORDS])
def test_each_committed_language_model_beats_the_order_2_chain(path):
    record = json.loads(path.read_text())
    if "held_out_nll" not in record:           # the expression CNN: cross-validated ρ instead
        assert record["cv_spearman_mean"] > 0.2, record["cv_spearman_by_library"]
        return
    baseline = record["markov"]["order_2" if "order_2" in record["markov"] else "two_sided_2"]
    assert record["held_out_nll"] < baseline, record["verdict"]
    assert record["data"]["training_sha256"] and record["versions"]["torch"] and record["loss_curve"]


def test_markov_chains_recover_a_known_entropy_rate():
    rng = np.random.default_rng(0)
    transition = np.array([[0.7, 0.1, 0.1, 0.1], [0.25] * 4, [0.1, 0.1, 0.1, 0.7], [0.4, 0.1, 0.4, 0.1]])
    codes = np.zeros(400_000, dtype=np.uint8)
    draws = rng.random(codes.size)
    cumulative = transition.cumsum(axis=1)
    for t in range(1, codes.size):
        codes[t] = np.searchsorted(cumulative[codes[t - 1]], draws[t])
    stationary = np.bincount(codes, minlength=4) / codes.size
    rate = -(stationary[:, None] * transition * np.log(transition)).sum()
    train, test = codes[:300_000], codes[300_000:]
    assert markov.causal_nll(train, test, 0) == pytest.approx(-(stationary * np.log(stationary)).sum(), abs=0.01)
    assert markov.causal_nll(train, test, 1) == pytest.approx(rate, abs=0.01)
    assert markov.causal_nll(train, test, 2) == pytest.approx(rate, abs=0.01)
    assert markov.two_sided_nll(train, test, 0) == pytest.approx(markov.causal_nll(train, test, 0))
    assert markov.two_sided_nll(train, test, 1) < rate - 0.05        # both neighbours say more than one
    broken = test.copy()
    broken[::10] = markov.BREAK                                      # k-mers never span a break
    assert np.isfinite(markov.causal_nll(train, broken, 3))
    assert markov.kmer_index(np.array([0, 1, 4, 2, 3], dtype=np.uint8), 2)[1].tolist() == [True, False, False, True]


def test_training_twice_with_one_seed_gives_identical_weights(tmp_path):
    pytest.importorskip("transformers")
    from zoo.data import GenomeData
    from zoo.lm import RECIPES, train
    rng = np.random.default_rng(1)
    genome = "".join(rng.choice(list("ACGT"), size=60_000))
    data = GenomeData.from_genome(genome, tss=np.array([10_000, 30_000]))
    small = replace(RECIPES["llama-ci"], steps=3, batch=2, context=64, eval_chunks=2)
    records = [train(small, tmp_path / run, seed=3, data=data, trajectory=False, log=lambda *a, **k: None)
               for run in ("a", "b")]
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()
    assert records[0]["held_out_nll"] == records[1]["held_out_nll"]
    assert records[0]["data"]["training_sha256"] != GenomeData.from_genome(genome, tss=np.array([5_000])).sha256
    other = train(small, tmp_path / "c", seed=4, data=data, trajectory=False, log=lambda *a, **k: None)
    assert (tmp_path / "c" / "model.safetensors").read_bytes() != (tmp_path / "a" / "model.safetensors").read_bytes()
    assert math.isfinite(other["held_out_nll"])


MASKED = [p.parent for p in RECORDS if json.loads(p.read_text()).get("markov_measure", "").startswith("two-sided")]


@pytest.mark.parametrize("folder", MASKED, ids=[p.name for p in MASKED])
def test_mit_scores_a_committed_masked_lm_as_zoo_measured_it(folder, monkeypatch):
    """MIT's ``hf-mlm:`` path (exact pseudo-likelihood, one nucleotide masked at a time) and the zoo's held-out
    measure with every pass masking one position give the same NLL: same tokens, [CLS]/[SEP], vocabulary."""
    pytest.importorskip("transformers")
    import zoo.lm as lm
    from scorers.registry import resolve
    record = json.loads((folder / "training.json").read_text())
    recipe = lm.LMRecipe(**record["recipe"])
    chunks = np.random.default_rng(0).integers(0, 4, size=(3, 48)).astype(np.uint8)
    sequences = ["".join("ACGT"[c] for c in row) for row in chunks]
    scorer = resolve(f"hf-mlm:{folder}")
    assert scorer.mode == "mlm-pll-exact"
    mit = -scorer.score(sequences).sum() / chunks.size
    monkeypatch.setattr(lm, "EVAL_STRIDE", chunks.shape[1])              # one masked position per pass
    from transformers import AutoModelForMaskedLM
    model = AutoModelForMaskedLM.from_pretrained(folder)
    assert mit == pytest.approx(lm.held_out_nll(recipe, model, chunks), abs=1e-4)
