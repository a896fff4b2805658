"""The ``Scorer`` protocol every model adapter implements, the run-wide options a factory receives, and the
checks on what goes in and comes out."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from fixtures.grammar import DEFAULT_SEED, LENGTH, encode


@runtime_checkable
class Scorer(Protocol):
    """A DNA sequence scorer: higher = more promoter-like.

    ``name`` is stable (reports, cache keys); ``kind`` is ``"likelihood"`` (log-likelihood in nats),
    ``"energy"`` or ``"score"``. ``score`` maps ``n`` sequences (a tuple of ACGT strings) to a float64 array of
    shape ``(n,)``, each score independent of the order and batch the sequence came in (``scorers.hygiene``).

    Optional attributes, each with the one place that reads it:

    ==========================  ==================================================================================
    ``fingerprint`` (str)       what identifies the numbers; the cache key (``protocol.fingerprint``; default:
                                the name and a hash of the scorer's source)
    ``fixed_layout`` (bool)     reads only the MIT layout window: shorter input is refused (``runner``)
    ``min_length`` (int)        shortest sequence it scores: shorter input is refused, naming the ids (``runner``)
    ``rc_equivariant`` (bool)   declared strand symmetry, recorded beside the strand verdict (``test_strand``)
    ``expected`` (dict)         property → ``"fail"``: a declared failure is XFAIL (``mit_tests.plugin``)
    ``cacheable`` (bool)        cache non-likelihood scores too (``scorers.plugin``)
    ``precomputed`` (bool)      cannot score newly drawn designs (``ScoredModel``); only MIT's own replay
                                (``scores:FILE``) is exempt from the order and batch check
    ``score_with_ids``          ``(ids, sequences) -> scores``, for id-keyed replays (``runner``)
    ``check_sets``              ``(sets)``: raise unless a replay was scored on the run's sets (``ScoredModel``)
    ``n_scored_nucleotides``    ``(sequences) -> (n,)`` nucleotides a likelihood sums over (canary)
    ``per_nucleotide``          ``(sequences) -> list of (L,)`` values (``python -m scorers``)
    ``on_scored`` (keyword)     ``score(seqs, on_scored=f)``: f({sequence: score}) as they finish (``runner``)
    ==========================  ==================================================================================
    """

    name: str
    kind: str

    def score(self, sequences: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ScorerOptions:
    """Run-wide settings a scorer factory may use (the pytest options of the same names)."""

    seed: int = DEFAULT_SEED
    device: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    trust_remote_code: bool = False
    data_dir: str | None = None
    threads: int | None = None        # CPU threads for model scoring; None: the scorer decides


class ScoreError(RuntimeError):
    """A scorer returned something that cannot be gated (wrong shape, NaN, inf, or beyond MAX_ABS_SCORE)."""


# The largest score magnitude MIT gates. The gates and checks square, sum and subtract scores (SDs, bootstrap
# means, differences of pairs); beyond 1e100 a float64 square or sum of thousands of them can overflow to inf and
# every pair would tie. No scorer MIT knows comes near it (log-likelihoods and energies stay below 1e6).
MAX_ABS_SCORE = 1e100


def name_ids(items, limit: int = 10) -> str:
    """The first ``limit`` items (ids, keys, ``id=value``) for an error message, long ones shortened."""
    items = [str(i) for i in items]
    shown = ", ".join(i if len(i) <= 24 else i[:21] + "..." for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_sequences(sequences: Sequence[str], ids: Sequence[str] | None = None, *,
                    min_length: int | None = None, exact_length: int | None = None) -> None:
    """Raise ValueError naming every sequence id with a non-ACGT character or a length the scorer cannot read."""
    ids = list(ids) if ids is not None else [f"#{i}" for i in range(len(sequences))]
    if len(ids) != len(sequences):
        raise ValueError(f"{len(ids)} ids for {len(sequences)} sequences")
    bad_chars, bad_length = [], []
    for sid, seq in zip(ids, sequences):
        if not isinstance(seq, str) or seq.strip("ACGT"):
            bad_chars.append(sid)
        elif (exact_length is not None and len(seq) != exact_length) or (
                min_length is not None and len(seq) < min_length):
            bad_length.append(f"{sid} ({len(seq)} nt)")
    problems = []
    if bad_chars:
        problems.append(f"characters outside ACGT in {name_ids(bad_chars)}")
    if bad_length:
        wanted = f"exactly {exact_length}" if exact_length is not None else f"at least {min_length}"
        problems.append(f"wrong length (needs {wanted} nt) in {name_ids(bad_length)}")
    if problems:
        raise ValueError("; ".join(problems))


def check_scores(scores, sequences: Sequence[str], ids: Sequence[str], scorer_name: str) -> np.ndarray:
    """Return ``scores`` as float64 ``(n,)`` or raise ScoreError naming the offending ids."""
    try:
        values = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoreError(f"scorer {scorer_name!r} returned scores that are not numbers: {exc}") from exc
    if values.shape != (len(sequences),):
        raise ScoreError(f"scorer {scorer_name!r} returned shape {values.shape} for {len(sequences)} sequences; "
                         f"expected ({len(sequences)},)")
    bad = ~np.isfinite(values)
    if bad.any():
        named = [f"{ids[i]}={values[i]}" for i in np.flatnonzero(bad)]
        raise ScoreError(f"scorer {scorer_name!r} returned non-finite scores for {name_ids(named)}")
    huge = np.abs(values) > MAX_ABS_SCORE
    if huge.any():
        named = [f"{ids[i]}={values[i]:.3g}" for i in np.flatnonzero(huge)]
        raise ScoreError(f"scorer {scorer_name!r} returned scores beyond ±{MAX_ABS_SCORE:g}, which MIT cannot gate "
                         f"without float overflow, for {name_ids(named)}: rescale the scores (a gate reads only "
                         "their order and differences)")
    return values


class NoFingerprintWarning(UserWarning):
    """A cacheable scorer declares no ``fingerprint``: its cache key is its name and a hash of its source."""


def declared_fingerprint(scorer) -> str | None:
    """The scorer's own ``fingerprint``, or None when it declares none."""
    value = getattr(scorer, "fingerprint", None)
    return value if isinstance(value, str) and value else None


def fingerprint(scorer) -> str:
    """What identifies a scorer's numbers (the cache key): its declared ``fingerprint``, else
    :func:`source_fingerprint` (its name and a hash of the module its class comes from)."""
    return declared_fingerprint(scorer) or source_fingerprint(scorer)


def is_cacheable(scorer) -> bool:
    """Whether the scorer's scores go to the score cache: likelihoods by default, others when ``cacheable``."""
    return bool(getattr(scorer, "cacheable", scorer.kind == "likelihood"))


def source_fingerprint(scorer, modules: Sequence[str] = ()) -> str:
    """``NAME|source sha256:HEX`` over the source files of the scorer's class's module and ``modules`` (e.g.
    the module of the factory that made it): editing that code changes the cache key, so stale scores are never
    replayed. A module without a source file counts by name only."""
    names = list(dict.fromkeys([type(scorer).__module__, *modules]))
    digest = hashlib.sha256()
    for name in names:
        path = getattr(sys.modules.get(name), "__file__", None)
        digest.update(f"{name}\0{_file_digest(path) if path else 'no source file'}\0".encode())
    return f"{scorer.name}|source sha256:{digest.hexdigest()[:16]}"


def source_files(scorer, modules: Sequence[str] = ()) -> list[str]:
    """The source files :func:`source_fingerprint` hashes (for messages)."""
    names = dict.fromkeys([type(scorer).__module__, *modules])
    return [f for f in (getattr(sys.modules.get(n), "__file__", None) for n in names) if f]


def _file_digest(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return "unreadable"
    return _cached_file_digest(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _cached_file_digest(path: str, mtime_ns: int, size: int) -> str:
    """sha256 of a file, recomputed only when its modification time or size changes."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def uniform_codes(sequences: Sequence[str], length: int | None, min_length: int) -> np.ndarray | None:
    """``(n, L)`` codes when every sequence is an ACGT string of one length L (= ``length`` if given,
    ≥ ``min_length``), else None. A fast path: one join and one table look-up instead of checking each
    string in Python; anything unusual falls back to ``check_sequences``, which names the offending ids."""
    lengths = set(map(len, sequences))
    if len(lengths) != 1 or (length is not None and lengths != {length}) or min(lengths) < min_length:
        return None
    try:
        codes = encode(sequences)
    except (TypeError, UnicodeError, ValueError):
        return None
    return None if (codes == 255).any() else codes


def fixed_layout_codes(sequences: Sequence[str], name: str) -> np.ndarray:
    """``(n, 100)`` codes of the MIT layout window for fixed-layout scorers; sequences shorter than 100 nt or
    with characters outside ACGT raise ValueError naming them. Extra 3′ flank is ignored by design.
    An empty batch gives ``(0, 100)`` so that window look-ups still broadcast."""
    if len(sequences) == 0:
        return np.zeros((0, LENGTH), dtype=np.uint8)
    codes = uniform_codes(sequences, None, LENGTH)
    if codes is not None:
        return codes[:, :LENGTH]
    check_sequences(sequences, min_length=LENGTH)
    return encode([s[:LENGTH] for s in sequences])


class ModelLoadError(RuntimeError):
    """A model that could not be loaded; the message says why and what to do. Every test of the model errors with
    it, and the terminal says it once (``said_once``: the first test's report carries it, the others point to it)."""

    said_once = True


class ScorerUnavailable(RuntimeError):
    """A scorer that cannot run here (a missing optional dependency or GPU). Its tests are skipped with this
    message, which must say what to install or what hardware is needed."""
