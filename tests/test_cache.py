"""The SQLite score cache: roundtrip, keys, concurrent writers, corrupt files, interrupted runs."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers.cache import (APPLICATION_ID, CacheCorruptWarning, CacheReadOnlyWarning, NotACacheError, ScoreCache,
                           cache_key, check_cache_path, open_cache)
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


# --- what is an MIT cache (DESIGN.md section 11): anything else is refused and never touched -----------------

def snapshot(path: Path) -> dict:
    """Every file under ``path`` (or ``path`` itself) with its bytes, and the names beside it: a path that
    was renamed, replaced, or got a ``-wal``/``.corrupt-*`` sibling compares unequal."""
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {"siblings": sorted(p.name for p in path.parent.iterdir()),
            "files": {str(p): (p.is_dir(), p.read_bytes() if p.is_file() else None) for p in files}}


def make_other_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("INSERT INTO users VALUES ('ada')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("make, why", [
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("keep me")), "is a folder"),
    (lambda p: p.write_text("id,sequence,score\nC_000,ACGT,1.5\n"), "not an SQLite database"),
    (lambda p: p.write_bytes(b"SQLite format"), "truncated"),
    (make_other_database, "not an MIT score cache"),
])
def test_a_path_that_is_not_an_mit_cache_is_refused_and_left_untouched(tmp_path, make, why):
    path = tmp_path / "target"
    make(path)
    before = snapshot(path)
    with pytest.raises(NotACacheError, match=why) as raised:
        ScoreCache(path)
    assert str(path) in str(raised.value)
    with pytest.raises(NotACacheError):
        check_cache_path(path)
    assert snapshot(path) == before, "a path that is not an MIT cache must never be renamed or changed"


def test_the_folder_of_the_default_cache_is_refused_with_the_file_to_use(tmp_path):
    folder = tmp_path / ".mit_cache"
    ScoreCache(folder / "scores.sqlite").put_many("fp", {"ACGT": 1.0})
    before = snapshot(folder)
    with pytest.raises(NotACacheError, match=r"is a folder.*scores\.sqlite"):
        open_cache(folder)
    assert snapshot(folder) == before
    assert ScoreCache(folder / "scores.sqlite").get_many("fp", ["ACGT"]) == {"ACGT": 1.0}


def test_a_new_or_empty_path_becomes_a_cache_marked_as_mit(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for path in (tmp_path / "new" / "scores.sqlite", empty):
        ScoreCache(path).put_many("fp", {"ACGT": 1.0})
        check_cache_path(path)
        assert int.from_bytes(path.read_bytes()[68:72], "big") == APPLICATION_ID


def test_a_database_with_mits_table_names_but_no_application_id_is_never_written(tmp_path):
    """Silent case 5 (issue 22): another program's database whose tables happen to be ``scores`` and ``meta``
    with compatible columns used to be written to (rows, MIT's application id, WAL mode)."""
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID")
    conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema', '1')")
    conn.execute("INSERT INTO scores VALUES (?, ?)", (cache_key("fp", "ACGT"), 2.5))
    conn.commit()
    conn.close()
    before = snapshot(path)
    with pytest.raises(NotACacheError, match="without MIT's application id"):
        ScoreCache(path).put_many("fp", {"ACGA": 1.0})
    with pytest.raises(NotACacheError, match="without MIT's application id"):
        check_cache_path(path)
    assert snapshot(path) == before


def test_a_truncated_mit_cache_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many("fp", {f"A{i:05d}": float(i) for i in range(3000)})
    cache.close()
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = ScoreCache(path)
        fresh.get_many("fp", ["A00001"])
    assert any(issubclass(w.category, CacheCorruptWarning) for w in caught), [str(w.message) for w in caught]
    moved = list(tmp_path.glob("scores.sqlite.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == data[:len(data) // 2]
    fresh.put_many("fp", {"C": 2.0})
    assert ScoreCache(path).get_many("fp", ["C", "A00001"]) == {"C": 2.0}


def make_read_only(path: Path) -> None:
    """Make ``path`` unwritable for this process: chmod for a normal user, the immutable flag for root (which
    ignores permission bits); skip when neither is possible here."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                          capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i: cannot make a file read-only here")


def undo_read_only(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(0o644)


def test_a_read_only_cache_is_read_and_never_discarded(tmp_path):
    path = tmp_path / "scores.sqlite"
    ScoreCache(path).put_many("counting/v1", {"ACGT": -4.0, "AAAA": -5.0})
    before = path.read_bytes()
    make_read_only(path)
    try:
        scorer = CountingScorer()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cache = ScoreCache(path)
            scores = score_sequences(scorer, ["a", "b", "c"], ["ACGT", "AAAA", "CCCC"], cache)
            score_sequences(scorer, ["d"], ["GGGG"], cache)
        assert scores.tolist() == [-4.0, -5.0, -4.0] and scorer.seen == ["CCCC", "GGGG"]
        read_only = [str(w.message) for w in caught if issubclass(w.category, CacheReadOnlyWarning)]
        assert len(read_only) == 1 and str(path) in read_only[0], [str(w.message) for w in caught]
        assert not any(issubclass(w.category, CacheCorruptWarning) for w in caught)
    finally:
        undo_read_only(path)
    assert path.read_bytes() == before and not list(tmp_path.glob("*.corrupt-*"))


def test_writes_refused_by_sqlite_turn_the_cache_read_only_with_one_warning(tmp_path, monkeypatch):
    """Whatever the permission bits say (root ignores them), a write SQLite refuses is a warning, not a crash."""
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many("fp", {"ACGT": 1.0})
    cache.close()
    monkeypatch.setattr("scorers.cache._writable", lambda p: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = ScoreCache(path)
        cache.put_many("fp", {"CCCC": 2.0})
        cache.put_many("fp", {"GGGG": 3.0})
    assert cache.get_many("fp", ["ACGT", "CCCC"]) == {"ACGT": 1.0}
    assert sum(issubclass(w.category, CacheReadOnlyWarning) for w in caught) == 1


def test_a_new_cache_that_cannot_be_created_is_one_warning_and_no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr("scorers.cache._writable", lambda p: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert open_cache(tmp_path / "new.sqlite") is None
    assert [w.category for w in caught] == [CacheReadOnlyWarning] and "cannot be created" in str(caught[0].message)
    assert not (tmp_path / "new.sqlite").exists()
