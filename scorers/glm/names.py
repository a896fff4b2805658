"""The ``--model`` names of the gLMs: every alias of :data:`~scorers.glm.recipes.RECIPES`, ``ALIAS:ID_OR_PATH``,
``hf-causal:`` and ``hf-mlm:``, their cheap checks (``CHECKS``: the argument parses, a local checkpoint exists),
and :func:`build`, which loads the scorer a recipe describes.

Importing this module imports neither torch nor transformers: :func:`build` does, once a gLM is chosen.
"""

from __future__ import annotations

from dataclasses import replace

from scorers.glm.recipes import (RECIPES, Recipe, alias_recipe, check_available, check_checkpoint, check_hub_reachable,
                                 generic_recipe)
from scorers.protocol import ScorerOptions


def build(recipe: Recipe | str, options: ScorerOptions | None = None, *, path: str | None = None):
    """Load the scorer a recipe (or alias) describes; ``path`` replaces the hub id (a local copy)."""
    options = options or ScorerOptions()
    if isinstance(recipe, str):
        recipe = RECIPES[recipe]
    if path is not None:
        recipe = replace(recipe, hub_id=str(path))
    check_available(recipe, options)
    # torch (and transformers, or the evo2 package) are imported here, when a gLM is selected, and only here.
    if recipe.kind == "evo2":
        from scorers.glm.evo2 import Evo2Scorer
        return Evo2Scorer(recipe, options)
    check_hub_reachable(recipe)
    from scorers.glm.hf import load_scorer
    return load_scorer(recipe, options)


def hf_recipe(spec: str) -> Recipe | None:
    """The recipe of a ``--model`` spec that names a Hugging Face causal or masked LM (a gLM alias,
    ``ALIAS:ID_OR_PATH``, ``hf-causal:``, ``hf-mlm:``); None for anything else (Evo 2 included). Loads nothing."""
    try:
        if spec in RECIPES:
            recipe = RECIPES[spec]
        elif spec.startswith(("hf-causal:", "hf-mlm:")):
            prefix, arg = spec.split(":", 1)
            recipe = generic_recipe("causal" if prefix == "hf-causal" else "mlm", arg)
        else:
            alias, _, arg = spec.partition(":")
            recipe = alias_recipe(alias, arg) if alias in RECIPES and arg else None
    except ValueError:   # a malformed ID@REVISION: the registry reports it when the spec is resolved
        return None
    return recipe if recipe is not None and recipe.kind in ("causal", "mlm") else None


def _alias_factory(alias: str):
    return lambda options: build(RECIPES[alias], options)


def _alias_copy_factory(alias: str):
    return lambda arg, options: build(alias_recipe(alias, arg), options)


ALIASES = {alias: (_alias_factory(alias), f"{recipe.description}: {recipe.hub_id}")
           for alias, recipe in RECIPES.items()}
PREFIXES = {
    **{f"{alias}:": (_alias_copy_factory(alias), None) for alias in RECIPES},
    "hf-causal:": (lambda arg, options: build(generic_recipe("causal", arg), options),
                   "a causal LM on the Hugging Face hub or in a local folder (ID[@REVISION] or PATH); exact "
                   "log-likelihood"),
    "hf-mlm:": (lambda arg, options: build(generic_recipe("mlm", arg), options),
                "a masked LM on the Hugging Face hub or in a local folder (ID[@REVISION] or PATH); exact "
                "pseudo-log-likelihood"),
}
CHECKS = {
    **{f"{alias}:": (lambda arg, alias=alias: check_checkpoint(alias_recipe(alias, arg))) for alias in RECIPES},
    "hf-causal:": lambda arg: check_checkpoint(generic_recipe("causal", arg)),
    "hf-mlm:": lambda arg: check_checkpoint(generic_recipe("mlm", arg)),
}
