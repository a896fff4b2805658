"""The model × property matrix that opens the report, as HTML and as terminal text.

Each HTML cell carries machine-readable attributes (``data-model``, ``data-property``, ``data-verdict``) and its
numbers in classed spans (``mit-estimate``, ``mit-ci``, ``mit-p``), so tests and scripts can read the matrix back
and check it against ``mit-results.json``.
"""

from __future__ import annotations

import html

from mit_tests.null_control import flagged
from mit_tests.properties import GATES, PROPERTIES, SPACING_PEAK
from reports.paper_values import GENERAL_NOTES, PAPER_STATISTIC, FootnoteNumbers, model_notes, paper_value

# The matrix shows one cell per property; mpra and paper mode have tables of their own.
MATRIX_PROPERTIES = tuple(p for p in PROPERTIES if p not in ("mpra", "paper"))
HEADINGS = {"canary": "canary", "motif": "motif", "compensation": "compensation", "up_position": "UP position",
            "spacing": "spacing", "strand": "strand", "motif_natural": "motif natural", "css": "css",
            "scramble": "scramble", "composition": "composition r(AT)", "outside": "outside evidence",
            **{f"robustness_{g}": f"robust: {g.replace('_', ' ')}" for g in GATES}}
# What each column tests, in one line under its heading (every gate's two members have the same bases).
TESTED = {"canary": "NLL/nt: repeats < ln 4 − 0.3, random ≥ ln 4 − 0.1", "motif": "−10 > its bases and dinucleotides rearranged (M > K)",
          "compensation": "E > H (UP moved), E > J (boxes moved)",
          "up_position": "UP upstream > downstream, UP moved and core moved",
          "spacing": f"peak {SPACING_PEAK[0]}–{SPACING_PEAK[-1]} bp, −10 moved and −35 moved",
          "strand": "forward > RC in place, > boxes exchanged", "motif_natural": "natural A > B (B: −10 rearranged)",
          "css": "diagnostic: E > D (the paper's CSS)", "scramble": "diagnostic: E > H (the paper's SCR)",
          "composition": "diagnostic, not gated",
          "outside": "promoters > A/T-matched genome (AUROC CI > 0.5); ρ above A/T content's (CI > 0)",
          **{f"robustness_{g}": "the gate on drawn designs" for g in GATES}}
OVERALL_COLOURS = {"grammar": "#c8e6c9", "partial grammar": "#fff9c4", "composition only": "#ffcdd2",
                   "neither": "#ffcdd2",
                   "not measured": "#ffe0b2"}
COLOURS = {"pass": "#c8e6c9", "fail": "#ffcdd2", "error": "#ffe0b2", "skip": "#eeeeee", "xfail": "#fff9c4",
           "info": "#e3f2fd"}
VERDICT_MEANING = {"pass": "gate passed", "fail": "gate failed", "error": "the test could not measure",
                   "xfail": "failed, expected (--mit-xfails)", "skip": "not run", "info": "diagnostic, not gated"}


