"""What MIT shows besides the report: a run that runs nothing leaves the last report alone, pytest's marker list,
``--help`` texts without reStructuredText markup, and JUnit properties a CI tool can parse."""

from __future__ import annotations

import json
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from tests.conftest import ROOT, run_mit
from tests.test_docs import mit_options


@pytest.mark.e2e
@pytest.mark.parametrize("selection, code", [(("--collect-only",), 0), (("-k", "no_test_is_named_this"), 5)])
def test_a_run_that_runs_no_test_leaves_the_last_report_alone(tmp_path, selection, code):
    out = tmp_path / "out"
    out.mkdir()
    last = {"mit-report.html": "<html>the last run's report</html>", "mit-results.json": '{"models": {}}'}
    for name, text in last.items():
        (out / name).write_text(text, encoding="utf-8")
    run = run_mit(out, "--model=rpa-pwm", *selection, env={"MIT_OFFLINE": "1"})
    assert run.returncode == code, run.log
    assert {name: (out / name).read_text(encoding="utf-8") for name in last} == last, run.log
    assert "Generated html report" not in run.proc.stdout


@pytest.mark.e2e
def test_mit_property_is_listed_once_among_the_markers():
    proc = subprocess.run([sys.executable, "-m", "pytest", "--markers", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("@pytest.mark.mit_property(") == 1, proc.stdout


def test_mits_pytest_options_help_is_plain_text():
    helps = mit_options()
    assert len(helps) > 10
    assert [f"{name}: {text}" for name, text in helps.items() if "`" in text] == []


@pytest.mark.parametrize("main", ["fixtures.__main__", "scorers.__main__", "scorers.glm.tie_head"])
def test_the_command_line_mains_help_is_plain_text(main, capsys):
    import importlib
    with pytest.raises(SystemExit) as exited:
        importlib.import_module(main).main(["--help"])
    shown = capsys.readouterr().out
    assert exited.value.code == 0 and "usage:" in shown
    assert "`" not in shown and ":mod:" not in shown, shown


def test_plain_drops_roles_and_literal_markup():
    from fixtures.help_text import plain
    assert plain("``python -m x`` writes :mod:`fixtures.fasta` via :func:`~a.b.c` and `y`") == \
        "python -m x writes fixtures.fasta via c and y"


@pytest.mark.e2e
def test_junit_properties_are_plain_values_or_json(demonstrators):
    junit = ElementTree.parse(demonstrators.out / "junit.xml")
    properties = [(p.get("name"), p.get("value")) for p in junit.iter("property")]
    structured = [(name, value) for name, value in properties if name in ("mit_meta", "mit_result")]
    assert structured, "the demonstrators' JUnit file has MIT's properties"
    for name, value in structured:
        parsed = json.loads(value)           # a Python repr ({'model': ...}) does not parse
        assert isinstance(parsed, dict) and parsed["model"] in ("rpa-pwm", "at-content", "random"), (name, value)
    models = [value for name, value in properties if name == "mit_model"]
    assert models and all(value in ("rpa-pwm", "at-content", "random") for value in models)
