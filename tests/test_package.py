"""MIT as a package: a wheel installed (not editable) into a fresh virtual environment runs MIT from an empty
directory with the documented command, ``mit``, in both option forms, and another project's pytest run in that
environment sees nothing of MIT (no pytest11 entry point, no option, no top-level ``fixtures`` module).

The fresh environment gets MIT's dependencies without reinstalling them: a ``.pth`` line puts a folder of links to
this interpreter's site-packages on its path, leaving out any MIT install there (an editable one would hide what
the wheel lacks). A line of a ``.pth`` file adds a folder without running the ``.pth`` files inside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".mit_cache", "site",
                                    "out", "_models", ".pytest_cache", ".hypothesis", ".tox")


PACKAGED = ("fixtures", "scorers", "mit_tests", "reports", "fanout")     # installed as mit_glm/<name>


def _run(*args, cwd, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _setuptools_builds_mit() -> bool:
    """pyproject's build-system asks for setuptools ≥ 77 (an SPDX licence expression)."""
    from importlib import metadata
    try:
        return int(metadata.version("setuptools").split(".")[0]) >= 77
    except metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    """A new virtual environment with MIT's wheel installed in it; yields its bin folder."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)          # build from a copy: no stale build/ of the checkout
    # without build isolation when this environment's setuptools can build MIT (no download), else pip fetches it
    isolation = ["--no-build-isolation"] if _setuptools_builds_mit() else []
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", base / "wheel", source,
                 cwd=base)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((base / "wheel").glob("mit_glm-*.whl"))

    venv = base / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    deps = base / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("mit_glm", "__editable__.mit_glm", "__editable___mit_glm", "mit_plugins")):
            (deps / entry.name).symlink_to(entry)
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base)
    Path(purelib.stdout.strip(), "mit-test-deps.pth").write_text(f"{deps}\n")
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel, cwd=base)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin", wheel


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return {**env, "MIT_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def test_the_wheel_holds_the_suite_under_one_namespace(fresh_env):
    import zipfile
    _, wheel = fresh_env
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"mit_glm", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}, top
    for layer in ("fixtures", "scorers", "scorers/glm", "scorers/reference", "mit_tests", "reports"):
        expected = {p.name for p in (ROOT / layer).glob("*.py")}
        packaged = {n.rsplit("/", 1)[1] for n in names if n.rsplit("/", 1)[0] == f"mit_glm/{layer}"}
        assert expected <= packaged, f"{layer}: {sorted(expected - packaged)} missing from the wheel"
    tracked = _run("git", "ls-files", *PACKAGED, cwd=ROOT)          # what the checkout ships, not local leftovers
    assert tracked.returncode == 0, tracked.stderr
    data = {f"mit_glm/{path}" for path in tracked.stdout.split() if not path.endswith(".py")}
    assert data, "the product packages read data files (fitted_sigma70.json at least)"
    assert data <= set(names), f"data files missing from the wheel: {sorted(data - set(names))}"
    assert any(n.endswith("licenses/LICENSE") for n in names)


@pytest.mark.parametrize("form", ["space", "equals"])
def test_mit_runs_from_an_empty_directory(fresh_env, tmp_path, form):
    bin_dir, _ = fresh_env
    work = tmp_path / "empty"
    work.mkdir()
    report = tmp_path / "existing report folder"      # an existing folder: what pytest mistakes for a test path
    report.mkdir()
    # a relative path is read from where mit runs, though pytest starts in the suite's root (mit_glm/cli.py)
    options = {"--mit-report": os.path.relpath(report, work) if form == "space" else report, "--mit-cache": "none",
               "--mit-seed": "42"}
    words = [w for name, value in options.items()
             for w in ([name, value] if form == "space" else [f"{name}={value}"])]
    quiet = ["-q"] if form == "equals" else []          # without -q, pytest names each test file it runs
    proc = _run(bin_dir / "mit", "--model=rpa-pwm", *words, "-k", "compensation and not robustness", *quiet,
                cwd=work, env=_env())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
    if not quiet:                   # as a checkout run names them, not by their path from here into site-packages
        assert re.findall(r"^(\S+\.py) ", proc.stdout, re.M) == ["mit_tests/test_compensation.py"], proc.stdout
    results = json.loads((report / "mit-results.json").read_text())
    from mit_glm import __version__
    assert results["mit_version"] == __version__ and results["versions"]["mit-glm"] == __version__
    assert results["models"]["rpa-pwm"]["properties"]["compensation"]["verdict"] == "pass"
    assert sorted(p.name for p in work.iterdir()) == [".pytest_cache"], "the run wrote only pytest's cache here"


def test_another_project_sees_no_mit_option(fresh_env, tmp_path):
    bin_dir, _ = fresh_env
    project = tmp_path / "other"
    project.mkdir()
    (project / "test_other.py").write_text(
        "def test_no_mit_option(pytestconfig):\n"
        "    assert pytestconfig.getoption('--mit-seed', default=None) is None\n")
    python = bin_dir / "python"
    run = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project, env=_env())
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
    help_text = _run(python, "-m", "pytest", "--help", "-p", "no:cacheprovider", cwd=project, env=_env()).stdout
    assert "--mit-" not in help_text and "--model" not in help_text
    refused = _run(python, "-m", "pytest", "-q", "--mit-seed=1", "-p", "no:cacheprovider", cwd=project, env=_env())
    assert refused.returncode == 4 and "unrecognized arguments: --mit-seed" in refused.stderr
    generic = _run(python, "-c", "import fixtures", cwd=project, env=_env())
    assert "No module named 'fixtures'" in generic.stderr, "a generic top-level name landed in site-packages"
