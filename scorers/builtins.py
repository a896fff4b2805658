"""Registers every built-in scorer, gLM alias and prefixed form with the registry (torch-free at import)."""

from __future__ import annotations

from scorers import reference
from scorers.registry import register

register("pa-pwm", lambda o: reference.PositionAwarePWM(),
         "the paper's position-aware PWM (reference: passes every gate)")
register("at-content", lambda o: reference.ATContent(), "A+T count only (compositional model)")
register("gc", lambda o: reference.GCContent(), "G+C count only")
register("random", lambda o: reference.SeededRandom(seed=o.seed), "seeded standard-normal score per sequence")

# Registrations of the other rooms: each module registers its own names when imported.
from scorers import biophysical, recipes, replay  # noqa: E402,F401
