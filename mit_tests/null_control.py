"""The null control (``--mit-null-control N``): which of a model's gates its untrained copies pass as well.

A gate an untrained copy of the same architecture also passes measures the architecture, the tokenizer or the
scoring rule, not what the model learned. Each gated property record of a model with copies gets
``"null_control": {"passed_by": k, "of": n, "copies": {copy spec: verdict}}``, ``n`` the copies that measured
the property (pass or fail) and ``k`` those that passed it; ``k > 0`` is the flag the report shows.
"""

from __future__ import annotations

from mit_tests.properties import GATED

MEASURED = ("pass", "fail", "xfail")


def is_gated(prop: str) -> bool:
    """A property whose verdict is a gate (the canary excepted: copies never run it)."""
    return prop != "canary" and (prop in GATED or prop.startswith("robustness_"))


def add_null_control(models: dict[str, dict], copies_of: dict[str, str]) -> dict[str, dict]:
    """Add the ``null_control`` record to every gated property of every model that has untrained copies.

    ``models`` is ``{spec: {property: record}}`` (records with a ``verdict``), ``copies_of`` ``{copy spec:
    model spec}``. Changes ``models`` in place and returns it."""
    for spec, properties in models.items():
        copies = [c for c, of in copies_of.items() if of == spec and c in models]
        if not copies:
            continue
        for prop, record in properties.items():
            if not is_gated(prop):
                continue
            verdicts = {c: models[c].get(prop, {}).get("verdict") for c in copies}
            measured = {c: v for c, v in verdicts.items() if v in MEASURED}
            record["null_control"] = {"passed_by": sum(v == "pass" for v in measured.values()),
                                      "of": len(measured), "copies": verdicts}
    return models


def flagged(record: dict) -> bool:
    """Whether an untrained copy passed this gate too."""
    return bool((record.get("null_control") or {}).get("passed_by"))
