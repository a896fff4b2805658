"""The canary (DESIGN.md section 6, issues 14 and 25): held-out E. coli DNA, natural promoters, uniform random DNA
and a second scoring, for live and replayed likelihood models; trained models pass, untrained copies fail."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from fixtures.canary import (HELD_OUT, HELD_OUT_SEQUENCES, UNIFORM, build_canary_set, build_uniform_dna,
                             is_held_out, is_repeat, is_uniform)
from fixtures.natural import missing_data
from fixtures.sets import build_all_sets, build_canary
from mit_tests.canary import (DEFAULT_MAX_NLL, LN4, MAX_PROMOTER_NLL, NOT_NORMALISED, REPLAY_NOT_RESCORED, UNTRAINED,
                              WORSE_THAN_CHANCE, CanaryDegraded, Scored, canary_result, measure_canary)
from scorers.scored_model import ScoredModel
from tests.bad_scorers import PeriodLM, period_lm, period_lm_mean
from tests.conftest import run_mit


@pytest.fixture(scope="module")
def data():
    """Skips unless the genome and RegulonDB are here (the held-out windows and the natural set read them)."""
    reason = missing_data()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """A run without data: an empty data directory, an empty cache, MIT_OFFLINE=1."""
    for name, folder in (("MIT_DATA_DIR", "data"), ("MIT_CACHE_HOME", "cache")):
        (tmp_path / folder).mkdir()
        monkeypatch.setenv(name, str(tmp_path / folder))
    monkeypatch.setenv("MIT_OFFLINE", "1")


def test_uniform_dna_is_seeded_iid_and_uniform():
    first, again, other = build_uniform_dna(42), build_uniform_dna(42), build_uniform_dna(7)
    assert first.sha256 == again.sha256 and first.sha256 != other.sha256
    assert set(first.conditions) == {UNIFORM} and all(len(s) == 150 for s in first.sequences)
    counts = np.array([sum(s.count(b) for s in build_uniform_dna(42, n=200).sequences) for b in "ACGT"])
    assert np.all(np.abs(counts / counts.sum() - 0.25) < 0.01), counts


def test_canary_set_holds_the_repeats_the_uniform_dna_then_seeded_held_out_genome_windows(data):
    from fixtures.genome import ecoli_genome
    from fixtures.genome_split import held_out_interval, reverse_complement
    canary, again, other = build_canary_set(42), build_canary_set(42), build_canary_set(7)
    repeats = build_canary(42)
    assert canary.sequences[:len(repeats)] == repeats.sequences and is_repeat(canary).sum() == len(repeats)
    assert is_uniform(canary).sum() == len(build_uniform_dna(42)) and "held_out" not in canary.params
    held = [s for s, c in zip(canary.sequences, canary.conditions) if c == HELD_OUT]
    assert len(held) == HELD_OUT_SEQUENCES and is_held_out(canary)[-HELD_OUT_SEQUENCES:].all()
    assert canary.sha256 == again.sha256 and canary.sha256 != other.sha256
    assert len(set(canary.ids)) == len(canary) and len(np.unique(canary.families)) == len(canary)
    genome = ecoli_genome()
    start = held_out_interval(len(genome))[0]
    for window in held:        # each is the last 5 % of the genome, read on one strand or the other
        found = [genome.find(w, start - len(w)) for w in (window, reverse_complement(window))]
        assert max(found) >= start, window


def test_without_data_the_held_out_check_degrades_saying_why_never_silently(no_data):
    canary = build_canary_set(42)
    assert not is_held_out(canary).any() and "E. coli K-12 MG1655 genome" in canary.params["held_out"]
    assert "MIT_OFFLINE=1" in canary.params["held_out"]
    sets = {**build_all_sets(42), "canary": canary}
    with pytest.warns(CanaryDegraded) as told:
        result = measure_canary(ScoredModel(period_lm.name, period_lm, sets))
    said = " ".join(str(w.message) for w in told)
    assert "held-out DNA check did not run" in said and "natural promoters check did not run" in said, said
    assert result.details["checks"]["held_out"] is None and result.details["checks"]["promoters"] is None
    assert "held-out DNA not checked (no held-out E. coli DNA:" in result.statement, result.statement
    assert "promoters not checked" in result.statement and result.details["promoter_nll_set"] == "core class C"
    assert result.gate_passed and math.isnan(result.estimate)


def flat(n: int, nll: float, length: int = 150) -> Scored:
    """``n`` sequences of ``length`` nt at ``nll`` nats per nucleotide."""
    return Scored(np.full(n, -nll * length), np.full(n, length))


def test_each_check_fails_alone_naming_what_the_model_is():
    uniform, held, natural = flat(30, LN4 + 0.02), flat(100, 1.36), flat(100, 1.39)
    good = canary_result(uniform, held, natural, flat(30, LN4), promoter_label="natural class A",
                         first_scoring=np.zeros(5), rescored=np.zeros(5))
    assert good.gate_passed, good.failure
    assert good.details["checks"] == {"held_out": True, "promoters": True, "uniform": True, "identical": True}
    # Repeats are information: a model at ln 4 on them passes (Markov chains and short-range models do not copy).
    assert good.details["repeat_nll_per_nt"] == pytest.approx(LN4) and good.estimate == pytest.approx(1.36)

    untrained = canary_result(uniform, flat(100, LN4 - 0.003), natural)
    assert untrained.details["checks"]["held_out"] is False and untrained.failure.startswith(UNTRAINED)
    assert f"is {LN4 - 0.003:.3f} nats/nt, not below ln 4 − 0.005 = {DEFAULT_MAX_NLL:.3f}" in untrained.failure

    foreign = canary_result(uniform, held, flat(100, 1.77), promoter_label="natural class A")
    assert foreign.failure.startswith(WORSE_THAN_CHANCE), foreign.failure
    assert f"(natural class A) is 1.770 nats/nt, above ln 4 + 0.1 = {MAX_PROMOTER_NLL:.3f}" in foreign.failure
    designed = canary_result(uniform, held, flat(100, 1.77), promoter_label="core class C", promoters_natural=False)
    assert designed.gate_passed and designed.details["checks"]["promoters"] is None

    unnormalised = canary_result(flat(30, 0.01), held, natural)
    assert unnormalised.details["checks"]["uniform"] is False and NOT_NORMALISED in unnormalised.failure
    assert UNTRAINED not in unnormalised.failure and WORSE_THAN_CHANCE not in unnormalised.failure

    noisy = canary_result(uniform, held, natural, first_scoring=np.zeros(5), rescored=np.full(5, 1e-3))
    assert noisy.failure.startswith("two scorings of the same sequences differ (by up to 0.001)")
    replay = canary_result(uniform, held, natural)
    assert replay.gate_passed and replay.details["identical_rescoring"] is None
    assert replay.details["rescoring"] == REPLAY_NOT_RESCORED and "not checked" in replay.statement


def test_a_larger_bound_lets_a_model_through_both_real_dna_checks_on_purpose():
    sets = {**build_all_sets(42), "canary": build_canary_set(42)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CanaryDegraded)          # the natural set is not in these sets
        strict = measure_canary(ScoredModel("period-lm", period_lm, sets))
        lenient = measure_canary(ScoredModel("period-lm", period_lm, sets), max_nll=10)
    assert lenient.gate_passed and lenient.details["max_promoter_nll"] == 10, lenient.failure
    if "held_out" not in sets["canary"].params:     # with data, the period model has not learned E. coli DNA
        assert strict.details["checks"]["held_out"] is False and strict.failure.startswith(UNTRAINED)


class StandInReplay:
    """What ``scores:FILE`` is for a file of log-likelihoods: scores looked up by id, every id of the run in
    one request, nothing can be scored twice."""

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


@pytest.mark.parametrize("live_scorer", [period_lm, period_lm_mean], ids=["summed", "per-nucleotide-mean"])
def test_a_replayed_likelihood_file_is_canaried_like_the_live_model(live_scorer):
    sets = {**build_all_sets(42), "canary": build_canary_set(42)}
    ids = [i for s in sets.values() for i in s.ids]
    sequences = [q for s in sets.values() for q in s.sequences]
    values = live_scorer.score(sequences)
    replay = StandInReplay(dict(zip(ids, values)), dict(zip(sequences, live_scorer.n_scored_nucleotides(sequences))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CanaryDegraded)
        replayed = measure_canary(ScoredModel("scores:stand-in.csv", replay, sets), max_nll=10)
        live = measure_canary(ScoredModel(live_scorer.name, live_scorer, sets), max_nll=10)
    assert replay.requests == [ids], "a replay is asked for every id of the run at once"
    assert replayed.gate_passed is live.gate_passed is (live_scorer is period_lm), (replayed.failure, live.failure)
    assert replayed.details["uniform_nll_per_nt"] == pytest.approx(live.details["uniform_nll_per_nt"])
    assert replayed.details["repeat_nll_per_nt"] == pytest.approx(live.details["repeat_nll_per_nt"])
    np.testing.assert_equal(replayed.estimate, live.estimate)      # NaN for both without data
    assert replayed.details["rescoring"] == REPLAY_NOT_RESCORED and live.details["identical_rescoring"] is True


def test_a_non_likelihood_model_and_an_untrained_copy_are_not_canaried():
    sets = {**build_all_sets(42), "canary": build_canary_set(42)}

    class Score(PeriodLM):
        kind = "score"

    assert measure_canary(ScoredModel("s", Score(), sets)) is None
    copy = PeriodLM("copy#null1")
    copy.null_control_of = "copy"
    assert measure_canary(ScoredModel("copy#null1", copy, sets)) is None


# -- who passes and who fails (docs/canary.md) -----------------------------------------------------------------

@pytest.fixture(scope="module")
def canary_sets(data):
    from fixtures.natural import with_natural
    return with_natural({**build_all_sets(42), "canary": build_canary_set(42)}, 42)


def canary_of(spec: str, sets, **options):
    from scorers.protocol import ScorerOptions
    from scorers.registry import resolve
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = resolve(spec, ScorerOptions(**options))
        return measure_canary(ScoredModel(spec, scorer, dict(sets)))


@pytest.mark.parametrize("order", [1, 3])
def test_a_markov_chain_of_the_genome_passes(canary_sets, order):
    result = canary_of(f"markov:{order}", canary_sets)
    assert result.gate_passed, result.failure
    assert result.estimate < DEFAULT_MAX_NLL - 0.005, result.details     # measured 1.374 and 1.353
    assert result.details["repeat_nll_per_nt"] > LN4, "it passes without being confident on repeats"


def test_a_small_causal_lm_trained_here_for_seconds_passes_and_its_untrained_copy_fails(canary_sets, tmp_path):
    from tests.trained_lm import train_small_lm
    trained = canary_of(f"hf-causal:{train_small_lm(tmp_path / 'trained', 120)}", canary_sets)
    assert trained.gate_passed, trained.failure
    assert trained.estimate < DEFAULT_MAX_NLL - 0.008, trained.details        # measured 1.366
    untrained = canary_of(f"hf-causal:{train_small_lm(tmp_path / 'untrained', 0)}", canary_sets)
    assert not untrained.gate_passed and untrained.failure.startswith(UNTRAINED), untrained.details


def untrained_architectures(root):
    """One untrained copy of each architecture tests/tiny_models.py builds, at from_config's usual 0.02 (near
    uniform: the hard case) where the builder takes an initialisation, else at its own."""
    from tests import tiny_models as tm
    return {"esm-6mer": ("hf-mlm", tm.make_esm_6mer(root / "esm-6mer", init=0.02)),
            "esm-char": ("hf-mlm", tm.make_esm_char(root / "esm-char", layers=1, hidden=16, init=0.02)),
            "bert-char": ("hf-mlm", tm.make_bert(root / "bert-char", init=0.02)),
            "bert-bpe": ("hf-mlm", tm.make_bert(root / "bert-bpe", tokens="bpe", init=0.02)),
            "dnabert2-like": ("dnabert2", tm.make_dnabert2_like(root / "dnabert2-like")),
            "gpt2": ("hf-causal", tm.make_gpt2(root / "gpt2", init=0.02)),
            "hyena-like": ("hf-causal", tm.make_hyena_like(root / "hyena-like")),
            "bidirectional-conv": ("hf-mlm", tm.make_bidirectional_conv(root / "conv"))}


def test_untrained_copies_of_every_architecture_fail_the_held_out_check(data, tmp_path):
    """The held-out check alone decides it (the rest of a canary of a masked LM is most of a minute here), on a
    quarter of the canary's windows: each copy must sit clear of the bound, not just above it."""
    from scorers.protocol import ScorerOptions
    from scorers.registry import resolve
    canary = build_canary_set(42)
    windows = [s for s, held in zip(canary.sequences, is_held_out(canary)) if held][:HELD_OUT_SEQUENCES // 4]
    measured = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (form, folder) in untrained_architectures(tmp_path).items():
            scorer = resolve(f"{form}:{folder}", ScorerOptions(trust_remote_code=True))
            measured[name] = Scored(scorer.score(windows), scorer.n_scored_nucleotides(windows)).mean_nll
    assert all(nll > DEFAULT_MAX_NLL + 0.003 for nll in measured.values()), measured


@pytest.mark.e2e
def test_a_scorer_returning_the_mean_per_nucleotide_fails_the_canary_and_errors_elsewhere(data, tmp_path):
    run = run_mit(tmp_path / "report", "--model=tests.bad_scorers:period_lm_mean", "--model=markov:2",
                  "-k", "test_canary or test_motif")
    mean = run.properties("tests.bad_scorers:period_lm_mean")
    assert mean["canary"]["verdict"] == "fail", mean["canary"]
    assert "mean NLL on uniform random DNA is 0.0" in mean["canary"]["reason"], mean["canary"]
    assert NOT_NORMALISED in mean["canary"]["reason"]
    assert mean["motif"]["verdict"] == "error" and NOT_NORMALISED in mean["motif"]["reason"], mean["motif"]
    markov = run.properties("markov:2")["canary"]
    assert markov["verdict"] == "pass", markov
    assert markov["details"]["checks"] == {"held_out": True, "promoters": True, "uniform": True, "identical": True}
    assert "mean NLL on uniform random DNA" in run.proc.stdout
    assert "held-out E. coli DNA" in run.proc.stdout


@pytest.mark.e2e
def test_a_score_file_of_the_fixtures_fasta_is_canaried_through_scores(data, tmp_path):
    """The whole replay path: python -m fixtures' FASTA (which carries the canary's sequences), scored by
    python -m scorers, gated with --model=scores:FILE, is canaried without the rescoring check."""
    from fixtures.__main__ import main as fixtures_main
    from tests.test_cli_scorers import run_cli

    fasta, scores = tmp_path / "mit.fasta", tmp_path / "markov.csv"
    assert fixtures_main(["--set", "core", "--out", str(fasta)]) == 0
    scored = run_cli("--model", "markov:2", "--fasta", str(fasta), "--out", str(scores))
    assert scored.returncode == 0, scored.stderr
    run = run_mit(tmp_path / "report", f"--model=scores:{scores}", "-k", "test_canary or test_motif")
    canary = run.properties(f"scores:{scores}")["canary"]
    assert canary["verdict"] == "pass", (canary, run.log)
    assert canary["details"]["rescoring"] == REPLAY_NOT_RESCORED and canary["details"]["identical_rescoring"] is None
    assert canary["details"]["n_uniform"] == len(build_uniform_dna(42))
    assert canary["details"]["n_held_out"] == HELD_OUT_SEQUENCES
    assert canary["details"]["promoter_nll_set"] == "natural class A", canary["details"]


def test_the_report_shows_each_check_against_its_bound_and_what_did_not_run():
    from reports.matrix import canary_values
    uniform, natural = flat(30, LN4 + 0.02), flat(100, 1.39)
    measured = canary_result(uniform, flat(100, 1.36), natural, flat(30, LN4), promoter_label="natural class A")
    assert canary_values(measured.to_json()["details"]) == (
        "held-out 1.360 < 1.381; promoters 1.390 ≤ 1.486; random 1.406 ≥ 1.286; repeats 1.386 (info)")
    offline = canary_result(uniform, None, natural, promoter_label="core class C", promoters_natural=False,
                            held_out_missing="no genome")
    assert canary_values(offline.to_json()["details"]) == (
        "held-out not checked; promoters 1.390 (designed, not gated); random 1.406 ≥ 1.286")
