"""The model × property matrix that opens the report, as HTML and as terminal text.

Each HTML cell carries machine-readable attributes (``data-model``, ``data-property``, ``data-verdict``) and its
numbers in classed spans (``mit-estimate``, ``mit-ci``, ``mit-p``), so tests and scripts can read the matrix back
and check it against ``mit-results.json``.
"""

from __future__ import annotations

import html

from mit_tests.null_control import flagged
from mit_tests.properties import GATES, PROPERTIES, ROBUSTNESS, SPACING_PEAK
from reports.grounding import gate_grounding
from reports.names import breakable, row_label, short_spec  # noqa: F401 - short_spec: the API tests use
from reports.paper_values import GENERAL_NOTES, PAPER_STATISTIC, FootnoteNumbers, model_notes, paper_value
from reports.textgrid import fold_table, plain

# The matrix shows one cell per property; mpra and paper mode have tables of their own.
MATRIX_PROPERTIES = tuple(p for p in PROPERTIES if p not in ("mpra", "paper"))
HEADINGS = {"canary": "canary", "motif": "motif", "compensation": "compensation", "up_position": "UP position",
            "spacing": "spacing", "strand": "strand", "motif_natural": "motif natural", "css": "css",
            "scramble": "scramble", "composition": "r(AT)", "outside": "outside evidence",
            **{f"robustness_{g}": f"robust: {g.replace('_', ' ')}" for g in GATES}}
ROBUST_HEADINGS = {"robustness_motif": "motif", "robustness_compensation": "comp.", "robustness_up_position": "UP",
                   "robustness_spacing": "spac.", "robustness_strand": "strand", "robustness_motif_natural": "nat."}
