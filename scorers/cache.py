"""The score cache: one SQLite file of ``sha256(fingerprint NUL sequence) -> float`` (DESIGN.md sections 7, 11).

A rerun, or a hypothesis example that repeats a sequence, costs a lookup instead of a forward pass. The file is
shared by every pytest-xdist worker and by interrupted runs, so:

* WAL journal + a busy timeout: readers never block, writers queue instead of failing with "database is locked";
* every ``put_many`` is its own transaction, so whatever was committed before a crash or Ctrl-C stays;
* a file SQLite cannot read is moved aside (``<name>.corrupt-<timestamp>``) with a warning and rebuilt empty.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Iterable, Mapping

SCHEMA_VERSION = "1"
# SQLite builds before 3.32 allow 999 bound parameters per statement; stay under it.
_CHUNK = 900


class CacheCorruptWarning(UserWarning):
    """The cache file could not be read; it was moved aside and a new one started."""


def cache_key(fingerprint: str, sequence: str) -> bytes:
    """The 32-byte key of one score: sha256 of ``fingerprint + "\\0" + sequence`` (UTF-8)."""
    return hashlib.sha256(f"{fingerprint}\0{sequence}".encode()).digest()


def open_cache(spec: str | os.PathLike | None) -> "ScoreCache | None":
    """``ScoreCache(spec)``, or None when ``spec`` is None, empty or ``none`` (``--mit-cache none``)."""
    if spec is None or str(spec).strip().lower() in ("", "none"):
        return None
    return ScoreCache(spec)


class ScoreCache:
    """Scores keyed by (scorer fingerprint, sequence) in the SQLite file at ``path`` (created with its folder).

    Safe to use from several processes at once (each opens its own connection; a forked child reconnects).
    """

    def __init__(self, path: str | os.PathLike, *, timeout: float = 60.0):
        self.path = Path(path)
        self.timeout = float(timeout)
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection()

    # -- public API -------------------------------------------------------------------------------------------

    def get_many(self, fingerprint: str, sequences: Iterable[str]) -> dict[str, float]:
        """The cached scores of those ``sequences`` that have one, as ``{sequence: score}``."""
        by_key = {cache_key(fingerprint, s): s for s in sequences}
        keys = list(by_key)
        found: dict[str, float] = {}

        def read(conn: sqlite3.Connection) -> None:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                rows = conn.execute(f"SELECT key, value FROM scores WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall()
                found.update((by_key[bytes(k)], float(v)) for k, v in rows)

        self._with_recovery(read)
        return found

    def put_many(self, fingerprint: str, scores: Mapping[str, float]) -> None:
        """Store ``{sequence: score}`` under ``fingerprint`` in one transaction (committed before returning).

        Non-finite scores are refused with ValueError: a NaN in the cache would be served as a result later.
        """
        rows = []
        for sequence, value in scores.items():
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"refusing to cache the non-finite score {value} of sequence {sequence[:30]!r}")
            rows.append((cache_key(fingerprint, sequence), value))
        if not rows:
            return

        def write(conn: sqlite3.Connection) -> None:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait on busy_timeout instead of
            # failing when a deferred transaction tries to upgrade its lock.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR REPLACE INTO scores (key, value) VALUES (?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        self._with_recovery(write)

    def __len__(self) -> int:
        count = []
        self._with_recovery(lambda conn: count.append(conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0]))
        return int(count[0])

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> "ScoreCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __getstate__(self):
        # A connection cannot cross a process boundary; the receiving process opens its own.
        return {"path": self.path, "timeout": self.timeout}

    def __setstate__(self, state) -> None:
        self.path, self.timeout = state["path"], state["timeout"]
        self._conn, self._pid = None, -1

    def __repr__(self) -> str:
        return f"ScoreCache({str(self.path)!r})"

    # -- internals --------------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            # After fork the parent's connection must not be used (SQLite locks are per process).
            self._conn = None
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as exc:
                self._move_aside(exc)
                self._conn = self._open()
            self._pid = os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Switching to WAL needs a moment of exclusive access; another worker may hold the file, and a file
            # that is already WAL stays WAL, so a busy error here is harmless.
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS scores (key BLOB PRIMARY KEY, value REAL NOT NULL) "
                         "WITHOUT ROWID")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check says {check[0] if check else 'nothing'}")
            schema = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()[0]
            if schema != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {schema!r}, this MIT writes {SCHEMA_VERSION!r}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _with_recovery(self, operation) -> None:
        """Run ``operation(connection)``; if the file turns out corrupt, move it aside, rebuild, retry once."""
        try:
            operation(self._connection())
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                raise   # contention beyond the busy timeout is not corruption
            self.close()
            self._move_aside(exc)
            operation(self._connection())

    def _move_aside(self, error: Exception) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            # Another worker already moved it; the rebuilt file is (or will be) theirs and ours.
            target = None
        for suffix in ("-wal", "-shm"):
            try:
                os.remove(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
        where = f"moved to {target}" if target is not None else "already moved aside by another process"
        warnings.warn(f"score cache {self.path} is unreadable ({error}); {where}; starting an empty cache",
                      CacheCorruptWarning, stacklevel=3)
