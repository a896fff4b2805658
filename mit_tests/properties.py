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
# Diagnostics are measured and reported with verdict ``info``, never gated. ``outside`` (evidence from sequences
# MIT did not build, mit_tests/outside.py) never changes the exit code either, but "grammar" needs it to hold.
DIAGNOSTICS = ("css", "scramble", "composition", "mpra", "outside", "paper")
# mit-results.json keys of a model's properties, in report order (DESIGN.md section 10).
PROPERTIES = (("canary",) + GATES + ("motif_natural", "css", "scramble", "composition", "mpra", "outside")
              + ROBUSTNESS + ("paper",))
# Properties whose test can fail (a verdict pass/fail); the Holm family of the reported p_holm.
GATED = GATES + ("motif_natural",) + ROBUSTNESS + ("canary",)
# The set roles each property's test reads, as fnmatch patterns ("mpra_*": the measured libraries); every record
# also reads "core", whose spread sets the tie tolerance. A run scores the roles its selected tests read in one
# batch (``pytest -k motif_natural`` scores two sets, not nine); a test that reads a role outside its entry gets
# it scored when it asks, so this table decides what a run costs, never what it measures.
PROPERTY_SETS = {
    "canary": ("canary",), "motif": ("core",), "compensation": ("core",), "up_position": ("up_sweep",),
    "spacing": ("spacing",), "strand": ("strand",), "motif_natural": ("natural",), "css": ("core",),
    "scramble": ("core",), "composition": ("at_titration", "up_sweep"), "mpra": ("mpra_*",),
    "outside": ("mpra_*",), "robustness_motif": ("core",), "robustness_compensation": ("core",),
    "robustness_up_position": ("up_sweep",), "robustness_spacing": ("spacing",), "robustness_strand": ("strand",),
    "paper": ("core",)}

HOLM_FAMILY = GATES + ("motif_natural",)
NOT_BUILT: dict[str, str] = {}

# The spacing gate: the mean score must peak at one of these −35/−10 spacer lengths (bp).
SPACING_PEAK = (16, 17, 18)

RECORD_KEYS = ("estimate", "ci", "p", "n", "ties", "effect")
OVERALL_VERDICTS = ("grammar", "partial grammar", "composition only", "neither", "not measured")


def sets_read(properties) -> tuple[str, ...] | None:
    """The set-role patterns the tests of ``properties`` read (:data:`PROPERTY_SETS`, with "core"), or None when
    one of them is not in the table: then the run scores every set, as it would with no selection."""
    if any(p not in PROPERTY_SETS for p in properties):
        return None
    return tuple(dict.fromkeys(("core",) + tuple(r for p in properties for r in PROPERTY_SETS[p])))


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
                      "p": r.p, "details": r.details, "failure": r.failure} for prop, r in results.items()}
    return summarise(records, alpha)


def outside_state(properties: dict) -> tuple[bool | None, str]:
    """Whether the outside-construction criterion holds (True, False, or None: not measured) and why."""
    record = properties.get("outside") or {}
    verdict, details = record.get("verdict"), record.get("details") or {}
    if verdict == "info" and details.get("met") is not None:
        return details["met"], record.get("failure") or ""
    if verdict == "info":
        return None, "; ".join(f"{part}: {why}" for part, why in (details.get("not_measured") or {}).items())
    return None, record.get("reason") or record.get("failure") or ("not run" if not verdict else verdict)


def overall(properties: dict, alpha: float) -> dict:
    """The model's one-line verdict (DESIGN.md section 6; docs/verdicts.md).

    * ``not measured``: one of the five gates of ``GATES`` errored or was skipped; or the gates alone would
      make it ``grammar`` or ``partial grammar`` but the outside-construction criterion (``outside``) was not
      measured (no data, a fixed-layout or replayed scorer): nothing to conclude;
    * ``grammar``: every gate that ran passes with its Holm-adjusted p below ``alpha`` (``motif_natural``
      counts when the natural set was there; one not run is named), no robustness test of them failed, and the
      outside-construction criterion holds;
    * ``partial grammar``: the criterion holds and more than half of the gates that ran pass (Holm); the gates
      it fails and those that broke on drawn designs are named;
    * ``composition only``: the css diagnostic is significant and no positional gate passes;
    * ``neither``: anything else, including every model that fails the outside-construction criterion,
      whatever it passes on MIT's sets (they are all built by one construction, which a model can learn).
    """
    def verdict(prop):
        return (properties.get(prop) or {}).get("verdict")

    unmeasured = [g for g in GATES if verdict(g) not in ("pass", "fail", "xfail")]
    ran = [g for g in HOLM_FAMILY if verdict(g) in ("pass", "fail", "xfail")]
    not_run = {g: (properties.get(g) or {}).get("reason") or verdict(g) or "not run"
               for g in HOLM_FAMILY if g not in ran}
    passed = [g for g in ran if verdict(g) == "pass" and (properties[g].get("p_holm") or 1.0) < alpha]
    failed = [g for g in ran if g not in passed]
    fragile = [r.removeprefix("robustness_") for r in ROBUSTNESS if verdict(r) == "fail"]
    robust = [g for g in passed if g not in fragile]
    css = properties.get("css") or {}
    composition_significant = bool((css.get("details") or {}).get("significant"))
    outside_met, outside_why = outside_state(properties)
    gate_parts = []
    if passed:
        gate_parts.append(f"passes {len(passed)} of {len(ran)} gates (" + ", ".join(passed) + ")")
    if failed:
        gate_parts.append("fails " + ", ".join(failed) + (" (Holm-adjusted)" if any(verdict(g) == "pass"
                                                                                    for g in failed) else ""))
    if fragile:
        gate_parts.append("breaks on drawn designs: " + ", ".join(fragile))
    gate_parts += [f"{g} not run: {why}" for g, why in not_run.items()]
    if unmeasured:
        label = "not measured"
        parts = ["no verdict from " + ", ".join(f"{g} ({verdict(g) or 'not run'})" for g in unmeasured)]
    elif outside_met is not False and (len(robust) == len(ran) or 2 * len(passed) > len(ran)):
        whole = len(robust) == len(ran)
        if outside_met:
            label = "grammar" if whole else "partial grammar"
            outside_part = "meets the outside-construction criterion (real promoters, measured expression)"
        else:
            label = "not measured"
            outside_part = f"the outside-construction criterion was not measured ({outside_why})"
        if whole:
            head = (f"passes {', '.join(passed)} (Holm-adjusted, alpha {alpha})" if not not_run else
                    f"grammar on {len(ran)} of {len(HOLM_FAMILY)} gates ({', '.join(passed)}, Holm-adjusted, "
                    f"alpha {alpha})")
            parts = [head] + [f"{g} not run: {why}" for g, why in not_run.items()] + [outside_part]
        else:
            parts = gate_parts + [outside_part]
    else:
        positional_passed = [g for g in passed if g in POSITIONAL]
        label = "composition only" if composition_significant and not positional_passed else "neither"
        parts = list(gate_parts)
        if outside_met is False:
            parts.append(f"fails the outside-construction criterion: {outside_why}")
        elif outside_met and passed:
            parts.append("meets the outside-construction criterion, but passes too few gates for partial grammar")
        if label == "composition only":
            parts.append("but scores E above D (css): it reads composition")
    why = "; ".join(parts)
    return {"verdict": label, "passed": passed, "failed": failed, "fragile": fragile, "not_run": not_run,
            "outside": outside_met, "gates_all_pass": not unmeasured and len(robust) == len(ran),
            "reason": why, "line": f"{label}: {why}"}
