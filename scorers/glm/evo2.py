"""Evo 2 through the ``evo2`` package (its own loader, not transformers): exact summed log-likelihoods."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from scorers.glm.recipes import SCORER_VERSION, Recipe, evo2_local_path, file_digest
from scorers.protocol import ScorerOptions, ScorerUnavailable, check_sequences


class Evo2Scorer:
    """Evo 2 through the ``evo2`` package: ``score_sequences(reduce_method='sum', prepend_bos=True)``.

    With the BOS every nucleotide is scored (the first from BOS) and padding is sliced off, so a batch of mixed
    lengths gives the same sums as one sequence at a time.
    """

    kind = "likelihood"

    def __init__(self, recipe: Recipe, options: ScorerOptions):
        # The evo2 package loads a checkpoint by name (from its hub repository) or from one local file.
        local_path = evo2_local_path(recipe)
        try:
            from evo2 import Evo2
        except ImportError as exc:
            raise ScorerUnavailable(f"{recipe.alias} needs the evo2 package ({exc}): {recipe.install_hint}") from exc
        import evo2

        self.recipe = recipe
        self.name = recipe.alias
        self.rc_equivariant = recipe.rc_equivariant
        self.expected = dict(recipe.expected)
        self.batch_size = options.batch_size or 8
        if local_path is None:
            self.model = Evo2(recipe.evo2_name)
            weights = recipe.evo2_name
        else:
            self.model = Evo2(recipe.evo2_name, local_path=local_path)
            weights = f"{recipe.evo2_name}@{file_digest(Path(local_path))}"
        self.fingerprint = (f"{self.name}|{weights}|evo2 {getattr(evo2, '__version__', 'unknown')}|"
                            f"causal-ll-sum/bos=prepended|torch {torch.__version__}|{SCORER_VERSION}")

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        sequences = list(sequences)
        check_sequences(sequences)
        values = self.model.score_sequences(sequences, batch_size=self.batch_size, prepend_bos=True,
                                            reduce_method="sum", average_reverse_complement=False)
        return np.asarray(values, dtype=np.float64)

    def n_scored_nucleotides(self, sequences: Sequence[str]) -> np.ndarray:
        return np.array([len(s) for s in sequences], dtype=np.int64)
