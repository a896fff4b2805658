"""Collects every property verdict of a run from the test reports and writes ``mit-results.json``.

Works from test reports only (their ``user_properties`` survive pytest-xdist), so it needs no fixture values.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np

from mit_glm import __version__
from mit_tests.null_control import add_null_control
from mit_tests.properties import PROPERTIES, summarise


def _user_property(report, key):
    for name, value in getattr(report, "user_properties", ()):
        if name == key:
            return value
    return None


def _reason(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = getattr(report, "longreprtext", "") or ""
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    return (lines[0][1:].strip() if lines else text.strip().splitlines()[-1] if text.strip() else "")


@dataclass
class ResultCollector:
    """``models[spec][property]`` = the JSON record of one property (DESIGN.md section 10)."""

    models: dict = field(default_factory=dict)
    fingerprints: dict = field(default_factory=dict)
    set_sha256: dict = field(default_factory=dict)
    nodeids: dict = field(default_factory=dict)
    grounding: dict | None = None     # the grounding table (mit_tests/test_mpra.py), model-independent
    copies_of: dict = field(default_factory=dict)     # untrained copy (--mit-null-control) -> model spec

    def add(self, report) -> None:
        grounding = _user_property(report, "mit_grounding")
        if grounding is not None and report.when == "call":
            self.grounding = grounding
        meta = _user_property(report, "mit_meta")
        if meta is None or report.when == "teardown" and report.passed:
            return
        spec, prop = meta["model"], meta["property"]
        copy_of = _user_property(report, "mit_null_control_of")
        if copy_of:
            self.copies_of[spec] = copy_of
        self.nodeids[(spec, prop)] = report.nodeid
        record = self.models.setdefault(spec, {}).setdefault(prop, {"verdict": None})
        measured = _user_property(report, "mit_result")
        if measured:
            self.fingerprints[spec] = measured["fingerprint"]
            self.set_sha256.update(measured["set_sha256"])
            record.update({k: v for k, v in measured.items()
                           if k not in ("model", "property", "fingerprint", "set_sha256")})
        error = _user_property(report, "mit_error")
        if hasattr(report, "wasxfail") and (report.skipped or report.passed):
            verdict, reason = ("xfail" if report.skipped else "pass"), report.wasxfail
        elif report.when in ("setup", "teardown") and report.failed:
            verdict, reason = "error", error or _reason(report)
        elif report.skipped:
            verdict, reason = "skip", _reason(report)
        elif report.when == "call" and report.failed:
            verdict, reason = ("error", error) if error else ("fail", record.get("failure") or _reason(report))
        elif report.when == "call" and report.passed:
            # a diagnostic (no gate) that measured is "info", never "pass"
            verdict, reason = ("info" if measured and measured.get("gate_passed") is None else "pass"), ""
        else:
            return
        if record["verdict"] in ("error",) and verdict == "pass":
            return
        record["verdict"], record["reason"] = verdict, reason

    def to_json(self, config) -> dict:
        alpha = config.getoption("--mit-alpha")
        overall = {spec: summarise(props, alpha) for spec, props in self.models.items()}
        add_null_control(self.models, self.copies_of)
        results = {
            "mit_version": __version__,
            "seed": config.getoption("--mit-seed"),
            "alpha": alpha,
            "set": config.getoption("--mit-set"),
            "set_sha256": dict(sorted(self.set_sha256.items())),
            "versions": versions(),
            "models": {spec: {"fingerprint": self.fingerprints.get(spec), "overall": overall[spec],
                              **({"null_control_of": self.copies_of[spec]} if spec in self.copies_of else {}),
                              "properties": {p: props[p] for p in PROPERTIES if p in props}}
                       for spec, props in self.models.items()},
        }
        if self.grounding is not None:
            results["grounding"] = self.grounding
        return results


def versions() -> dict:
    found = {"mit-glm": __version__, "python": platform.python_version()}     # MIT's own, from the code that ran
    for package in ("numpy", "scipy", "pytest", "hypothesis", "pytest-html"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    for module in ("torch", "transformers"):    # reported only if a gLM scorer imported them
        if module in sys.modules:
            found[module] = getattr(sys.modules[module], "__version__", "unknown")
    return found


def write_json(results: dict, path) -> None:
    def default(obj):
        if isinstance(obj, np.generic):
            return obj.item()
        raise TypeError(f"cannot write {type(obj).__name__} to JSON")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, default=default, allow_nan=False)
        handle.write("\n")
