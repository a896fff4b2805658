"""The registry behind ``--model``: built-in names, gLM aliases, prefixed forms and a user's ``module:attr``.

The registry reads the tables of the modules in :data:`MODULES` the first time it is asked; a module never
imports the registry. A module may define ``SCORERS`` (built-in name → ``(factory, description)``),
``ALIASES`` (gLM alias → ``(factory, description)``) and ``PREFIXES`` (``"prefix:"`` → ``(factory, description)``,
description None for a form that :func:`accepted_forms` describes itself). A factory takes a
:class:`~scorers.protocol.ScorerOptions`; a prefix factory takes the text after the prefix too.

A spec resolves to a Scorer with :func:`resolve`; :func:`check_spec` validates one without loading anything
and loads no weights: the name or form, and what can be resolved cheaply (a user's module is imported and its
attribute looked up; a module's ``CHECKS`` table, ``"prefix:"`` → ``check(arg)``, checks the argument: a score
file exists and parses, a local checkpoint folder exists), so a bad ``--model`` is a usage error before any
model is loaded or scored.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import warnings
from typing import Callable

from scorers.protocol import (NoFingerprintWarning, ScorerOptions, declared_fingerprint, is_cacheable,
                              source_fingerprint, source_files)

# Every module that registers names; none imports torch at import time.
MODULES = (
    "scorers.reference.papwm",
    "scorers.reference.biophysical",
    "scorers.reference.baselines",
    "scorers.reference.composition",
    "scorers.reference.energy",
    "scorers.reference.markov",
    "scorers.reference.fitted",
    "scorers.replay",
    "scorers.glm.names",
)

Factory = Callable[[ScorerOptions], object]
PrefixFactory = Callable[[str, ScorerOptions], object]

BUILTINS: dict[str, tuple[Factory, str]] = {}
PREFIXES: dict[str, tuple[PrefixFactory, str | None]] = {}
ALIASES: dict[str, tuple[Factory, str]] = {}
CHECKS: dict[str, Callable[[str], object]] = {}

USER_SPEC = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")


class UnknownModelError(ValueError):
    """A ``--model`` spec that names no scorer."""


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
    lines.append("paper (with --mit-set=mit-v1): the paper's stored score files and its biophysical models")
    lines.append("(pytest --model=list lists them with what each is)")
    return "\n  ".join(lines)


def model_listing() -> str:
    """Every accepted ``--model`` name with what it is, and every form, for ``pytest --model=list``."""
    _load_builtin_modules()
    width = max(map(len, [*BUILTINS, *ALIASES])) + 2
    lines = ["Built-in scorers:"]
    lines += [f"  {name:<{width}}{description}" for name, (_, description) in sorted(BUILTINS.items())]
    lines += ["gLM aliases (add --trust-remote-code where the checkpoint ships its own code):"]
    lines += [f"  {name:<{width}}{description}" for name, (_, description) in sorted(ALIASES.items())]
    lines += ["Forms:", "  ALIAS:ID_OR_PATH[@REV]   an alias's recipe on another copy of its checkpoint (a local "
              "folder, a mirror or a revision)"]
    lines += [f"  {prefix + 'ARG':<24} {description}" for prefix, (_, description) in sorted(PREFIXES.items())
              if description is not None]
    lines += ["  package.module:attr      a user's Scorer, Scorer class or factory",
              "  paper                    with --mit-set=mit-v1: the paper's stored scores and its biophysical "
              "models (Tables 2 and 6)"]
    return "\n".join(lines)


def check_spec(spec: str) -> None:
    """Raise UnknownModelError unless ``spec`` has one of the accepted names or forms."""
    _load_builtin_modules()
    if spec in BUILTINS or spec in ALIASES:
        return
    prefix = _prefix_of(spec)
    if prefix is not None:
        argument = spec[len(prefix):]
        if not argument:
            raise UnknownModelError(f"--model {spec!r} needs an argument after {prefix!r}.\n  accepted:\n  "
                                    + accepted_forms())
        if prefix in CHECKS:
            try:
                CHECKS[prefix](argument)
            except (OSError, ValueError) as exc:
                text = str(exc)
                raise UnknownModelError(text if text.startswith(("--model", spec)) else f"--model {spec!r}: {text}"
                                        ) from None
        return
    if USER_SPEC.match(spec):
        obj = _user_attribute(spec)
        if not isinstance(obj, type) and not _is_scorer(obj) and (hasattr(obj, "score") or not callable(obj)):
            raise UnknownModelError(f"--model {spec!r} names a {type(obj).__name__}, which is not a Scorer: "
                                    f"{_contract_problem(obj)}")
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


def _user_attribute(spec: str):
    """The object ``package.module:attr`` names (the module is imported); UnknownModelError saying what failed."""
    module_name, attr = spec.split(":")
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise UnknownModelError(f"--model {spec!r}: no module named {module_name!r} on the path")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:   # noqa: BLE001 - whatever the user's module raises on import is a bad --model
        raise UnknownModelError(f"--model {spec!r}: importing {module_name!r} failed: "
                                f"{type(exc).__name__}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UnknownModelError(f"--model {spec!r}: module {module_name!r} has no attribute {attr!r}") from None


def _load_user_scorer(spec: str):
    module_name = spec.split(":")[0]
    obj = _user_attribute(spec)
    if not isinstance(obj, type) and not _is_scorer(obj) and (hasattr(obj, "score") or not callable(obj)):
        raise UnknownModelError(f"--model {spec!r} names a {type(obj).__name__}, which is not a Scorer: "
                                f"{_contract_problem(obj)}")
    scorer = obj if _is_scorer(obj) else obj()
    if not _is_scorer(scorer):
        raise UnknownModelError(f"--model {spec!r} gave {type(scorer).__name__}, which is not a Scorer: "
                                f"{_contract_problem(scorer)}")
    if declared_fingerprint(scorer) is None:
        _give_default_fingerprint(spec, scorer, module_name)
    return scorer


def _give_default_fingerprint(spec: str, scorer, module_name: str) -> None:
    """A user scorer without ``fingerprint`` is keyed by its name and the source of its class's module and of
    the module ``spec`` names (a factory may live apart from the class): edited code never replays stale
    scores. A cacheable one is warned that its source is all the key covers."""
    if type(scorer).__module__ != module_name:
        try:
            scorer.fingerprint = source_fingerprint(scorer, [module_name])
        except (AttributeError, TypeError):
            pass    # frozen or slotted: the key covers the class's module only
    if is_cacheable(scorer):
        files = ", ".join(source_files(scorer, [module_name])) or "no source file found"
        warnings.warn(f"--model {spec}: scorer {scorer.name!r} declares no fingerprint; its cached scores are "
                      f"keyed by its name and a sha256 of {files}, which misses changes elsewhere (weights, data, "
                      "other modules): declare `fingerprint` (e.g. model version + weights hash)",
                      NoFingerprintWarning, stacklevel=2)


def _contract_problem(obj) -> str:
    """What a would-be Scorer lacks, in words (it needs a str ``name``, a str ``kind`` and ``score(sequences)``)."""
    problems = [f"its {attr} is {getattr(obj, attr, None)!r} ({type(getattr(obj, attr, None)).__name__}), not a "
                "str" if hasattr(obj, attr) else f"it has no {attr}" for attr in ("name", "kind")
                if not isinstance(getattr(obj, attr, None), str)]
    if not callable(getattr(obj, "score", None)):
        problems.append("it has no score(sequences) method")
    return "; ".join(problems) + " (a Scorer needs a str name, a str kind and score(sequences))"


def _is_scorer(obj) -> bool:
    return (not isinstance(obj, type) and isinstance(getattr(obj, "name", None), str)
            and isinstance(getattr(obj, "kind", None), str) and callable(getattr(obj, "score", None)))


_LOADED = False


def _load_builtin_modules() -> None:
    """Read the name tables of :data:`MODULES` (once per process)."""
    global _LOADED
    if _LOADED:
        return
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        BUILTINS.update(getattr(module, "SCORERS", {}))
        ALIASES.update(getattr(module, "ALIASES", {}))
        PREFIXES.update(getattr(module, "PREFIXES", {}))
        CHECKS.update(getattr(module, "CHECKS", {}))
    _LOADED = True
