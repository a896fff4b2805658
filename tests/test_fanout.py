"""The Ray fan-out (``python -m fanout``): one MIT run per model as a Ray task, merged into one report.

The end-to-end tests start one local Ray with two CPUs for the module and compare the merged results with the
session's sequential run of the same three demonstrators (``demonstrators`` in conftest.py); they skip without
Ray (``pip install -e ".[ray]"``).
"""

from __future__ import annotations

import json
import os
import signal

import pytest

from fanout.models import checkpoint_series, read_model_list
from fanout.progress import ProgressBoard, ProgressPrinter, time_left
from tests.conftest import DATA, DEMONSTRATORS

# What the session's sequential demonstrators run was given, so that the two runs test the same things.
SEQUENTIAL_ARGS = ["--mit-examples=1", "--mit-cache=none"]


def test_model_list_ignores_comments_and_refuses_repeats(tmp_path):
    listed = tmp_path / "models.txt"
    listed.write_text("rpa-pwm  # the reference\n\n# a comment\nat-content\n", encoding="utf-8")
    assert read_model_list(listed) == ["rpa-pwm", "at-content"]
    listed.write_text("rpa-pwm\nrandom\nrpa-pwm\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"models.txt:3: rpa-pwm is listed twice \(first on line 1\)"):
        read_model_list(listed)
    listed.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lists no model"):
        read_model_list(listed)


def test_checkpoints_are_ordered_by_step_not_by_name(tmp_path):
    for step in (1000, 20, 300):
        (tmp_path / f"checkpoint-{step}").mkdir()
    (tmp_path / "checkpoint-notes.txt").write_text("not a folder", encoding="utf-8")
    series = checkpoint_series(str(tmp_path / "checkpoint-*"), "hf-causal")
    assert [step for step, _ in series] == [20, 300, 1000], series
    assert series[0][1] == f"hf-causal:{tmp_path / 'checkpoint-20'}"
    (tmp_path / "checkpoint-final").mkdir()
    with pytest.raises(ValueError, match="checkpoint-final has no step number"):
        checkpoint_series(str(tmp_path / "checkpoint-*"), "hf-causal")
    with pytest.raises(ValueError, match="matches no folder"):
        checkpoint_series(str(tmp_path / "nothing-*"), "hf-mlm")


def test_progress_lines_and_time_left():
    board = ProgressBoard(["a", "b", "c"])
    lines = []
    printer = ProgressPrinter(lines.append, slots=2)
    printer.show(board.snapshot())
    assert "fanout: a: queued" in lines and "fanout: 0/3 models finished" in lines
    board.started("a", pid=1)
    board.update("a", "scoring", 100, 400)
    printer.show(board.snapshot())
    assert "fanout: a: scoring 100/400" in lines, lines
    board.started("a", pid=2)                       # the worker died and the task was retried
    printer.show(board.snapshot())
    assert "fanout: a: loading (attempt 2)" in lines, lines
    snapshot = board.snapshot()
    snapshot["a"].update(state="done", started=0.0, finished=10.0)
    snapshot["b"].update(state="loading", started=96.0)
    # b has run 4 s of a 10 s mean; c waits for one of the two slots: 6 + 10
    assert time_left(snapshot, slots=2, now=100.0) == pytest.approx(16.0)
    with pytest.raises(ValueError, match="unknown state"):
        board.update("a", "sleeping", 0, 0)


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the fan-out needs Ray: pip install -e \".[ray]\"")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.mark.e2e
def test_fanout_equals_the_sequential_run_even_when_a_worker_is_killed(local_ray, demonstrators, tmp_path, capsys):
    """Three models on a local Ray with two CPUs; one model's worker is killed (SIGKILL) while it runs. The task
    is retried and the merged results equal the session's sequential run of the same models, number for number.
    """
    from fanout.__main__ import fan_out
    from reports.merge import merge_results
    victim, killed, attempts = "rpa-pwm", [], {}

    def kill_first_attempt(snapshot):
        model = snapshot[victim]
        if not killed and model["attempt"] == 1 and model["state"] in ("loading", "scoring") and model["pid"]:
            os.kill(model["pid"], signal.SIGKILL)
            killed.append(model["pid"])
        attempts.update({spec: m["attempt"] for spec, m in snapshot.items()})

    runs = fan_out(list(DEMONSTRATORS), tmp_path, SEQUENTIAL_ARGS, watch=kill_first_attempt, poll_s=0.2)
    assert killed, "the test never saw the worker running, so it killed nothing"
    assert attempts[victim] >= 2, f"{victim} was not retried after its worker was killed: {attempts}"
    for run in runs.values():
        assert run.returncode in (0, 1) and run.results is not None, run.log_tail
    merged = merge_results({spec: run.results for spec, run in runs.items()})
    for spec in DEMONSTRATORS:
        assert merged["models"][spec] == demonstrators.results["models"][spec], \
            f"{spec}: the fan-out's record differs from the sequential run's"
    assert merged["set_sha256"] == demonstrators.results["set_sha256"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    # the killed attempt's folder may remain for diagnosis, but never where a result is read from
    assert all(".attempt-" in name for name in leftovers), leftovers
    progress = capsys.readouterr().err
    assert f"fanout: {victim}: loading (attempt 2)" in progress, progress
    for spec in DEMONSTRATORS:
        assert f"fanout: {spec}: done" in progress, progress


@pytest.mark.e2e
def test_checkpoint_glob_gives_a_series_in_step_order(local_ray, tmp_path):
    """``python -m fanout --checkpoints``: the folders are scored as ``hf-causal:`` models, ordered by step."""
    from fanout.__main__ import main
    from tests.tiny_models import make_gpt2
    for step in (100, 10):
        make_gpt2(tmp_path / "run" / f"checkpoint-{step}", seed=step, hidden=16, layers=1)
    out = tmp_path / "out"
    code = main(["--checkpoints", str(tmp_path / "run" / "checkpoint-*"), "--out", str(out), "--",
                 "--mit-examples=1", "--mit-cache=none", "-k", "test_canary"])
    results = json.loads((out / "mit-results.json").read_text(encoding="utf-8"))
    assert code == 0
    assert results["series"]["steps"] == [10, 100]
    assert results["series"]["models"] == [f"hf-causal:{tmp_path / 'run' / f'checkpoint-{s}'}" for s in (10, 100)]
    assert set(results["models"]) == set(results["series"]["models"])
    assert (out / "mit-report.html").stat().st_size > 0


def test_series_figure_draws_each_gate_against_step():
    from reports.figures import series_canary, series_figure
    from reports.series import series_html, series_png, series_points
    models = {"hf-causal:run/checkpoint-1": {"properties": {
        "canary": {"verdict": "fail", "estimate": 2.05, "ci": [2.04, 2.06], "details": {"max_nll": 1.381}},
        "motif": {"verdict": "error", "estimate": None, "ci": None}}}}
    for step, share in ((10, 0.45), (100, 0.62), (1000, 0.81)):
        properties = {gate: {"verdict": "pass" if share > 0.6 else "fail", "estimate": share,
                             "ci": [share - 0.1, share + 0.1]} for gate in ("motif", "spacing")}
        properties["canary"] = {"verdict": "pass", "estimate": 1.4 - share / 10, "ci": [1.3, 1.39],
                                "details": {"max_nll": 1.381}}
        models[f"hf-causal:run/checkpoint-{step}"] = {"properties": properties}
    results = {"models": models, "series": {"pattern": "run/checkpoint-*", "steps": [1, 10, 100, 1000],
                                            "models": list(models)}}
    points = series_points(results)
    assert list(points) == ["motif", "spacing"]
    assert points["motif"]["step"].tolist() == [10, 100, 1000]
    assert points["motif"]["passed"].tolist() == [False, True, True]
    canary = series_canary(results)
    assert canary["refused"] == [1] and canary["max_nll"] == 1.381
    assert canary["step"].tolist() == [1, 10, 100, 1000] and canary["passed"].tolist() == [False, True, True, True]
    figure = series_figure(results)
    assert [ax.get_title() for ax in figure.axes] == ["motif", "spacing", "canary: held-out NLL"]
    assert all(ax.get_xlim()[0] < 1 for ax in figure.axes), "the refused step 1 is on every panel's axis"
    assert "canary refused" in [t.get_text() for t in figure.axes[-1].get_legend().get_texts()]
    png = series_png(results)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'id="mit-fig-series"' in series_html(results, png, "mit-series.png")
    results["series"]["models"] = ["hf-causal:elsewhere"] * 3
    assert series_png(results) is None


def test_data_dir_is_shared_with_the_sequential_run():
    # The fan-out's children inherit MIT_DATA_DIR; without it they would skip what the sequential run measured.
    assert os.environ.get("MIT_DATA_DIR") is None or DATA.exists()
