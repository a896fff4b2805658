"""Exit codes a CI gate can trust (README "Exit codes"): 0 passed, 1 a gate failed, 2 a requested model measured
nothing, 4 a usage error found before anything is scored."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest

from scorers.registry import UnknownModelError, check_spec
from tests.conftest import run_mit


@pytest.fixture
def broken_module(tmp_path, monkeypatch):
    (tmp_path / "breaks_on_import.py").write_text("raise RuntimeError('needs a licence server')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "breaks_on_import:scorer"


@pytest.mark.parametrize("spec, message", [
    ("pkg.mod:missing", "no module named 'pkg.mod'"),
    ("tests.bad_scorers:missing", "module 'tests.bad_scorers' has no attribute 'missing'"),
    ("scores:/nonexistent/scores.csv", "no such file /nonexistent/scores.csv"),
    ("hyenadna:/models/hyenadna@", "needs a hub id or a local checkpoint folder"),
    ("hf-mlm:/nonexistent/checkpoint", "no such folder: /nonexistent/checkpoint"),
    ("hf-causal:./nonexistent", "no such folder: ./nonexistent"),
    ("evo2-1b:/nonexistent/evo2.pt", "by name or from a local checkpoint file"),
])
def test_specs_that_cannot_be_resolved_are_refused_without_loading_anything(spec, message):
    with pytest.raises(UnknownModelError, match=message.replace(".", r"\.").replace("(", r"\(")):
        check_spec(spec)


def test_a_module_that_fails_to_import_is_refused_naming_its_error(broken_module):
    with pytest.raises(UnknownModelError, match="importing 'breaks_on_import' failed: RuntimeError: needs a licence"):
        check_spec(broken_module)


def test_a_malformed_score_file_is_refused(tmp_path):
    bad = tmp_path / "scores.json"
    bad.write_text('{"C_000": "high"}')
    with pytest.raises(UnknownModelError, match="is not a number"):
        check_spec(f"scores:{bad}")


def test_hub_ids_and_existing_folders_pass_the_cheap_check(tmp_path):
    for spec in ("hf-mlm:InstaDeepAI/nucleotide-transformer-500m-human-ref", f"hf-causal:{tmp_path}",
                 "dnabert2:zhihan1996/DNABERT-2-117M@main", "pa-pwm", "tests.bad_scorers:nan_scorer"):
        check_spec(spec)


@pytest.mark.e2e
@pytest.mark.parametrize("spec", ["tests.bad_scorers:missing", "hf-mlm:/nonexistent/checkpoint",
                                  "scores:/nonexistent/scores.csv", "paper"])   # paper: without --mit-set=mit-v1
def test_a_bad_model_is_a_usage_error_before_any_model_is_scored(tmp_path, spec):
    calls = tmp_path / "calls.txt"
    run = run_mit(tmp_path / "out", "--model=tests.bad_scorers:raising", f"--model={spec}",
                  env={"MIT_TEST_CALLS": str(calls)})
    assert run.returncode == 4, run.log
    assert "ERROR: " in run.proc.stderr and spec.split(":")[-1] in run.proc.stderr, run.proc.stderr
    assert not calls.exists() and run.results is None


def make_unwritable_folder(folder):
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)],
                                                            capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i: cannot make a folder unwritable here")


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["a read-only folder", "below a file"])
def test_an_unwritable_report_folder_is_a_usage_error_before_any_scoring(tmp_path, where):
    calls = tmp_path / "calls.txt"
    if where == "below a file":
        (tmp_path / "a-file").write_text("")
        report = tmp_path / "a-file" / "report"
    else:
        report = tmp_path / "locked"
        make_unwritable_folder(report)
    try:
        run = run_mit(report, "--model=tests.bad_scorers:raising", env={"MIT_TEST_CALLS": str(calls)})
    finally:
        if where != "below a file" and os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(report)], check=False)
    assert run.returncode == 4 and f"--mit-report {report}: the report cannot be written" in run.proc.stderr, \
        run.log
    assert not calls.exists(), "the model was scored before the report folder was checked"


@pytest.mark.e2e
def test_a_model_that_cannot_run_here_exits_2_with_the_reason_on_one_line(tmp_path):
    if importlib.util.find_spec("mamba_ssm") is not None:
        pytest.skip("mamba-ssm is installed here, so caduceus may run")
    run = run_mit(tmp_path / "a", "--model=caduceus")
    assert run.returncode == 2, run.log
    lines = [line for line in run.proc.stdout.splitlines() if line.startswith("MIT: caduceus measured nothing")]
    assert len(lines) == 1 and "mamba" in lines[0] and "exit code 2" in lines[0], run.log
    allowed = run_mit(tmp_path / "b", "--model=caduceus", "--mit-allow-skip")
    assert allowed.returncode == 0, allowed.log


@pytest.mark.e2e
def test_mit_v1_without_its_data_exits_2(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    run = run_mit(tmp_path / "out", "--model=pa-pwm", "--mit-set=mit-v1", f"--mit-data-dir={empty}",
                  env={"MIT_OFFLINE": "1", "HOME": str(tmp_path)})
    assert run.returncode == 2 and "MIT: pa-pwm measured nothing" in run.proc.stdout, run.log


@pytest.mark.e2e
def test_a_cache_folder_is_a_usage_error_and_stays_byte_identical(tmp_path):
    """``pytest --model=pa-pwm --mit-cache=/some/folder``, and the folder of the default cache."""
    folder = tmp_path / ".mit_cache"
    folder.mkdir()
    (folder / "scores.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(200))
    (folder / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    run = run_mit(tmp_path / "out", "--model=pa-pwm", cache=folder)
    assert run.returncode == 4 and "is a folder" in run.proc.stderr, run.log
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not list(tmp_path.glob(".mit_cache?*")), "nothing moved aside or created beside it"


@pytest.mark.e2e
def test_a_run_whose_gates_all_pass_exits_0(tmp_path):
    run = run_mit(tmp_path, "--model=rpa-pwm", "-k", "(motif or compensation) and not natural")
    assert run.returncode == 0, run.log


def test_a_model_whose_tests_all_skipped_is_told_every_reason_not_only_the_first():
    from mit_tests.plugin import _skip_reasons
    skips = {"rpa-pwm gives 'energy' values; the canary checks likelihood models only": ["test_canary"],
             "the natural set's data are missing, and MIT_OFFLINE=1 forbids downloading " + "x" * 200:
                 ["test_motif_natural"] * 5}
    line = _skip_reasons(skips, selected=True)
    assert line.startswith("skipped: each of the 6 tests -k/-m selected skipped"), line
    assert "test_canary: rpa-pwm gives 'energy'" in line and "test_motif_natural: the natural set's data" in line
    assert "x" * 150 not in line and "…" in line, "a long reason is cut (-rs prints it whole)"
    assert _skip_reasons(skips, selected=False).startswith("skipped: each of its 6 tests skipped")
