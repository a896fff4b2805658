"""The report's measured-expression sections: the ``mpra`` property (Spearman ρ per library and model, with its
bar chart) and the grounding table (MIT's assumptions measured in the libraries), as HTML and terminal text.

Inputs are the ``results`` dict of ``mit-results.json``: each model's ``properties.mpra.details.libraries``
(``{library: {"rho", "ci", "n", "title", "measure", ...}}``) and the top-level ``grounding``
(``{"source", "rows": [{"assumption", "comparison", "effect", "ci", "n", "unit", "verdict", "note"}]}``).
"""

from __future__ import annotations

import html

VERDICT_COLOURS = {"supported": "#c8e6c9", "contradicted": "#ffcdd2", "not resolved": "#eeeeee",
                   "measured": "#ffffff", "not testable": "#fff3e0"}


def _number(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _interval(ci) -> str:
    lo, hi = (ci or [None, None])[:2]
    return "–" if lo is None or hi is None else f"[{lo:+.2f}, {hi:+.2f}]"


def _effect(row: dict) -> str:
    """A grounding row's effect in its unit: a length in bp, a percentile, or a signed log-expression difference."""
    if row["effect"] is None:
        return "–"
    if row["unit"] == "bp":
        return f"{row['effect']:.0f} bp"
    if row["unit"] == "percentile":
        return f"percentile {row['effect']:.0f}"
    return f"{_number(row['effect'])} {row['unit']}"


def _gate(row: dict) -> str:
    """``property contrast`` of the gate a row grounds, or "–" for an assumption behind the sets."""
    return f"{row['gate']} {row.get('contrast') or ''}".strip() if row.get("gate") else "–"


def gate_grounding(results: dict, prop: str) -> str:
    """One line for the report beside the gate ``prop``: each of its contrasts, what the data say and the
    effect [CI]; "" when the run has no grounding row for it."""
    rows = ((results.get("grounding") or {}).get("by_gate") or {}).get(prop) or []
    return "; ".join(f"{r['contrast']}: {r['verdict']} ({_effect(r)} {_interval(r['ci'])})" for r in rows)


def mpra_table(results: dict) -> tuple[list[str], dict[str, dict], dict[str, dict]]:
    """``(libraries in order, {library: its description}, {spec: {library: record}})`` of every model that
    measured mpra."""
    libraries, described, by_model = [], {}, {}
    for spec, model in results["models"].items():
        details = (model["properties"].get("mpra") or {}).get("details") or {}
        for name, record in (details.get("libraries") or {}).items():
            if name not in described:
                libraries.append(name)
                described[name] = record
            by_model.setdefault(spec, {})[name] = record
    return libraries, described, by_model


def _mpra_skips(results: dict) -> list[tuple[str, str]]:
    return [(spec, (model["properties"].get("mpra") or {}).get("reason") or "")
            for spec, model in results["models"].items()
            if (model["properties"].get("mpra") or {}).get("verdict") in ("skip", "error")]


def mpra_html(results: dict, figure_html: str = "") -> str:
    """The mpra section: what it measures, ρ [95% CI] per library and model, the bar chart, skipped models."""
    libraries, described, by_model = mpra_table(results)
    skips = "".join(f"<li><b>{html.escape(spec)}</b>: {html.escape(why)}</li>" for spec, why in _mpra_skips(results))
    intro = ("<h2>Measured expression (mpra)</h2><p>Spearman ρ between each model's score and the expression "
             "measured for the constructs of published promoter libraries, each construct scored as the library "
             "built it (promoter with its constant flanks; one length per library). 95% CI: seeded bootstrap over "
             "constructs. A diagnostic: it never gates.</p>")
    if not libraries:
        return f'<div id="mit-mpra">{intro}<p>No model measured it in this run.</p><ul>{skips}</ul></div>'
    head = "".join(f"<th>{html.escape(spec)}</th>" for spec in by_model)
    rows = []
    for name in libraries:
        info = described[name]
        cells = "".join(
            f'<td class="mit-mpra-cell" data-model="{html.escape(spec, quote=True)}" '
            f'data-library="{html.escape(name, quote=True)}">{_number(r.get("rho"))} {_interval(r.get("ci"))}</td>'
            if (r := by_model[spec].get(name)) else "<td>–</td>" for spec in by_model)
        rows.append(f"<tr><th>{html.escape(name)}<div class=\"mit-small\">{html.escape(info.get('title', ''))}; "
                    f"n = {info.get('n')} of {info.get('total')}, {html.escape(str(info.get('length')))} nt; "
                    f"measure: {html.escape(info.get('measure', ''))}</div></th>{cells}</tr>")
    missing = {}
    for model in results["models"].values():
        missing.update(((model["properties"].get("mpra") or {}).get("details") or {}).get("missing") or {})
    absent = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in missing.items())
    return (f'<div id="mit-mpra">{intro}<table class="mit-facts" id="mit-mpra-table"><thead><tr><th>library</th>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{figure_html}"
            + (f"<p>Libraries not in this run:</p><ul>{absent}</ul>" if absent else "")
            + (f"<p>Models without mpra:</p><ul>{skips}</ul>" if skips else "") + "</div>")