def _number(value, digits=2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _p(value) -> str:
    if value is None:
        return "–"
    if value == 0:                          # underflowed: smaller than any double
        return "< 1e-300"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def shown_verdict(record: dict) -> str:
    """The label a cell shows: the JSON verdict (``skip`` when nothing ran)."""
    return record.get("verdict") or "skip"


def cell_text(record: dict) -> str:
    """``PASS 0.97 [0.92, 0.99]`` — verdict, estimate and 95% CI."""
    verdict = shown_verdict(record).upper()
    if record.get("estimate") is None:
        return verdict
    ci = record.get("ci") or [None, None]
    return f"{verdict} {_number(record['estimate'])} [{_number(ci[0])}, {_number(ci[1])}]"


def _secondary(prop: str, record: dict) -> str:
    """MIT's own number on the paper's statistic, where the gate's estimate is a different statistic."""
    details = record.get("details") or {}
    if prop == "motif" and (details.get("paper_c_vs_d") or {}).get("mes") is not None:
        return f"d = {_d(details.get('mes'))}; the paper's C vs D: d = {_d(details['paper_c_vs_d']['mes'])}"
    if prop in ("motif", "motif_natural") and "mes" in details:
        return f"d = {_d(details.get('mes'))}"
    if prop == "spacing" and details.get("peaks"):
        return "peak " + ", ".join(f"{p} bp" for p in details["peaks"].values())
    if prop == "outside" and (details.get("expression") or {}).get("margin") is not None:
        return f"ρ margin over A/T {details['expression']['margin']:+.2f}"
    effect = record.get("effect") or {}
    if effect.get("sd_units") is not None:
        fold = f", ×{effect['fold_change']:.2f}" if "fold_change" in effect else ""
        return f"Δ {effect['sd_units']:+.2f} SD{fold}"
    return ""


def _d(value) -> str:
    """Cohen's d; ±inf (SD 0) was stored as null."""
    return "±∞ (SD 0)" if value is None else f"{value:+.2f}"


def _sups(keys, footnotes: FootnoteNumbers) -> str:
    """``<sup>1,4</sup>`` with each number linked to its footnote (separate sups would read as 14)."""
    links = [f'<a href="#mit-fn-{n}">{n}</a>' for n in (footnotes.number(k) for k in keys)]
    return f"<sup>{','.join(links)}</sup>" if links else ""


def short_spec(spec: str, width: int = 40) -> str:
    """A model name that fits a table cell: ``scores:`` specs by file name, others cut from the left."""
    path = spec.removeprefix("scores:").replace("\\", "/")
    if spec.startswith("scores:") and "/" in path:
        spec = "scores:…/" + path.rsplit("/", 1)[-1]
    return spec if len(spec) <= width else "…" + spec[-(width - 1):]


def _cell(spec: str, prop: str, record: dict, footnotes: FootnoteNumbers) -> str:
    verdict = record.get("verdict") or "skip"
    shown = shown_verdict(record)
    parts = [f'<span class="mit-verdict">{shown.upper()}</span>']
    if record.get("estimate") is not None:
        ci = record.get("ci") or [None, None]
        parts.append(f' <span class="mit-estimate">{_number(record["estimate"])}</span>'
                     f' <span class="mit-ci">[{_number(ci[0])}, {_number(ci[1])}]</span>')
    if record.get("p") is not None:
        holm = record.get("p_holm")
        holm_text = f' <span class="mit-p-holm">(Holm {_p(holm)})</span>' if holm is not None else ""
        parts.append(f'<div class="mit-small">p = <span class="mit-p">{_p(record["p"])}</span>{holm_text}</div>')
    secondary = _secondary(prop, record)
    if secondary:
        parts.append(f'<div class="mit-small">{html.escape(secondary)}</div>')
    parts.append(_null_control_flag(record))
    paper = paper_value(spec, prop)
    if paper is not None:
        parts.append(f'<div class="mit-paper">paper {html.escape(PAPER_STATISTIC[prop])} '
                     f'<span class="mit-paper-value">{html.escape(paper.text)}</span>'
                     f'{_sups(paper.notes, footnotes)}</div>')
    title = html.escape(record.get("reason") or record.get("failure") or record.get("statement") or "", quote=True)
    return (f'<td class="mit-cell mit-{shown}" style="background:{COLOURS.get(shown, "#fff")}" '
            f'data-model="{html.escape(spec, quote=True)}" data-property="{prop}" data-verdict="{verdict}" '
            f'title="{title}">{"".join(parts)}</td>')


def _model_header(spec: str, model: dict, footnotes: FootnoteNumbers) -> str:
    shown = short_spec(spec)
    fingerprint = html.escape(str(model.get("fingerprint") or ""))
    return (f'<th class="mit-model" scope="row" title="{html.escape(spec, quote=True)}">{html.escape(shown)}'
            f'{_sups(model_notes(spec), footnotes)}<div class="mit-small mit-fingerprint">{fingerprint}</div></th>')


def _overall_cell(spec: str, model: dict) -> str:
    overall = model.get("overall") or {"verdict": "not measured", "reason": ""}
    return (f'<td class="mit-overall" data-model="{html.escape(spec, quote=True)}" '
            f'data-overall="{html.escape(overall["verdict"], quote=True)}" '
            f'style="background:{OVERALL_COLOURS.get(overall["verdict"], "#fff")}"><b>{html.escape(overall["verdict"])}'
            f'</b><div class="mit-small">{html.escape(overall.get("reason", ""))}</div></td>')


def html_matrix(results: dict, footnotes: FootnoteNumbers | None = None) -> str:
    """An HTML table: one row per model, one column per property, the paper's value under MIT's where the paper
    has one. Footnote numbers are assigned in ``footnotes`` (pass the same object to :func:`footnotes_html`)."""
    footnotes = footnotes if footnotes is not None else FootnoteNumbers()
    head = "".join(f'<th scope="col">{html.escape(HEADINGS[p])}<div class="mit-small">{html.escape(TESTED[p])}'
                   f"</div></th>" for p in MATRIX_PROPERTIES)
    rows = []
    for spec, model in results["models"].items():
        cells = "".join(_cell(spec, prop, model["properties"].get(prop, {"verdict": "skip", "reason": "not run"}),
                              footnotes) for prop in MATRIX_PROPERTIES)
        rows.append(f"<tr>{_model_header(spec, model, footnotes)}{_overall_cell(spec, model)}{cells}</tr>")
    legend = " ".join(f'<span class="mit-key" style="background:{colour}">{v.upper()}</span> {VERDICT_MEANING[v]}'
                      for v, colour in COLOURS.items())
    return (f'<table id="mit-matrix" class="mit-matrix"><thead><tr><th scope="col">model</th>'
            f'<th scope="col">overall<div class="mit-small">every gate passes (Holm) = grammar</div></th>{head}'
            f'</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table><p class="mit-legend">{legend}. Cells: estimate [95% CI], '
            f"one-sided p (Holm-adjusted across the model's gates); hover a cell for its reason.</p>")


def footnotes_html(footnotes: FootnoteNumbers) -> str:
    items = "".join(f'<li id="mit-fn-{n}" value="{n}">{html.escape(text)}</li>' for n, text in footnotes.listed())
    general = "".join(f"<li>{html.escape(text)}</li>" for text in GENERAL_NOTES)
    return (f'<div class="mit-notes"><ol class="mit-footnotes">{items}</ol>'
            f'<ul class="mit-general-notes">{general}</ul></div>')


def not_measured_html(results: dict) -> str:
    """One line per property that no model measured, with every distinct reason and the models it applies to (e.g.
    the natural set's data are absent for all; a replayed file and a fixed-layout scorer skip for their own)."""
    items = []
    for prop in MATRIX_PROPERTIES:
        records = {spec: m["properties"].get(prop) for spec, m in results["models"].items()}
        if not records or not all(r is not None and r.get("verdict") == "skip" for r in records.values()):
            continue
        by_reason: dict[str, list[str]] = {}
        for spec, record in records.items():
            by_reason.setdefault(record.get("reason") or "skipped", []).append(spec)
        why = "; ".join(reason if len(by_reason) == 1 else f"{', '.join(short_spec(s) for s in specs)}: {reason}"
                        for reason, specs in by_reason.items())
        items.append(f"<li><b>{html.escape(prop)}</b>: {html.escape(why)}</li>")
    if not items:
        return ""
    return f'<div id="mit-not-measured"><p>Not measured in this run:</p><ul>{"".join(items)}</ul></div>'


def run_facts_html(results: dict) -> str:
    """Set, seed, alpha, the sha256 of every sequence set, package versions and model fingerprints."""
    hashes = "".join(f"<tr><th>{html.escape(name)}</th><td><code>{html.escape(digest)}</code></td></tr>"
                     for name, digest in results["set_sha256"].items())
    versions = ", ".join(f"{html.escape(k)} {html.escape(str(v))}" for k, v in results["versions"].items())
    fingerprints = "".join(f"<tr><th>{html.escape(spec)}</th><td><code>{html.escape(str(m.get('fingerprint')))}"
                           f"</code></td></tr>" for spec, m in results["models"].items())
    return (f'<div id="mit-run-facts"><p>set <b>{html.escape(str(results["set"]))}</b> · seed '
            f'<b>{results["seed"]}</b> · alpha <b>{results["alpha"]}</b> · {versions}</p>'
            f'<table class="mit-facts"><tbody><tr><th colspan="2">sequence sets (sha256)</th></tr>{hashes}'
            f'<tr><th colspan="2">model fingerprints</th></tr>{fingerprints}</tbody></table></div>')


TERMINAL_COLUMNS = {"motif": "motif", "compensation": "compens.", "up_position": "UP pos.", "spacing": "spacing",
                    "strand": "strand", "motif_natural": "natural", "css": "css", "canary": "canary"}
_SHORT = {"pass": "P", "fail": "F", "error": "E", "skip": "-", "xfail": "x", "info": "i"}
_ANSI = {"pass": "32", "fail": "31", "error": "33", "xfail": "33", "grammar": "32", "composition only": "31",
         "neither": "31", "not measured": "33", "partial grammar": "33"}


def _paint(text: str, verdict: str, colour: bool) -> str:
    code = _ANSI.get(verdict)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _terminal_cell(record: dict) -> tuple[str, str]:
    """``("P 0.97", "pass")``: the verdict letter and the estimate, in 8 columns."""
    verdict = shown_verdict(record)
    estimate = record.get("estimate")
    text = _SHORT.get(verdict, "?") + (f" {estimate:.2f}" if isinstance(estimate, float) and estimate == estimate
                                       else "")
    return text, verdict


def _robustness_cell(properties: dict) -> tuple[str, str]:
    records = [properties.get(f"robustness_{g}") or {} for g in GATES]
    verdicts = [r.get("verdict") or "skip" for r in records]
    ran = [v for v in verdicts if v in ("pass", "fail", "xfail")]
    if not ran:
        return "-", "skip"
    failed = sum(v == "fail" for v in ran)
    return f"{len(ran) - failed}/{len(ran)}", "fail" if failed else "pass"


def text_summary(results: dict, width: int = 120, colour: bool = False) -> str:
    """The terminal summary: per model its overall verdict line and one sentence per failed gate, then a compact
    matrix (verdict letter and estimate per property). Fits ``width`` columns for any number of models."""
    import textwrap

    name_width = min(24, max([len(short_spec(s, 24)) for s in results["models"]] + [5]))
    lines = []
    for spec, model in results["models"].items():
        overall = model.get("overall") or {"verdict": "not measured", "reason": "no result"}
        head = f"{short_spec(spec, name_width):<{name_width}}  "
        body = textwrap.wrap(f"{overall['verdict']}: {overall['reason']}", width - len(head))
        lines.append(head + _paint(body[0], overall["verdict"], colour))
        lines += [" " * len(head) + rest for rest in body[1:]]
        by_sentence: dict[str, list[str]] = {}        # one sentence, said once, for every property it explains
        for prop in MATRIX_PROPERTIES:
            record = model["properties"].get(prop) or {}
            if record.get("verdict") in ("fail", "error"):
                sentence = (record.get("failure") or record.get("reason") or "").strip()
                by_sentence.setdefault(sentence.splitlines()[0] if sentence else "", []).append(prop)
        for sentence, props in by_sentence.items():
            named = "every property" if len(by_sentence) == 1 and len(props) > 4 else ", ".join(props)
            lines += textwrap.wrap(f"{named}: {sentence}", width, initial_indent=" " * (len(head) + 2),
                                   subsequent_indent=" " * (len(head) + 4))
    header = f"{'model':<{name_width}}  " + " ".join(f"{h:<8}" for h in TERMINAL_COLUMNS.values()) + " robust"
    lines += ["", header]
    for spec, model in results["models"].items():
        cells = [_terminal_cell(model["properties"].get(p) or {}) for p in TERMINAL_COLUMNS]
        cells.append(_robustness_cell(model["properties"]))
        lines.append(f"{short_spec(spec, name_width):<{name_width}}  "
                     + " ".join(_paint(f"{text:<8}", verdict, colour) for text, verdict in cells).rstrip())
    lines.append("P pass, F fail, E error, x expected failure, i diagnostic, - not run; numbers: share of untied "
                 "matched families")
    lines.append("that prefer the grammatical member (css: E over D); robust: gates that held on drawn designs.")
    return "\n".join(lines)

# -- the null control (--mit-null-control): a gate that untrained copies pass too -------------------------------

def _null_control_text(record: dict) -> str:
    null = record.get("null_control") or {}
    return f"also passed by {null.get('passed_by')} of {null.get('of')} untrained copies"


def _null_control_flag(record: dict) -> str:
    """A warning line for a cell whose gate an untrained copy of the model passes as well (empty otherwise)."""
    if not flagged(record):
        return ""
    why = ("an untrained copy of the same architecture passes this gate, so passing it is not evidence of "
           "training: " + ", ".join(f"{c} {v}" for c, v in record["null_control"]["copies"].items()))
    return (f'<div class="mit-null-control" title="{html.escape(why, quote=True)}">⚠ '
            f"{html.escape(_null_control_text(record))}</div>")


def null_control_lines(results: dict) -> list[str]:
    """Terminal lines, one per gate that untrained copies pass as well (none without ``--mit-null-control``)."""
    lines = []
    for spec, model in results["models"].items():
        for prop, record in model["properties"].items():
            if flagged(record):
                lines.append(f"null control: {spec} {prop} {shown_verdict(record).upper()} is "
                              f"{_null_control_text(record)}")
    return lines
