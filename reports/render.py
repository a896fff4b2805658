"""Re-render a run's report from its ``mit-results.json``, without scoring anything again.

    python -m reports.render reports/out/mit-results.json --out /tmp/again [--width 100] [-v]

writes ``mit-report.html`` (MIT's part of the report: matrix, tables, figures; pytest-html's per-test table
needs the test run) and the figures' PNGs into ``--out``, and prints the terminal summary at ``--width`` columns.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import tempfile
from pathlib import Path


def standalone_page(results: dict, figures=None, scales=None, png_names=None, extra_html: str = "") -> str:
    """A self-contained HTML page with the report's MIT block (no pytest-html table)."""
    from reports.figures import model_scales
    from reports.page import top_of_report
    scales = scales if scales is not None else model_scales(results)
    body = top_of_report(results, figures or [], scales, png_names) + extra_html
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>MIT — {html.escape(str(results.get("set")))}'
            f"</title></head><body>{body}</body></html>")


def _write_atomically(path: Path, data: bytes) -> None:
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def write_report(results: dict, out: Path, *, with_json: bool = True) -> Path:
    """Writes ``out/mit-results.json`` first (unless ``with_json`` is False), then the figures (a checkpoint
    series' too, when ``results`` has one) and ``out/mit-report.html``; returns the page's path."""
    from reports import figures as figs
    from reports.results import write_json
    from reports.series import series_html, series_png
    out.mkdir(parents=True, exist_ok=True)
    scales = figs.model_scales(results)
    rendered = figs.render(results, scales)
    png_names = {figure.name: f"mit-{figure.name}.png" for figure in rendered}
    series = series_png(results) if results.get("series") else None
    if series is not None:
        png_names["series"] = "mit-series.png"
    if with_json:
        results["figures"] = {"y_units": figs.Y_UNITS, "scales": scales, "files": png_names}
        write_json(results, out / "mit-results.json")
    for figure in rendered:
        _write_atomically(out / png_names[figure.name], figure.png)
    if series is not None:
        _write_atomically(out / png_names["series"], series)
    page = standalone_page(results, rendered, scales, png_names,
                           series_html(results, series, "mit-series.png"))
    _write_atomically(out / "mit-report.html", page.encode("utf-8"))
    return out / "mit-report.html"


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
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        parser.error(f"{args.results}: not a readable mit-results.json ({exc})")
    if not isinstance(results, dict) or not isinstance(results.get("models"), dict):
        parser.error(f"{args.results}: no 'models' object; is it a mit-results.json?")
    write_report(results, args.out, with_json=False)
    sys.stdout.write(terminal_text(results, args.width, args.verbose) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
