"""Helpers shared by the suite's own tests: one way to run MIT as a user does, and one demonstrator run.

``run_mit`` runs ``python -m pytest mit_tests ...`` in a subprocess from the checkout, exactly as README says,
and reads back what it wrote. ``demonstrators`` is the one run of the three built-in demonstrators
(``rpa-pwm``, ``at-content``, ``random``) that the run, report and browser tests all read; under pytest-xdist the
workers share it through a lock file, so it runs once per session.

Tests that run MIT end to end are marked ``e2e``: ``pytest tests -m "not e2e"`` is the fast inner loop.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

# Each xdist worker is one process on its own core: torch's default of one thread per core would make the
# workers' threads fight over the cores (measured: the inner loop takes 1.6× as long). Set before any import
# of torch; subprocesses the tests start inherit it.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MIT_DATA_DIR") or ROOT.parent / "shared" / "data").resolve()
DEMONSTRATORS = ("rpa-pwm", "at-content", "random")


@dataclass
class MitRun:
    """One finished run: its ``--mit-report`` folder and the completed process."""

    out: Path
    proc: subprocess.CompletedProcess

    @property
    def returncode(self) -> int:
        return self.proc.returncode

    @property
    def log(self) -> str:
        """The tail of what the run printed, for assertion messages."""
        return self.proc.stdout[-6000:] + self.proc.stderr[-3000:]

    @cached_property
    def results(self) -> dict | None:
        """``mit-results.json``, or None when the run wrote none."""
        path = self.out / "mit-results.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    @cached_property
    def html(self) -> str:
        path = self.out / "mit-report.html"
        assert path.exists(), f"no mit-report.html written:\n{self.log}"
        return path.read_text(encoding="utf-8")

    def properties(self, spec: str) -> dict:
        """``{property: record}`` of one model in ``mit-results.json``."""
        assert self.results is not None, f"no mit-results.json written:\n{self.log}"
        return self.results["models"][spec]["properties"]


def run_mit(out: Path, *args: str, cache: str | Path = "none", timeout: int = 900,
            env: dict | None = None) -> MitRun:
    """``python -m pytest mit_tests --mit-report=out --mit-cache=cache *args`` from the checkout."""
    command = [sys.executable, "-m", "pytest", "mit_tests", "-q", "-p", "no:cacheprovider", f"--mit-report={out}",
               f"--mit-cache={cache}", *args]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    return MitRun(Path(out), proc)


@pytest.fixture(scope="session")
def demonstrators(tmp_path_factory) -> MitRun:
    """One run of ``rpa-pwm``, ``at-content`` and ``random`` with ``--junitxml``, shared by every test (and every
    xdist worker) that reads it."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else \
        tmp_path_factory.getbasetemp()
    out = shared / "mit-demonstrators"
    with open(shared / "mit-demonstrators.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # the first worker runs it; the others wait and read it
        done = out / "returncode"
        if not done.exists():
            run = run_mit(out, *(f"--model={m}" for m in DEMONSTRATORS), "--mit-examples=1",
                          f"--junitxml={out / 'junit.xml'}")
            (out / "stdout.txt").write_text(run.proc.stdout, encoding="utf-8")
            (out / "stderr.txt").write_text(run.proc.stderr, encoding="utf-8")
            done.write_text(str(run.returncode))
    proc = subprocess.CompletedProcess([], int(done.read_text()), (out / "stdout.txt").read_text(encoding="utf-8"),
                                       (out / "stderr.txt").read_text(encoding="utf-8"))
    return MitRun(out, proc)
