"""The report's figures: one per probe (and one of the natural promoter classes), every model on the same axes.

Models score on unrelated scales (PA-PWM ≈ 20 points, log-likelihoods ≈ −140 nats, AT counts ≈ 50), so every
difference is divided by the model's own score SD: the pooled within-class SD of its scores on the core classes
C (intact) and D (broken −10), which is the denominator of its MES and is recorded by the motif test as
``details.score_sd``. A y value of 1 therefore means "one background-to-background SD of this model". The scale of
each model goes into ``mit-results.json`` (``figures.scales``) so any figure can be redrawn from the JSON alone.

Inputs are the ``results`` dict of ``mit-results.json`` (DESIGN.md section 10, with each property's
``details``). matplotlib is imported inside :func:`render` only, so a run that writes no report never loads it,
and only through its object API with the Agg canvas: no pyplot state, no GUI backend, safe under xdist.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fixtures.grammar import MINUS_10, MINUS_35, UP
from fixtures.sets import SPACING_OPTIMUM, UP_CORRECT, UP_WRONG
from mit_tests.properties import GATES, SPACING_PEAK
from reports.paper_values import paper_value

SCALE_SOURCE = "motif.details.score_sd: pooled SD (ddof = 1) of the model's core-set scores within classes C and D"
UNSCALED = "none (1.0): the motif test recorded no positive SD, so this model's differences are in raw score units"
Y_UNITS = "score difference / model SD"
# Landmarks of the probe sequences, drawn on the UP sweep.
BOX_35, BOX_10 = (MINUS_35.start, MINUS_35.stop), (MINUS_10.start, MINUS_10.stop)
UP_LENGTH = UP.stop - UP.start
UP_WRONG_SPAN = (min(UP_WRONG), max(UP_WRONG))
SCORED_KINDS = ("intact", "broken", "compensated")                 # titration scores, centred per model
TITRATION_KINDS = SCORED_KINDS + ("compensation_effect",)          # ... and their matched difference
DPI = 110


@dataclass(frozen=True)
class Curve:
    """One model's standardised curve: ``x`` (k,), ``mean`` (k,), ``lo``/``hi`` (k,) bounds of the 95% CI
    (NaN where the JSON has none), all in model-SD units except ``x`` (bp or AT fraction)."""

    x: np.ndarray
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Figure:
    """A rendered figure: ``name`` is the PNG file stem, ``png`` the encoded image."""

    name: str
    title: str
    caption: str
    png: bytes
    models: tuple[str, ...]      # models drawn in it


def model_scales(results: dict) -> dict[str, dict]:
    """``{spec: {"sd": float, "source": str}}``: the divisor of each model's differences, in its score units."""
    scales = {}
    for spec, model in results["models"].items():
        details = (model["properties"].get("motif") or {}).get("details") or {}
        sd = details.get("score_sd")
        if isinstance(sd, (int, float)) and math.isfinite(sd) and sd > 0:
            scales[spec] = {"sd": float(sd), "source": SCALE_SOURCE}
        else:
            scales[spec] = {"sd": 1.0, "source": UNSCALED}
    return scales


def _details(results: dict, spec: str, prop: str) -> dict:
    return (results["models"][spec]["properties"].get(prop) or {}).get("details") or {}


def _curve(points: dict, sd: float, shift: float = 0.0) -> Curve:
    """``points`` = ``{x label: {"mean", "ci": [lo, hi]}}`` (JSON keys are strings) → a Curve sorted by x, with
    ``shift`` subtracted and the result divided by ``sd``. A missing CI bound becomes NaN."""
    rows = sorted((float(label), point["mean"], *((point.get("ci") or [None, None])[:2]))
                  for label, point in points.items())
    columns = np.array([[np.nan if value is None else value for value in row] for row in rows], dtype=np.float64)
    return Curve(columns[:, 0], *((columns[:, i] - shift) / sd for i in (1, 2, 3)))


def probe_curves(results: dict, scales: dict, prop: str, key: str = "curve") -> dict[str, Curve]:
    """Each model's ``details[key]`` of ``prop`` (``spacing`` or ``up_position``), standardised; models
    without the probe (skipped, errored, ``--mit-set mit-v1``) are left out."""
    curves = {}
    for spec in results["models"]:
        points = _details(results, spec, prop).get(key)
        if points:
            curves[spec] = _curve(points, scales[spec]["sd"])
    return curves


