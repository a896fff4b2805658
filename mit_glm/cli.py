"""The ``mit`` command: MIT's conformance run from any directory, installed or in the checkout.

``mit ARGS`` is ``pytest ARGS`` on MIT's own tests, with MIT's four plugins registered by ``-p`` before pytest
reads the command line (so ``--mit-report DIR`` works as well as ``--mit-report=DIR``, even when DIR exists),
MIT's pytest configuration given by ``-c`` (so no ``pytest.ini`` or ``pyproject.toml`` of the directory it runs
in is read), and pytest's cache in the working directory. The report goes to ``reports/out`` under the working
directory unless ``--mit-report`` says otherwise. Nothing here touches pytest's internals, and nothing is
registered with pytest for other projects' runs.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    import pytest

    root = suite_root()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return int(pytest.main(pytest_args(list(sys.argv[1:] if argv is None else argv), root, Path(os.getcwd()))))
