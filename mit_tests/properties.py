"""Every property MIT reports and what kind it is, and the step that turns one model's records into its summary:
Holm-adjusted p-values across its gates and its one-line overall verdict. The one list the tests,
``mit-results.json`` and the report read.
"""

from __future__ import annotations

from mit_tests.stats import holm

# The gates of grammar on MIT's synthetic sets (DESIGN.md section 6). Every contrast they test has two members
# with the same bases; the last four are positional, each measured twice (the element moved; the rest moved).
GATES = ("motif", "compensation", "up_position", "spacing", "strand")
POSITIONAL = ("compensation", "up_position", "spacing", "strand")
ROBUSTNESS = tuple(f"robustness_{gate}" for gate in GATES)
# Diagnostics are measured and reported with verdict ``info``, never gated.
DIAGNOSTICS = ("css", "scramble", "composition", "mpra", "paper")
# mit-results.json keys of a model's properties, in report order (DESIGN.md section 10).
PROPERTIES = ("canary",) + GATES + ("motif_natural", "css", "scramble", "composition", "mpra") + ROBUSTNESS + ("paper",)
# Properties whose test can fail (a verdict pass/fail); the Holm family of the reported p_holm.
GATED = GATES + ("motif_natural",) + ROBUSTNESS + ("canary",)
HOLM_FAMILY = GATES + ("motif_natural",)
NOT_BUILT: dict[str, str] = {}

# The spacing gate: the mean score must peak at one of these −35/−10 spacer lengths (bp).
SPACING_PEAK = (16, 17, 18)

RECORD_KEYS = ("estimate", "ci", "p", "n", "ties", "effect")
OVERALL_VERDICTS = ("grammar", "composition only", "neither", "not measured")


def summarise(properties: dict, alpha: float) -> dict:
    """Complete one model's ``{property: record}`` in place and return its overall verdict.

    Adds a record for every property no test reported (``NOT_BUILT``), the missing keys as None, and
    ``p_holm``: the Holm-adjusted p-value across the grammar gates that measured one (``HOLM_FAMILY``).
    """
    for prop, reason in NOT_BUILT.items():
        properties.setdefault(prop, {"verdict": "skip", "reason": reason})
    family = [p for p in HOLM_FAMILY if p in properties and properties[p].get("p") is not None]
    for p, value in zip(family, holm([properties[p]["p"] for p in family]) if family else []):
        properties[p]["p_holm"] = float(value)
    for record in properties.values():
        for key in RECORD_KEYS:
            record.setdefault(key, None)
    return overall(properties, alpha)


def overall_of(results: dict, alpha: float) -> dict:
    """The overall verdict of PropertyResults decided in-process (``gates.decide``), as a run would give it."""
    records = {prop: {"verdict": "info" if r.gate_passed is None else "pass" if r.gate_passed else "fail",
                      "p": r.p, "details": r.details} for prop, r in results.items()}
    return summarise(records, alpha)


def overall(properties: dict, alpha: float) -> dict:
    """The model's one-line verdict (DESIGN.md section 6).

    * ``grammar``: every grammar gate that ran passes with its Holm-adjusted p below ``alpha`` (the five gates
      of ``GATES`` must run; ``motif_natural`` counts when the natural set was there), and no robustness test
      of them failed;
    * ``composition only``: the css diagnostic is significant and no positional gate passes;
    * ``neither``: anything else;
    * ``not measured``: a gate errored or was skipped, so there is nothing to conclude.
    """
    def verdict(prop):
        return (properties.get(prop) or {}).get("verdict")

    unmeasured = [g for g in GATES if verdict(g) not in ("pass", "fail", "xfail")]
    ran = [g for g in HOLM_FAMILY if verdict(g) in ("pass", "fail", "xfail")]
    passed = [g for g in ran if verdict(g) == "pass" and (properties[g].get("p_holm") or 1.0) < alpha]
    failed = [g for g in ran if g not in passed]
    fragile = [r.removeprefix("robustness_") for r in ROBUSTNESS if verdict(r) == "fail"]
    css = properties.get("css") or {}
    composition_significant = bool((css.get("details") or {}).get("significant"))
    if unmeasured:
        label = "not measured"
        why = "no verdict from " + ", ".join(f"{g} ({verdict(g) or 'not run'})" for g in unmeasured)
    elif not failed and not fragile:
        label, why = "grammar", "passes " + ", ".join(passed) + f" (Holm-adjusted, alpha {alpha})"
    else:
        positional_passed = [g for g in passed if g in POSITIONAL]
        label = "composition only" if composition_significant and not positional_passed else "neither"
        parts = []
        if passed:
            parts.append("passes " + ", ".join(passed))
        if failed:
            parts.append("fails " + ", ".join(failed) + (" (Holm-adjusted)" if any(verdict(g) == "pass" for g in failed)
                                                         else ""))
        if fragile:
            parts.append("breaks on drawn designs: " + ", ".join(fragile))
        if label == "composition only":
            parts.append("but scores E above D (css): it reads composition")
        why = "; ".join(parts)
    return {"verdict": label, "passed": passed, "failed": failed, "fragile": fragile, "reason": why,
            "line": f"{label}: {why}"}
