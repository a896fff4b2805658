"""Checkpoints of one training run: each gate's estimate (share of untied families preferring the grammatical
member) with its 95% CI against the training step, from a results dict that has a ``series`` entry."""

from __future__ import annotations

import html

import numpy as np

from mit_tests.properties import GATES

SERIES_GATES = GATES + ("motif_natural",)


def series_points(results: dict) -> dict[str, dict[str, np.ndarray]]:
    """``{gate: {"step", "estimate", "lo", "hi", "passed"}}`` (arrays over the checkpoints that measured it)."""
    series = results["series"]
    points = {}
    for gate in SERIES_GATES:
        rows = []
        for step, spec in zip(series["steps"], series["models"]):
            record = results["models"].get(spec, {}).get("properties", {}).get(gate) or {}
            if isinstance(record.get("estimate"), (int, float)) and record.get("ci"):
                lo, hi = record["ci"]
                rows.append((step, record["estimate"], lo, hi, record.get("verdict") == "pass"))
        if rows:
            step, estimate, lo, hi, passed = map(np.array, zip(*rows))
            points[gate] = {"step": step, "estimate": estimate, "lo": lo, "hi": hi, "passed": passed}
    return points


def series_png(results: dict) -> bytes | None:
    """The figure as PNG bytes: one panel per gate, estimate ± CI against step (log axis when steps span ≥ 10×),
    filled markers where the gate passed; None when no gate has a point."""
    from reports.figures import _new_figure, _png
    points = series_points(results)
    if not points:
        return None
    figure, axes = _new_figure(2.3 * len(points) + 0.6, 2.6, ncols=len(points))
    for ax, (gate, p) in zip(axes, points.items()):
        ax.axhline(0.5, color="#9e9e9e", linewidth=0.8, linestyle=":")
        ax.errorbar(p["step"], p["estimate"], yerr=[p["estimate"] - p["lo"], p["hi"] - p["estimate"]],
                    color="#1565c0", linewidth=1.2, elinewidth=0.8, capsize=2)
        ax.scatter(p["step"][p["passed"]], p["estimate"][p["passed"]], color="#1565c0", zorder=3, s=18,
                   label="pass")
        ax.scatter(p["step"][~p["passed"]], p["estimate"][~p["passed"]], facecolor="white", edgecolor="#1565c0",
                   zorder=3, s=18, label="not pass")
        if p["step"].min() > 0 and p["step"].max() >= 10 * p["step"].min():
            ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.set_title(gate, fontsize=9)
        ax.set_xlabel("training step", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("share preferring grammar", fontsize=8)
    axes[-1].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(figure)


def series_html(results: dict, png: bytes | None, file_name: str) -> str:
    if png is None:
        return ""
    from reports.page import data_uri
    pattern = html.escape(results["series"]["pattern"])
    return (f'<h2>Checkpoint series</h2><figure class="mit-figure" id="mit-fig-series"><figcaption><b>Each gate '
            f"against training step</b> ({pattern}, {len(results['series']['steps'])} checkpoints). The share of "
            "untied matched families that prefer the grammatical member, with its Wilson 95% CI; filled: the gate "
            f"passed. File: <code>{html.escape(file_name)}</code>.</figcaption>"
            f'<img alt="gates against training step" src="{data_uri(png)}"></figure>')
