"""Nothing silent (issue 22): the report folder. Results are written first and atomically, a file that cannot be
written is named and costs only itself, and clean-up deletes only figures a previous report listed as its own."""

from __future__ import annotations

import copy
import json

import pytest

from reports.plugin import MANIFEST, REPORT_JSON, write_report_files
from tests.conftest import run_mit


@pytest.fixture
def results(demonstrators) -> dict:
    assert demonstrators.results is not None, demonstrators.log
    return copy.deepcopy(demonstrators.results)


@pytest.mark.e2e
def test_a_folder_in_the_way_of_a_figure_costs_that_figure_only(tmp_path):
    """Loud case: a folder named ``mit-spacing.png`` lost every result (traceback, no JSON, no HTML, exit 1)."""
    out = tmp_path / "out"
    (out / "mit-spacing.png").mkdir(parents=True)
    (out / "mit-holiday.png").write_bytes(b"a user's photo")
    run = run_mit(out, "--model=rpa-pwm", "-k", "spacing")
    assert run.returncode == 0, run.log
    assert run.results["models"]["rpa-pwm"]["properties"]["spacing"]["verdict"] == "pass"
    assert "mit-spacing.png" in run.results["not_written"], run.results.get("not_written")
    assert "mit-spacing.png was NOT written" in run.proc.stdout, run.log
    assert (out / "mit-report.html").stat().st_size > 0
    assert (out / "mit-holiday.png").read_bytes() == b"a user's photo"


def test_results_that_cannot_be_written_are_said_and_the_figures_still_written(tmp_path, results):
    """Loud case: an existing ``mit-results.json`` that cannot be replaced (here a folder of that name) lost the
    figures too, and nothing said the old JSON was stale."""
    out = tmp_path / "out"
    (out / REPORT_JSON).mkdir(parents=True)
    with pytest.warns(UserWarning, match="mit-results.json could not be written"):
        figures, _, png_names, problems = write_report_files(results, out)
    assert set(problems) == {REPORT_JSON}
    assert png_names and all((out / name).is_file() for name in png_names.values())


def test_clean_up_deletes_only_figures_the_last_report_listed(tmp_path, results):
    """Silent case 6: the stale-figure clean-up deleted every ``mit-*.png``, a user's ``mit-holiday.png`` too."""
    out = tmp_path / "out"
    out.mkdir()
    user_files = {"mit-holiday.png": b"photo", "mit-spacing-notes.png": b"notes", "mit-x.txt": b"text"}
    for name, data in user_files.items():
        (out / name).write_bytes(data)
    (out / "mit-stale.png").write_bytes(b"an old figure")
    outside = tmp_path / "mit-outside.png"
    outside.write_bytes(b"outside")
    (out / MANIFEST).write_text(json.dumps({"figures": ["mit-stale.png", "../mit-outside.png", "mit-folder.png"]}))
    (out / "mit-folder.png").mkdir()
    _, _, png_names, problems = write_report_files(results, out)
    assert problems == {}
    assert not (out / "mit-stale.png").exists(), "a figure the last report wrote and this one does not is stale"
    assert all((out / name).read_bytes() == data for name, data in user_files.items())
    assert outside.read_bytes() == b"outside" and (out / "mit-folder.png").is_dir()
    assert json.loads((out / MANIFEST).read_text())["figures"] == sorted(png_names.values())
    assert json.loads((out / REPORT_JSON).read_text())["figures"]["files"] == png_names


def test_the_results_are_written_whole_before_any_figure(tmp_path, results, monkeypatch):
    """A figure that fails to be written leaves a complete JSON that says which file is missing."""
    import reports.plugin as plugin
    order = []
    original = plugin._write_atomically

    def recording(path, write, problems):
        order.append(path.name)
        if path.name.endswith(".png"):
            problems[path.name] = "OSError: disk full"
            return False
        return original(path, write, problems)

    monkeypatch.setattr(plugin, "_write_atomically", recording)
    with pytest.warns(UserWarning, match="disk full"):
        _, _, png_names, problems = write_report_files(results, tmp_path)
    assert order[0] == REPORT_JSON and set(problems) == set(png_names.values())
    written = json.loads((tmp_path / REPORT_JSON).read_text())
    assert written["not_written"] == problems and written["figures"]["files"] == {}
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"
