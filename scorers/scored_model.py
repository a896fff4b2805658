"""``ScoredModel``: one model's scores on every sequence of a run, looked up by set role and condition."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from fixtures.sequence_set import SequenceSet
from scorers.hygiene import OrderOrBatchDependence, check_order_and_batch
from scorers.protocol import ScoreError, check_scores, fingerprint, name_ids
from scorers.runner import score_sequences
from scorers.watchdog import Watchdog


class ModelFailed(RuntimeError):
    """The model failed once (an exception, bad scores, a timeout, order or batch dependence) and is not called
    again: every later look-up raises this, naming the first failure (said once in the terminal)."""

    said_once = True


class ScorerExited(ScoreError):
    """A scorer (or its factory) raised SystemExit: the model errors, the run goes on to the other models."""


class StaleCacheScores(ScoreError):
    """The score cache returned numbers this scorer's code does not reproduce: they came from other code under
    the same fingerprint (a scorer without ``fingerprint``, or two scorers with one name)."""


def exited(spec: str, exc: SystemExit) -> ScorerExited:
    """The error a scorer's SystemExit becomes: a scorer may not end MIT's process."""
    return ScorerExited(f"{spec}: the scorer raised SystemExit({exc.code!r}); a scorer may not end the run, so "
                        "this model errors and the other models are scored")


def is_replay(scorer) -> bool:
    """True only for MIT's own replay of a score file (``scores:FILE``), the one scorer exempt from the order and
    batch check: a live scorer that sets ``precomputed`` is checked like any other."""
    from scorers.replay import ReplayScores
    return isinstance(scorer, ReplayScores)


@dataclass
class ScoredModel:
    """Scores are computed in one batched call over every set the run reads (``roles_read``; None: every set)
    not yet scored, on the first look-up of any of them; a set outside ``roles_read`` is scored when asked for.
    ``score_now`` scores some roles first (the canary, so an untrained model costs one small batch).

    Every call of the scorer goes through ``watchdog`` (``--mit-timeout``). A failure while scoring the run's
    sets, or of :meth:`check_hygiene`, is remembered: the scorer is not called again and every later look-up
    raises ModelFailed, so a broken model costs one call however many tests ask for it."""

    spec: str
    scorer: object
    sets: dict[str, SequenceSet]
    cache: object = None
    progress: object = None   # a scorers.progress.Progress for the run's sets (not for hypothesis designs)
    watchdog: Watchdog | None = None
    roles_read: list[str] | None = None
    _scores: dict[str, np.ndarray] = field(default_factory=dict)
    _failure: str | None = None
    _hygiene: dict | None = None
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
    def fixed_layout(self) -> bool:
        """True for scorers that read only the MIT layout's window (``fixed_layout``)."""
        return bool(getattr(self.scorer, "fixed_layout", False))

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

    def _call(self, function, *args, remember: bool = True, **kwargs):
        """``function(*args, **kwargs)`` under the watchdog; with ``remember`` a failure marks the model failed.
        A timeout always does: the abandoned call may still be running."""
        if self._failure is not None:
            raise ModelFailed(self._failure)
        try:
            try:
                if self.watchdog is None:
                    return function(*args, **kwargs)
                return self.watchdog.call(function, *args, **kwargs)
            except SystemExit as exc:
                raise exited(self.spec, exc) from None
        except Exception as exc:
            if remember or (self.watchdog is not None and self.watchdog.timed_out):
                self._failure = (f"{self.spec} failed and is not called again: {type(exc).__name__}: {exc}")
            raise

    def score_now(self, roles) -> None:
        """Score the sets of ``roles`` that are not scored yet, each distinct sequence once, in one call."""
        if self._failure is not None:
            raise ModelFailed(self._failure)
        todo = [r for r in roles if r not in self._scores]
        if not todo:
            return
        ids = [sid for r in todo for sid in self.sets[r].ids]
        sequences = [seq for r in todo for seq in self.sets[r].sequences]
        if callable(getattr(self.scorer, "check_sets", None)):
            self._call(self.scorer.check_sets, {r: self.sets[r] for r in todo})
        flat = self._call(score_sequences, self.scorer, ids, sequences, cache=self.cache, progress=self.progress)
        start = 0
        for role in todo:
            self._scores[role] = flat[start:start + len(self.sets[role])]
            start += len(self.sets[role])

    def role_scores(self, role: str) -> np.ndarray:
        """``(len(set),)`` scores of the set ``role`` in set order; ModelFailed once the model has failed."""
        if self._failure is not None:
            raise ModelFailed(self._failure)
        if role not in self._scores:
            self.score_now(dict.fromkeys(self._run_roles() + [role]))
        return self._scores[role]

    def _run_roles(self) -> list[str]:
        """The roles scored together on the first look-up: those the run reads, in set order."""
        return list(self.sets) if self.roles_read is None else [r for r in self.sets if r in self.roles_read]

    def has(self, role: str, condition: str | None = None) -> bool:
        if role not in self.sets:
            return False
        return condition is None or condition in self.sets[role].conditions

    def scores(self, role: str, condition: str) -> np.ndarray:
        """``(n_families,)`` scores of the members with ``condition``, ordered by family."""
        return self.role_scores(role)[self.sets[role].indices(condition)]

    def condition_scores(self, role: str, matched: tuple[str, ...] = ()):
        """``scores(condition)`` of the set ``role``: what a gate function reads. With ``matched``, each condition's
        scores are restricted to the families that every condition in ``matched`` has, so pairs line up where
        classes differ in size (the paper's set: 100 E, 50 H)."""
        if not matched:
            return functools.partial(self.scores, role)
        common = functools.reduce(np.intersect1d, (self.families(role, c) for c in matched))

        def scores(condition: str) -> np.ndarray:
            families = self.families(role, condition)
            return self.scores(role, condition)[np.searchsorted(families, common)]
        return scores

    def rescore(self, role: str, members=None) -> np.ndarray:
        """The set ``role`` (or its ``members``, an index or boolean mask) scored again by the model itself,
        bypassing the cache, through the same output checks: the canary compares two scorings."""
        sequence_set = self.sets[role]
        chosen = np.arange(len(sequence_set))[members if members is not None else slice(None)]
        sequences = tuple(sequence_set.sequences[i] for i in chosen)
        scores = self._call(self.scorer.score, sequences)
        return check_scores(scores, sequences, tuple(sequence_set.ids[i] for i in chosen), self.scorer.name)

    def scored_nucleotides(self, sequences) -> np.ndarray:
        """``(n,)`` how many nucleotides each likelihood score sums over (the scorer says, else the length)."""
        counter = getattr(self.scorer, "n_scored_nucleotides", None)
        if counter is not None:
            return np.asarray(self._call(counter, tuple(sequences)), dtype=np.float64)
        return np.array([len(s) for s in sequences], dtype=np.float64)

    def score_more(self, ids, sequences) -> np.ndarray:
        """Scores of sequences outside the run's sets (hypothesis designs), through the same checks and cache.

        Designs share many sequences (a shrinking hypothesis example changes one element, so the members it does
        not touch repeat), so the run remembers every score it computed here, with or without a cache file. A
        failure here belongs to the designs of one test and is not remembered (a timeout is)."""
        if self._memo is None:
            self._memo = _RunMemo(self.cache)
        return self._call(score_sequences, self.scorer, ids, sequences, cache=self._memo, remember=False)

    def check_hygiene(self, seed: int) -> dict | None:
        """Once per model: scores must not depend on order or batch (:mod:`scorers.hygiene`), checked on a
        seeded sample of the run's scored sequences rescored in other batches. Returns what was checked (None for a
        replayed file); a failure is remembered like any scoring failure.

        MIT's replay of a score file (``scores:FILE``) is exempt: it holds one score per sequence, fixed when it
        was written (by ``python -m scorers``, which checks the same at scoring time), and cannot score in other
        batches. Any other scorer is checked, whatever attributes it sets. When the check fails on scores that
        came through the cache, the run is scored again without it: if those fresh scores pass, the cache held
        numbers from other code (StaleCacheScores), and the model errors saying so."""
        if self._hygiene is None:
            self.score_now(self._run_roles())
            roles = [r for r in self.sets if r in self._scores]
            if is_replay(self.scorer):
                self._hygiene = {"exempt": "replayed scores cannot be rescored in other batches"}
                return None
            ids = [sid for r in roles for sid in self.sets[r].ids]
            sequences = [seq for r in roles for seq in self.sets[r].sequences]
            groups = [r for r in roles for _ in self.sets[r].ids]
            scores = np.concatenate([self._scores[r] for r in roles])
            self._hygiene = self._call(self._checked_hygiene, ids, sequences, scores, groups, seed)
        if self._failure is not None:
            raise ModelFailed(self._failure)
        return None if is_replay(self.scorer) else self._hygiene

    def _checked_hygiene(self, ids, sequences, scores, groups, seed: int) -> dict:
        try:
            return check_order_and_batch(self.scorer, ids, sequences, scores, seed, groups)
        except OrderOrBatchDependence as dependence:
            if self.cache is None:
                raise
            fresh = score_sequences(self.scorer, ids, sequences)
            try:
                check_order_and_batch(self.scorer, ids, sequences, fresh, seed, groups)
            except OrderOrBatchDependence:
                raise dependence from None
            differ = [f"{ids[i]} (cached {scores[i]:.6g}, now {fresh[i]:.6g})"
                      for i in np.flatnonzero(fresh != scores)]
            raise StaleCacheScores(
                f"{self.spec}: the score cache {getattr(self.cache, 'path', '')} holds scores from other code under "
                f"this scorer's fingerprint {self.fingerprint!r}: scored again without the cache, "
                f"{len(differ)} of {len(ids)} scores differ ({name_ids(differ, 3)}) and the order and batch "
                "check passes. A scorer without a `fingerprint` is keyed by its name and the source of its "
                "class's module, so two scorers with one name, or code outside that module, share cache keys: "
                "declare a `fingerprint` that changes with the code, or delete the cache file") from None

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
