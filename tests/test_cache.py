"""The SQLite score cache: roundtrip, keys, concurrent writers, corrupt files, interrupted runs."""

from __future__ import annotations

import multiprocessing
import sqlite3
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers.cache import CacheCorruptWarning, ScoreCache, cache_key, open_cache
from scorers.runner import score_sequences

DNA = st.text(alphabet="ACGT", min_size=1, max_size=40)


class CountingScorer:
    """A likelihood-like scorer that counts the sequences it is asked to score."""

    name, kind = "counting", "likelihood"
    fingerprint = "counting/v1"

    def __init__(self):
        self.calls = 0
        self.seen: list[str] = []

    def score(self, sequences):
        self.calls += 1
        self.seen.extend(sequences)
        return np.array([-float(len(s)) - 0.25 * s.count("A") for s in sequences])


def test_roundtrip_and_missing(tmp_path):
    cache = ScoreCache(tmp_path / "c" / "scores.sqlite")
    assert cache.get_many("fp", ["ACGT"]) == {}
    cache.put_many("fp", {"ACGT": -1.5, "TTTT": 2.0 ** -40})
    again = ScoreCache(tmp_path / "c" / "scores.sqlite")
    assert again.get_many("fp", ["ACGT", "TTTT", "GGGG"]) == {"ACGT": -1.5, "TTTT": 2.0 ** -40}
    assert len(again) == 2


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.dictionaries(DNA, st.floats(allow_nan=False, allow_infinity=False), max_size=30))
def test_roundtrip_is_exact_for_any_floats(tmp_path_factory, scores):
    cache = ScoreCache(tmp_path_factory.mktemp("h") / "scores.sqlite")
    cache.put_many("model@rev", scores)
    assert cache.get_many("model@rev", list(scores)) == scores


def test_fingerprints_do_not_collide(tmp_path):
    cache = ScoreCache(tmp_path / "scores.sqlite")
    cache.put_many("model-a", {"ACGT": 1.0})
    cache.put_many("model-b", {"ACGT": 2.0})
    # The separator keeps ("ab", "c...") and ("a", "bc...") apart.
    cache.put_many("x", {"AC": 3.0})
    cache.put_many("xA", {"C": 4.0})
    assert cache.get_many("model-a", ["ACGT"]) == {"ACGT": 1.0}
    assert cache.get_many("model-b", ["ACGT"]) == {"ACGT": 2.0}
    assert cache.get_many("x", ["AC"]) == {"AC": 3.0} and cache.get_many("xA", ["C"]) == {"C": 4.0}
    assert cache.get_many("model-c", ["ACGT"]) == {}
    assert cache_key("x", "AC") != cache_key("xA", "C")


def test_non_finite_scores_are_refused(tmp_path):
    cache = ScoreCache(tmp_path / "scores.sqlite")
    with pytest.raises(ValueError, match="non-finite"):
        cache.put_many("fp", {"ACGT": float("nan")})
    assert len(cache) == 0


def test_many_keys_in_one_call(tmp_path):
    cache = ScoreCache(tmp_path / "scores.sqlite")
    rng = np.random.default_rng(0)
    seqs = list(dict.fromkeys("".join(rng.choice(list("ACGT"), 20)) for _ in range(2500)))
    cache.put_many("fp", {s: float(i) for i, s in enumerate(seqs)})
    got = cache.get_many("fp", seqs)
    assert len(got) == len(seqs) and all(got[s] == float(i) for i, s in enumerate(seqs))


def _writer(path: str, worker: int, n_batches: int, per_batch: int) -> None:
    cache = ScoreCache(path)
    for b in range(n_batches):
        batch = {f"{'ACGT'[worker]}{b:04d}{i:04d}": worker * 1e6 + b * 1e3 + i for i in range(per_batch)}
        cache.put_many("shared", batch)
        # Readers and writers interleave; a reader sees only committed batches.
        assert cache.get_many("shared", list(batch)) == batch


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "scores.sqlite")
    ScoreCache(path)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(path, w, 15, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    cache = ScoreCache(path)
    assert len(cache) == 4 * 15 * 40
    assert cache.get_many("shared", ["T00140039"]) == {"T00140039": 3e6 + 14e3 + 39}


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "scores.sqlite"
    path.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.warns(CacheCorruptWarning, match="moved to"):
        cache = ScoreCache(path)
    moved = list(tmp_path.glob("scores.sqlite.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is not")
    cache.put_many("fp", {"ACGT": 1.0})
    assert ScoreCache(path).get_many("fp", ["ACGT"]) == {"ACGT": 1.0}


def test_damaged_pages_are_detected(tmp_path):
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many("fp", {f"A{i:05d}": float(i) for i in range(3000)})
    cache.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xff" * 8192   # overwrite b-tree pages, keep the header
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = ScoreCache(path)
        fresh.get_many("fp", ["A00001"])
    assert any(issubclass(w.category, CacheCorruptWarning) for w in caught)
    fresh.put_many("fp", {"C": 2.0})
    assert fresh.get_many("fp", ["C"]) == {"C": 2.0}


def test_open_cache_none_disables():
    assert open_cache(None) is None and open_cache("none") is None and open_cache("NONE") is None


def test_warm_rerun_does_not_call_the_scorer(tmp_path):
    path = tmp_path / "scores.sqlite"
    seqs = ["ACGT", "AAAA", "ACGT", "TTTTGG"]
    ids = [f"s{i}" for i in range(len(seqs))]
    cold_scorer = CountingScorer()
    cold = score_sequences(cold_scorer, ids, seqs, ScoreCache(path))
    assert cold_scorer.seen == ["ACGT", "AAAA", "TTTTGG"]
    warm_scorer = CountingScorer()
    warm = score_sequences(warm_scorer, ids, seqs, ScoreCache(path))
    assert warm_scorer.calls == 0 and np.array_equal(cold, warm)
    # A new sequence costs exactly one scoring of that sequence.
    score_sequences(warm_scorer, ids + ["x"], seqs + ["GGGG"], ScoreCache(path))
    assert warm_scorer.seen == ["GGGG"]


def test_interrupted_run_keeps_what_was_finished_and_the_next_run_resumes(tmp_path):
    """Through the runner: a scorer that reports finished sequences (``on_scored``) and then dies leaves them
    in the cache (never a non-finite one); the rerun scores only the rest."""
    path = tmp_path / "scores.sqlite"

    class DiesHalfway:
        name, kind, fingerprint = "dies", "likelihood", "dies/v1"

        def score(self, sequences, on_scored=None):
            on_scored({"ACGT": -1.0, "AAAA": -2.0, "GGGG": float("nan")})
            raise KeyboardInterrupt

    seqs = ["ACGT", "AAAA", "CCCC", "GGGG"]
    with pytest.raises(KeyboardInterrupt):
        score_sequences(DiesHalfway(), ["a", "b", "c", "d"], seqs, ScoreCache(path))
    assert ScoreCache(path).get_many("dies/v1", seqs) == {"ACGT": -1.0, "AAAA": -2.0}
    rerun = CountingScorer()
    rerun.fingerprint = "dies/v1"
    score_sequences(rerun, ["a", "b", "c", "d"], seqs, ScoreCache(path))
    assert rerun.seen == ["CCCC", "GGGG"]


def test_cache_survives_pickling_into_another_process(tmp_path):
    import pickle
    cache = ScoreCache(tmp_path / "scores.sqlite")
    cache.put_many("fp", {"ACGT": 1.0})
    clone = pickle.loads(pickle.dumps(cache))
    assert clone.get_many("fp", ["ACGT"]) == {"ACGT": 1.0}
