"""The canary (DESIGN.md section 6): tandem repeats, uniform random DNA and a second scoring, for live and
replayed likelihood models (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fixtures.canary import UNIFORM, build_canary_set, build_uniform_dna, is_uniform
from fixtures.sets import build_all_sets, build_canary
from mit_tests.canary import NOT_NORMALISED, REPLAY_NOT_RESCORED, UNTRAINED, canary_result, measure_canary
from scorers.scored_model import ScoredModel
from tests.bad_scorers import PeriodLM, period_lm, period_lm_mean
from tests.conftest import run_mit


def test_uniform_dna_is_seeded_iid_and_uniform():
    first, again, other = build_uniform_dna(42), build_uniform_dna(42), build_uniform_dna(7)
    assert first.sha256 == again.sha256 and first.sha256 != other.sha256
    assert set(first.conditions) == {UNIFORM} and all(len(s) == 150 for s in first.sequences)
    counts = np.array([sum(s.count(b) for s in build_uniform_dna(42, n=200).sequences) for b in "ACGT"])
    assert np.all(np.abs(counts / counts.sum() - 0.25) < 0.01), counts


def test_canary_set_holds_the_repeats_then_the_uniform_dna():
    canary = build_canary_set(42)
    repeats = build_canary(42)
    assert canary.sequences[:len(repeats)] == repeats.sequences
    assert is_uniform(canary).sum() == len(build_uniform_dna(42)) and not is_uniform(canary)[:len(repeats)].any()
    assert len(set(canary.ids)) == len(canary) and len(np.unique(canary.families)) == len(canary)


def score_canary(scorer):
    canary = build_canary_set(42)
    scores = scorer.score(list(canary.sequences))
    n = scorer.n_scored_nucleotides(canary.sequences)
    uniform = is_uniform(canary)
    return scores[~uniform], n[~uniform], scores[uniform], n[uniform], scores


def test_a_summed_normalised_likelihood_passes_and_its_per_nucleotide_mean_fails_saying_why():
    repeats, n_repeats, uniform, n_uniform, everything = score_canary(period_lm)
    good = canary_result(repeats, n_repeats, uniform, n_uniform, rescored=everything, first_scoring=everything)
    assert good.gate_passed, good.failure
    assert good.details["uniform_nll_per_nt"] > math.log(4), good.details   # Gibbs' inequality, with room

    repeats, n_repeats, uniform, n_uniform, everything = score_canary(period_lm_mean)
    mean = canary_result(repeats, n_repeats, uniform, n_uniform, rescored=everything, first_scoring=everything)
    assert not mean.gate_passed and mean.details["checks"] == {"repeats": True, "uniform": False, "identical": True}
    assert mean.details["uniform_nll_per_nt"] < 0.05
    assert "mean NLL on uniform random DNA is 0.0" in mean.failure and "below ln 4 − 0.1 = 1.286" in mean.failure
    assert NOT_NORMALISED in mean.failure and "per-nucleotide mean" in mean.failure
    assert UNTRAINED not in mean.failure, "the repeats check passed; only the failed check is named"


def test_each_failed_check_is_named_and_a_replay_skips_the_rescoring_check():
    repeats, n_repeats, uniform, n_uniform, everything = score_canary(period_lm)
    flat = np.full_like(repeats, -math.log(4) * 150)
    untrained = canary_result(flat, np.full(len(flat), 150), uniform, n_uniform, rescored=everything,
                              first_scoring=everything + 1.0)
    assert untrained.failure.startswith(UNTRAINED) and "two scorings of the same sequences differ" in untrained.failure
    replay = canary_result(repeats, n_repeats, uniform, n_uniform, rescored=None)
    assert replay.gate_passed and replay.details["identical_rescoring"] is None
    assert replay.details["rescoring"] == REPLAY_NOT_RESCORED and "not checked" in replay.statement


class StandInReplay:
    """What ``scores:FILE`` will be for a file of log-likelihoods (issue 13 records the kind and the scored
    nucleotides): scores looked up by id, every id of the run in one request, nothing can be scored twice."""

    precomputed = True
    kind = "likelihood"

    def __init__(self, table: dict[str, float], nucleotides: dict[str, int]):
        self.name, self.table, self.nucleotides, self.requests = "scores:stand-in.csv", table, nucleotides, []

    def score_with_ids(self, ids, sequences):
        self.requests.append(list(ids))
        if set(ids) != set(self.table):
            raise ValueError(f"the file holds {len(self.table)} ids, {len(set(ids))} requested")
        return np.array([self.table[i] for i in ids])

    def score(self, sequences):
        raise AssertionError("a replay cannot score sequences a second time")

    def n_scored_nucleotides(self, sequences):
        return np.array([self.nucleotides[s] for s in sequences])


@pytest.mark.parametrize("live_scorer, passes", [(period_lm, True), (period_lm_mean, False)],
                         ids=["summed", "per-nucleotide-mean"])
def test_a_replayed_likelihood_file_is_canaried_like_the_live_model(live_scorer, passes):
    sets = {**build_all_sets(42), "canary": build_canary_set(42)}
    ids = [i for s in sets.values() for i in s.ids]
    sequences = [q for s in sets.values() for q in s.sequences]
    values = live_scorer.score(sequences)
    replay = StandInReplay(dict(zip(ids, values)), dict(zip(sequences, live_scorer.n_scored_nucleotides(sequences))))
    replayed = measure_canary(ScoredModel("scores:stand-in.csv", replay, sets))
    live = measure_canary(ScoredModel(live_scorer.name, live_scorer, sets))
    assert replay.requests == [ids], "a replay is asked for every id of the run at once"
    assert replayed.gate_passed is live.gate_passed is passes, (replayed.failure, live.failure)
    assert replayed.estimate == pytest.approx(live.estimate)
    assert replayed.details["uniform_nll_per_nt"] == pytest.approx(live.details["uniform_nll_per_nt"])
    assert replayed.details["rescoring"] == REPLAY_NOT_RESCORED and live.details["identical_rescoring"] is True


def test_a_non_likelihood_model_and_an_untrained_copy_are_not_canaried():
    sets = {**build_all_sets(42), "canary": build_canary_set(42)}

    class Score(PeriodLM):
        kind = "score"

    assert measure_canary(ScoredModel("s", Score(), sets)) is None
    copy = PeriodLM("copy#null1")
    copy.null_control_of = "copy"
    assert measure_canary(ScoredModel("copy#null1", copy, sets)) is None


@pytest.mark.e2e
def test_a_scorer_returning_the_mean_per_nucleotide_fails_the_canary_and_errors_elsewhere(tmp_path):
    run = run_mit(tmp_path / "report", "--model=tests.bad_scorers:period_lm_mean", "--model=tests.bad_scorers:period_lm",
                  "-k", "test_canary or test_motif")
    mean = run.properties("tests.bad_scorers:period_lm_mean")
    assert mean["canary"]["verdict"] == "fail", mean["canary"]
    assert "mean NLL on uniform random DNA is 0.0" in mean["canary"]["reason"], mean["canary"]
    assert NOT_NORMALISED in mean["canary"]["reason"]
    assert mean["motif"]["verdict"] == "error" and NOT_NORMALISED in mean["motif"]["reason"], mean["motif"]
    summed = run.properties("tests.bad_scorers:period_lm")
    assert summed["canary"]["verdict"] == "pass", summed["canary"]
    assert "mean NLL on uniform random DNA" in run.proc.stdout


@pytest.mark.e2e
def test_a_score_file_of_the_fixtures_fasta_is_canaried_through_scores(tmp_path):
    """The whole replay path: python -m fixtures' FASTA (which carries the canary's sequences), scored by
    python -m scorers, gated with --model=scores:FILE, is canaried without the rescoring check."""
    from fixtures.__main__ import main as fixtures_main
    from tests.test_cli_scorers import run_cli

    fasta, scores = tmp_path / "mit.fasta", tmp_path / "period-lm.csv"
    assert fixtures_main(["--set", "core", "--out", str(fasta)]) == 0
    scored = run_cli("--model", "tests.bad_scorers:period_lm", "--fasta", str(fasta), "--out", str(scores))
    assert scored.returncode == 0, scored.stderr
    run = run_mit(tmp_path / "report", f"--model=scores:{scores}", "-k", "test_canary or test_motif")
    canary = run.properties(f"scores:{scores}")["canary"]
    assert canary["verdict"] == "pass", (canary, run.log)
    assert canary["details"]["rescoring"] == REPLAY_NOT_RESCORED and canary["details"]["identical_rescoring"] is None
    assert canary["details"]["n_uniform"] == len(build_uniform_dna(42))
    from fixtures.natural import missing_data
    expected = "core class C" if missing_data() else "natural class A"
    assert canary["details"]["promoter_nll_set"] == expected, canary["details"]
