"""pytest hooks that turn test reports into the HTML report, the terminal matrix and mit-results.json."""

from __future__ import annotations

import html
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from reports.matrix import null_control_lines, text_summary
from reports.grounding import mpra_text
from reports.paper_tables import paper_tables_text
from reports.results import ResultCollector, write_json

REPORT_HTML = "mit-report.html"
REPORT_JSON = "mit-results.json"
_COLLECTOR = pytest.StashKey[ResultCollector]()
_RESULTS = pytest.StashKey[dict]()
_TOP_HTML = pytest.StashKey[str]()


def pytest_addoption(parser):
    parser.getgroup("mit").addoption("--mit-report", default=os.path.join("reports", "out"), metavar="DIR",
                                     help="where mit-report.html and mit-results.json go (default reports/out)")


def _is_mit_run(config) -> bool:
    """Conformance runs get an HTML report; a run of only the suite's own tests (``pytest tests``) does not."""
    own_tests = (config.rootpath / "tests").resolve()
    return not config.args or not all(
        Path(str(a).split("::")[0]).resolve().is_relative_to(own_tests) for a in config.args)


@pytest.hookimpl(tryfirst=True)      # before pytest-html's own configure reads the report path we set
def pytest_configure(config):
    config.stash[_COLLECTOR] = ResultCollector()
    config.pluginmanager.register(_Collecting(config.stash[_COLLECTOR]), "mit-result-collector")
    if not _is_mit_run(config) or hasattr(config, "workerinput"):
        return
    out = Path(config.getoption("--mit-report"))
    try:
        check_writable_folder(out)
    except OSError as exc:
        raise pytest.UsageError(f"--mit-report {out}: the report cannot be written there ({exc}); nothing was "
                                "scored") from None
    if getattr(config.option, "htmlpath", None) is None and config.pluginmanager.hasplugin("html"):
        config.option.htmlpath = str(out / REPORT_HTML)
        config.option.self_contained_html = True


def check_writable_folder(folder: Path) -> None:
    """OSError unless files can be created in ``folder`` (made if missing): checked before any test runs, so an
    unwritable report never costs a whole run."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".mit-write-check-"):
        pass


def pytest_runtest_setup(item):
    """Tag every report of a conformance test with its model and property (carried across xdist)."""
    marker = item.get_closest_marker("mit_property")
    callspec = getattr(item, "callspec", None)
    if marker and callspec and "mit_model" in callspec.params:
        item.user_properties.append(("mit_meta", {"model": callspec.params["mit_model"],
                                                  "property": marker.args[0]}))


class _Collecting:
    """Feeds every test report (from this process or from xdist workers) to the run's collector."""

    def __init__(self, collector: ResultCollector):
        self.collector = collector

    def pytest_runtest_logreport(self, report):
        self.collector.add(report)


def pytest_sessionfinish(session):
    config = session.config
    collector = config.stash[_COLLECTOR]
    if hasattr(config, "workerinput") or not collector.models:
        return
    results = collector.to_json(config)
    out = Path(config.getoption("--mit-report"))
    out.mkdir(parents=True, exist_ok=True)
    figures, scales, png_names = _write_figures(results, out)
    config.stash[_RESULTS] = results
    write_json(results, out / REPORT_JSON)
    from reports.page import top_of_report
    config.stash[_TOP_HTML] = top_of_report(results, figures or [], scales, png_names)


def _write_figures(results: dict, out: Path):
    """Renders the figures, writes them as PNG beside the report and records their scales in ``results``.

    Returns ``(figures, scales, {name: file name})``; figures is None when rendering failed, which costs the
    report its figures (with a warning), never the run's JSON.
    """
    from reports import figures as figs      # matplotlib is imported only here, when a report is written
    scales = figs.model_scales(results)
    results["figures"] = {"y_units": figs.Y_UNITS, "scales": scales, "files": {}}
    try:
        rendered = figs.render(results, scales)
    except Exception as exc:                 # noqa: BLE001 - a broken figure must not lose the results
        results["figures"]["error"] = f"{type(exc).__name__}: {exc}"
        warnings.warn(f"MIT report: figures not drawn: {exc}", stacklevel=1)
        return None, scales, {}
    for stale in out.glob("mit-*.png"):      # a figure this run has no data for must not survive from an old run
        stale.unlink()
    paths = figs.write_pngs(rendered, out)
    png_names = {figure.name: path.name for figure, path in zip(rendered, paths)}
    results["figures"]["files"] = png_names
    return rendered, scales, png_names


def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(_RESULTS, None)
    if results:
        # the terminal's width (COLUMNS overrides it); 120 when the output goes to a file or a pipe
        width = max(40, shutil.get_terminal_size((120, 24)).columns)
        tables = paper_tables_text(results, width)
        if tables:                      # paper mode: its tables are what the run is for
            terminalreporter.write_sep("=", "MIT: the paper's tables")
            terminalreporter.write_line(tables)
        terminalreporter.write_sep("=", "MIT: overall verdict and model × property")
        terminalreporter.write_line(text_summary(results, width=width, colour=terminalreporter.hasmarkup,
                                                 verbose=config.get_verbosity()))
        mpra = mpra_text(results, width)
        if mpra:
            terminalreporter.write_sep("-", "MIT: mpra, Spearman ρ(score, measured expression) [95% CI]")
            terminalreporter.write_line(mpra)
        for line in null_control_lines(results):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"results: {Path(config.getoption('--mit-report')) / REPORT_JSON}")


def pytest_html_report_title(report):
    report.title = "MIT — Mechanistic Invariance Test"


def pytest_html_results_summary(prefix, summary, postfix, session):
    top = session.config.stash.get(_TOP_HTML, None)
    if top:
        prefix.append(top)


STAT_COLUMNS = ("estimate", "95% CI", "p", "n", "ties", "what the model got wrong")


def _column_class(offset: int) -> str:
    # numbers stay on one line; the sentence wraps
    return "mit-col mit-col-sentence" if offset == len(STAT_COLUMNS) - 1 else "mit-col mit-col-number"


def pytest_html_results_table_header(cells):
    for offset, name in enumerate(STAT_COLUMNS):
        cells.insert(2 + offset, f'<th class="{_column_class(offset)}">{name}</th>')


def _three(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def _statistics(report) -> list[str]:
    """The cells of one test row, in STAT_COLUMNS order; empty for tests that measured nothing."""
    measured = next((v for k, v in getattr(report, "user_properties", ()) if k == "mit_result"), None) or {}
    error = next((v for k, v in getattr(report, "user_properties", ()) if k == "mit_error"), None)
    ci = measured.get("ci") or [None, None]
    sentence = measured.get("failure") or error or ""
    if not measured:
        return ["", "", "", "", "", sentence]
    p = measured.get("p")
    return [_three(measured.get("estimate")), f"[{_three(ci[0])}, {_three(ci[1])}]",
            "–" if p is None else format(p, ".3g"), str(measured.get("n", "")), str(measured.get("ties", "")),
            sentence]


def pytest_html_results_table_row(report, cells):
    for offset, value in enumerate(_statistics(report)):
        cells.insert(2 + offset, f'<td class="{_column_class(offset)}">{html.escape(value)}</td>')
