"""``ScoredModel``: one model's scores on every sequence of a run, looked up by set role and condition."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fixtures.sequence_set import SequenceSet
from scorers.protocol import fingerprint
from scorers.runner import score_sequences


@dataclass
class ScoredModel:
    spec: str
    scorer: object
    sets: dict[str, SequenceSet]
    scores_by_role: dict[str, np.ndarray] = field(default_factory=dict)
    cache: object = None

    @property
    def name(self) -> str:
        return self.spec

    @property
    def kind(self) -> str:
        return self.scorer.kind

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.scorer)

    def has(self, role: str, condition: str | None = None) -> bool:
        if role not in self.sets:
            return False
        return condition is None or condition in self.sets[role].conditions

    def scores(self, role: str, condition: str) -> np.ndarray:
        """``(n_families,)`` scores of the members with ``condition``, ordered by family."""
        return self.scores_by_role[role][self.sets[role].indices(condition)]

    def score_more(self, ids, sequences) -> np.ndarray:
        """Scores of sequences outside the run's sets (hypothesis designs), through the same checks and cache."""
        return score_sequences(self.scorer, ids, sequences, cache=self.cache)

    def families(self, role: str, condition: str) -> np.ndarray:
        return self.sets[role].member_families(condition)

    def paired(self, role: str, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
        """Scores of ``first`` and ``second`` on the families both have, matched by family."""
        fam_a, fam_b = self.families(role, first), self.families(role, second)
        common = np.intersect1d(fam_a, fam_b)
        a = self.scores(role, first)[np.searchsorted(fam_a, common)]
        b = self.scores(role, second)[np.searchsorted(fam_b, common)]
        return a, b


def score_run(spec: str, scorer, sets: dict[str, SequenceSet], cache=None) -> ScoredModel:
    """Score every sequence of every set in one batched call (each distinct sequence once)."""
    ids = [sid for s in sets.values() for sid in s.ids]
    sequences = [seq for s in sets.values() for seq in s.sequences]
    flat = score_sequences(scorer, ids, sequences, cache=cache)
    model = ScoredModel(spec, scorer, sets, cache=cache)
    start = 0
    for role, sequence_set in sets.items():
        model.scores_by_role[role] = flat[start:start + len(sequence_set)]
        start += len(sequence_set)
    return model
