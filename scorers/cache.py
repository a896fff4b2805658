"""The score cache: one SQLite file of ``sha256(fingerprint NUL sequence) -> float`` (DESIGN.md sections 7, 11).

A rerun, or a hypothesis example that repeats a sequence, costs a lookup instead of a forward pass. The file is
shared by every pytest-xdist worker and by interrupted runs, so:

* WAL journal + a busy timeout: readers never block, writers queue instead of failing with "database is locked";
* every ``put_many`` is its own transaction, so whatever was committed before a crash or Ctrl-C stays.

Every row carries a checksum: the first 16 bytes of sha256(key, the scorer's fingerprint, the score's 8 bytes).
A reader recomputes it from the fingerprint it asks with, so a value edited inside a valid SQLite file, or a
corrupt page that still parses, is not served: the row counts as missing (the sequence is scored again and
the row rewritten) and one :class:`CacheTamperedWarning` says how many rows failed. The checksum finds edits and
damage, not a forger who reads this code.

What counts as an MIT cache (:func:`check_cache_path`), because ``--mit-cache`` may point anywhere:

* a path that does not exist, or an empty file: a new cache is created there;
* an SQLite file (its first 16 bytes are ``SQLite format 3\0``) whose header carries MIT's application id
  (:data:`APPLICATION_ID`, ``PRAGMA application_id``, header bytes 68-71, set when MIT creates the file) and
  whose schema (every table, index and trigger, as SQLite records it) is exactly this MIT's.

Anything else (a folder, a CSV, another program's database even with tables named ``scores`` and ``meta``, a file
without the application id, a file too short to tell, a cache of a newer MIT) is :class:`NotACacheError` and is
never opened for writing, renamed or changed. A cache of an older schema version (version 1, rows without
checksums, which cannot be verified) is moved aside (``<name>.schema1-<timestamp>``) with a
:class:`CacheSchemaWarning` that names its version, and a new one started. A file identified as MIT's that then
fails SQLite's integrity check or cannot be read (corrupt pages, truncated) is moved aside
(``<name>.corrupt-<timestamp>``) with a :class:`CacheCorruptWarning` and rebuilt empty. A cache this process may
not write (permissions, a read-only file system) is read, and new scores are not saved
(one :class:`CacheReadOnlyWarning`).
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import struct
import time
import urllib.parse
import warnings
from pathlib import Path
from typing import Iterable, Mapping

SCHEMA_VERSION = "2"
# "MITC": written to the SQLite header (PRAGMA application_id) so the file says whose it is.
APPLICATION_ID = 0x4D495443
SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER = 100
_TABLES = {"scores", "meta"}
_CREATE_SCORES = ("CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL, checksum BLOB NOT NULL) "
                  "WITHOUT ROWID")
_CREATE_META = "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
# Every schema object with SQL, as sqlite_master records it, of each version this MIT knows.
SCHEMAS = {
    "1": {("table", "scores", "CREATE TABLE scores (key BLOB PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID"),
          ("table", "meta", _CREATE_META)},
    "2": {("table", "scores", _CREATE_SCORES), ("table", "meta", _CREATE_META)},
}
_CHECKSUM_BYTES = 16
# SQLite builds before 3.32 allow 999 bound parameters per statement; stay under it.
_CHUNK = 900


class CacheCorruptWarning(UserWarning):
    """The cache file could not be read; it was moved aside and a new one started."""


class CacheReadOnlyWarning(UserWarning):
    """The cache file cannot be written here: cached scores are read, new ones are not saved."""


class CacheTamperedWarning(CacheCorruptWarning):
    """Rows whose checksum does not match their value: they were not served, and are scored again."""


class CacheSchemaWarning(UserWarning):
    """An MIT cache of an older schema version: moved aside (named with its version), a new one started."""


class NotACacheError(ValueError):
    """A cache path that is not an MIT score cache (a folder, a CSV, another program's database)."""


def cache_key(fingerprint: str, sequence: str) -> bytes:
    """The 32-byte key of one score: sha256 of ``fingerprint + "\\0" + sequence`` (UTF-8)."""
    return hashlib.sha256(f"{fingerprint}\0{sequence}".encode()).digest()


def row_checksum(key: bytes, fingerprint: str, value: float) -> bytes:
    """What a row carries so that a reader asking with ``fingerprint`` can tell its ``value`` was not changed."""
    return hashlib.sha256(key + b"\0" + fingerprint.encode() + b"\0" + struct.pack("<d", value)).digest()[
        :_CHECKSUM_BYTES]


def is_disabled(spec) -> bool:
    """True for ``--mit-cache none`` (or an empty value)."""
    return spec is None or str(spec).strip().lower() in ("", "none")


def open_cache(spec: str | os.PathLike | None) -> "ScoreCache | None":
    """``ScoreCache(spec)``, or None when ``spec`` is None, empty or ``none`` (``--mit-cache none``).

    Raises NotACacheError for a path that is not an MIT cache. A new cache that cannot be created here (a
    read-only folder) is a CacheReadOnlyWarning and no cache."""
    if is_disabled(spec):
        return None
    is_new = check_cache_path(spec) == "new"
    try:
        return ScoreCache(spec)
    except (OSError, sqlite3.OperationalError) as exc:
        if not is_new:
            raise
        warnings.warn(f"score cache {spec} cannot be created ({exc}): running without a cache",
                      CacheReadOnlyWarning, stacklevel=2)
        return None


def check_cache_path(path: str | os.PathLike) -> str:
    """``"new"`` when ``path`` does not exist or is empty, ``"cache"`` when it is an MIT cache (see the module
    docstring); otherwise NotACacheError saying why. Reads at most the header and the table names."""
    path = Path(path)
    if path.is_dir():
        hint = (f"; the cache file in it is {path / 'scores.sqlite'}" if (path / "scores.sqlite").is_file()
                else "; give a file path such as " + str(path / "scores.sqlite"))
        raise NotACacheError(f"score cache {path} is a folder, not an MIT cache file{hint}")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise NotACacheError(f"score cache {path}: {parent} is a file, not a folder")
    if not path.exists():
        return "new"
    if not path.is_file():
        raise NotACacheError(f"score cache {path} is not a regular file")
    with open(path, "rb") as handle:
        header = handle.read(_HEADER)
    if not header:
        return "new"
    if not header.startswith(SQLITE_MAGIC) or len(header) < _HEADER:
        if SQLITE_MAGIC.startswith(header) or header.startswith(SQLITE_MAGIC):
            raise NotACacheError(f"score cache {path} is an SQLite file truncated to {len(header)} bytes: MIT "
                                 "cannot tell whether it is its cache; delete it or choose another --mit-cache")
        raise NotACacheError(f"score cache {path} is not an SQLite database (it starts with {header[:16]!r}); "
                             "it is not an MIT score cache, so MIT leaves it alone: choose another --mit-cache")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (APPLICATION_ID, 0):
        raise NotACacheError(f"score cache {path} is another program's SQLite database (application id "
                             f"{application_id:#010x}), not an MIT score cache: choose another --mit-cache")
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro", uri=True, timeout=60)
        try:
            schema = _schema(conn)
            version = _stored_version(conn) if ("table", "meta", _CREATE_META) in schema else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if application_id == APPLICATION_ID:
            return "cache"      # MIT's own file, damaged: ScoreCache moves it aside with a CacheCorruptWarning
        raise NotACacheError(f"score cache {path} is an SQLite file MIT cannot read ({exc}) and cannot identify "
                             "as its cache; delete it or choose another --mit-cache") from None
    if application_id == 0:
        like = " (its tables are named like MIT's, but MIT marks every cache it writes)" \
            if {name for _, name, _ in schema} == _TABLES else ""
        raise NotACacheError(f"score cache {path} is an SQLite database without MIT's application id, so not an "
                             f"MIT score cache{like}: MIT never writes to it. Choose another --mit-cache (a "
                             "cache written by an MIT older than its application id must be deleted)")
    return _schema_state(path, schema, version)


def _schema_state(path: Path, schema: set, version: str | None) -> str:
    """``"cache"`` (this MIT's schema, or no tables yet), ``"old"`` (an older version's exact schema); otherwise
    NotACacheError naming what the file holds."""
    if not schema or schema == SCHEMAS[SCHEMA_VERSION] and version == SCHEMA_VERSION:
        return "cache"
    known = [v for v, objects in SCHEMAS.items() if objects == schema]
    if known and version in known and version != SCHEMA_VERSION:
        return "old"
    if version is not None and version.isdigit() and int(version) > int(SCHEMA_VERSION):
        raise NotACacheError(f"score cache {path} was written by a newer MIT (schema version {version}); this MIT "
                             f"reads and writes version {SCHEMA_VERSION}: choose another --mit-cache or upgrade MIT")
    raise NotACacheError(f"score cache {path} carries MIT's application id but not an MIT schema (schema version "
                         f"{version!r}, objects {sorted(name for _, name, _ in schema) or 'none'}): MIT leaves "
                         "it alone; choose another --mit-cache")


def _schema(conn: sqlite3.Connection) -> set:
    """Every schema object that has SQL (tables, indexes, triggers, views), whitespace normalised."""
    return {(kind, name, " ".join(sql.split())) for kind, name, sql in
            conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")}


def _stored_version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    return None if row is None else str(row[0])


def _writable(path: Path) -> bool:
    """Whether this process may write ``path`` and create the journal files beside it."""
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _is_read_only_error(exc: sqlite3.Error) -> bool:
    return "readonly" in str(exc) or "read-only" in str(exc)


def _is_corruption(exc: sqlite3.Error) -> bool:
    """SQLite's own words for a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB), or MIT's failed checks."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return True
    text = str(exc)
    return any(word in text for word in ("malformed", "not a database", "corrupt", "integrity check"))


class _OlderSchema(Exception):
    """Raised inside ``_open`` for an MIT cache of an older schema version (moved aside by the caller)."""

    def __init__(self, version: str):
        super().__init__(version)
        self.version = version


class ScoreCache:
    """Scores keyed by (scorer fingerprint, sequence) in the SQLite file at ``path`` (created with its folder).

    Raises NotACacheError, before creating or opening anything, when ``path`` is not an MIT cache. Safe to use
    from several processes at once (each opens its own connection; a forked child reconnects) and from the
    thread a watchdog scores in. ``read_only`` is True when new scores cannot be saved.
    """

    def __init__(self, path: str | os.PathLike, *, timeout: float = 60.0):
        self.path = Path(path)
        self.timeout = float(timeout)
        self.read_only = False
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._identity: tuple[int, int] | None = None
        self._unusable = False          # corrupt and read-only: nothing can be read or saved
        check_cache_path(self.path)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection()

    # -- public API -------------------------------------------------------------------------------------------

    def get_many(self, fingerprint: str, sequences: Iterable[str]) -> dict[str, float]:
        """The cached scores of those ``sequences`` that have one, as ``{sequence: score}``."""
        by_key = {cache_key(fingerprint, s): s for s in sequences}
        keys = list(by_key)
        found: dict[str, float] = {}
        failed: list[str] = []

        def read(conn: sqlite3.Connection) -> None:
            found.clear()
            failed.clear()
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                rows = conn.execute(f"SELECT key, value, checksum FROM scores WHERE key IN "
                                    f"({','.join('?' * len(chunk))})", chunk).fetchall()
                for key, value, checksum in rows:
                    key = bytes(key)
                    if isinstance(value, float) and isinstance(checksum, bytes) and \
                            row_checksum(key, fingerprint, value) == checksum:
                        found[by_key[key]] = value
                    else:
                        failed.append(by_key[key])

        self._with_recovery(read)
        if failed:
            warnings.warn(f"score cache {self.path}: {len(failed)} cached scores do not match their checksum "
                          f"(edited or damaged values, e.g. of {failed[0][:30]}...): they were not used, and are "
                          "scored again", CacheTamperedWarning, stacklevel=2)
        return found

    def put_many(self, fingerprint: str, scores: Mapping[str, float]) -> None:
        """Store ``{sequence: score}`` under ``fingerprint`` in one transaction (committed before returning);
        nothing when the cache is read-only.

        Non-finite scores are refused with ValueError: a NaN in the cache would be served as a result later.
        """
        rows = []
        for sequence, value in scores.items():
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"refusing to cache the non-finite score {value} of sequence {sequence[:30]!r}")
            key = cache_key(fingerprint, sequence)
            rows.append((key, value, row_checksum(key, fingerprint, value)))
        if not rows or self.read_only:
            return

        def write(conn: sqlite3.Connection) -> None:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait on busy_timeout instead of
            # failing when a deferred transaction tries to upgrade its lock.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR REPLACE INTO scores (key, value, checksum) VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        try:
            self._with_recovery(write)
        except sqlite3.OperationalError as exc:
            if not _is_read_only_error(exc):
                raise
            self._mark_read_only(str(exc))

    def __len__(self) -> int:
        count = [0]
        self._with_recovery(lambda conn: count.__setitem__(0, conn.execute("SELECT COUNT(*) FROM scores")
                                                           .fetchone()[0]))
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
        self.read_only, self._unusable, self._identity = False, False, None
        self._conn, self._pid = None, -1

    def __repr__(self) -> str:
        return f"ScoreCache({str(self.path)!r}{', read-only' if self.read_only else ''})"

    # -- internals --------------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection | None:
        if self._unusable:
            return None
        if self._conn is None or self._pid != os.getpid():
            # After fork the parent's connection must not be used (SQLite locks are per process).
            self._conn = None
            try:
                self._conn = self._open()
            except _OlderSchema as old:
                if not self._move_aside(old):
                    return None
                self._conn = self._open()
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
                    raise
                if not self._move_aside(exc):
                    return None
                self._conn = self._open()
            self._pid = os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if not self.path.exists() and not _writable(self.path):
            raise PermissionError(f"cannot create {self.path}: its folder is not writable")
        if self.read_only or not _writable(self.path):
            self._mark_read_only("this process may not write it")
            return self._open_read_only()
        conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            self._identity = _identity(self.path)
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Tables and the application id in one transaction, before WAL: a new file is never seen half made.
            # What the file is gets decided inside that transaction, so nothing is written to a file that is
            # not an empty new file or this MIT's exact schema with its application id.
            conn.execute("BEGIN IMMEDIATE")
            try:
                state = self._state(conn)
                if state == "new":
                    conn.execute(_CREATE_SCORES)
                    conn.execute(_CREATE_META)
                    conn.execute("INSERT INTO meta (name, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            # Switching to WAL needs a moment of exclusive access; another worker may hold the file, and a file
            # that is already WAL stays WAL, so a busy error here is harmless.
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            conn.execute("PRAGMA synchronous = NORMAL")
            _verify(conn)
        except sqlite3.OperationalError as exc:
            conn.close()
            if not _is_read_only_error(exc):
                raise
            self._mark_read_only(str(exc))
            return self._open_read_only()
        except BaseException:
            conn.close()
            raise
        return conn

    def _state(self, conn: sqlite3.Connection) -> str:
        """``"new"`` (no schema yet, no foreign application id) or ``"cache"``; _OlderSchema for an older MIT
        schema; NotACacheError for anything else (read in the caller's transaction)."""
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        schema = _schema(conn)
        if not schema and application_id in (0, APPLICATION_ID):
            return "new"
        if application_id != APPLICATION_ID:
            raise NotACacheError(f"score cache {self.path} is not an MIT score cache (application id "
                                 f"{application_id:#010x}); MIT never writes to it: choose another --mit-cache")
        version = _stored_version(conn) if ("table", "meta", _CREATE_META) in schema else None
        if _schema_state(self.path, schema, version) == "old":
            raise _OlderSchema(version)
        return "cache"

    def _open_read_only(self) -> sqlite3.Connection:
        """A read-only connection; ``immutable`` when SQLite cannot even create the WAL index beside the file."""
        target = urllib.parse.quote(str(self.path.resolve()))
        for options in ("mode=ro", "mode=ro&immutable=1"):
            conn = sqlite3.connect(f"file:{target}?{options}", uri=True, timeout=self.timeout,
                                   isolation_level=None, check_same_thread=False)
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                schema = _schema(conn)
                if not schema:
                    # An empty file: nothing cached yet, and nothing can be saved.
                    conn.execute(_CREATE_SCORES.replace("CREATE TABLE", "CREATE TEMP TABLE"))
                else:
                    version = _stored_version(conn) if ("table", "meta", _CREATE_META) in schema else None
                    if _schema_state(self.path, schema, version) == "old":
                        raise _OlderSchema(version)
                _verify(conn)
                self._identity = _identity(self.path)
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                if _is_corruption(exc) or options.endswith("immutable=1"):
                    raise
            except BaseException:
                conn.close()
                raise
        raise sqlite3.OperationalError(f"score cache {self.path} cannot be opened read-only")

    def _with_recovery(self, operation) -> None:
        """Run ``operation(connection)``; if the file turns out corrupt, move it aside, rebuild, retry once."""
        conn = self._connection()
        if conn is None:
            return
        try:
            operation(conn)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise       # contention beyond the busy timeout, a full disk, a read-only file: not corruption
            self.close()
            if not self._move_aside(exc):
                return
            conn = self._connection()
            if conn is not None:
                operation(conn)

    def _mark_read_only(self, reason: str) -> None:
        if not self.read_only:
            self.read_only = True
            warnings.warn(f"score cache {self.path} is read-only ({reason}): cached scores are read, new scores "
                          "are not saved", CacheReadOnlyWarning, stacklevel=4)

    def _move_aside(self, error: Exception) -> bool:
        """Move the corrupt file, or the cache of an older schema version (``error`` is _OlderSchema), aside: this
        file only, not one another worker already rebuilt in its place. False when it cannot be moved (a
        read-only folder), which leaves the cache unused for this run."""
        older = isinstance(error, _OlderSchema)
        what = (f"is an MIT cache of schema version {error.version} (this MIT writes version {SCHEMA_VERSION}, "
                "whose rows carry checksums; older rows cannot be verified)" if older
                else f"is unreadable ({error})")
        category = CacheSchemaWarning if older else CacheCorruptWarning
        if self.read_only:
            self._unusable = True
            warnings.warn(f"score cache {self.path} {what} and read-only, so it cannot be moved aside: running "
                          "without it", category, stacklevel=4)
            return False
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
        label = f"schema{error.version}" if older else "corrupt"
        target = self.path.with_name(f"{self.path.name}.{label}-{stamp}")
        if self._identity is not None and _identity(self.path) not in (self._identity, None):
            target = None      # another worker already moved it and started a new file: use theirs
        else:
            try:
                os.replace(self.path, target)
            except FileNotFoundError:
                target = None
            for suffix in ("-wal", "-shm"):
                try:
                    os.remove(f"{self.path}{suffix}")
                except FileNotFoundError:
                    pass
        self._identity = None
        where = f"moved to {target}" if target is not None else "already moved aside by another process"
        warnings.warn(f"score cache {self.path} {what}; {where}; starting an empty cache", category, stacklevel=4)
        return True


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _verify(conn: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError unless SQLite's quick check passes; NotACacheError unless the schema is this
    MIT's (or there is none yet)."""
    check = conn.execute("PRAGMA quick_check").fetchone()
    if not check or check[0] != "ok":
        raise sqlite3.DatabaseError(f"integrity check says {check[0] if check else 'nothing'}")
    schema = _schema(conn)       # the main database's: an empty read-only file's TEMP table is not in it
    if schema and (schema != SCHEMAS[SCHEMA_VERSION] or _stored_version(conn) != SCHEMA_VERSION):
        raise NotACacheError(f"the file's schema is not this MIT's (version {SCHEMA_VERSION}): "
                             f"{sorted(name for _, name, _ in schema)}")