# What each column tests, in one line under its heading (every gate's two members have the same bases).
TESTED = {"canary": "NLL/nt: held-out E. coli < ln 4 − 0.005, promoters ≤ ln 4 + 0.1, random ≥ ln 4 − 0.1", "motif": "−10 > its bases and dinucleotides rearranged (M > K)",
          "compensation": "E > H (UP moved into the spacer), E > J (boxes moved), E > L (UP moved far upstream)",
          "up_position": "UP upstream > downstream: UP moved near and far, and core moved",
          "spacing": f"peak {SPACING_PEAK[0]}–{SPACING_PEAK[-1]} bp, −10 moved and −35 moved",
          "strand": "forward > RC in place, > boxes exchanged; the same on the reverse strand", "motif_natural": "natural A > B (B: −10 rearranged)",
          "css": "diagnostic: E > D (the paper's CSS)", "scramble": "diagnostic: E > H (the paper's SCR)",
          "composition": "diagnostic, not gated: r(AT, score)",
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


# Skip reasons (mit_tests) that say a property does not apply to the model, rather than that it was not run: the
# cell is greyed "n/a" instead of SKIP. tests/test_summary.py checks each phrase still occurs in mit_tests.
DOES_NOT_APPLY = ("not log-likelihoods",                       # canary: a non-likelihood scorer
                  "is an untrained copy of",                   # canary: a --mit-null-control copy
                  "replays a score file without the canary",   # canary: replayed scores
                  "is a fixed-layout scorer",                  # mpra
                  "replays a score file, which holds only",    # mpra
                  "replays precomputed scores",                # robustness: replayed scores cannot be redrawn
                  "robustness is measured for models that pass it")   # robustness: the core gate failed
# Record fields the cells show themselves; any other field (a newer record's ``effect``, ``grounding``, ...) is
# shown as it comes, in the cell's hover text and expanded detail.
SHOWN_FIELDS = {"verdict", "reason", "estimate", "ci", "p", "p_holm", "n", "ties", "gate_passed", "statement",
                "failure", "details", "null_control", "model", "property", "fingerprint", "set_sha256"}
TIE_MARK = "~"


def shown_verdict(record: dict) -> str:
    """The label a cell shows: the JSON verdict (``skip`` when nothing ran)."""
    return record.get("verdict") or "skip"


def does_not_apply(record: dict) -> bool:
    """Whether the property was skipped because it does not apply to the model (see DOES_NOT_APPLY)."""
    reason = record.get("reason") or ""
    return shown_verdict(record) == "skip" and any(phrase in reason for phrase in DOES_NOT_APPLY)


def _mostly_tied(part: dict) -> bool:
    n, ties = part.get("n"), part.get("ties")
    return isinstance(n, int) and isinstance(ties, int) and n > 0 and 2 * ties > n


def tie_driven(record: dict) -> bool:
    """A FAIL (or expected failure) where most pairs of a contrast tie, so the gate could not pass whatever the
    p-value (mit_tests/stats.py ``SignTest.mostly_ties``); the record's own n/ties or any of its contrasts'."""
    if shown_verdict(record) not in ("fail", "xfail"):
        return False
    contrasts = ((record.get("details") or {}).get("contrasts") or {}).values()
    return _mostly_tied(record) or any(_mostly_tied(c) for c in contrasts if isinstance(c, dict))


def cell_text(record: dict) -> str:
    """``PASS 0.97 [0.92, 0.99]`` — verdict (``FAIL~`` when ties drove it), estimate and 95% CI."""
    verdict = shown_verdict(record).upper() + (TIE_MARK if tie_driven(record) else "")
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
    if prop == "canary" and "uniform_nll_per_nt" in details:
        return canary_values(details)
    if prop == "spacing" and details.get("peaks"):
        return "peak " + ", ".join(f"{p} bp" for p in details["peaks"].values())
    if prop == "outside" and (details.get("expression") or {}).get("margin") is not None:
        return f"ρ margin over A/T {details['expression']['margin']:+.2f}"
    effect = record.get("effect") or {}
    if effect.get("sd_units") is not None:
        fold = f", ×{effect['fold_change']:.2f}" if "fold_change" in effect else ""
        return f"Δ {effect['sd_units']:+.2f} SD{fold}"
    return ""


def canary_values(details: dict) -> str:
    """Each canary check's value against its bound, NLL/nt (``mit_tests.canary``); a check that did not run says so."""
    def value(key: str) -> str:
        return "n/a" if details.get(key) is None else f"{details[key]:.3f}"
    parts = [f"held-out {value('held_out_nll_per_nt')} < {value('max_nll')}" if "held_out_nll_per_nt" in details
             else "held-out not checked"]
    if details.get("promoter_nll_per_nt") is not None:
        gated = (details.get("checks") or {}).get("promoters") is not None
        parts.append(f"promoters {value('promoter_nll_per_nt')}"
                     + (f" ≤ {value('max_promoter_nll')}" if gated else " (designed, not gated)"))
    parts.append(f"random {value('uniform_nll_per_nt')} ≥ {value('min_uniform_nll')}")
    if details.get("repeat_nll_per_nt") is not None:
        parts.append(f"repeats {value('repeat_nll_per_nt')} (info)")
    return "; ".join(parts)


def _d(value) -> str:
    """Cohen's d; ±inf (SD 0) was stored as null."""
    return "±∞ (SD 0)" if value is None else f"{value:+.2f}"


def _sups(keys, footnotes: FootnoteNumbers) -> str:
    """``<sup>1,4</sup>`` with each number linked to its footnote (separate sups would read as 14)."""
    links = [f'<a href="#mit-fn-{n}">{n}</a>' for n in (footnotes.number(k) for k in keys)]
    return f"<sup>{','.join(links)}</sup>" if links else ""


def _field_text(value) -> str:
    """Any JSON value as one short line: numbers to 3 significant figures, dicts as ``key value; ...``."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_field_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_field_text(v) for v in value) + "]"
    return str(value)


def extra_fields(record: dict) -> list[tuple[str, str]]:
    """``[(field, text)]`` for each record field the matrix has no place of its own for (e.g. ``effect``)."""
    return [(key, _field_text(value)) for key, value in record.items() if key not in SHOWN_FIELDS]


def _sentence(record: dict) -> str:
    return (record.get("failure") or record.get("reason") or "").strip()


def hover_text(prop: str, record: dict, spec: str = "") -> str:
    """Everything a cell holds, as plain lines for its ``title``: the numbers, the sentence, any extra field."""
    lines = [cell_text(record)]
    if record.get("p") is not None:
        holm = record.get("p_holm")
        lines.append(f"p = {_p(record['p'])}" + (f" (Holm {_p(holm)})" if holm is not None else ""))
    if record.get("n") is not None:
        lines.append(f"n = {record['n']}, ties = {record.get('ties')}")
    if tie_driven(record):
        lines.append("most pairs tie: the gate could not pass")
    if _secondary(prop, record):
        lines.append(_secondary(prop, record))
    lines += [f"{key}: {text}" for key, text in extra_fields(record)]
    paper = paper_value(spec, prop) if spec else None
    if paper is not None:
        lines.append(f"paper {PAPER_STATISTIC[prop]} {paper.text}")
    if flagged(record):
        lines.append(_null_control_text(record))
    if _sentence(record):
        lines.append(_sentence(record))
    return "\n".join(lines)


def _cell(spec: str, prop: str, record: dict, footnotes: FootnoteNumbers) -> str:
    verdict = record.get("verdict") or "skip"
    shown = shown_verdict(record)
    title = html.escape(hover_text(prop, record, spec), quote=True)
    attributes = (f'data-model="{html.escape(spec, quote=True)}" data-property="{prop}" data-verdict="{verdict}" '
                  f'title="{title}"')
    if does_not_apply(record):
        return (f'<td class="mit-cell mit-na" {attributes} data-applies="no"><span class="mit-verdict">n/a</span>'
                f"</td>")
    tied = tie_driven(record)
    robustness = prop.startswith("robustness_")
    head = [f'<span class="mit-verdict">{shown.upper()}</span>']
    if tied:
        head.append(f'<span class="mit-tie" title="most pairs tie: the gate could not pass">{TIE_MARK}</span>')
    more = []
    if record.get("estimate") is not None:
        ci = record.get("ci") or [None, None]
        estimate = f'<span class="mit-estimate">{_number(record["estimate"])}</span>'
        (more if robustness else head).append(f" {estimate}")
        more.append(f' <span class="mit-ci">[{_number(ci[0])}, {_number(ci[1])}]</span>')
    if flagged(record):
        head.append('<span class="mit-null-mark"> ⚠</span>')
    if record.get("p") is not None:
        holm = record.get("p_holm")
        holm_text = f' <span class="mit-p-holm">(Holm {_p(holm)})</span>' if holm is not None else ""
        more.append(f'<div>p = <span class="mit-p">{_p(record["p"])}</span>{holm_text}</div>')
    if record.get("n") is not None:
        more.append(f"<div>n = {record['n']}, ties = {record.get('ties')}</div>")
    secondary = _secondary(prop, record)
    if secondary:
        more.append(f"<div>{html.escape(secondary)}</div>")
    more += [f'<div class="mit-extra" data-field="{html.escape(key, quote=True)}">{html.escape(key)}: '
             f"{html.escape(text)}</div>" for key, text in extra_fields(record)]
    more.append(_null_control_flag(record))
    paper = paper_value(spec, prop)
    if paper is not None:
        more.append(f'<div class="mit-paper">paper {html.escape(PAPER_STATISTIC[prop])} '
                    f'<span class="mit-paper-value">{html.escape(paper.text)}</span>'
                    f'{_sups(paper.notes, footnotes)}</div>')
    if _sentence(record):
        more.append(f'<div class="mit-sentence">{html.escape(_sentence(record))}</div>')
    body = "".join(more)
    inner = (f'<details class="mit-more"><summary>{"".join(head)}</summary><div class="mit-detail">{body}</div>'
             f"</details>" if body else "".join(head))
    return (f'<td class="mit-cell mit-{shown}{" mit-tied" if tied else ""}" '
            f'style="background:{COLOURS.get(shown, "#fff")}" {attributes}>{inner}</td>')


def _model_header(spec: str, model: dict, footnotes: FootnoteNumbers) -> str:
    fingerprint = str(model.get("fingerprint") or "")
    title = html.escape(spec + (f"\nfingerprint {fingerprint}" if fingerprint else ""), quote=True)
    return (f'<th class="mit-model" scope="row" title="{title}"><span class="mit-name">'
            f"{breakable(row_label(spec))}</span>{_sups(model_notes(spec), footnotes)}</th>")


def _overall_cell(spec: str, model: dict) -> str:
    overall = model.get("overall") or {"verdict": "not measured", "reason": ""}
    reason = overall.get("reason", "")
    verdict = f"<b>{html.escape(overall['verdict'])}</b>"
    inner = (f'<details class="mit-more"><summary>{verdict}</summary><div class="mit-detail mit-reason">'
             f"{html.escape(reason)}</div></details>" if reason else verdict)
    return (f'<td class="mit-overall" data-model="{html.escape(spec, quote=True)}" '
            f'data-overall="{html.escape(overall["verdict"], quote=True)}" title="{html.escape(reason, quote=True)}" '
            f'style="background:{OVERALL_COLOURS.get(overall["verdict"], "#fff")}">{inner}</td>')


def _heading(prop: str, label: str, rows: int = 1, support: str = "") -> str:
    span = f' rowspan="{rows}"' if rows > 1 else ""
    title = TESTED[prop] + (f" Measured support: {support}" if support else "")
    return f'<th scope="col"{span} title="{html.escape(title, quote=True)}">{html.escape(label)}</th>'


def html_matrix(results: dict, footnotes: FootnoteNumbers | None = None) -> str:
    """A compact HTML table: one row per model, one column per property. Each cell shows the verdict and the share
    (with ``~`` where ties made the gate unpassable); its CI, p, n, the paper's value, any further record field and
    the sentence are in its hover text and open on a click. Properties that do not apply to a model read n/a.
    Footnote numbers are assigned in ``footnotes`` (pass the same object to :func:`footnotes_html`)."""
    footnotes = footnotes if footnotes is not None else FootnoteNumbers()
    main = [p for p in MATRIX_PROPERTIES if p not in ROBUSTNESS]
    robust = [p for p in MATRIX_PROPERTIES if p in ROBUSTNESS]
    support = {p: gate_grounding(results, p) for p in main}      # measured data behind each gate's direction
    head = "".join(_heading(p, HEADINGS[p], 2, support[p]) for p in main)
    sub = "".join(_heading(p, ROBUST_HEADINGS[p]) for p in robust)
    rows = []
    for spec, model in results["models"].items():
        cells = "".join(_cell(spec, prop, model["properties"].get(prop, {"verdict": "skip", "reason": "not run"}),
                              footnotes) for prop in main + robust)
        rows.append(f"<tr>{_model_header(spec, model, footnotes)}{_overall_cell(spec, model)}{cells}</tr>")
    legend = " ".join(f'<span class="mit-key" style="background:{colour}">{v.upper()}</span> {VERDICT_MEANING[v]}'
                      for v, colour in COLOURS.items())
    tested = "".join(f"<li><b>{html.escape(HEADINGS[p])}</b>: {html.escape(TESTED[p])}"
                     + (f' <span class="mit-support">Measured support (La Fleur 2022 and the other shipped '
                        f"libraries, see the grounding table): {html.escape(support[p])}</span>" if support[p] else "")
                     + "</li>" for p in main)
    return (f'<table id="mit-matrix" class="mit-matrix"><thead><tr><th scope="col" rowspan="2">model</th>'
            f'<th scope="col" rowspan="2" title="every gate passes (Holm) = grammar">overall</th>'
            f'{head}<th scope="colgroup" colspan="{len(robust)}" class="mit-robust-head">robustness: the gate on drawn '
            f"designs</th></tr><tr>{sub}</tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table><p class="mit-legend">{legend}; '
            f'<span class="mit-key mit-na">n/a</span> does not apply to this model; {TIE_MARK}: most pairs tie, so '
            "the gate could not pass. Cells: verdict and share of untied families (composition: r(AT, score)); "
            "hover a cell for its 95% CI, p (Holm-adjusted across the model's gates), n, ties, the paper's value "
            "and the sentence, or click it to open them.</p>"
            f'<details class="mit-tested" open><summary>What each column tests, and the measured data behind it'
            f"</summary><ul>{tested}</ul></details>")


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
        if all(does_not_apply(r) for r in records.values()):
            spec, record = next(iter(records.items()))
            items.append(f"<li><b>{html.escape(prop)}</b>: does not apply to any model of this run (e.g. "
                         f"{html.escape(short_spec(spec))}: {html.escape(record.get('reason') or '')})</li>")
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
TERMINAL_OVERALL = {"grammar": "grammar", "composition only": "comp. only", "neither": "neither",
                    "not measured": "not meas."}
# From this many models on, the terminal opens with the matrix and keeps the failure sentences for -v.
COMPACT_FROM = 4
_SHORT = {"pass": "P", "fail": "F", "error": "E", "skip": "-", "xfail": "x", "info": "i"}
_ANSI = {"pass": "32", "fail": "31", "error": "33", "xfail": "33", "grammar": "32", "composition only": "31",
         "neither": "31", "not measured": "33", "partial grammar": "33"}


def _paint(text: str, verdict: str, colour: bool) -> str:
    code = _ANSI.get(verdict)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _terminal_cell(record: dict) -> tuple[str, str]:
    """``("P 0.97", "pass")``: the verdict letter (``F~`` where ties made the gate unpassable, ``n/a`` where the
    property does not apply) and the estimate."""
    verdict = shown_verdict(record)
    if does_not_apply(record):
        return "n/a", "skip"
    estimate = record.get("estimate")
    letter = _SHORT.get(verdict, "?") + (TIE_MARK if tie_driven(record) else "")
    return letter + (f" {estimate:.2f}" if isinstance(estimate, float) and estimate == estimate else ""), verdict


def _robustness_cell(properties: dict) -> tuple[str, str]:
    records = [properties.get(f"robustness_{g}") or {} for g in GATES]
    verdicts = [r.get("verdict") or "skip" for r in records]
    ran = [v for v in verdicts if v in ("pass", "fail", "xfail")]
    if not ran:
        return "-", "skip"
    failed = sum(v == "fail" for v in ran)
    return f"{len(ran) - failed}/{len(ran)}", "fail" if failed else "pass"


def _name_width(results: dict) -> int:
    return min(24, max([len(short_spec(s, 24)) for s in results["models"]] + [5]))


def terminal_matrix(results: dict, width: int = 120, colour: bool = False) -> list[str]:
    """The compact matrix (overall verdict, verdict letter and estimate per property, robustness tests passed),
    folded into blocks of columns that fit ``width``."""
    name_width = _name_width(results)
    header = ["model", "overall"] + list(TERMINAL_COLUMNS.values()) + ["robust"]
    rows = []
    for spec, model in results["models"].items():
        overall = (model.get("overall") or {}).get("verdict") or "not measured"
        cells = [_terminal_cell(model["properties"].get(p) or {}) for p in TERMINAL_COLUMNS]
        cells.append(_robustness_cell(model["properties"]))
        rows.append([short_spec(spec, name_width), _paint(TERMINAL_OVERALL.get(overall, overall), overall, colour)]
                    + [_paint(text, verdict, colour) for text, verdict in cells])
    lines = fold_table(header, rows, width)
    if "" not in lines:                                 # fits unfolded
        return lines
    # too wide: first leave out the columns no model has a result in (said below the table), then fold
    empty = [i for i in range(2, len(header)) if all(plain(row[i]) in ("n/a", "-") for row in rows)]
    if not empty:
        return lines
    keep = [i for i in range(len(header)) if i not in empty]
    lines = fold_table([header[i] for i in keep], [[row[i] for i in keep] for row in rows], width)
    import textwrap
    return lines + textwrap.wrap(f"not shown, no model has a result: {', '.join(header[i] for i in empty)}", width)


MATRIX_KEY = ("P pass, F fail, E error, x expected failure, F~ or x~ (expected) failure where most pairs tie (the "
              "gate could not pass), i diagnostic, - not run, n/a does not apply to the model; numbers: share of untied matched families "
              "that prefer the grammatical member (css: E over D); robust: gates that held on drawn designs.")


def _verdict_lines(spec: str, model: dict, name_width: int, width: int, colour: bool, sentences: bool) -> list[str]:
    """A model's overall line (wrapped, never cut) and, if ``sentences``, one line per distinct failure sentence."""
    import textwrap
    overall = model.get("overall") or {"verdict": "not measured", "reason": "no result"}
    head = f"{short_spec(spec, name_width):<{name_width}}  "
    body = textwrap.wrap(f"{overall['verdict']}: {overall.get('reason', '')}", max(20, width - len(head)),
                         break_long_words=False, break_on_hyphens=False)
    lines = [head + _paint(body[0], overall["verdict"], colour)] + [" " * len(head) + rest for rest in body[1:]]
    if not sentences:
        return lines
    by_sentence: dict[str, list[str]] = {}        # one sentence, said once, for every property it explains
    for prop in MATRIX_PROPERTIES:
        record = model["properties"].get(prop) or {}
        if record.get("verdict") in ("fail", "error"):
            sentence = _sentence(record)
            by_sentence.setdefault(sentence.splitlines()[0] if sentence else "", []).append(prop)
    for sentence, props in by_sentence.items():
        named = "every property" if len(by_sentence) == 1 and len(props) > 4 else ", ".join(props)
        lines += textwrap.wrap(f"{named}: {sentence}", max(20, width), initial_indent=" " * (len(head) + 2),
                               subsequent_indent=" " * (len(head) + 4), break_long_words=False)
    return lines


def text_summary(results: dict, width: int = 120, colour: bool = False, verbose: int = 0) -> str:
    """The terminal summary, no line wider than ``width`` (but for a single unbreakable word).

    Up to three models: per model its overall line and one sentence per failed gate, then the compact matrix.
    From COMPACT_FROM models on: the matrix first, then each model's overall line, the sentences only with ``-v``
    (``verbose`` ≥ 1; they are in the HTML report's cells too)."""
    import textwrap
    models = results["models"]
    name_width = _name_width(results)
    compact = len(models) >= COMPACT_FROM
    matrix = terminal_matrix(results, width, colour) + textwrap.wrap(MATRIX_KEY, width)
    verdicts = [line for spec, model in models.items()
                for line in _verdict_lines(spec, model, name_width, width, colour, not compact or verbose > 0)]
    if not compact:
        return "\n".join(verdicts + [""] + matrix)
    failed = any((r or {}).get("verdict") in ("fail", "error") for m in models.values()
                 for r in m["properties"].values())
    hint = [] if verbose > 0 or not failed else ["(what each model got wrong, one sentence per failed gate: run "
                                                 "with -v, or hover the cells of the HTML report)"]
    return "\n".join(matrix + [""] + verdicts + textwrap.wrap(" ".join(hint), width))


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
