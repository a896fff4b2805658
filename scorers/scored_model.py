"""``ScoredModel``: one model's scores on every sequence of a run, looked up by set role and condition."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fixtures.sequence_set import SequenceSet
from scorers.protocol import check_scores, fingerprint
from scorers.runner import score_sequences


@dataclass
class ScoredModel:
    """Scores are computed in one batched call over every set not yet scored, on the first look-up of any of
    them; ``score_now`` scores some roles first (the canary, so an untrained model costs one small batch)."""

    spec: str
    scorer: object
    sets: dict[str, SequenceSet]
    cache: object = None
    progress: object = None   # a scorers.progress.Progress for the run's sets (not for hypothesis designs)
    _scores: dict[str, np.ndarray] = field(default_factory=dict)
    _memo: "_RunMemo | None" = None

    @property
    def name(self) -> str:
        return self.spec

    @property
    def kind(self) -> str:
        return self.scorer.kind

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.scorer)

    @property
    def expected(self) -> dict:
        """Declared outcomes, property → ``"fail"`` (the scorer's ``expected``)."""
        return dict(getattr(self.scorer, "expected", None) or {})

    @property
    def precomputed(self) -> bool:
        """True for replayed score files, which cannot score sequences drawn during the run."""
        return bool(getattr(self.scorer, "precomputed", False))

    @property
    def null_control_of(self) -> str | None:
        """For an untrained copy made by ``--mit-null-control``, the spec of the model it copies; else None."""
        return getattr(self.scorer, "null_control_of", None)

    @property
    def rc_equivariant(self) -> bool | None:
        """The scorer's declared reverse-complement equivariance (None when it declares nothing)."""
        return getattr(self.scorer, "rc_equivariant", None)

    def score_now(self, roles) -> None:
        """Score the sets of ``roles`` that are not scored yet, each distinct sequence once, in one call."""
        todo = [r for r in roles if r not in self._scores]
        if not todo:
            return
        ids = [sid for r in todo for sid in self.sets[r].ids]
        sequences = [seq for r in todo for seq in self.sets[r].sequences]
        flat = score_sequences(self.scorer, ids, sequences, cache=self.cache, progress=self.progress)
        start = 0
        for role in todo:
            self._scores[role] = flat[start:start + len(self.sets[role])]
            start += len(self.sets[role])

    def role_scores(self, role: str) -> np.ndarray:
        """``(len(set),)`` scores of the set ``role`` in set order."""
        if role not in self._scores:
            self.score_now(list(self.sets))
        return self._scores[role]

    def has(self, role: str, condition: str | None = None) -> bool:
        if role not in self.sets:
            return False
        return condition is None or condition in self.sets[role].conditions

    def scores(self, role: str, condition: str) -> np.ndarray:
        """``(n_families,)`` scores of the members with ``condition``, ordered by family."""
        return self.role_scores(role)[self.sets[role].indices(condition)]

    def rescore(self, role: str) -> np.ndarray:
        """The set ``role`` scored again by the model itself, bypassing the cache, through the same output
        checks: the canary compares two scorings."""
        sequence_set = self.sets[role]
        return check_scores(self.scorer.score(list(sequence_set.sequences)), sequence_set.sequences,
                            sequence_set.ids, self.scorer.name)

    def scored_nucleotides(self, sequences) -> np.ndarray:
        """``(n,)`` how many nucleotides each likelihood score sums over (the scorer says, else the length)."""
        counter = getattr(self.scorer, "n_scored_nucleotides", None)
        if counter is not None:
            return np.asarray(counter(list(sequences)), dtype=np.float64)
        return np.array([len(s) for s in sequences], dtype=np.float64)

    def score_more(self, ids, sequences) -> np.ndarray:
        """Scores of sequences outside the run's sets (hypothesis designs), through the same checks and cache.

        Designs share many sequences (a shrinking hypothesis example changes one element, so the members it does
        not touch repeat), so the run remembers every score it computed here, with or without a cache file."""
        if self._memo is None:
            self._memo = _RunMemo(self.cache)
        return score_sequences(self.scorer, ids, sequences, cache=self._memo)

    def families(self, role: str, condition: str) -> np.ndarray:
        return self.sets[role].member_families(condition)

    def paired(self, role: str, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
        """Scores of ``first`` and ``second`` on the families both have, matched by family."""
        fam_a, fam_b = self.families(role, first), self.families(role, second)
        common = np.intersect1d(fam_a, fam_b)
        a = self.scores(role, first)[np.searchsorted(fam_a, common)]
        b = self.scores(role, second)[np.searchsorted(fam_b, common)]
        return a, b


class _RunMemo:
    """One model's scores by sequence for the length of a run, in front of the score cache (or alone, under
    ``--mit-cache none``); the cache interface ``get_many``/``put_many`` of :mod:`scorers.cache`. One memo
    serves one scorer, so the fingerprint is passed on to the cache but not needed as a key."""

    def __init__(self, cache=None):
        self.cache = cache
        self.known: dict[str, float] = {}

    def get_many(self, fingerprint: str, sequences) -> dict[str, float]:
        found = {s: self.known[s] for s in sequences if s in self.known}
        rest = [s for s in sequences if s not in found]
        if self.cache is not None and rest:
            stored = self.cache.get_many(fingerprint, rest)
            self.known.update(stored)
            found.update(stored)
        return found

    def put_many(self, fingerprint: str, scores) -> None:
        self.known.update(scores)
        if self.cache is not None:
            self.cache.put_many(fingerprint, scores)
