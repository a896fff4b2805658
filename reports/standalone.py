"""A report page written from a results dict alone (merged runs, a fan-out): ``mit-results.json``, the figures
and ``mit-report.html``, without a pytest session."""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

from reports.results import write_json

PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
        "<body style=\"font-family: sans-serif\"><h1>{title}</h1>{body}</body></html>")


def _write_atomically(path: Path, data: bytes) -> None:
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def write_report(results: dict, out, title: str = "MIT — Mechanistic Invariance Test") -> Path:
    """Writes ``out/mit-results.json`` first, then the figures and ``out/mit-report.html``; returns the page."""
    from reports import figures as figs
    from reports.page import top_of_report
    from reports.series import series_html, series_png
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scales = figs.model_scales(results)
    results["figures"] = {"y_units": figs.Y_UNITS, "scales": scales, "files": {}}
    rendered = figs.render(results, scales)
    png_names = {figure.name: f"mit-{figure.name}.png" for figure in rendered}
    series = series_png(results) if results.get("series") else None
    if series is not None:
        png_names["series"] = "mit-series.png"
    results["figures"]["files"] = png_names
    write_json(results, out / "mit-results.json")
    for figure in rendered:
        _write_atomically(out / png_names[figure.name], figure.png)
    if series is not None:
        _write_atomically(out / "mit-series.png", series)
    body = top_of_report(results, rendered, scales, png_names) + series_html(results, series, "mit-series.png")
    page = out / "mit-report.html"
    _write_atomically(page, PAGE.format(title=html.escape(title), body=body).encode("utf-8"))
    return page


def read_json(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