def grounding_html(results: dict) -> str:
    """The grounding table: each assumption, the matched comparison, the measured effect with its CI and n, and
    what the data say."""
    grounding = results.get("grounding")
    intro = ("<h2>Grounding: MIT's assumptions in measured data</h2><p>Model-independent: each benchmark "
             "assumption a library can test, measured by comparing constructs that differ only in the element under "
             "test. Effects are differences of log expression (La Fleur's log(TX/TXref), sign flipped so that "
             "higher = stronger).</p>")
    if not grounding:
        return f'<div id="mit-grounding">{intro}<p>Not measured in this run.</p></div>'
    if not grounding.get("rows"):
        return (f'<div id="mit-grounding">{intro}<p>Not measured: '
                f"{html.escape(grounding.get('reason', ''))}</p></div>")
    body = "".join(
        f'<tr style="background:{VERDICT_COLOURS.get(r["verdict"], "#ffffff")}" '
        f'data-verdict="{html.escape(r["verdict"], quote=True)}"><td>{html.escape(_gate(r))}</td>'
        f'<td>{html.escape(r["assumption"])}</td>'
        f'<td>{html.escape(r["comparison"])}</td><td>{html.escape(_effect(r))}</td>'
        f'<td>{_interval(r["ci"])}</td><td>{r["n"]}</td><td><b>{html.escape(r["verdict"])}</b></td>'
        f'<td class="mit-small">{html.escape(r["note"])}</td></tr>' for r in grounding["rows"])
    return (f'<div id="mit-grounding">{intro}<table class="mit-facts" id="mit-grounding-table"><thead><tr>'
            "<th>gate</th><th>assumption</th><th>comparison</th><th>effect</th><th>95% CI</th><th>n</th><th>the data</th>"
            f"<th>note</th></tr></thead><tbody>{body}</tbody></table><p class=\"mit-small\">Source: "
            f"{html.escape(str(grounding.get('source')))}, seed {grounding.get('seed')}.</p></div>")


def mpra_text(results: dict, width: int = 120) -> str:
    """ρ [CI] per model (rows) and library (columns), for the terminal: columns that do not fit ``width`` go to a
    further block under the first."""
    from reports.names import short_spec
    from reports.textgrid import fold_table
    libraries, _, by_model = mpra_table(results)
    if not libraries:
        return ""
    rows = [[short_spec(spec, 24)] + [f"{_number(r['rho'])} {_interval(r['ci'])}" if (r := by_model[spec].get(name))
                                      else "–" for name in libraries] for spec in by_model]
    return "\n".join(fold_table(["model"] + libraries, rows, width))


def grounding_text(results: dict) -> str:
    """One line per grounding row, for the terminal."""
    grounding = results.get("grounding")
    if not grounding:
        return ""
    if not grounding.get("rows"):
        return f"grounding not measured: {grounding.get('reason', '')}"
    return "\n".join(f"{r['verdict'].upper():<13} {_effect(r)} {_interval(r['ci'])} n={r['n']}: "
                     f"{'[' + _gate(r) + '] ' if r.get('gate') else ''}{r['comparison']}" for r in grounding["rows"])
