"""MIT's options in the forms users type. ``mit`` (``python -m mit_glm``) takes both ``--mit-report DIR`` and
``--mit-report=DIR`` even when DIR is an existing folder: it registers MIT's plugins with ``-p`` and names its
configuration with ``-c``, so pytest never takes DIR for a test path. ``pytest`` in the checkout learns MIT's options
from conftest.py only after it has read the command line, so there the documented form is ``--option=VALUE``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.e2e


COMMANDS = {"pytest in the checkout": [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
            "mit": [sys.executable, "-m", "mit_glm"]}


def run(command: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMANDS[command], "-q", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_no_pytest11_entry_point_is_declared():
    """An entry point would load MIT into every pytest run of the environment it is installed in."""
    tomllib = pytest.importorskip("tomllib")        # Python ≥ 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "pytest11" not in project.get("entry-points", {}) and project["scripts"]["mit"] == "mit_glm.cli:main"


@pytest.mark.parametrize("command, form", [("mit", "space"), ("mit", "equals"), ("pytest in the checkout", "equals")])
def test_report_folder_and_data_dir(tmp_path, command, form):
    report = tmp_path / "existing report folder"
    report.mkdir()                      # an existing folder is what pytest mistook for a test path
    options = {"--mit-report": str(report), "--mit-data-dir": str(DATA), "--mit-cache": "none"}
    words = [w for name, value in options.items()
             for w in ([name, value] if form == "space" else [f"{name}={value}"])]
    proc = run(command, "--model=rpa-pwm", *words, "-k", "compensation and not robustness")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (report / "mit-report.html").exists() and (report / "mit-results.json").exists()
    assert "1 passed" in proc.stdout and "tests/" not in proc.stdout, "collected MIT's own tests, not mit_tests"
