"""Names and seeds of the untrained copies made by ``--mit-null-control N`` (no torch here).

A gate that a randomly initialised copy of the same architecture also passes is not evidence that the trained
model learned anything: the architecture, the tokenizer or the scoring rule alone pass it. For each Hugging Face
model ``SPEC`` the run adds ``SPEC#null1`` … ``SPEC#nullN``: the same architecture (config), tokenizer and
recipe, weights drawn by ``from_config`` under a seed of :func:`null_seed`. The names are pytest parameter ids
and keys of ``mit-results.json``; the run knows which names it made (a user's spec is never parsed as one), and
each copy's records say whose copy it is (``null_control_of``).
"""

from __future__ import annotations

import re

import numpy as np

NULL_MARK = "#null"
_NULL_SPEC = re.compile(r"^(?P<base>.+)#null(?P<k>[1-9]\d*)$")
# Keeps the copies' draws apart from every other seeded stream of a run (cf. fixtures.sets.SET_CODES).
_NULL_STREAM = 1_000


def null_spec(base: str, k: int) -> str:
    """The name of untrained copy ``k`` (1-based) of the model ``base``."""
    return f"{base}{NULL_MARK}{k}"


def split_null_spec(spec: str) -> tuple[str, int] | None:
    """``(base spec, k)`` for the name of an untrained copy, None for any other spec."""
    match = _NULL_SPEC.match(spec)
    return (match["base"], int(match["k"])) if match else None


def null_seed(seed: int, k: int) -> int:
    """The torch seed of copy ``k`` under the run's ``--mit-seed``: a function of both, the same on every machine."""
    return int(np.random.SeedSequence([seed, _NULL_STREAM, k]).generate_state(1, dtype=np.uint32)[0])