def titration_curves(results: dict, scales: dict) -> dict[str, dict[str, Curve]]:
    """``{spec: {"intact"|"broken"|"compensated"|"compensation_effect": Curve over AT fraction}}``.

    Scores (not differences) are centred on the mean of the model's 18 level × kind means before scaling, so the
    lines of models with different offsets share the axes; the compensation effect is already a difference.
    """
    found = {}
    for spec in results["models"]:
        titration = _details(results, spec, "composition").get("titration")
        if not titration:
            continue
        sd = scales[spec]["sd"]
        kinds = {kind: {level: row[kind] for level, row in titration.items()} for kind in TITRATION_KINDS}
        centre = float(np.mean([point["mean"] for kind in SCORED_KINDS for point in kinds[kind].values()]))
        found[spec] = {kind: _curve(points, sd, shift=centre if kind in SCORED_KINDS else 0.0)
                       for kind, points in kinds.items()}
    return found


def shares(results: dict) -> dict[str, dict[str, tuple]]:
    """``{spec: {"css"|"scramble": (estimate, lo, hi, paper or None)}}`` — shares, not standardised."""
    found = {}
    for spec, model in results["models"].items():
        row = {}
        for prop in ("css", "scramble"):
            record = model["properties"].get(prop) or {}
            if record.get("estimate") is not None:
                lo, hi = (record.get("ci") or [None, None])[:2]
                paper = paper_value(spec, prop)
                row[prop] = (record["estimate"], lo, hi, None if paper is None else paper.value)
        if row:
            found[spec] = row
    return found


NATURAL_CLASSES = ("A", "B", "G")


@dataclass(frozen=True)
class NaturalClasses:
    """One model's natural-class scores in its SD units: ``means`` ``{class: (mean, lo, hi)}`` relative to the
    mean of class A; ``differences`` ``(n,)`` A_i − B_i per family; ``share`` the gate's estimate."""

    means: dict
    differences: np.ndarray
    share: float | None


def natural_classes(results: dict, scales: dict) -> dict[str, NaturalClasses]:
    """Each model's ``motif_natural`` details (class means and per-family A − B), standardised; models whose
    test did not run (no natural data, skipped, errored) are left out."""
    found = {}
    for spec in results["models"]:
        details = _details(results, spec, "motif_natural")
        means, differences = details.get("class_means"), details.get("differences")
        if not means or "A" not in means or differences is None:
            continue
        sd, centre = scales[spec]["sd"], means["A"]["mean"]
        standardised = {}
        for label in NATURAL_CLASSES:
            if label in means:
                lo, hi = [np.nan if v is None else v for v in (means[label].get("ci") or [None, None])[:2]]
                standardised[label] = tuple((v - centre) / sd for v in (means[label]["mean"], lo, hi))
        record = results["models"][spec]["properties"]["motif_natural"]
        found[spec] = NaturalClasses(standardised, np.asarray(differences, dtype=np.float64) / sd,
                                     record.get("estimate"))
    return found


def mpra_bars(results: dict) -> dict[str, dict[str, tuple]]:
    """``{spec: {library: (ρ, lo, hi)}}`` from each model's ``mpra`` details (libraries in run order); models
    that did not measure it are left out. ρ needs no scaling."""
    found = {}
    for spec, model in results["models"].items():
        libraries = ((model["properties"].get("mpra") or {}).get("details") or {}).get("libraries") or {}
        row = {name: (r["rho"], *((r.get("ci") or [None, None])[:2])) for name, r in libraries.items()
               if r.get("rho") is not None}
        if row:
            found[spec] = row
    return found


# ----------------------------------------------------------------------------------------------- drawing

# One colour and one marker per model, the same in every figure. tab20's saturated shades first (they are
# tab10's hues), then its light ones; markers cycle so that a light shade never repeats its dark twin's marker.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
# From this many models on, curve figures draw one small panel per model instead of overlaying them.
FACET_FROM = 7
FACET_COLUMNS = 4


@dataclass(frozen=True)
class Style:
    colour: tuple
    marker: str


