"""Re-render a run's report from its ``mit-results.json``, without scoring anything again.

    python -m reports.render reports/out/mit-results.json --out /tmp/again [--width 100] [-v]

writes ``mit-report.html`` (MIT's part of the report: matrix, tables, figures; pytest-html's per-test table
needs the test run) and the figures' PNGs into ``--out``, and prints the terminal summary at ``--width`` columns.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path


def standalone_page(results: dict, figures=None, scales=None, png_names=None, extra_html: str = "") -> str:
    """A self-contained HTML page with the report's MIT block (no pytest-html table)."""
    from reports.figures import model_scales
    from reports.page import top_of_report
    scales = scales if scales is not None else model_scales(results)
    body = top_of_report(results, figures or [], scales, png_names) + extra_html
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>MIT — {html.escape(str(results.get("set")))}'
            f"</title></head><body>{body}</body></html>")


def write_report(results: dict, out: Path) -> Path:
    """Writes ``out/mit-results.json`` first, then the figures (a checkpoint series' too, when ``results`` has
    one) and ``out/mit-report.html``, each whole or not at all, as a run's report does
    (:func:`reports.plugin.write_report_files`); returns the page's path."""
    from reports.plugin import REPORT_HTML, _write_atomically, write_report_files
    from reports.series import series_html
    figures, scales, png_names, problems = write_report_files(results, out)
    series = next((f for f in figures or [] if f.name == "series"), None)
    page = standalone_page(results, figures, scales, png_names,
                           series_html(results, series.png if series else None, png_names.get("series", "")))
    path = out / REPORT_HTML
    if not _write_atomically(path, lambda temporary: temporary.write_text(page, encoding="utf-8"), problems):
        raise OSError(f"{path} could not be written: {problems[REPORT_HTML]}")
    return path


def terminal_text(results: dict, width: int = 120, verbose: int = 0) -> str:
    """What the terminal summary prints after a run (without pytest's own lines)."""
    from reports.grounding import mpra_text
    from reports.matrix import null_control_lines, text_summary
    from reports.paper_tables import paper_tables_text
    from reports.textgrid import fold_aligned
    parts = [paper_tables_text(results, width), text_summary(results, width=width, verbose=verbose),
             mpra_text(results, width), "\n".join(null_control_lines(results))]
    return "\n".join(fold_aligned(part, width) for part in parts if part)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a mit-results.json")
    parser.add_argument("--out", type=Path, required=True, help="folder for mit-report.html and the figures")
    parser.add_argument("--width", type=int, default=120, help="terminal columns (default 120)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="print each failed gate's sentence")
    args = parser.parse_args(argv)
    from reports.merge import read_results
    try:
        results = read_results(args.results)
    except ValueError as exc:
        parser.error(str(exc))
    write_report(results, args.out)
    sys.stdout.write(terminal_text(results, args.width, args.verbose) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
