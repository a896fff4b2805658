"""One model's whole MIT run, in a child process, written into its folder whole or not at all.

A replayed score file cannot answer the robustness tests (hypothesis draws its designs during the run), so a
fan-out task runs every test of its model, exactly as ``pytest --model=SPEC`` would, and returns that model's
``mit-results.json``; the driver only merges. A model's records do not depend on which other models share its
run, so the merge equals one sequential run of every model (``tests/test_fanout.py`` checks it).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

RESULTS = "mit-results.json"
# ScoringProgress's lines: "mit: NAME: 1,200/4,356 sequences scored (...)" and "... N sequences scored in ...".
_SCORING = re.compile(r"^mit: .*?: ([\d,]+)/([\d,]+) sequences scored")
_SCORED = re.compile(r"^mit: .*?: ([\d,]+) sequences scored in ")
_CACHED = re.compile(r"^mit: .*?: all ([\d,]+) sequences from the score cache")


def model_folder_name(spec: str) -> str:
    """A file name that stands for ``spec``: readable, and unique through a short hash of the whole spec."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", spec).strip("_")[-60:] or "model"
    return f"{readable}-{hashlib.sha256(spec.encode()).hexdigest()[:8]}"


def _die_with_parent() -> None:
    """In the child: be killed when the task's worker dies, so a retried task never races an orphaned run."""
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:           # not Linux: an orphan finishes on its own and its attempt folder is discarded
        pass


def mit_command(spec: str, report_dir: Path, pytest_args: list[str]) -> list[str]:
    """``mit --model=SPEC --mit-report=DIR -q ...`` (as ``python -m mit_glm``): the run a user would type."""
    return [sys.executable, "-m", "mit_glm", f"--model={spec}", f"--mit-report={report_dir}", "-q",
            "-p", "no:cacheprovider", *pytest_args]


@dataclass
class ModelRun:
    spec: str
    returncode: int
    folder: str            # where its mit-report.html, mit-results.json and log are
    results: dict | None   # its mit-results.json, None when the run wrote none
    log_tail: str


def run_one_model(spec: str, out: Path, pytest_args: list[str], cwd: str,
                  on_line: Callable[[str, int, int], None] | None = None) -> ModelRun:
    """Run MIT on ``spec`` into ``out/<model_folder_name(spec)>``; report progress through ``on_line(state,
    done, total)`` with state "loading" or "scoring".

    The run writes into a fresh attempt folder beside its final place, which replaces the final folder only
    when the run has written its results: a killed attempt leaves nothing a reader could take for a result.
    """
    final = out / model_folder_name(spec)
    attempt = out / f".{final.name}.attempt-{uuid.uuid4().hex[:8]}"
    attempt.mkdir(parents=True)
    log_path = attempt / "mit-run.log"
    tail: list[str] = []
    if on_line:
        on_line("loading", 0, 0)
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(mit_command(spec, attempt, pytest_args), cwd=cwd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, bufsize=1, preexec_fn=_die_with_parent,
                                 env={**os.environ, "PYTHONUNBUFFERED": "1"})
        for line in child.stdout:
            log.write(line)
            tail = (tail + [line.rstrip("\n")])[-40:]
            if on_line is None:
                continue
            found = _SCORING.match(line)
            if found:
                on_line("scoring", *(int(g.replace(",", "")) for g in found.groups()))
            elif (found := _SCORED.match(line)) or (found := _CACHED.match(line)):
                n = int(found.group(1).replace(",", ""))
                on_line("scoring", n, n)
        returncode = child.wait()
    results_path = attempt / RESULTS
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else None
    if results is not None:
        if final.exists():
            shutil.rmtree(final)
        os.replace(attempt, final)
        where = final
    else:
        where = attempt
    return ModelRun(spec, returncode, str(where), results, "\n".join(tail))
