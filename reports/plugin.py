"""pytest hooks that turn test reports into the HTML report, the terminal matrix and mit-results.json."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from reports.matrix import html_matrix, run_facts_html, text_matrix
from reports.results import ResultCollector, write_json

REPORT_HTML = "mit-report.html"
REPORT_JSON = "mit-results.json"
_COLLECTOR = pytest.StashKey[ResultCollector]()
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.getgroup("mit").addoption("--mit-report", default=os.path.join("reports", "out"), metavar="DIR",
                                     help="where mit-report.html and mit-results.json go (default reports/out)")


def _is_mit_run(config) -> bool:
    """Conformance runs get an HTML report; a run of only the suite's own tests (``pytest tests``) does not."""
    return not config.args or not all(Path(str(a).split("::")[0]).parts[:1] == ("tests",) for a in config.args)


def pytest_configure(config):
    config.stash[_COLLECTOR] = ResultCollector()
    config.pluginmanager.register(_Collecting(config.stash[_COLLECTOR]), "mit-result-collector")
    if not _is_mit_run(config) or hasattr(config, "workerinput"):
        return
    out = Path(config.getoption("--mit-report"))
    out.mkdir(parents=True, exist_ok=True)
    if getattr(config.option, "htmlpath", None) is None and config.pluginmanager.hasplugin("html"):
        config.option.htmlpath = str(out / REPORT_HTML)
        config.option.self_contained_html = True


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
    config.stash[_RESULTS] = results
    out = Path(config.getoption("--mit-report"))
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / REPORT_JSON)


def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(_RESULTS, None)
    if results:
        terminalreporter.write_sep("=", "MIT: model × property")
        terminalreporter.write_line(text_matrix(results))
        terminalreporter.write_line(f"results: {Path(config.getoption('--mit-report')) / REPORT_JSON}")


def pytest_html_report_title(report):
    report.title = "MIT — Mechanistic Invariance Test"


def pytest_html_results_summary(prefix, summary, postfix, session):
    results = session.config.stash.get(_RESULTS, None)
    if results:
        prefix.extend(["<h2>Model × property</h2>", html_matrix(results), run_facts_html(results)])


def pytest_html_results_table_header(cells):
    cells.insert(2, "<th>Estimate [95% CI]</th>")
    cells.insert(3, "<th>p</th>")
    cells.insert(4, "<th>n (ties)</th>")
    cells.insert(5, "<th>What the model got wrong</th>")


def pytest_html_results_table_row(report, cells):
    measured = next((v for k, v in getattr(report, "user_properties", ()) if k == "mit_result"), None) or {}
    estimate, ci = measured.get("estimate"), measured.get("ci") or [None, None]
    fmt = (lambda x: "–" if x is None else f"{x:.3f}")
    cells.insert(2, f"<td>{fmt(estimate)} [{fmt(ci[0])}, {fmt(ci[1])}]</td>" if measured else "<td></td>")
    cells.insert(3, f"<td>{'–' if measured.get('p') is None else format(measured['p'], '.3g')}</td>")
    cells.insert(4, f"<td>{measured.get('n', '')} ({measured.get('ties', '')})</td>" if measured else "<td></td>")
    cells.insert(5, f"<td>{html.escape(measured.get('failure') or '')}</td>")
