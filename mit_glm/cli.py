"""The ``mit`` command: MIT's conformance run from any directory, installed or in the checkout.

``mit ARGS`` is ``pytest ARGS`` on MIT's own tests, with MIT's four plugins registered by ``-p`` before pytest
reads the command line (so ``--mit-report DIR`` works as well as ``--mit-report=DIR``, even when DIR exists),
MIT's pytest configuration given by ``-c`` (so no ``pytest.ini`` or ``pyproject.toml`` of the directory it runs
in is read), and pytest's cache in the working directory. The report goes to ``reports/out`` under the working
directory unless ``--mit-report`` says otherwise. Nothing here touches pytest's internals, and nothing is
registered with pytest for other projects' runs.

pytest names each test file (progress lines, failure summaries) relative to the directory ``pytest.main`` is called
from. ``mit`` calls it from the suite's root, so an installed MIT says ``mit_tests/test_motif.py`` as a checkout
run does, not its path from the working directory into site-packages. It goes back to the working directory
before pytest reads the command line (``pytest_cmdline_parse``, the hook pytest documents for plugins given to
``pytest.main``) and again when pytest returns to its start directory to finish the session, so paths in the
arguments (``--mit-report``, ``--model`` folders, ``--junitxml``, …) are read from where ``mit`` was run. (A
positional path is read from the suite's root; ``mit`` always collects all of ``mit_tests``: select with ``-k``.)
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

PLUGINS = ("fixtures.plugin", "scorers.plugin", "mit_tests.plugin", "reports.plugin")   # as conftest.py lists


def suite_root() -> Path:
    """The folder that holds ``fixtures``, ``scorers``, ``mit_tests`` and ``reports``: ``site-packages/mit_glm``
    for a wheel, the checkout for an editable install or a run from the checkout."""
    spec = importlib.util.find_spec("mit_glm.mit_tests")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).resolve().parent
    return Path(__file__).resolve().parent.parent            # the checkout, mit_glm/ beside mit_tests/


def pytest_args(argv: list[str], root: Path, cwd: Path) -> list[str]:
    ini = root / "pytest.ini" if (root / "pytest.ini").is_file() else root / "pyproject.toml"
    plugins = [word for name in PLUGINS for word in ("-p", name)]
    return [*plugins, "-c", str(ini), "--rootdir", str(root), "-o", f"cache_dir={cwd / '.pytest_cache'}",
            *argv, str(root / "mit_tests")]


class BackToWorkingDirectory:
    """Given to ``pytest.main``: returns to ``directory`` before pytest parses the command line, and again when
    pytest, before ``pytest_sessionfinish``, goes back to the directory it started in (the report is written then,
    to a ``--mit-report`` path read from ``directory``)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def pytest_cmdline_parse(self, pluginmanager, args) -> None:
        os.chdir(self.directory)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session) -> None:
        os.chdir(self.directory)


def main(argv: list[str] | None = None) -> int:
    root = suite_root()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    cwd = Path(os.getcwd())
    args = pytest_args(list(sys.argv[1:] if argv is None else argv), root, cwd)
    os.chdir(root)                      # pytest's start directory: test files are named relative to it
    try:
        return int(pytest.main(args, plugins=[BackToWorkingDirectory(cwd)]))
    finally:
        os.chdir(cwd)
