"""Every property MIT reports and what kind it is, and the step that turns one model's records into its summary
(Holm-adjusted p-values across its gates): the one list the tests, ``mit-results.json`` and the report read.
"""

from __future__ import annotations

from mit_tests.stats import holm

# mit-results.json keys of a model's properties, in report order (DESIGN.md section 10).
PROPERTIES = ("canary", "motif", "compensation", "scramble", "up_position", "spacing", "strand", "composition",
              "motif_natural", "mpra")
# Properties whose p-value gates a verdict (the rest are diagnostics, verdict ``info``).
GATED = ("motif", "compensation", "scramble", "up_position", "spacing", "strand", "motif_natural", "canary")
NOT_BUILT: dict[str, str] = {}

# The spacing gate: the mean score must peak at one of these −35/−10 spacer lengths (bp).
SPACING_PEAK = (16, 17, 18)

RECORD_KEYS = ("estimate", "ci", "p", "n", "ties")


def summarise(properties: dict) -> dict:
    """Complete one model's ``{property: record}`` in place and return it: a record for every property no
    test reported (``NOT_BUILT``), the missing keys as None, and ``p_holm``, the Holm-adjusted p-value across
    the model's gated properties that measured one."""
    for prop, reason in NOT_BUILT.items():
        properties.setdefault(prop, {"verdict": "skip", "reason": reason})
    gated = [p for p in GATED if p in properties and properties[p].get("p") is not None]
    for p, value in zip(gated, holm([properties[p]["p"] for p in gated]) if gated else []):
        properties[p]["p_holm"] = float(value)
    for record in properties.values():
        for key in RECORD_KEYS:
            record.setdefault(key, None)
    return properties
