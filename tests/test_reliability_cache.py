"""Nothing silent (issue 22): the score cache never serves an edited value, never writes a file that is not
exactly its own, and names a cache of another schema version instead of calling it corrupt."""

from __future__ import annotations

import sqlite3
import warnings

import numpy as np
import pytest

from fixtures.sets import build_all_sets
from scorers.cache import (APPLICATION_ID, SCHEMA_VERSION, CacheCorruptWarning, CacheSchemaWarning,
                           CacheTamperedWarning, NotACacheError, ScoreCache, cache_key, check_cache_path)
from scorers.registry import resolve
from scorers.scored_model import ScoredModel
from tests.test_cache import snapshot


class CachedPwm:
    """rpa-pwm as a cacheable scorer that counts the sequences it is asked to score."""

    name, kind, cacheable = "cached-pwm", "score", True
    fingerprint = "cached-pwm/v1"

    def __init__(self):
        self.reference, self.scored = resolve("rpa-pwm"), 0

    def score(self, sequences):
        self.scored += len(sequences)
        return self.reference.score(sequences)


def test_values_edited_inside_a_valid_cache_are_not_served(tmp_path):
    """Silent case 3: lowering 100 class-M scores by 50 inside a valid SQLite file (the integrity check passes)
    flipped motif PASS -> FAIL: the edited numbers were replayed. Each row's checksum now fails, the rows are
    scored again, and one warning says so."""
    core = build_all_sets(42)["core"]
    sets = {"core": core}
    path = tmp_path / "scores.sqlite"
    first = ScoredModel("pwm", CachedPwm(), sets, cache=ScoreCache(path))
    truth = first.role_scores("core").copy()
    first.cache.close()
    edited = [core.sequences[i] for i in range(100)]
    conn = sqlite3.connect(path)
    conn.executemany("UPDATE scores SET value = value - 50 WHERE key = ?",
                     [(cache_key(CachedPwm.fingerprint, s),) for s in edited])
    conn.commit()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    scorer = CachedPwm()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = ScoredModel("pwm", scorer, sets, cache=ScoreCache(path)).role_scores("core")
    tampered = [w for w in caught if issubclass(w.category, CacheTamperedWarning)]
    assert len(tampered) == 1 and "100 cached scores do not match their checksum" in str(tampered[0].message)
    assert np.array_equal(again, truth) and scorer.scored == 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # rewritten: served again without a warning
        assert ScoreCache(path).get_many(CachedPwm.fingerprint, edited[:3]) == dict(zip(edited[:3], truth[:3]))


def test_a_row_is_only_valid_under_the_fingerprint_it_was_written_with(tmp_path):
    """The checksum is keyed on the fingerprint: a row copied under another key does not verify."""
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many("a", {"ACGT": 1.0})
    cache.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE scores SET key = ? WHERE key = ?", (cache_key("b", "ACGT"), cache_key("a", "ACGT")))
    conn.commit()
    conn.close()
    with pytest.warns(CacheTamperedWarning):
        assert ScoreCache(path).get_many("b", ["ACGT"]) == {}


def mit_database(path, statements, version: str | None = SCHEMA_VERSION, application_id=APPLICATION_ID):
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    if version is not None:
        conn.execute("INSERT INTO meta VALUES ('schema', ?)", (version,))
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.commit()
    conn.close()
    return path


CURRENT = ["CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL, checksum BLOB NOT NULL) WITHOUT ROWID",
           "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"]


@pytest.mark.parametrize("statements, version, why", [
    (CURRENT + ["CREATE TABLE notes (text TEXT)"], SCHEMA_VERSION, "not an MIT schema"),
    (CURRENT + ["CREATE TRIGGER copy AFTER INSERT ON scores BEGIN DELETE FROM meta; END"], SCHEMA_VERSION,
     "not an MIT schema"),
    (["CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL, checksum BLOB NOT NULL, note TEXT) "
      "WITHOUT ROWID", CURRENT[1]], SCHEMA_VERSION, "not an MIT schema"),
    (CURRENT, "9", "newer MIT"),
])
def test_a_file_with_mits_application_id_but_another_schema_is_never_written(tmp_path, statements, version, why):
    path = mit_database(tmp_path / "scores.sqlite", statements, version)
    before = snapshot(path)
    with pytest.raises(NotACacheError, match=why):
        check_cache_path(path)
    with pytest.raises(NotACacheError, match=why):
        ScoreCache(path).put_many("fp", {"ACGT": 1.0})
    assert snapshot(path) == before


def test_a_cache_of_the_older_schema_is_moved_aside_named_by_its_version(tmp_path):
    """Loud case: a valid cache of another schema version was renamed ``.corrupt-*`` with a 'corrupt' warning."""
    path = mit_database(tmp_path / "scores.sqlite", [
        "CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID", CURRENT[1]], "1")
    old = path.read_bytes()
    assert check_cache_path(path) == "old"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = ScoreCache(path)
        cache.put_many("fp", {"ACGT": 1.0})
    messages = [str(w.message) for w in caught]
    assert [w.category for w in caught] == [CacheSchemaWarning], messages
    assert "schema version 1" in messages[0] and "corrupt" not in messages[0], messages
    assert not issubclass(CacheSchemaWarning, CacheCorruptWarning)
    moved = list(tmp_path.glob("scores.sqlite.schema1-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == old
    assert cache.get_many("fp", ["ACGT"]) == {"ACGT": 1.0} and check_cache_path(path) == "cache"
