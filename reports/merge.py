"""Merge ``mit-results.json`` files of separate runs into one, refusing runs that did not test the same thing.

Two runs' verdicts sit side by side only when they gated the same sequences with the same rules: the same MIT
version, seed, α, set name and set sha256s. :func:`compatibility_problems` names every field in which a file
differs from the first; :func:`merge_results` refuses to merge while there is any.
"""

from __future__ import annotations

import json
from pathlib import Path

# What two runs must share for their verdicts to be comparable.
SHARED_FIELDS = ("seed", "alpha", "set")


class IncompatibleResults(ValueError):
    """Results files that cannot share one table: the message names each file and what differs."""


def read_results(path) -> dict:
    """The parsed ``mit-results.json`` at ``path``; ValueError naming the file when it is not one."""
    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable mit-results.json ({exc})") from None
    if not isinstance(results, dict) or not isinstance(results.get("models"), dict):
        raise ValueError(f"{path}: no 'models' object; is it a mit-results.json?")
    return results


def mit_version(results: dict) -> str | None:
    return results.get("versions", {}).get("mit-glm")


def _fingerprint_of_run(results: dict) -> dict:
    return {**{field: results.get(field) for field in SHARED_FIELDS},
            "MIT version": mit_version(results), "set_sha256": results.get("set_sha256", {})}


def compatibility_problems(named: dict[str, dict]) -> list[str]:
    """One sentence per file that differs from the first file in a field its verdicts depend on."""
    items = list(named.items())
    if not items:
        return []
    first_name, first = items[0]
    reference = _fingerprint_of_run(first)
    problems = []
    for name, results in items[1:]:
        mine = _fingerprint_of_run(results)
        for field in reference:
            if field == "set_sha256":
                # A run that skipped a set (no data) may lack it; a set both runs have must be byte-identical.
                shared = set(reference[field]) & set(mine[field])
                differing = sorted(s for s in shared if reference[field][s] != mine[field][s])
                if differing:
                    problems.append(f"{name}: set sha256 of {', '.join(differing)} differs from {first_name}'s "
                                    "(scored on other sequences)")
                if not shared and (reference[field] or mine[field]):
                    problems.append(f"{name}: shares no set with {first_name} ({sorted(mine[field])} vs "
                                    f"{sorted(reference[field])})")
            elif mine[field] != reference[field]:
                problems.append(f"{name}: {field} is {mine[field]!r}, {first_name} has {reference[field]!r}")
    return problems


def merge_results(named: dict[str, dict]) -> dict:
    """One results dict holding every model of ``named`` (file name -> results), in the files' order.

    IncompatibleResults when the runs differ in a shared field, or when two files hold one model spec with
    different records (the same spec measured twice must agree to be merged).
    """
    problems = compatibility_problems(named)
    if problems:
        raise IncompatibleResults("results of different runs cannot share one table:\n  " + "\n  ".join(problems))
    items = list(named.items())
    merged = {key: value for key, value in items[0][1].items() if key not in ("models", "figures")}
    merged["set_sha256"] = {}
    merged["versions"] = {}
    merged["models"] = {}
    source_of = {}
    for name, results in items:
        merged["set_sha256"].update(results.get("set_sha256", {}))
        for package, version in results.get("versions", {}).items():
            merged["versions"].setdefault(package, version)
        if "grounding" in results and "grounding" not in merged:
            merged["grounding"] = results["grounding"]
        for spec, model in results["models"].items():
            if spec in merged["models"] and merged["models"][spec] != model:
                raise IncompatibleResults(f"{spec} is in {source_of[spec]} and in {name} with different results")
            merged["models"][spec] = model
            source_of[spec] = name
    merged["set_sha256"] = dict(sorted(merged["set_sha256"].items()))
    return merged