def model_styles(specs) -> dict[str, Style]:
    """``{spec: Style}`` fixed by each model's position in the run: distinct (colour, marker) pairs for the first
    200 models, and the same for a model in every figure of a report."""
    from matplotlib import colormaps
    tab20 = colormaps["tab20"].colors
    palette = tab20[0::2] + tab20[1::2]
    return {spec: Style(tuple(palette[i % len(palette)]), MARKERS[(i + i // len(MARKERS)) % len(MARKERS)])
            for i, spec in enumerate(specs)}


def _short(spec: str, width: int = 28) -> str:
    from reports.names import short_spec
    return short_spec(spec, width)


def _errorbars(ax, x, curve: Curve, style: Style, linestyle="-", label=None, markersize=3.5) -> None:
    err = np.vstack([curve.mean - curve.lo, curve.hi - curve.mean])
    err = np.where(np.isfinite(err), np.maximum(err, 0), 0)
    ax.errorbar(x, curve.mean, yerr=err, color=style.colour, linestyle=linestyle, marker=style.marker,
                markersize=markersize, linewidth=1.3, elinewidth=0.8, capsize=1.5, label=label)


def _draw_curves(ax, curves: dict[str, Curve], styles: dict, dodge: float, linestyle="-", label=True) -> None:
    """Mean ± 95% CI per model; models are shifted by ``dodge`` (x units) so their bars do not hide each other."""
    k = len(curves)
    for i, (spec, curve) in enumerate(curves.items()):
        _errorbars(ax, curve.x + (i - (k - 1) / 2) * dodge, curve, styles[spec], linestyle,
                   _short(spec) if label else None)


def _tidy(ax) -> None:
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _new_figure(width: float, height: float, ncols: int = 1, right: float = 0.98, bottom: float = 0.55,
                left: float = 0.85):
    """A figure with fixed margins (inches, so labels fit at any width): constrained layout would double the
    drawing time, and the report must stay fast."""
    from matplotlib.figure import Figure as MplFigure
    figure = MplFigure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(left=left / width, right=right, bottom=bottom / height, top=1 - 0.3 / height,
                           wspace=0.35)
    axes = figure.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        _tidy(ax)
    return figure, axes


def _facets(count: int, legend_width: float = 1.9, panel: tuple = (2.5, 1.75)):
    """Small multiples: ``count`` panels sharing both axes, FACET_COLUMNS to a row, room for a legend at the right.
    Tick labels are drawn on the left column and under the lowest panel of each column."""
    from matplotlib.figure import Figure as MplFigure
    columns = min(FACET_COLUMNS, count)
    rows = -(-count // columns)
    width, height = 1.0 + columns * panel[0] + legend_width, 0.9 + rows * panel[1] + 0.3
    figure = MplFigure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(left=1.0 / width, right=1 - (legend_width + 0.1) / width, bottom=0.9 / height,
                           top=1 - 0.3 / height, wspace=0.12, hspace=0.42)
    grid = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    axes = list(grid.ravel())
    for ax in axes[count:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:count]):
        _tidy(ax)
        lowest = i + columns >= count
        ax.tick_params(labelbottom=lowest, labelleft=i % columns == 0, labelsize=7.5)
    return figure, axes[:count]


def _panel_title(ax, spec: str, style: Style) -> None:
    ax.set_title(_short(spec, 30), fontsize=8.5, color=style.colour, loc="left", pad=3, fontweight="bold")


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(figure)          # attach an Agg canvas: no pyplot, no global backend switch
    buffer = io.BytesIO()
    # zlib level 1: a third faster than the default and about 20% larger, which a report does not mind
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _legend_right(owner, handles=None, count: int = 0) -> None:
    """A legend right of the data (an axes' or, for facets, the figure's): any spot inside would hide points."""
    columns = 2 if count > 14 else 1
    kwargs = dict(fontsize=7.5, frameon=False, ncols=columns)
    if handles is not None:
        kwargs["handles"] = handles
    if hasattr(owner, "transAxes"):
        owner.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), **kwargs)
    else:
        right = owner.subplotpars.right
        owner.legend(loc="upper left", bbox_to_anchor=(right + 0.01, 1 - 0.3 / owner.get_figheight()), **kwargs)


def _model_handles(specs, styles) -> list:
    from matplotlib.lines import Line2D
    return [Line2D([], [], color=styles[s].colour, marker=styles[s].marker, markersize=5, linewidth=1.5,
                   label=_short(s)) for s in specs]


def _spacing_decor(ax) -> None:
    ax.axvspan(SPACING_PEAK[0] - 0.5, SPACING_PEAK[-1] + 0.5, color="#c8e6c9", alpha=0.5, linewidth=0)
    ax.axhline(0, color="#555555", linewidth=0.8)


def _spacing(curves, styles):
    """``curves``: ``{"a": {spec: Curve}, "b": {spec: Curve}}``, the −10 moved (solid) and the −35 moved (dashed)."""
    from matplotlib.lines import Line2D
    keys = [Line2D([], [], color="#444444", label="−10 moved"),
            Line2D([], [], color="#444444", linestyle="--", label="−35 moved"),
            Line2D([], [], color="#c8e6c9", linewidth=8, label=f"gate: peak in {SPACING_PEAK[0]}–"
                                                                f"{SPACING_PEAK[-1]} bp")]
    ylabel = f"score − score at {SPACING_OPTIMUM} bp\n({Y_UNITS})"
    if len(curves["a"]) >= FACET_FROM:
        figure, axes = _facets(len(curves["a"]))
        for ax, (spec, curve) in zip(axes, curves["a"].items()):
            _spacing_decor(ax)
            _errorbars(ax, curve.x, curve, styles[spec], markersize=2.5)
            if spec in curves["b"]:
                _errorbars(ax, curves["b"][spec].x, curves["b"][spec], styles[spec], "--", markersize=2.5)
            _panel_title(ax, spec, styles[spec])
            ax.set_xticks(range(12, 26, 2))
        figure.supxlabel("−35/−10 spacer length (bp)", fontsize=9)
        figure.supylabel(ylabel, fontsize=9)
        _legend_right(figure, keys)
        return figure
    figure, (ax,) = _new_figure(9.0, 3.9, right=1 - 2.0 / 9.0)
    _spacing_decor(ax)
    _draw_curves(ax, curves["a"], styles, dodge=0.12)
    _draw_curves(ax, curves["b"], styles, dodge=0.12, linestyle="--", label=False)
    handles, _ = ax.get_legend_handles_labels()
    _legend_right(ax, handles + keys)
    ax.set_xticks(range(12, 26))
    ax.set_xlabel("−35/−10 spacer length (bp)")
    ax.set_ylabel(ylabel)
    return figure


def _up_decor(ax, labels: bool) -> None:
    for (start, end), name in ((BOX_35, "−35"), (BOX_10, "−10")):
        # an UP starting within UP_LENGTH bp before a box overlaps it
        ax.axvspan(start - UP_LENGTH + 0.5, end - 0.5, color="#eeeeee", linewidth=0)
        if labels:
            ax.text((start - UP_LENGTH + end) / 2, 1.0, f"overlaps {name}", transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize=7, color="#777777")
    ax.axvspan(UP_WRONG_SPAN[0] - 2, UP_WRONG_SPAN[1] + 2, color="#ffcdd2", alpha=0.45, linewidth=0,
               label="wrong: downstream of −10")
    ax.axvline(UP_CORRECT, color="#2e7d32", linewidth=1.2, linestyle="--", label=f"correct: UP at {UP_CORRECT}")
    ax.axhline(0, color="#555555", linewidth=0.8)


def _up_position(curves, styles):
    xlabel = "UP element start relative to the family's origin o (bp; 9 bp long; −35 at o+30)"
    ylabel = f"score − score without UP\n({Y_UNITS})"
    if len(curves) >= FACET_FROM:
        from matplotlib.patches import Patch
        figure, axes = _facets(len(curves))
        for ax, (spec, curve) in zip(axes, curves.items()):
            _up_decor(ax, labels=False)
            _errorbars(ax, curve.x, curve, styles[spec], markersize=2.5)
            _panel_title(ax, spec, styles[spec])
        handles, _ = axes[0].get_legend_handles_labels()
        figure.supxlabel(xlabel, fontsize=9)
        figure.supylabel(ylabel, fontsize=9)
        _legend_right(figure, handles + [Patch(color="#eeeeee", label="UP overlaps a box")])
        return figure
    figure, (ax,) = _new_figure(9.0, 3.9, right=1 - 2.0 / 9.0)
    _up_decor(ax, labels=True)
    _draw_curves(ax, curves, styles, dodge=0.7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend_right(ax, count=len(curves))
    return figure


TITRATION_STYLES = dict(zip(TITRATION_KINDS, ("-", "--", ":", "-.")))


def _titration(curves, styles):
    from matplotlib.lines import Line2D
    kinds = [Line2D([], [], color="#444444", linestyle=style, label=kind.replace("_", " "))
             for kind, style in TITRATION_STYLES.items()]
    if len(curves) >= FACET_FROM:
        figure, axes = _facets(len(curves))
        for ax, (spec, by_kind) in zip(axes, curves.items()):
            ax.axhline(0, color="#555555", linewidth=0.8)
            for kind, style in TITRATION_STYLES.items():
                _errorbars(ax, by_kind[kind].x, by_kind[kind], styles[spec], style, markersize=2.5)
            _panel_title(ax, spec, styles[spec])
        figure.supxlabel("background AT fraction", fontsize=9)
        figure.supylabel(f"score − model's titration mean; compensation effect\n({Y_UNITS})", fontsize=9)
        _legend_right(figure, kinds)
        return figure
    figure, (left, right) = _new_figure(12.0, 3.9, ncols=2, right=1 - 1.9 / 12.0)
    for kind in SCORED_KINDS:
        _draw_curves(left, {spec: c[kind] for spec, c in curves.items()}, styles, dodge=0.004,
                     linestyle=TITRATION_STYLES[kind], label=False)
    left.set_xlabel("background AT fraction")
    left.set_ylabel(f"score − model's titration mean\n({Y_UNITS})")
    left.set_title("score vs AT", fontsize=10)
    right.axhline(0, color="#555555", linewidth=0.8)
    _draw_curves(right, {spec: c["compensation_effect"] for spec, c in curves.items()}, styles, dodge=0.004,
                 label=False)
    right.set_xlabel("background AT fraction")
    right.set_ylabel(f"compensated − broken (matched)\n({Y_UNITS})")
    right.set_title("compensation effect per AT level", fontsize=10)
    _legend_right(right, _model_handles(curves, styles) + kinds[:3])
    return figure


def _shares(found, styles):
    """Models down the y axis (their names never overprint), shares along x."""
    from matplotlib.lines import Line2D
    k = len(found)
    height = max(2.6, 1.0 + 0.34 * k)
    figure, (ax,) = _new_figure(8.0, height, right=1 - 1.7 / 8.0, left=1.7)
    ax.axvline(0.5, color="#555555", linewidth=1, linestyle="--")
    ax.text(0.5, 1.0, "chance", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8,
            color="#555555")
    offsets = {"css": ("o", "CSS (E > D)", -0.17), "scramble": ("s", "SCR (E > H)", 0.17)}
    for i, (spec, row) in enumerate(found.items()):
        for prop, (estimate, lo, hi, paper) in row.items():
            marker, _, offset = offsets[prop]
            err = [[max(estimate - lo, 0)], [max(hi - estimate, 0)]] if lo is not None and hi is not None else None
            ax.errorbar(estimate, i + offset, xerr=err, color=styles[spec].colour, marker=marker, markersize=5.5,
                        capsize=2.5, linestyle="none", elinewidth=1.2)
            if paper is not None:
                ax.plot(paper, i + offset, marker="x", color="black", markersize=6, linewidth=0)
    handles = [Line2D([], [], color="#444444", marker=m, linewidth=0, label=label) for m, label, _ in
               offsets.values()] + [Line2D([], [], color="black", marker="x", linewidth=0, label="paper")]
    _legend_right(ax, handles)
    ax.set_yticks(range(k), [_short(s, 24) for s in found], fontsize=8)
    for label, spec in zip(ax.get_yticklabels(), found):
        label.set_color(styles[spec].colour)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("share of untied families")
    return figure


def _natural(found: dict[str, NaturalClasses], styles):
    """Left: class means, one dodged line per model; right: each model's A_i − B_i, models down the y axis."""
    k = len(found)
    height = max(3.9, 1.0 + 0.3 * k)
    figure, (left, right) = _new_figure(13.0, height, ncols=2, right=1 - 1.1 / 13.0, left=0.85)
    figure.subplots_adjust(wspace=0.45)
    dodge = min(0.08, 0.6 / max(k, 1))
    left.axhline(0, color="#555555", linewidth=0.8)
    for i, (spec, data) in enumerate(found.items()):
        labels = [label for label in NATURAL_CLASSES if label in data.means]
        x = np.array([NATURAL_CLASSES.index(label) for label in labels]) + (i - (k - 1) / 2) * dodge
        mean, lo, hi = (np.array([data.means[label][j] for label in labels]) for j in range(3))
        err = np.where(np.isfinite([mean - lo, hi - mean]), np.maximum([mean - lo, hi - mean], 0), 0)
        left.errorbar(x, mean, yerr=err, color=styles[spec].colour, marker=styles[spec].marker, markersize=4,
                      linewidth=1.1, capsize=1.5)
    left.set_xticks(range(len(NATURAL_CLASSES)), ["A natural intact", "B A with −10 broken", "G weak −10, TGn/UP"],
                    fontsize=8)
    left.set_ylabel(f"class mean − class A mean\n({Y_UNITS})")
    left.set_title("class means (95% CI); models: colours as on the right", fontsize=9)
    right.axvline(0, color="#555555", linewidth=0.8)
    jitter = np.random.default_rng(0)           # fixed: the same JSON draws the same figure
    for i, (spec, data) in enumerate(found.items()):
        d = data.differences
        right.plot(d, i + jitter.uniform(-0.25, 0.25, d.size), linestyle="none", marker=styles[spec].marker,
                   markersize=2.5, alpha=0.55, color=styles[spec].colour)
        right.plot([np.median(d)] * 2, [i - 0.32, i + 0.32], color="black", linewidth=1.5)
        share = "every pair ties" if data.share is None else f"A > B: {data.share:.2f}"
        right.text(1.01, i, share, transform=right.get_yaxis_transform(), ha="left", va="center", fontsize=7.5)
    right.set_yticks(range(k), [_short(s, 24) for s in found], fontsize=8)
    for label, spec in zip(right.get_yticklabels(), found):
        label.set_color(styles[spec].colour)
    right.set_ylim(k - 0.5, -0.5)
    right.set_xlabel(f"A_i − B_i per family ({Y_UNITS})")
    right.set_title("matched pairs (bar: median)", fontsize=9)
    return figure


def _mpra(found, styles):
    libraries = list(dict.fromkeys(name for row in found.values() for name in row))
    width = min(13.0, max(7.0, 2.8 + 0.3 * len(libraries) * max(1, len(found))))
    figure, (ax,) = _new_figure(width, 3.9, right=1 - (2.0 if len(found) <= 14 else 3.4) / width, bottom=0.8)
    k = len(found)
    bar = 0.8 / max(k, 1)
    for i, (spec, row) in enumerate(found.items()):
        x = np.array([j + (i - (k - 1) / 2) * bar for j, name in enumerate(libraries) if name in row])
        values = [row[name] for name in libraries if name in row]
        rho = np.array([v[0] for v in values])
        err = np.array([[max(r - lo, 0) if lo is not None else 0, max(hi - r, 0) if hi is not None else 0]
                        for r, lo, hi in values]).T
        ax.bar(x, rho, width=bar * 0.9, color=styles[spec].colour, label=_short(spec))
        ax.errorbar(x, rho, yerr=err, color="#333333", linestyle="none", elinewidth=0.8, capsize=1.5)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xticks(range(len(libraries)), libraries, rotation=20, fontsize=8.5)
    ax.set_xlim(-0.6, len(libraries) - 0.4)
    lowest = min([v[1] if v[1] is not None else v[0] for row in found.values() for v in row.values()] + [0.0])
    ax.set_ylim(min(-0.1, lowest - 0.05), 1.02)
    ax.set_ylabel("Spearman ρ(score, measured expression)")
    _legend_right(ax, count=k)
    return figure


def render(results: dict, scales: dict) -> list[Figure]:
    """Every figure the run has data for, in report order: spacing, UP position, AT titration, CSS/SCR, natural
    classes, and the mpra bars (shown in the report's own mpra section)."""
    return [Figure(name, title, caption, _png(figure), models)
            for name, title, caption, figure, models in draw(results, scales)]


def draw(results: dict, scales: dict) -> list[tuple]:
    """``[(name, title, caption, matplotlib Figure, models drawn)]`` of :func:`render`, before encoding."""
    styles = model_styles(results["models"])
    plans = []
    spacing = {"a": probe_curves(results, scales, "spacing"), "b": probe_curves(results, scales, "spacing", "curve_b")}
    if spacing["a"]:
        plans.append(("spacing", "Spacing: score against −35/−10 spacer length", spacing, _spacing,
                      "Mean over matched families of s(spacing) − s(17 bp), each model divided by its SD, with the "
                      "−10 box moved (solid) and the −35 box moved (dashed); bars: seeded bootstrap 95% CI. A model "
                      "that reads the grammar peaks in the green band both ways."))
    sweep = probe_curves(results, scales, "up_position")
    if sweep:
        plans.append(("up_position", "UP position sweep: the same UP nucleotides moved along the promoter", sweep,
                      _up_position,
                      "Mean over matched families of s(UP at x) − s(no UP), each model divided by its SD; bars: "
                      "seeded bootstrap 95% CI. Grey: positions where the 9 bp UP overlaps a box. A positional "
                      "model is highest at the green line; a compositional one is flat away from the boxes."))
    titration = titration_curves(results, scales)
    if titration:
        plans.append(("at_titration", "AT titration: composition against compensation", titration, _titration,
                      "Left: mean score per background AT level (intact, broken −10, compensated), centred on the "
                      "model's mean over all levels and divided by its SD. Right: compensated − broken on matched "
                      "families per AT level; bars: seeded bootstrap 95% CI."))
    found = shares(results)
    if found:
        plans.append(("css_scr", "CSS and SCR with 95% CIs against chance", found, _shares,
                      "Shares of untied matched families with s(E) > s(D) (CSS: E adds A/T, a diagnostic) and "
                      "s(E) > s(H) (SCR); bars: Wilson 95% CI; ×: the paper's value. Shares need no scaling."))
    natural = natural_classes(results, scales)
    if natural:
        plans.append(("natural", "Natural promoters: RegulonDB σ70 windows A, the same windows with the −10 "
                      "broken (B), weak-−10 promoters G", natural, _natural,
                      "Left: mean score of each natural class minus the mean of class A, divided by the model's "
                      "SD; bars: seeded bootstrap 95% CI. Right: A_i − B_i for each matched family (B_i has A_i's "
                      "exact bases, rearranged inside the −10), in the same units; a model that reads the −10 "
                      "puts most points above 0, a composition model puts every point on 0."))
    bars = mpra_bars(results)
    if bars:
        plans.append(("mpra", "Measured expression: Spearman ρ per library", bars, _mpra,
                      "Spearman ρ between each model's score and the expression measured for the library's "
                      "constructs (higher = stronger), bars: seeded bootstrap 95% CI. Diagnostic, never gated."))
    drawn = []
    for name, title, data, draw_figure, caption in plans:
        models = tuple(data["a"] if name == "spacing" else data)
        drawn.append((name, title, caption, draw_figure(data, styles), models))
    if results.get("series"):               # checkpoints of one training run (python -m fanout --checkpoints)
        figure = series_figure(results)
        if figure is not None:
            drawn.append(("series", "Each gate against training step",
                          "Share of untied matched families preferring the grammatical member, Wilson 95% CI; "
                          "filled: the gate passed; red bands: the canary refused the checkpoint. Last panel: "
                          "the canary's held-out NLL per nucleotide, bootstrap 95% CI.", figure,
                          tuple(results["series"]["models"])))
    return drawn


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


def series_canary(results: dict) -> dict | None:
    """The canary along the series: ``{"step", "estimate", "lo", "hi", "passed"}`` arrays of its held-out NLL per
    nucleotide (with CI) over the checkpoints that measured it, ``"refused"`` (the steps whose canary failed: no gate
    was measured there) and ``"max_nll"`` (its bound, None when the records lack it); None without a canary record."""
    series = results["series"]
    rows, refused, bounds = [], [], set()
    for step, spec in zip(series["steps"], series["models"]):
        record = results["models"].get(spec, {}).get("properties", {}).get("canary")
        if not record:
            continue
        if record.get("verdict") == "fail":
            refused.append(step)
        if (record.get("details") or {}).get("max_nll") is not None:
            bounds.add(record["details"]["max_nll"])
        estimate, ci = record.get("estimate"), record.get("ci") or (None, None)
        if all(isinstance(v, (int, float)) and math.isfinite(v) for v in (estimate, *ci)):
            rows.append((step, estimate, ci[0], ci[1], record.get("verdict") == "pass"))
    if not rows and not refused:
        return None
    step, estimate, lo, hi, passed = (np.array(column) for column in zip(*rows)) if rows else [np.zeros(0)] * 5
    return {"step": step, "estimate": estimate, "lo": lo, "hi": hi, "passed": passed.astype(bool),
            "refused": refused, "max_nll": bounds.pop() if len(bounds) == 1 else None}


def _series_panel(ax, p: dict, label: bool) -> None:
    """Estimate ± CI against step, filled where the check passed."""
    # a bootstrap percentile CI may miss its own mean by a hair: a bar never goes negative
    yerr = np.maximum([p["estimate"] - p["lo"], p["hi"] - p["estimate"]], 0)
    ax.errorbar(p["step"], p["estimate"], yerr=yerr,
                color="#1565c0", linewidth=1.2, elinewidth=0.8, capsize=2)
    ax.scatter(p["step"][p["passed"]], p["estimate"][p["passed"]], color="#1565c0", zorder=3, s=18,
               label="pass" if label else None)
    ax.scatter(p["step"][~p["passed"]], p["estimate"][~p["passed"]], facecolor="white", edgecolor="#1565c0",
               zorder=3, s=18, label="not pass" if label else None)


def series_figure(results: dict):
    """One panel per gate, estimate ± CI against step, filled markers where the gate passed, red bands at the steps
    whose canary refused the checkpoint, and a last panel with the canary's held-out NLL per nucleotide (± CI, its
    bound dashed, ln 4 dotted) when the series has canary records; log step axis, shared by every panel, when the
    steps span ≥ 10× (a matplotlib Figure). None when there is nothing to draw."""
    points, canary = series_points(results), series_canary(results)
    panels = [(gate, p) for gate, p in points.items()]
    if canary is not None and canary["step"].size:
        panels.append(("canary", canary))
    if not panels:
        return None
    series = results["series"]
    steps = np.array([s for s, spec in zip(series["steps"], series["models"]) if spec in results["models"]])
    width = 2.3 * len(panels) + 1.9
    figure, axes = _new_figure(width, 2.6, ncols=len(panels), right=1 - 1.4 / width)   # room for the legend
    refused = canary["refused"] if canary else []
    for ax, (name, p) in zip(axes, panels):
        for step in refused:
            ax.axvline(step, color="#e53935", alpha=0.2, linewidth=6,
                       label="canary refused" if ax is axes[-1] and step == refused[0] else None)
        if name == "canary":
            ax.axhline(math.log(4), color="#9e9e9e", linewidth=0.8, linestyle=":", label="ln 4")
            if p["max_nll"] is not None:
                ax.axhline(p["max_nll"], color="#9e9e9e", linewidth=0.8, linestyle="--", label="canary bound")
            ax.set_title("canary: held-out NLL", fontsize=9)
            ax.set_ylabel("nats per nucleotide", fontsize=8)
        else:
            ax.axhline(0.5, color="#9e9e9e", linewidth=0.8, linestyle=":")
            ax.set_ylim(0, 1)
            ax.set_title(name, fontsize=9)
        _series_panel(ax, p, label=ax is axes[-1])
        if steps.min() > 0 and steps.max() >= 10 * steps.min():
            from matplotlib.ticker import NullFormatter
            ax.set_xscale("log")
            ax.set_xlim(steps.min() / 1.5, steps.max() * 1.5)
            ax.xaxis.set_minor_formatter(NullFormatter())      # decades only: minor labels overprint
        else:
            pad = 0.05 * (steps.max() - steps.min()) or 1
            ax.set_xlim(steps.min() - pad, steps.max() + pad)
        ax.set_xlabel("training step", fontsize=8)
        ax.tick_params(labelsize=7)
    if points:
        axes[0].set_ylabel("share preferring grammar", fontsize=8)
    axes[-1].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def write_pngs(figures: list[Figure], out_dir) -> list[Path]:
    """Writes ``mit-<name>.png`` for each figure into ``out_dir``; returns the paths."""
    paths = []
    for figure in figures:
        path = Path(out_dir) / f"mit-{figure.name}.png"
        path.write_bytes(figure.png)
        paths.append(path)
    return paths
