"""pytest hooks that turn test reports into the HTML report, the terminal matrix and mit-results.json."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from reports.matrix import null_control_lines, text_summary
from reports.grounding import mpra_text
from reports.paper_tables import paper_tables_text
from reports.results import ResultCollector, write_json

REPORT_HTML = "mit-report.html"
REPORT_JSON = "mit-results.json"
# The files this report wrote, so that the next run removes its stale figures and nothing else.
MANIFEST = "mit-report-manifest.json"
_FIGURE_FILE = re.compile(r"mit-[a-z0-9_]+\.png")
_NOT_WRITTEN = pytest.StashKey[dict]()
_COLLECTOR = pytest.StashKey[ResultCollector]()
_RESULTS = pytest.StashKey[dict]()
_TOP_HTML = pytest.StashKey[str]()
_OWN_HTML = pytest.StashKey[bool]()       # MIT chose the HTML report's path (the user gave no --html)


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
    global _ON_XDIST_WORKER
    # a worker of this very run (not a process that merely inherited PYTEST_XDIST_WORKER from an outer xdist run)
    _ON_XDIST_WORKER = hasattr(config, "workerinput")
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
        config.stash[_OWN_HTML] = True


def _leave_the_report_alone(config) -> None:
    """A run that runs no test (``--collect-only``, or ``-k``/``-m`` selecting nothing) must not replace the last
    run's report with an empty one, just as it writes no ``mit-results.json``: take pytest-html's report writer
    out before its session-finish hook writes the page."""
    if not config.stash.get(_OWN_HTML, False):
        return                               # a page the user asked for with --html is theirs to get
    from pytest_html.basereport import BaseReport
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, BaseReport):
            config.pluginmanager.unregister(plugin)


def pytest_collection_finish(session):
    if session.config.option.collectonly or not session.items:
        _leave_the_report_alone(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Under pytest-xdist the workers collect; a worker that selected nothing means no test runs."""
    if not ids:
        _leave_the_report_alone(node.config)


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


class JsonProperty(dict):
    """A structured user property (a test's measured record, its model and property) that stays a dict for every
    reader, and prints as JSON: pytest's JUnit XML writes ``str(value)``, which for a plain dict is a Python repr
    no CI tool can parse."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, default=_json_scalar)


def _json_scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


_ON_XDIST_WORKER = False


@pytest.hookimpl(tryfirst=True)      # before the JUnit writer reads the properties (in the process that writes it)
def pytest_runtest_logreport(report):
    if _ON_XDIST_WORKER:
        return      # a worker sends its reports through execnet, which serialises plain dicts only: the
        #             controller, which writes the JUnit XML, converts them when it receives them
    report.user_properties = [(name, JsonProperty(value) if type(value) is dict else value)
                              for name, value in report.user_properties]


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
    figures, scales, png_names, problems = write_report_files(results, out)
    config.stash[_RESULTS] = results
    config.stash[_NOT_WRITTEN] = problems
    from reports.page import top_of_report
    config.stash[_TOP_HTML] = top_of_report(results, figures or [], scales, png_names)


def write_report_files(results: dict, out: Path):
    """Writes ``mit-results.json`` first, then the figures as PNG, each file whole or not at all (a temporary
    file moved into place), and never raises: a file that cannot be written costs that file, named in the
    returned ``problems`` (``{file name: why}``, also recorded in the JSON under ``not_written`` and warned),
    never the others.

    Returns ``(figures, scales, {figure name: file name}, problems)``; figures is None when rendering failed.
    Stale figures of an earlier run are removed only where that run's manifest (:data:`MANIFEST`) lists them:
    no other file in the folder is ever deleted."""
    problems: dict[str, str] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problems[str(out)] = f"{type(exc).__name__}: {exc}"
    figures, scales, rendered = _render_figures(results)
    png_names = {figure.name: f"mit-{figure.name}.png" for figure in rendered}
    results["figures"]["files"] = png_names
    _write_atomically(out / REPORT_JSON, lambda path: write_json(results, path), problems)
    _remove_stale_figures(out, set(png_names.values()), problems)
    written = []
    for figure in rendered:
        name = png_names[figure.name]
        if _write_atomically(out / name, lambda path, data=figure.png: path.write_bytes(data), problems):
            written.append(name)
    _write_atomically(out / MANIFEST, lambda path: path.write_text(json.dumps(
        {"written_by": "MIT's report (reports/plugin.py)", "figures": sorted(written)}, indent=2) + "\n",
        encoding="utf-8"), problems)
    if problems:
        results["not_written"] = dict(problems)
        results["figures"]["files"] = {k: v for k, v in png_names.items() if v in written}
        if REPORT_JSON not in problems:       # say in the JSON itself what is missing beside it
            _write_atomically(out / REPORT_JSON, lambda path: write_json(results, path), problems)
        for name, why in problems.items():
            warnings.warn(f"MIT report: {out / name} could not be written: {why}", stacklevel=1)
    return figures, scales, png_names, problems


def _render_figures(results: dict):
    """``(figures or None, scales, figures to write)``; records the scales (and a rendering error) in results."""
    from reports import figures as figs      # matplotlib is imported only here, when a report is written
    scales = figs.model_scales(results)
    results["figures"] = {"y_units": figs.Y_UNITS, "scales": scales, "files": {}}
    try:
        rendered = figs.render(results, scales)
    except Exception as exc:                 # noqa: BLE001 - a broken figure must not lose the results
        results["figures"]["error"] = f"{type(exc).__name__}: {exc}"
        warnings.warn(f"MIT report: figures not drawn: {exc}", stacklevel=1)
        return None, scales, []
    return rendered, scales, rendered


def _write_atomically(path: Path, write, problems: dict) -> bool:
    """``write(temporary path)`` beside ``path``, then moved onto it with the permissions of an ordinary new file;
    False (and ``problems[path.name]``) when it could not be done: the old file, if any, is then unchanged."""
    temporary = None
    try:
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
        handle.close()
        temporary = Path(handle.name)
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
        return True
    except (OSError, TypeError, ValueError) as exc:
        problems[path.name] = f"{type(exc).__name__}: {exc}"
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        return False


def _remove_stale_figures(out: Path, keep: set[str], problems: dict) -> None:
    """Delete the figures the previous report listed in its manifest that this run does not write again: a
    figure this run has no data for must not survive from an old run, and nothing else is touched (a user's
    ``mit-holiday.png``, a folder, a name outside the folder)."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("figures", [])
    except (OSError, ValueError, AttributeError):
        return
    for name in listed if isinstance(listed, list) else []:
        if not isinstance(name, str) or name in keep or not _FIGURE_FILE.fullmatch(name):
            continue
        path = out / name
        if path.is_file() and not path.is_symlink():
            try:
                path.unlink()
            except OSError as exc:
                problems[name] = f"a stale figure could not be removed: {type(exc).__name__}: {exc}"


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
        out = Path(config.getoption('--mit-report'))
        problems = config.stash.get(_NOT_WRITTEN, {})
        for name, why in problems.items():
            terminalreporter.write_line(f"MIT report: {out / name} was NOT written: {why}", red=True)
        if REPORT_JSON in problems:
            terminalreporter.write_line(f"results: NOT written; any {out / REPORT_JSON} there is from an earlier "
                                        "run", red=True)
        else:
            terminalreporter.write_line(f"results: {out / REPORT_JSON}")


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
