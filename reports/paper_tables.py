"""The paper's Tables 2 and 6 recomputed in paper mode (``--mit-set mit-v1``), each number beside the paper's.

Reads the ``paper`` property of ``mit-results.json`` (``mit_tests/test_paper_mode.py``: the paper's own statistics
on its own sequences) and the paper's printed values (``reports.paper_values``). Table 2 holds the gLMs and
baselines (CSS, its one-sided t p-value and Benjamini–Hochberg p_FDR over the paper's family of eight, SCR,
MES_nat, MES_syn); Table 6 the biophysical models (CSS and SCR with their ties). ``pytest --mit-set=mit-v1
--model=paper`` runs every model of both; any subset prints the rows it has.
"""

from __future__ import annotations

import html

from mit_tests.paper_mode import PAPER_FDR_FAMILY, paper_fdr
from reports.paper_values import paper_key, paper_value
from reports.textgrid import fold_table

# Table 2's rows (MIT's names of the paper's models) and the names the paper's FDR family uses for them.
TABLE_2 = {"hyenadna": "hyenadna", "evo2-1b": "evo2_1b", "nt-500m": "nt_500m", "grover": "grover",
           "caduceus": "caduceus", "kmer-paper": "kmer", "random": "random", "pwm": "pwm"}
TABLE_6 = ("pa-pwm", "rpa-pwm", "thermo", "pa-pwm-nopos", "pa-pwm-nocomp", "scan")
# The paper's p_FDR (Table 2): BH over its family of eight, anchor_mit.md section 6.
PAPER_P_FDR = {"hyenadna": 0.0346, "evo2-1b": 0.0899, "nt-500m": 0.5686, "grover": 0.6913, "caduceus": 0.7716}


def paper_rows(results: dict) -> dict[str, dict]:
    """``{paper model: {"spec", "metrics", "p_fdr"}}`` for every model of the run with paper-mode numbers."""
    rows = {}
    for spec, model in results["models"].items():
        metrics = ((model["properties"].get("paper") or {}).get("details") or {})
        key = paper_key(spec)
        if metrics and key:
            rows[key] = {"spec": spec, "metrics": metrics, "p_fdr": None}
    family = {TABLE_2[k]: rows[k]["metrics"]["css_p"] for k in TABLE_2 if k in rows}
    if set(family) == set(PAPER_FDR_FAMILY):
        adjusted = paper_fdr({m: float("nan") if p is None else p for m, p in family.items()})
        for key, name in TABLE_2.items():
            rows[key]["p_fdr"] = adjusted[name]
    return rows


def _pair(mine, paper) -> str:
    """``0.630 / 0.63``: MIT's number (three decimals) and the paper's as it prints it."""
    return f"{'–' if mine is None else f'{mine:.3f}'} / {paper or '–'}"


def _paper(key: str, prop: str):
    value = paper_value(key, prop)
    return None if value is None else value.text.split(" ")[0]


def table_2_lines(rows: dict) -> list[list[str]]:
    header = ["model", "CSS MIT / paper", "p (t)", "p_FDR MIT / paper", "SCR MIT / paper", "MES_nat", "MES_syn"]
    lines = [header]
    for key in TABLE_2:
        if key not in rows:
            continue
        m = rows[key]["metrics"]
        p_fdr = rows[key]["p_fdr"]
        lines.append([key, _pair(m["css"], _paper(key, "css")),
                      "NaN→1" if m["css_p"] is None else f"{m['css_p']:.4f}",
                      f"{'–' if p_fdr is None else f'{p_fdr:.4f}'} / {PAPER_P_FDR.get(key, '–')}",
                      _pair(m["scr"], _paper(key, "scramble")),
                      _pair(m["mes_natural"], _paper(key, "motif_natural")),
                      _pair(m["mes_synthetic"], _paper(key, "motif"))])
    return lines


def table_6_lines(rows: dict) -> list[list[str]]:
    lines = [["model", "CSS MIT / paper (ties)", "SCR MIT / paper (ties)"]]
    for key in TABLE_6:
        if key in rows:
            m = rows[key]["metrics"]
            lines.append([key, f"{_pair(m['css'], _paper(key, 'css'))} ({m['css_ties']})",
                          f"{_pair(m['scr'], _paper(key, 'scramble'))} ({m['scr_ties']})"])
    return lines


def paper_tables_text(results: dict, width: int = 120) -> str:
    """Both tables as aligned text for the terminal, folded to ``width`` columns; empty when the run has no
    paper-mode numbers."""
    rows = paper_rows(results)
    if not rows:
        return ""
    out = ["Paper mode (--mit-set mit-v1): the paper's statistics on its own sequences; MIT / the paper"]
    two, six = table_2_lines(rows), table_6_lines(rows)
    if len(two) > 1:
        out += ["Table 2 (gLMs and baselines; p_FDR: BH over the paper's eight, when all eight ran)"] + fold_table(two[0], two[1:], width)
    if len(six) > 1:
        out += ["Table 6 (biophysical models on the 650 stored sequences)"] + fold_table(six[0], six[1:], width)
    return "\n".join(out)


def paper_tables_html(results: dict) -> str:
    rows = paper_rows(results)
    if not rows:
        return ""
    parts = ['<div id="mit-paper-tables"><h2>Paper mode: Tables 2 and 6</h2><p>The paper\'s statistics on its '
             "own 650 sequences (index pairs, strict “>”, one-sided t-test), MIT's value / the paper's.</p>"]
    for title, lines in (("Table 2", table_2_lines(rows)), ("Table 6", table_6_lines(rows))):
        if len(lines) > 1:
            head = "".join(f"<th>{html.escape(c)}</th>" for c in lines[0])
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in lines[1:])
            parts.append(f'<h3>{title}</h3><table class="mit-facts"><thead><tr>{head}</tr></thead>'
                         f"<tbody>{body}</tbody></table>")
    return "".join(parts) + "</div>"
