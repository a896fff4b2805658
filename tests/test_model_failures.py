"""A model that fails is called once: its exception, or its hang (``--mit-timeout``), errors every test of that
model, and the other models' results are still written (DESIGN.md section 11)."""

from __future__ import annotations

import time

import pytest

from fixtures.sets import build_all_sets
from scorers.scored_model import ModelFailed, ScoredModel
from scorers.watchdog import ScoringTimeout, Watchdog
from tests.conftest import run_mit


class CountingRaiser:
    name, kind = "raiser", "score"

    def __init__(self):
        self.calls = 0

    def score(self, sequences):
        self.calls += 1
        raise RuntimeError("the model server refused the request")


def test_a_scorer_that_raises_is_called_once_however_many_tests_ask():
    scorer = CountingRaiser()
    model = ScoredModel("raiser", scorer, {"core": build_all_sets(42)["core"]})
    with pytest.raises(RuntimeError, match="refused"):
        model.paired("core", "C", "D")
    for ask in (lambda: model.paired("core", "E", "D"), lambda: model.role_scores("core"),
                lambda: model.check_hygiene(42), lambda: model.rescore("core")):
        with pytest.raises(ModelFailed, match="raiser failed and is not called again: RuntimeError: the model"):
            ask()
    assert scorer.calls == 1


def test_a_failure_on_designs_drawn_by_one_test_does_not_fail_the_model():
    class RefusesLongSequences:
        name, kind = "refuses-long", "score"

        def score(self, sequences):
            if any(len(s) > 150 for s in sequences):
                raise ValueError("too long")
            return [float(s.count("A")) for s in sequences]

    core = build_all_sets(42)["core"]
    model = ScoredModel("refuses-long", RefusesLongSequences(), {"core": core})
    with pytest.raises(ValueError, match="too long"):
        model.score_more(["long"], ["A" * 200])
    assert model.role_scores("core").shape == (len(core),)


def test_the_watchdog_abandons_a_hung_call_and_refuses_the_next():
    watchdog = Watchdog("hung", 0.3)
    assert watchdog.call(sum, [1, 2]) == 3
    start = time.monotonic()
    with pytest.raises(ScoringTimeout, match="did not finish within --mit-timeout 0.3 s"):
        watchdog.call(time.sleep, 10 ** 6)
    assert time.monotonic() - start < 5
    calls = []
    with pytest.raises(ScoringTimeout):
        watchdog.call(calls.append, 1)
    assert calls == [] and watchdog.timed_out


def test_the_watchdog_hands_back_the_scorers_own_exception():
    with pytest.raises(KeyError, match="x"):
        Watchdog("raises", 5.0).call({}.__getitem__, "x")


def test_a_model_that_times_out_is_not_called_again():
    class SleepsOnce:
        name, kind = "sleeps", "score"
        calls = 0

        def score(self, sequences):
            SleepsOnce.calls += 1
            time.sleep(10 ** 6)

    model = ScoredModel("sleeps", SleepsOnce(), {"core": build_all_sets(42)["core"]},
                        watchdog=Watchdog("sleeps", 0.3))
    with pytest.raises(ScoringTimeout):
        model.role_scores("core")
    with pytest.raises(ModelFailed, match="--mit-timeout"):
        model.score_more(["x"], ["ACGT" * 25])
    assert SleepsOnce.calls == 1


@pytest.mark.e2e
def test_a_raising_scorer_is_called_once_in_a_whole_run(tmp_path):
    calls = tmp_path / "calls.txt"
    spec = "tests.bad_scorers:raising"
    run = run_mit(tmp_path / "out", f"--model={spec}", env={"MIT_TEST_CALLS": str(calls)})
    lines = calls.read_text().splitlines()
    assert len(lines) == 1 and int(lines[0]) > 2000, f"one call, of every distinct sequence: {lines}\n{run.log}"
    records = run.properties(spec)
    assert all(records[p]["verdict"] == "error" and "refused the request" in records[p]["reason"]
               for p in ("motif", "compensation", "scramble", "spacing")), records
    assert run.returncode == 2 and (f"MIT: {spec} measured nothing (exit code 2): error: RuntimeError: the model "
                                    "server refused the request") in run.proc.stdout, run.log


@pytest.mark.e2e
def test_a_hung_scorer_times_out_and_the_other_models_results_are_written(tmp_path):
    hung = "tests.bad_scorers:sleeps_forever"
    start = time.monotonic()
    run = run_mit(tmp_path, "--model=rpa-pwm", f"--model={hung}", "--mit-timeout=3", "-k", "not robustness",
                  timeout=300)
    assert time.monotonic() - start < 120, "the run must not wait for the hung scorer"
    assert run.properties("rpa-pwm")["motif"]["verdict"] == "pass", run.log
    records = run.properties(hung)
    assert records["motif"]["verdict"] == "error" and "--mit-timeout 3 s" in records["motif"]["reason"], records
    assert (tmp_path / "mit-report.html").exists()
    assert run.returncode == 2, "the hung model measured nothing"
