"""MIT's options work in both forms users type, ``--mit-report DIR`` and ``--mit-report=DIR``, even when DIR is an
existing folder (pytest would otherwise take it for a test path while choosing its rootdir: "unrecognized
arguments"). ``pip install -e .`` registers ``mit_plugins`` as a pytest11 entry point, which makes that work."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.e2e


def run_pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_the_entry_point_is_installed():
    found = [ep for ep in metadata.entry_points(group="pytest11") if ep.value == "mit_plugins"]
    assert found, "pip install -e . registers mit_plugins as a pytest11 entry point"


@pytest.mark.parametrize("form", ["space", "equals"])
def test_report_folder_and_data_dir_in_either_form(tmp_path, form):
    report = tmp_path / "existing report folder"
    report.mkdir()                      # an existing folder is what pytest mistook for a test path
    options = {"--mit-report": str(report), "--mit-data-dir": str(DATA), "--mit-cache": "none"}
    words = [w for name, value in options.items()
             for w in ([name, value] if form == "space" else [f"{name}={value}"])]
    proc = run_pytest("--model=rpa-pwm", *words, "-k", "compensation and not robustness")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (report / "mit-report.html").exists() and (report / "mit-results.json").exists()
    assert "1 passed" in proc.stdout and "tests/" not in proc.stdout, "collected MIT's own tests, not mit_tests"
