"""``python -m zoo.table REPORT_DIR``: the zoo's verdict table (Markdown) from a run's ``mit-results.json``.

One row per model of the run (untrained null-control copies are counted in their model's cells, not listed):
overall line, canary values (held-out / natural promoters / uniform / repeats, nats per nt), every property's
verdict and estimate (gates and diagnostics such as css) with "k/N untrained pass" when null-control copies passed
it too and "fails after Holm" when a gate passes alone but the overall line counts it failed, the
outside-construction criterion (AUROC of σ70 promoters over A/T-matched genome windows; mean Spearman ρ margin over
A/T content), and r(AT, score).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SPECIAL = ("canary", "composition", "outside")     # their own columns: canary first, outside and r(AT) last


def _number(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "–"


def cell(entry: dict | None) -> str:
    if not entry:
        return "–"
    verdict = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "skip", "xfail": "xfail",
               "info": "info"}.get(entry.get("verdict"), entry.get("verdict") or "?")
    text = f"{verdict} {_number(entry.get('estimate'))}" if entry.get("estimate") is not None else verdict
    null = entry.get("null_control")
    if null and null.get("of") and entry.get("verdict") in ("pass", "fail"):
        text += f" ({null['passed_by']}/{null['of']} untrained pass)"
    return text


def outside_cell(entry: dict | None, met: bool | None) -> str:
    if not entry:
        return "–"
    d = entry.get("details") or {}
    genome, expression = d.get("genome") or {}, d.get("expression") or {}
    parts = []
    if genome:
        parts.append(f"AUROC {_number(genome.get('auroc'))} [{', '.join(map(_number, genome.get('ci') or []))}]")
    if expression:
        parts.append(f"ρ margin {expression.get('margin'):+.2f} [{', '.join(f'{c:+.2f}' for c in expression['ci'])}]"
                     if isinstance(expression.get("margin"), (int, float)) else "ρ margin –")
    verdict = {True: "met", False: "not met"}.get(met if met is not None else d.get("met"), "–")
    return f"{verdict}: " + "; ".join(parts) if parts else verdict


def canary_cell(entry: dict | None) -> str:
    if not entry:
        return "–"
    d = entry.get("details") or {}
    values = " / ".join(_number(d.get(k)) for k in ("held_out_nll_per_nt", "promoter_nll_per_nt",
                                                     "uniform_nll_per_nt", "repeat_nll_per_nt"))
    return f"{cell({'verdict': entry.get('verdict')})} {values}"


def rows(results: dict) -> list[str]:
    # every property the run measured, in the order the results list them (the gates change between versions)
    names = list(dict.fromkeys(n for m in results["models"].values() for n in (m.get("properties") or {})
                               if n not in SPECIAL))
    header = (["model", "overall", "canary (held-out / promoters / uniform / repeats)"] + names
              + ["outside criterion (AUROC; ρ margin over A/T)", "r(AT)"])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for spec, model in results["models"].items():
        properties = model.get("properties") or {}
        if any((p or {}).get("null_control_of") for p in properties.values()) or "#null" in spec:
            continue
        overall = model.get("overall") or {}
        composition = (properties.get("composition") or {})
        r_at = composition.get("estimate")
        failed = set(overall.get("failed") or [])
        cells = []
        for name in names:
            text = cell(properties.get(name))
            if name in failed and (properties.get(name) or {}).get("verdict") == "pass":
                text += " (fails after Holm)"     # passes alone, not across the six gates
            cells.append(text)
        lines.append("| " + " | ".join(
            [f"`{spec}`", overall.get("verdict", "–"), canary_cell(properties.get("canary"))] + cells
            + [outside_cell(properties.get("outside"), overall.get("outside")), _number(r_at)]) + " |")
    return lines


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m zoo.table REPORT_DIR", file=sys.stderr)
        return 2
    results = json.loads((Path(args[0]) / "mit-results.json").read_text())
    print(f"seed {results.get('seed')}, MIT {results.get('mit_version')}")
    print("\n".join(rows(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
