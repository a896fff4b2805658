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


def test_a_kept_trajectory_is_redrawn_by_the_series_figure(tmp_path):
    """``python -m zoo.trajectory --draw``: a trajectory.json becomes the results the fan-out's series figure draws."""
    from reports.figures import series_canary, series_points
    from zoo.trajectory import main, series_results
    steps = []
    for step, share, canary in ((5, None, "fail"), (50, 0.4, "pass"), (500, 0.7, "pass")):
        gates = {"canary": {"estimate": 2.0 - step / 1000, "ci": [1.4, 2.1], "verdict": canary},
                 "motif": {"estimate": share, "ci": None if share is None else [share - 0.1, share + 0.1],
                           "verdict": "error" if share is None else "pass" if share > 0.5 else "fail"}}
        steps.append({"step": step, "spec": f"hf-causal:m/checkpoints/step-{step}", "held_out_nll": 1.5,
                      "gates": gates, "overall": "", "canary": {"held_out_nll_per_nt": 2.0, "max_nll": None}})
    results = series_results({"model": "m", "steps": steps})
    assert results["series"]["steps"] == [5, 50, 500]
    assert series_points(results)["motif"]["step"].tolist() == [50, 500]
    assert series_canary(results)["refused"] == [5] and series_canary(results)["max_nll"] is None
    kept = tmp_path / "trajectory.json"
    kept.write_text(json.dumps({"model": "m", "steps": steps}))
    assert main(["--draw", str(kept), str(tmp_path / "t.png")]) == 0
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for step in steps:
        step["gates"] = {}
    kept.write_text(json.dumps({"model": "m", "steps": steps}))
    assert main(["--draw", str(kept), str(tmp_path / "none.png")]) == 2 and not (tmp_path / "none.png").exists()


def test_the_trajectory_run_writes_the_fanouts_series_entry(tmp_path, monkeypatch):
    """``python -m zoo.trajectory FOLDER``: checkpoints then the final model, in step order, as the series the
    report draws (the MIT run and the report writer are stand-ins: each is tested on its own)."""
    import reports.render
    import zoo.trajectory
    folder = tmp_path / "model"
    for step in (40, 5):
        (folder / "checkpoints" / f"step-{step:06d}").mkdir(parents=True)
    (folder / "training.json").write_text(json.dumps({"recipe": {"steps": 100}, "held_out_nll": 1.35, "checkpoints": [
        {"step": 5, "held_out_nll_probe": 2.0}, {"step": 40, "held_out_nll_probe": 1.4}]}))
    specs = [f"hf-causal:{folder}/checkpoints/step-000005", f"hf-causal:{folder}/checkpoints/step-000040",
             f"hf-causal:{folder}"]
    ran, written = [], []
    canary = {"verdict": "pass", "estimate": 1.37, "ci": [1.36, 1.38], "details": {"max_nll": 1.381}}
    measured = {spec: {"properties": {"canary": canary}} for spec in specs[1:]}     # step 5's record is missing
    monkeypatch.setattr(zoo.trajectory, "run_mit", lambda s, out, extra: ran.append(s) or
                        {"exit_code": 0, "seconds": 1.0, "results": {"models": measured}})
    monkeypatch.setattr(reports.render, "write_report", lambda results, out: written.append(results))
    assert zoo.trajectory.main([str(folder), "--out", str(tmp_path / "out")]) == 0
    assert ran == [specs]
    assert written[0]["series"] == {"pattern": f"{folder}/checkpoints/step-* and {folder}", "steps": [40, 100],
                                    "models": specs[1:]}
    steps = json.loads((tmp_path / "out" / "trajectory.json").read_text())["steps"]
    assert [(s["step"], s["held_out_nll"]) for s in steps] == [(5, 2.0), (40, 1.4), (100, 1.35)]
    assert steps[1]["canary"]["max_nll"] == 1.381


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


def test_a_masked_lm_must_beat_the_two_sided_chain_on_the_chunks_it_was_measured_on():
    from zoo.lm import judge
    chains = {"two_sided_0": 1.3865, "two_sided_2": 1.3260, "two_sided_4": 1.2924}
    assert judge(1.3126, chains, causal=False, same_chunks=1.3211)["working"]
    easier = judge(1.3126, chains, causal=False, same_chunks=1.3100)
    assert not easier["working"] and "NOT" in easier["verdict"], easier["verdict"]
    assert not judge(1.3300, chains, causal=False)["working"]
    assert judge(1.3126, chains, causal=False)["working"]
