"""Checkpoints of one training run: each gate's estimate (share of untied families preferring the grammatical
member) with its 95% CI against the training step, and the canary's held-out NLL, from a results dict that has a
``series`` entry (``python -m fanout --checkpoints`` and ``python -m zoo.trajectory`` write one)."""

from __future__ import annotations

import html

from reports.figures import _png, series_figure, series_points  # noqa: F401 - series_points is this module's API


def series_png(results: dict) -> bytes | None:
    """:func:`reports.figures.series_figure` as PNG bytes, or None."""
    figure = series_figure(results)
    return None if figure is None else _png(figure)


def series_html(results: dict, png: bytes | None, file_name: str) -> str:
    if png is None:
        return ""
    from reports.page import data_uri
    pattern = html.escape(results["series"]["pattern"])
    return (f'<h2>Checkpoint series</h2><figure class="mit-figure" id="mit-fig-series"><figcaption><b>Each gate '
            f"against training step</b> ({pattern}, {len(results['series']['steps'])} checkpoints). The share of "
            "untied matched families that prefer the grammatical member, with its Wilson 95% CI; filled: the gate "
            "passed; red bands: the canary refused the checkpoint (no gate measured). Last panel, for likelihood "
            "models: the canary's held-out NLL per nucleotide with its bootstrap 95% CI. File: "
            f"<code>{html.escape(file_name)}</code>.</figcaption>"
            f'<img alt="gates against training step" src="{data_uri(png)}"></figure>')
