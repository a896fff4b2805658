"""The registry behind ``--model``: built-in names, gLM aliases, prefixed forms and a user's ``module:attr``.

A spec resolves to a Scorer with :func:`resolve`; :func:`check_spec` validates one without loading anything
(so an unknown ``--model`` is a usage error before any model is loaded).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from typing import Callable

from fixtures.grammar import DEFAULT_SEED


@dataclass(frozen=True)
class ScorerOptions:
    """Run-wide settings a factory may use (pytest options of the same names)."""

    seed: int = DEFAULT_SEED
    device: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    trust_remote_code: bool = False
    data_dir: str | None = None
    extra: dict = field(default_factory=dict)


Factory = Callable[[ScorerOptions], object]
PrefixFactory = Callable[[str, ScorerOptions], object]

BUILTINS: dict[str, tuple[Factory, str]] = {}
PREFIXES: dict[str, tuple[PrefixFactory, str | None]] = {}
ALIASES: dict[str, tuple[Factory, str]] = {}

USER_SPEC = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")


class UnknownModelError(ValueError):
    """A ``--model`` spec that names no scorer."""


def register(name: str, factory: Factory, description: str, *, alias: bool = False) -> None:
    (ALIASES if alias else BUILTINS)[name] = (factory, description)


def register_prefix(prefix: str, factory: PrefixFactory, description: str | None) -> None:
    """``description`` None: a form described elsewhere in :func:`accepted_forms` (``ALIAS:PATH``)."""
    PREFIXES[prefix] = (factory, description)


def split_specs(values: list[str] | None) -> list[str]:
    """``--model`` values, repeatable and comma-separated, in order, without duplicates."""
    specs: list[str] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if part and part not in specs:
                specs.append(part)
    return specs


def accepted_forms() -> str:
    _load_builtin_modules()
    lines = ["built-in scorers: " + ", ".join(sorted(BUILTINS))]
    if ALIASES:
        lines.append("gLM aliases: " + ", ".join(sorted(ALIASES)))
        lines.append("ALIAS:ID_OR_PATH[@REV]: an alias's recipe on another copy of its checkpoint (a local "
                     "folder, a mirror or a revision)")
    for prefix, (_, description) in sorted(PREFIXES.items()):
        if description is not None:
            lines.append(f"{prefix}ARG: {description}")
    lines.append("package.module:attr: a user's Scorer, Scorer class or factory")
    return "\n  ".join(lines)


def check_spec(spec: str) -> None:
    """Raise UnknownModelError unless ``spec`` has one of the accepted names or forms."""
    _load_builtin_modules()
    if spec in BUILTINS or spec in ALIASES:
        return
    prefix = _prefix_of(spec)
    if prefix is not None:
        if not spec[len(prefix):]:
            raise UnknownModelError(f"--model {spec!r} needs an argument after {prefix!r}.\n  accepted:\n  "
                                    + accepted_forms())
        return
    if USER_SPEC.match(spec):
        module_name = spec.split(":")[0]
        try:
            found = importlib.util.find_spec(module_name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise UnknownModelError(f"--model {spec!r}: no module named {module_name!r} on the path")
        return
    raise UnknownModelError(f"unknown --model {spec!r}.\n  accepted:\n  " + accepted_forms())


def resolve(spec: str, options: ScorerOptions | None = None):
    """The Scorer a spec names, loaded now."""
    options = options or ScorerOptions()
    check_spec(spec)
    if spec in BUILTINS:
        return BUILTINS[spec][0](options)
    if spec in ALIASES:
        return ALIASES[spec][0](options)
    prefix = _prefix_of(spec)
    if prefix is not None:
        return PREFIXES[prefix][0](spec[len(prefix):], options)
    return _load_user_scorer(spec)


def _prefix_of(spec: str) -> str | None:
    for prefix in PREFIXES:
        if spec.startswith(prefix):
            return prefix
    return None


def _load_user_scorer(spec: str):
    module_name, attr = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnknownModelError(f"--model {spec!r}: cannot import {module_name!r}: {exc}") from exc
    try:
        obj = getattr(module, attr)
    except AttributeError as exc:
        raise UnknownModelError(f"--model {spec!r}: module {module_name!r} has no attribute {attr!r}") from exc
    scorer = obj if _is_scorer(obj) else obj()
    if not _is_scorer(scorer):
        raise UnknownModelError(f"--model {spec!r} gave {type(scorer).__name__}, which is not a Scorer "
                                "(needs name, kind and score(sequences))")
    return scorer


def _is_scorer(obj) -> bool:
    return (not isinstance(obj, type) and isinstance(getattr(obj, "name", None), str)
            and isinstance(getattr(obj, "kind", None), str) and callable(getattr(obj, "score", None)))


_LOADED = False


def _load_builtin_modules() -> None:
    """Import the modules that register built-ins; none of them imports torch at import time."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        importlib.import_module("scorers.builtins")
