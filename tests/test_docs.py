"""README.md is the front page and docs/ the documentation site: what they show must still hold.

Checked cheaply, without running anything: the front page stays a front page (≤ 300 lines), every page the
site's navigation names exists, every ``--model`` name and every MIT option the text uses is one MIT accepts, and
the stale statements issue 23 found do not come back. ``mkdocs build --strict`` (``.ci/run``) checks the links
and anchors; the numbers of the tables are pinned by the tests that measure them (test_grounding.py,
test_paper_golden.py, test_cheats.py, …).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from scorers.registry import UnknownModelError, check_spec

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
TEXTS = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in [README, *PAGES]}
PLUGINS = ("fixtures.plugin", "scorers.plugin", "mit_tests.plugin", "reports.plugin")

# Forms that need something absent here (a user's package, a checkpoint folder, a score file): their syntax is
# checked by tests/test_cli_scorers.py, not their existence.
PLACEHOLDER = re.compile(r"^(hf-causal:|hf-mlm:|scores:|my_pkg\.|SPEC|MODEL|ALIAS:|package\.module|[a-z0-9-]+:[./~])")


def mit_options() -> dict[str, str]:
    """``{option name: help}`` of every option MIT's plugins add, read by handing each plugin a recorder for a
    parser."""
    options: dict[str, str] = {}

    class Recorder:
        def getgroup(self, *args, **kwargs):
            return self

        def addoption(self, *opts, **kwargs):
            options.update(dict.fromkeys(opts, kwargs.get("help", "")))

        def addini(self, *args, **kwargs):
            pass

    for module in PLUGINS:
        hook = getattr(importlib.import_module(module), "pytest_addoption", None)
        if hook is not None:
            hook(Recorder())
    return options


def test_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"README.md has {lines} lines; move detail to a page under docs/"
    for must in ("git clone", "pytest --model=rpa-pwm", "pytest tests", "## Exit codes", "xfails", "docs/"):
        assert must in TEXTS["README.md"], must


def test_every_page_in_the_navigation_exists():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    named = re.findall(r"^\s*-\s[^#\n]*?:\s*([\w./-]+\.md)\s*$", nav, flags=re.M)
    assert "design.md" in named and "index.md" in named
    # pages docs/_hooks/readme_home.py makes from files at the repository root
    generated = {"index.md": "README.md", "changelog.md": "CHANGELOG.md", "license.md": "LICENSE"}
    missing = [page for page in named if not (ROOT / "docs" / page).is_file()
               and not (page in generated and (ROOT / generated[page]).is_file())]
    assert not missing, f"mkdocs.yml names pages that do not exist: {missing}"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_model_name_shown_is_accepted(name):
    specs = set()
    for match in re.finditer(r"--model[= ]([^\s`|)\"']+)", TEXTS[name]):
        specs.update(part for part in match.group(1).split(",") if part)
    bad = []
    for spec in sorted(specs):
        if PLACEHOLDER.match(spec) or "…" in spec or spec in ("list", "paper"):
            continue
        try:
            check_spec(spec)
        except UnknownModelError as exc:
            bad.append(f"{spec}: {str(exc).splitlines()[0]}")
    assert not bad, f"{name} shows --model names MIT does not accept: {bad}"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_mit_option_shown_exists(name):
    known = set(mit_options())
    assert "--mit-seed" in known and "--model" in known
    shown = set(re.findall(r"(--mit-[a-z-]+[a-z]|--trust-remote-code)", TEXTS[name]))
    unknown = sorted(shown - known)
    assert not unknown, f"{name} shows options MIT does not have: {unknown}"


# Statements issue 23 found stale: the sets are 150 nt (not 100), MIT passes score() a tuple, report rows use the
# --model spec, and the grounding table is not printed in the terminal.
STALE = [
    r"list of ACGT strings",
    r"used in reports",
    r"MIT windows are 100 nt",
    r"core sets keep length fixed at 100 nt",
    r"\(99 terms for 100 nt\)",
    r"printed in the\s+terminal and kept in `mit-results.json` under `grounding`",
    r"test_scramble\[my_pkg",            # a diagnostic never fails, so it is never an xfail
]


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_no_stale_statement_returns(name):
    found = [pattern for pattern in STALE if re.search(pattern, TEXTS[name])]
    assert not found, f"{name} says again what is no longer true: {found}"
