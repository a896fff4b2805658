"""``python -m reports.leaderboard``: one self-contained, sortable HTML page from any number of mit-results.json.

    python -m reports.leaderboard RESULTS.json ... --out leaderboard.html
           [--section "TITLE" RESULTS.json ...]...

One row per model: its overall line and every gate (verdict and the share of untied families that prefer the
grammatical member). The files of one table must come from comparable runs — the same MIT version, seed, α, set
and set sha256s (:mod:`reports.merge`); a file that differs is refused, naming what differs. Runs of another set
(the paper's mit-v1 replays) go in a ``--section`` of their own. Click a column head to sort.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from mit_tests.properties import GATES, ROBUSTNESS
from reports.names import breakable, row_label
from reports.matrix import ROBUST_HEADINGS, TERMINAL_COLUMNS
from reports.merge import IncompatibleResults, merge_results, mit_version, read_results

COLUMNS = GATES + ("motif_natural", "css") + ROBUSTNESS
VERDICT_COLOUR = {"pass": "#c8e6c9", "fail": "#ffcdd2", "error": "#ffe0b2", "info": "#e3f2fd", "xfail": "#f5f5f5",
                  "skip": "#fafafa"}
# the terminal matrix's short column names, so the page fits a screen
HEADS = {**TERMINAL_COLUMNS, **{prop: f"robust {name}" for prop, name in ROBUST_HEADINGS.items()}}
OVERALL_RANK = {"grammar": 0, "composition only": 3, "neither": 4, "not measured": 5}

STYLE = """<style>
body { font-family: sans-serif; font-size: 13px; color: #111; margin: 16px; }
table.lb { border-collapse: collapse; margin-bottom: 18px; }
.lb th, .lb td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; white-space: nowrap; }
.lb thead th { background: #fafafa; cursor: pointer; position: sticky; top: 0; }
.lb td.model { white-space: normal; max-width: 240px; }
.lb td.overall { white-space: nowrap; }
.facts { color: #555; font-size: 11.5px; }
</style>"""

SORT_SCRIPT = """<script>
document.querySelectorAll('table.lb').forEach(function (table) {
  table.querySelectorAll('thead th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var down = th.dataset.dir !== 'asc'; th.dataset.dir = down ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.key, y = b.cells[column].dataset.key;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return down ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
</script>"""


def _gate_cell(record: dict | None) -> str:
    if not record:
        return '<td data-key="9" style="color:#999">–</td>'
    verdict = record.get("verdict") or "–"
    estimate = record.get("estimate")
    share = f" {estimate:.2f}" if isinstance(estimate, (int, float)) else ""
    # sort key: pass before info before fail before the rest, then by share
    rank = {"pass": 0, "info": 1, "xfail": 2, "fail": 3, "error": 4, "skip": 5}.get(verdict, 6)
    key = f"{rank}.{int(round((1 - (estimate if isinstance(estimate, (int, float)) else 0)) * 1000)):04d}"
    title = html.escape(record.get("reason") or record.get("failure") or record.get("statement") or "", quote=True)
    return (f'<td data-key="{key}" title="{title}" style="background:{VERDICT_COLOUR.get(verdict, "#fff")}">'
            f"{html.escape(verdict)}{share}</td>")


def table_html(results: dict) -> str:
    """The leaderboard table of one set of comparable results (already merged)."""
    head = "".join(f'<th title="{html.escape(c, quote=True)}">{html.escape(HEADS.get(c, c))}</th>'
                   for c in ("model", "overall") + COLUMNS)
    rows = []
    for spec, model in results["models"].items():
        if model.get("null_control_of"):        # an untrained copy is a control of its model, not an entry
            continue
        overall = model.get("overall") or {}
        verdict = overall.get("verdict", "not measured")
        line = overall.get("line") or verdict
        rank = OVERALL_RANK.get(verdict, 2)      # graded words between grammar and composition only
        passed = len(overall.get("passed") or [])
        cells = "".join(_gate_cell(model.get("properties", {}).get(c)) for c in COLUMNS)
        label = row_label(spec)
        rows.append(f'<tr><td class="model" data-key="{html.escape(label, quote=True)}" title="{html.escape(spec, quote=True)}">'
                    f'{breakable(label)}</td><td class="overall" data-key="{rank}.{99 - passed:02d}" '
                    f'title="{html.escape(line, quote=True)}">{html.escape(verdict)}'
                    f'{f" ({passed})" if passed and verdict != "grammar" else ""}</td>{cells}</tr>')
    return f'<table class="lb"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _facts(results: dict, files: list[str]) -> str:
    sets = ", ".join(f"{name} {sha[:12]}…" for name, sha in results.get("set_sha256", {}).items())
    return (f'<p class="facts">MIT {html.escape(str(mit_version(results)))}, seed {results.get("seed")}, '
            f'α {results.get("alpha")}, set {html.escape(str(results.get("set")))} ({html.escape(sets)}); from '
            f'{html.escape(", ".join(files))}</p>')


def leaderboard_html(sections: list[tuple[str, list[str]]]) -> str:
    """The whole page; ``sections`` is ``[(title, [results file, ...]), ...]``. IncompatibleResults when the
    files of one section come from runs that cannot share a table."""
    blocks = []
    for title, files in sections:
        merged = merge_results({f: read_results(f) for f in files})
        blocks.append(f"<h2>{html.escape(title)}</h2>{_facts(merged, files)}{table_html(merged)}")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>MIT leaderboard</title>{STYLE}</head><body>'
            "<h1>MIT leaderboard</h1><p>Each cell: the gate's verdict and the share of untied matched families that "
            "prefer the grammatical member (hover for the sentence); overall: the word (with the number of gates passed; "
            "hover for the whole line). Click a column head to sort. Untrained copies "
            "(--mit-null-control) are controls of their model and are not listed.</p>"
            f"{''.join(blocks)}{SORT_SCRIPT}</body></html>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.leaderboard", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", help="mit-results.json files of the first table")
    parser.add_argument("--section", nargs="+", action="append", default=[], metavar=("TITLE", "RESULTS"),
                        help="another table: its title, then its mit-results.json files")
    parser.add_argument("--title", default="Models", help="title of the first table")
    parser.add_argument("--out", required=True, help="the HTML page to write")
    args = parser.parse_args(argv)
    sections = ([(args.title, args.results)] if args.results else []) + [(s[0], s[1:]) for s in args.section]
    if not sections or any(not files for _, files in sections):
        parser.error("give at least one mit-results.json file for every table")
    try:
        page = leaderboard_html(sections)
    except (IncompatibleResults, ValueError) as exc:
        print(f"python -m reports.leaderboard: {exc}", file=sys.stderr)
        return 1
    Path(args.out).write_text(page, encoding="utf-8")
    print(f"wrote {args.out}: {sum(len(f) for _, f in sections)} results files in {len(sections)} tables",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
