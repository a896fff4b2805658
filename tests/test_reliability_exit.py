"""Nothing silent (issue 22): usage errors exit 4 naming the option; a run says what its time limit is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_mit


class NameIsNotAString:
    name, kind = 3, "score"

    def score(self, sequences):
        return [0.0] * len(sequences)


name_is_not_a_string = NameIsNotAString()


@pytest.mark.e2e
@pytest.mark.parametrize("args, named", [
    (["--mit-seed=-1"], "--mit-seed"),
    (["--model=os:getcwd"], "os:getcwd"),
    (["--model=tests.test_reliability_exit:name_is_not_a_string"], "its name is 3 (int), not a str"),
    (["--mit-xfails=XFAILS"], "--mit-xfails"),
], ids=["negative-seed", "factory-returns-str", "name-not-str", "xfails-not-utf8"])
def test_usage_errors_exit_4_naming_the_option(tmp_path, args, named):
    """Each of these exited 2 or 3 (a model that measured nothing, or an internal error)."""
    xfails = tmp_path / "xfails.txt"
    xfails.write_bytes(b"test_motif\n\xff\xfe not utf-8\n")
    args = [a.replace("XFAILS", str(xfails)) for a in args]
    run = run_mit(tmp_path / "out", *args, "-k", "motif")
    assert run.returncode == 4, run.log
    assert named in run.proc.stdout + run.proc.stderr, run.log


def test_the_run_header_says_the_time_limit_and_what_no_limit_means(pytestconfig):
    from scorers.plugin import timeout_line
    assert re.search(r"no --mit-timeout: a scorer that hangs blocks the run", timeout_line(None))
    assert "600 s per model" in timeout_line(600.0)


def test_the_documented_ci_recipe_sets_a_timeout():
    """A hanging scorer blocks forever by default; the CI recipe MIT documents must not."""
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    recipe = page.split("<!-- ci-recipe -->")[1].split("```")[1]
    assert "--model=" in recipe and re.search(r"--mit-timeout[= ]\d+", recipe), recipe
    assert Path(ROOT / ".ci" / "run").read_text().count("--mit-timeout") >= 1
