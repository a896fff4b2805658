"""Scoring hygiene: a scorer gets an immutable copy of the sequences, and every model is checked once for scores
that depend on the order or batch they were scored in (DESIGN.md section 11)."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.sequence_set import SequenceSet
from fixtures.sets import build_all_sets
from scorers.hygiene import SAMPLE, OrderOrBatchDependence, check_order_and_batch, rescoring_batches
from scorers.registry import resolve
from scorers.runner import score_sequences
from scorers.scored_model import ModelFailed, ScoredModel
from tests import bad_scorers
from tests.conftest import run_mit


@pytest.fixture(scope="module")
def run_sets() -> dict:
    return {"core": build_all_sets(42)["core"]}


def small_set(size: int) -> dict:
    core = build_all_sets(42)["core"]
    return {"core": SequenceSet("core", core.ids[:size], core.sequences[:size], core.conditions[:size],
                                core.families[:size])}


class RecordsWhatItGets:
    name, kind = "records", "likelihood"
    fingerprint = "records/v1"

    def __init__(self):
        self.types = set()

    def score(self, sequences):
        self.types.add(type(sequences))
        return -np.array([float(len(s)) for s in sequences])

    def n_scored_nucleotides(self, sequences):
        self.types.add(type(sequences))
        return np.array([len(s) for s in sequences])


def test_every_call_of_a_scorer_gets_a_tuple(run_sets):
    scorer = RecordsWhatItGets()
    model = ScoredModel("records", scorer, run_sets)
    model.role_scores("core")
    model.rescore("core")
    model.scored_nucleotides(["ACGT"])
    model.score_more(["x"], ["ACGTACGT"])
    model.check_hygiene(42)
    assert scorer.types == {tuple}, scorer.types


def test_a_scorer_that_sorts_its_input_in_place_cannot_reorder_mits_sequences():
    """It used to sort the runner's own list, and its scores (returned in the order it was given) were then
    matched to the sorted sequences: every gate computed on shuffled numbers, and no error."""
    sequences = ["TTTT", "AAAC", "CCCC", "GGGA"]
    with pytest.raises(AttributeError, match="tuple"):
        score_sequences(bad_scorers.sorts_in_place, ["a", "b", "c", "d"], sequences)
    assert sequences == ["TTTT", "AAAC", "CCCC", "GGGA"]


@pytest.mark.parametrize("scorer", [bad_scorers.returns_sorted_order, bad_scorers.batch_normalising],
                         ids=["scores in another order", "normalised within each batch"])
def test_order_or_batch_dependence_is_an_error_naming_the_ids(run_sets, scorer):
    model = ScoredModel(scorer.name, scorer, run_sets)
    with pytest.raises(OrderOrBatchDependence, match="scores depend on order or batch") as raised:
        model.check_hygiene(42)
    assert "C_" in str(raised.value) or "D_" in str(raised.value) or "E_" in str(raised.value), raised.value
    with pytest.raises(ModelFailed, match="scores depend on order or batch"):
        model.role_scores("core")


@pytest.mark.filterwarnings("ignore:Trying to unpickle estimator")   # sigmap's SVC was pickled by sklearn 0.24
def test_pypi_sigmap_fits_its_scaler_on_each_batch_and_is_caught():
    pytest.importorskip("sigmap")
    from tests.sigmap_scorer import sigmap_scorer

    model = ScoredModel("sigmap", sigmap_scorer, small_set(24))   # sigmap takes ~0.1 s a sequence
    with pytest.raises(OrderOrBatchDependence, match="scores depend on order or batch"):
        model.check_hygiene(42)


@pytest.mark.parametrize("spec", ["pa-pwm", "at-content", "random", "rpa-pwm"])
def test_scorers_that_score_each_sequence_alone_pass(run_sets, spec):
    checked = ScoredModel(spec, resolve(spec), run_sets).check_hygiene(42)
    assert checked["n"] == SAMPLE and checked["batches"] == 3 and checked["max_difference"] == 0.0, checked


def test_the_sample_is_seeded_shuffled_and_scored_last_batch_first():
    batches = rescoring_batches(400, 42)
    assert [b.size for b in batches] == [21, 21, 22]
    assert all(np.array_equal(a, b) for a, b in zip(batches, rescoring_batches(400, 42)))
    assert not all(np.array_equal(a, b) for a, b in zip(batches, rescoring_batches(400, 7)))
    sample = np.concatenate(batches)
    assert len(set(sample.tolist())) == SAMPLE and not np.array_equal(sample, np.sort(sample))


def test_tolerance_is_relative_to_the_scores_spread():
    """A difference far below the scores' SD is float noise, not a dependence; one of a tenth of it is not."""
    sequences = [f"{'ACGT'[i % 4]}{i:03d}".replace("0", "A").replace("1", "C").replace("2", "G")
                 .replace("3", "T").replace("4", "A").replace("5", "C").replace("6", "G").replace("7", "T")
                 .replace("8", "A").replace("9", "C") for i in range(200)]
    sequences = list(dict.fromkeys(sequences))
    ids = [f"s{i}" for i in range(len(sequences))]
    base = np.random.default_rng(0).normal(-140.0, 10.0, len(sequences))
    table = dict(zip(sequences, base))

    class Shifted:
        name, kind = "shifted", "score"

        def __init__(self, shift):
            self.shift = shift

        def score(self, batch):
            return np.array([table[s] + self.shift for s in batch])

    check_order_and_batch(Shifted(1e-7), ids, sequences, base, 42)
    with pytest.raises(OrderOrBatchDependence):
        check_order_and_batch(Shifted(1.0), ids, sequences, base, 42)


def test_replayed_scores_are_exempt(tmp_path, run_sets):
    core = run_sets["core"]
    path = tmp_path / "scores.json"
    path.write_text("{" + ",".join(f'"{s}": {i}' for i, s in enumerate(core.sequences)) + "}")
    model = ScoredModel("scores", resolve(f"scores:{path}"), run_sets)
    assert model.check_hygiene(42) is None and model.role_scores("core")[3] == 3.0


@pytest.mark.e2e
def test_every_property_test_of_a_batch_normalising_model_errors_from_one_check(tmp_path):
    spec = "tests.bad_scorers:batch_normalising"
    run = run_mit(tmp_path, f"--model={spec}", "-k", "not robustness")
    records = run.properties(spec)
    gated = ["motif", "compensation", "scramble", "up_position", "spacing", "strand", "composition"]
    assert {p: records[p]["verdict"] for p in gated} == {p: "error" for p in gated}, run.log
    assert all("scores depend on order or batch" in records[p]["reason"] for p in gated), records
    assert run.proc.stdout.count("rescoring 64 of the run's sequences") >= 1, run.log
