"""The model × property matrix that opens the report, as HTML and as terminal text."""

from __future__ import annotations

import html

MATRIX_PROPERTIES = ("canary", "motif", "compensation", "scramble", "up_position", "spacing", "strand",
                     "composition", "motif_natural")
HEADINGS = {"canary": "canary", "motif": "motif (C>D)", "compensation": "compensation (CSS)",
            "scramble": "scramble (SCR)", "up_position": "UP position", "spacing": "spacing",
            "strand": "strand", "composition": "composition r(AT)", "motif_natural": "motif natural (A>B)"}
COLOURS = {"pass": "#c8e6c9", "fail": "#ffcdd2", "error": "#ffe0b2", "skip": "#eeeeee", "xfail": "#fff9c4"}


def _number(value, digits=2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def cell_text(record: dict) -> str:
    """``PASS 0.97 [0.92, 0.99]`` — verdict, estimate and 95% CI."""
    verdict = (record.get("verdict") or "?").upper()
    if record.get("estimate") is None:
        return verdict
    if record.get("gate_passed") is None and verdict == "PASS":   # a diagnostic: reported, never gated
        verdict = "INFO"
    ci = record.get("ci") or [None, None]
    return f"{verdict} {_number(record['estimate'])} [{_number(ci[0])}, {_number(ci[1])}]"


def html_matrix(results: dict, paper_values=None) -> str:
    """An HTML table: one row per model, one column per property; ``paper_values(model, prop)`` → (text, note)."""
    head = "".join(f"<th>{html.escape(HEADINGS[p])}</th>" for p in MATRIX_PROPERTIES)
    rows = []
    for spec, model in results["models"].items():
        cells = []
        for prop in MATRIX_PROPERTIES:
            record = model["properties"].get(prop, {"verdict": "skip", "reason": "not run"})
            verdict = record.get("verdict") or "skip"
            title = html.escape(record.get("reason") or record.get("statement") or "")
            p = record.get("p")
            extra = f"<br><small>p = {p:.3g}</small>" if p is not None else ""
            paper = paper_values(spec, prop) if paper_values else None
            if paper:
                text, note = paper
                extra += f'<br><small class="mit-paper">paper: {html.escape(text)}{note}</small>'
            cells.append(f'<td class="mit-{verdict}" style="background:{COLOURS.get(verdict, "#fff")}" '
                         f'title="{title}">{html.escape(cell_text(record))}{extra}</td>')
        rows.append(f"<tr><th>{html.escape(spec)}</th>{''.join(cells)}</tr>")
    return (f'<table id="mit-matrix" class="mit-matrix" border="1" style="border-collapse:collapse">'
            f"<thead><tr><th>model</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def run_facts_html(results: dict) -> str:
    hashes = "".join(f"<li>{html.escape(name)}: <code>{digest}</code></li>"
                     for name, digest in results["set_sha256"].items())
    versions = ", ".join(f"{k} {v}" for k, v in results["versions"].items())
    return (f'<p id="mit-run-facts">set <b>{html.escape(str(results["set"]))}</b>, seed {results["seed"]}, '
            f'alpha {results["alpha"]}; {html.escape(versions)}</p><ul class="mit-hashes">{hashes}</ul>')


def text_matrix(results: dict) -> str:
    """The matrix as fixed-width text for the terminal summary."""
    props = [p for p in MATRIX_PROPERTIES
             if any(p in m["properties"] for m in results["models"].values())]
    width = max([len(s) for s in results["models"]] + [5])
    lines = [" " * width + "  " + "  ".join(f"{p:<24}" for p in props)]
    for spec, model in results["models"].items():
        cells = [cell_text(model["properties"].get(p, {"verdict": "skip"})) for p in props]
        lines.append(f"{spec:<{width}}  " + "  ".join(f"{c:<24}" for c in cells))
    return "\n".join(lines)
