"""Assembles the top of the HTML report: style, matrix, footnotes, run facts and the figures.

pytest-html renders the page; everything MIT adds goes into its summary "prefix" as one ``<div id="mit-top">``.
A one-line inline script moves that block above pytest-html's environment table so the matrix is the first thing
a reader sees; without JavaScript it simply stays in the summary. Nothing is fetched: images are data URIs and
the style is inline, so the file is self-contained.
"""

from __future__ import annotations

import base64
import html

from reports.figures import Y_UNITS, Figure
from reports.grounding import grounding_html, mpra_html
from reports.matrix import footnotes_html, html_matrix, not_measured_html, run_facts_html
from reports.paper_tables import paper_tables_html
from reports.paper_values import FootnoteNumbers

EXPECTED_FIGURES = {"spacing": "spacing curve", "up_position": "UP position sweep", "at_titration": "AT titration",
                    "css_scr": "CSS and SCR", "natural": "natural promoter classes"}

STYLE = """<style>
#mit-top { font-size: 13px; max-width: 1400px; color: #111; }
#mit-top h2 { margin: 18px 0 6px; }
.mit-matrix { border-collapse: collapse; margin: 4px 0; }
.mit-matrix th, .mit-matrix td { border: 1px solid #bdbdbd; padding: 3px 5px; vertical-align: top; color: #111; }
.mit-matrix thead th { background: #fafafa; font-weight: 600; text-align: left; font-size: 12px; }
.mit-matrix th.mit-model { text-align: left; background: #fafafa; max-width: 160px; overflow-wrap: normal;
  word-break: normal; hyphens: none; font-weight: 600; }
.mit-cell { white-space: nowrap; line-height: 1.35; }
.mit-cell details, .mit-overall details { cursor: pointer; }
.mit-cell summary, .mit-overall summary { list-style: none; }
.mit-cell summary::-webkit-details-marker, .mit-overall summary::-webkit-details-marker { display: none; }
.mit-detail { white-space: normal; font-size: 11px; color: #333; max-width: 240px; min-width: 150px; }
.mit-overall { max-width: 110px; }
.mit-tie { font-weight: 700; color: #b71c1c; }
.mit-na { background: #f5f5f5; color: #9e9e9e; font-style: italic; }
.mit-null-mark { color: #b71c1c; font-weight: 700; }
.mit-sentence { margin-top: 3px; color: #b71c1c; }
.mit-tested { font-size: 11.5px; color: #333; }
.mit-small { font-size: 11px; color: #444; font-weight: normal; }
.mit-fingerprint { color: #777; word-break: break-all; }
.mit-paper { font-size: 11px; color: #1a237e; border-top: 1px dotted #9e9e9e; margin-top: 3px; padding-top: 2px; }
.mit-paper sup a, .mit-model sup a { text-decoration: none; color: #1a237e; }
.mit-null-control { font-size: 11px; color: #b71c1c; font-weight: 600; }
.mit-legend { font-size: 11px; color: #444; }
.mit-key { display: inline-block; padding: 0 5px; border: 1px solid #bdbdbd; font-weight: 700; }
.mit-notes { font-size: 11.5px; color: #333; max-width: 1100px; }
.mit-footnotes li { margin: 2px 0; }
.mit-general-notes { color: #555; }
.mit-facts { border-collapse: collapse; font-size: 11.5px; }
.mit-facts th, .mit-facts td { border: 1px solid #e0e0e0; padding: 2px 6px; text-align: left; }
.mit-figure { margin: 14px 0 22px; }
.mit-figure img { max-width: 100%; height: auto; border: 1px solid #eeeeee; }
.mit-figure figcaption { max-width: 1000px; margin-bottom: 4px; }
.mit-scales { border-collapse: collapse; font-size: 11.5px; margin-bottom: 8px; }
.mit-scales th, .mit-scales td { border: 1px solid #e0e0e0; padding: 2px 6px; text-align: left; }
#results-table .mit-col-number { white-space: nowrap; }
#results-table .mit-col-sentence { min-width: 260px; }
</style>"""

MOVE_TO_TOP = ("<script>(function () { var top = document.getElementById('mit-top'), "
               "env = document.getElementById('environment-header'); "
               "if (top && env) { env.parentNode.insertBefore(top, env); } })();</script>")


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def scales_html(scales: dict) -> str:
    """The divisor of each model's differences, so every figure can be redrawn from mit-results.json."""
    rows = "".join(f"<tr><th>{html.escape(spec)}</th><td>{scale['sd']:.4g}</td><td>{html.escape(scale['source'])}"
                   f"</td></tr>" for spec, scale in scales.items())
    return (f'<table class="mit-scales" id="mit-scales"><thead><tr><th>model</th><th>model SD (score units)</th>'
            f"<th>definition</th></tr></thead><tbody>{rows}</tbody></table>")


def _figure_html(figure: Figure, png_names: dict[str, str]) -> str:
    file_note = f" File: <code>{html.escape(png_names[figure.name])}</code>." if figure.name in png_names else ""
    return (f'<figure class="mit-figure" id="mit-fig-{figure.name}"><figcaption><b>{html.escape(figure.title)}'
            f"</b>. {html.escape(figure.caption)}{file_note}</figcaption>"
            f'<img alt="{html.escape(figure.title, quote=True)}" src="{data_uri(figure.png)}"></figure>')


def figures_html(figures: list[Figure], scales: dict, png_names: dict[str, str] | None = None,
                 error: str | None = None) -> str:
    """One ``<figure>`` per rendered figure (embedded PNG), and a line for each expected one that has no data."""
    png_names = png_names or {}
    by_name = {figure.name: figure for figure in figures}
    blocks = []
    if error:
        blocks.append(f'<p class="mit-missing"><b>Figures could not be drawn:</b> {html.escape(error)}</p>')
    for name, label in EXPECTED_FIGURES.items():
        figure = by_name.get(name)
        if figure is None:
            blocks.append(f'<p class="mit-missing">No {label} figure: no model in this run has the data (probe '
                          "sets are skipped with --mit-set mit-v1, or the test did not run).</p>")
            continue
        blocks.append(_figure_html(figure, png_names))
    return (f"<h2>Figures</h2><p>Every model on the same axes: differences are in units of each model's own "
            f"score SD (<i>{html.escape(Y_UNITS)}</i>), listed here.</p>{scales_html(scales)}{''.join(blocks)}")


def top_of_report(results: dict, figures: list[Figure], scales: dict,
                  png_names: dict[str, str] | None = None) -> str:
    """The whole MIT block of the report, as one HTML string."""
    footnotes = FootnoteNumbers()
    matrix = html_matrix(results, footnotes)          # numbers the footnotes it cites
    mpra_figure = next((f for f in figures if f.name == "mpra"), None)
    mpra = mpra_html(results, "" if mpra_figure is None else _figure_html(mpra_figure, png_names or {}))
    # paper mode's tables are what that run is for: above its matrix, whose probe columns it cannot fill
    tables = paper_tables_html(results)
    return (f'{STYLE}<div id="mit-top">{tables}<h2>Model × property</h2>{matrix}{not_measured_html(results)}'
            f"{footnotes_html(footnotes)}"
            f"<h2>Run</h2>{run_facts_html(results)}"
            f"{figures_html(figures, scales, png_names, results.get('figures', {}).get('error'))}"
            f"{mpra}{grounding_html(results)}</div>{MOVE_TO_TOP}")
