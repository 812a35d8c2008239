"""The portal's full-text search index: SQLite FTS5 over character bigrams.

One :class:`SearchIndex` manages a directory such as ``instance/search``::

    instance/search/
        CURRENT                      name of the live index directory
        index-20261031T153000-1a2b3c4d/   the live index: search.db (+ -wal, -shm)
        current.lock, rebuild.lock   inter-process locks (see below)
        REBUILDING, <dir>.journal    present only while a rebuild runs

``search.db`` holds a ``docs`` table (the stored fields, shown in results) and a
contentless FTS5 table ``grams`` with the character bigrams of each title and body
(see ``analysis.py``).  A typed string is searched as the phrase of its bigrams, so a
document is found exactly when its title or body contains the string: recall against
substring containment is complete, whatever a word segmenter would have made of the
text, and FTS5 (C) ranks by BM25 with the title weighted double.

Searches read ``CURRENT`` and open that directory, so :meth:`SearchIndex.rebuild`
can build a complete new index next to the live one and switch to it with an
atomic rename while searches keep being served from the old one.

Writes (:meth:`~SearchIndex.upsert`, :meth:`~SearchIndex.delete`) go to the live
index inside one SQLite write transaction (``BEGIN IMMEDIATE``: one writer at a time,
readers never wait, WAL).  While a rebuild runs they are also appended to a journal
that the rebuild replays, holding the live write lock, just before it switches; so a
document published during a rebuild is not lost as long as the rebuild's document
iterable reads the database lazily (after ``rebuild`` is called) and writes are made
after the database commit.

Stored values are plain text: callers strip HTML from bodies.  Highlighted titles and
snippets are returned as safe HTML in which only ``<mark>`` is markup and everything
else is escaped.
"""

from __future__ import annotations

import fcntl
import html
import json
import logging
import math
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from .analysis import (
    fold,
    grams,
    half_width,
    has_cjk,
    is_word_run,
    phrase_grams,
    query_words,
    runs,
)

log = logging.getLogger(__name__)

__all__ = [
    "FORMAT",
    "Hit",
    "Query",
    "RebuildInProgressError",
    "SearchIndex",
    "SearchPage",
    "build_query",
]

CHINA_TZ = ZoneInfo("Asia/Shanghai")

# PRAGMA user_version of the index this code writes and reads; any other value (or a
# directory of the earlier Whoosh engine) is "outdated" and rebuilt by the health check.
FORMAT = 3
_DB = "search.db"
_SCHEMA = f"""
CREATE TABLE docs (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    col TEXT,
    column_name TEXT NOT NULL,
    unit TEXT,
    unit_name TEXT NOT NULL,
    published_at INTEGER,
    url TEXT NOT NULL
);
CREATE INDEX docs_published ON docs (published_at);
-- The texts apart: filtering and sorting by date read only the narrow rows above.
CREATE TABLE texts (n INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);
CREATE VIRTUAL TABLE grams USING fts5 (title, body, tokenize = 'ascii', content = '');
PRAGMA user_version = {FORMAT};
"""
# BM25 weights of the title and body columns.
_RANK = "bm25(grams, 2.0, 1.0)"

_TEXT_FIELDS = ("title", "body")
_ID_FIELDS = ("id", "type", "column", "unit")
_STORED_FIELDS = ("column_name", "unit_name", "url")
_DOC_KEYS = frozenset(_TEXT_FIELDS + _ID_FIELDS + _STORED_FIELDS + ("published_at",))

_CURRENT = "CURRENT"
_REBUILDING = "REBUILDING"
_DIR_PREFIX = "index-"
_DIR_NAME = re.compile(r"index-[0-9T]+-[0-9a-f]+")

WRITER_TIMEOUT = 10.0
# The switch at the end of a rebuild waits for the live writer like any other
# writer, but a failed wait would throw away a finished rebuild: be patient.
SWITCH_TIMEOUT = 60.0
# Long pasted texts are cut: a search box query has no use for more.
MAX_QUERY_CHARS = 100
MAX_PAGELEN = 100
# A snippet is at most two windows of SNIPPET_CHARS characters, each starting
# SNIPPET_LEAD characters before its first match: about two lines of a results list.
SNIPPET_CHARS = 70
SNIPPET_LEAD = 20
SNIPPET_FRAGMENTS = 2
# Matches are looked for in the first this many characters of a body.
SNIPPET_SCAN = 32_768

_OPERATORS = frozenset({"AND", "OR", "NOT"})
# A quoted phrase, a parenthesis, or a run of anything else up to a space.
_QUERY_PART = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
# Quotation marks that Chinese input methods produce instead of ASCII ".
_QUOTES = str.maketrans({c: '"' for c in "“”„‟＂「」『』«»"})
_EPOCH = datetime(1970, 1, 1)


class RebuildInProgressError(RuntimeError):
    """Raised by :meth:`SearchIndex.rebuild` when another rebuild is running."""


@dataclass
class Hit:
    """One search result.

    ``title_html`` and ``snippet_html`` are safe HTML: the stored text is
    escaped and matched words are wrapped in ``<mark>``.
    """

    id: str
    type: str
    title: str
    url: str
    column: str
    column_name: str
    unit: str
    unit_name: str
    published_at: datetime | None
    title_html: str
    snippet_html: str


@dataclass
class SearchPage:
    """One page of results; ``total`` counts all matching documents."""

    hits: list[Hit]
    total: int
    page: int
    pagelen: int
    pages: int

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages


@dataclass
class Query:
    """A parsed search: the FTS5 match expression and the strings to highlight."""

    match: str
    marks: set[str] = field(default_factory=set)


# -- documents ----------------------------------------------------------------------------


def _micros(value: datetime) -> int:
    # Stored as UTC microseconds; naive input is taken to be UTC already.
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return (value - _EPOCH) // timedelta(microseconds=1)


def _from_micros(value: int | None) -> datetime | None:
    if value is None:
        return None
    return (_EPOCH + timedelta(microseconds=value)).replace(tzinfo=UTC)


def _china_day_start(day: date) -> int:
    return _micros(datetime.combine(day, time.min, tzinfo=CHINA_TZ))


def _prepare(doc: dict) -> dict:
    """Validate a caller's document and convert it to column values."""
    unknown = set(doc) - _DOC_KEYS
    if unknown:
        raise ValueError(f"unknown search document fields: {sorted(unknown)}")
    if not doc.get("id") or not doc.get("type"):
        raise ValueError("search documents need an 'id' and a 'type'")
    out: dict = {}
    for key in _ID_FIELDS:
        value = doc.get(key)
        out[key] = None if value in (None, "") else str(value)
    for key in _TEXT_FIELDS + _STORED_FIELDS:
        out[key] = "" if doc.get(key) is None else str(doc[key])
    published = doc.get("published_at")
    if published is not None and not isinstance(published, datetime):
        raise TypeError(f"published_at must be a datetime, not {type(published).__name__}")
    out["published_at"] = None if published is None else _micros(published)
    return out


def _write(conn: sqlite3.Connection, docs: Iterable[dict]) -> None:
    for doc in docs:
        _remove(conn, doc["id"])
        n = conn.execute(
            "INSERT INTO docs (id, type, col, column_name, unit, unit_name, published_at, url)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc["id"], doc["type"], doc["column"], doc["column_name"], doc["unit"],
             doc["unit_name"], doc["published_at"], doc["url"])).lastrowid
        conn.execute("INSERT INTO texts (n, title, body) VALUES (?, ?, ?)",
                     (n, doc["title"], doc["body"]))
        conn.execute("INSERT INTO grams (rowid, title, body) VALUES (?, ?, ?)",
                     (n, grams(doc["title"]), grams(doc["body"])))


def _remove(conn: sqlite3.Connection, doc_id: str) -> None:
    row = conn.execute("SELECT n, title, body FROM docs JOIN texts USING (n) WHERE id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        return
    # A contentless FTS5 table forgets a row when told the tokens it was given.
    conn.execute("INSERT INTO grams (grams, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                 (row[0], grams(row[1]), grams(row[2])))
    conn.execute("DELETE FROM docs WHERE n = ?", (row[0],))
    conn.execute("DELETE FROM texts WHERE n = ?", (row[0],))


# -- files and locks ----------------------------------------------------------------------


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        # The rename must never expose an empty or partial file after a crash.
        os.fsync(f.fileno())
    os.replace(tmp, path)


class _FileLock:
    """An exclusive ``flock`` on a file, between processes and between threads (each
    acquisition opens its own file description)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self, blocking: bool = True) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextmanager
def _file_lock(path: Path):
    lock = _FileLock(path)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _connect(path: Path, *, readonly: bool = False,
             timeout: float = WRITER_TIMEOUT) -> sqlite3.Connection:
    # Read-only opens never create a file (e.g. in a directory a rebuild just removed).
    uri = f"file:{quote(str(path))}" + ("?mode=ro" if readonly else "?mode=rw")
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _create_db(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.executescript(_SCHEMA)
        conn.execute("PRAGMA journal_mode = WAL")


class SearchIndex:
    """Full-text index of published items and answered messages.

    ``root`` is a directory (e.g. ``instance/search``); it and the index are
    created on the first :meth:`upsert` or :meth:`rebuild`.  Instances are
    cheap and hold no open files; several processes may use the same root.
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    # -- locating the live index ------------------------------------------

    def _live_name(self) -> str | None:
        try:
            name = (self.root / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        # CURRENT is only ever written by this class; refuse anything that
        # could point outside the root.
        return name if _DIR_NAME.fullmatch(name) else None

    def _live_db(self) -> Path | None:
        """The live index's database, if the live directory has one of this engine."""
        name = self._live_name()
        if name is None:
            return None
        path = self.root / name / _DB
        return path if path.is_file() else None

    def _create_live_index(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Two processes may publish the very first document at once.
        with _file_lock(self.root / "current.lock"):
            if self._live_db() is not None:
                return
            name = self._new_dir_name()
            path = self.root / name
            path.mkdir()
            _create_db(path / _DB)
            _atomic_write(self.root / _CURRENT, name)

    @staticmethod
    def _new_dir_name() -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return f"{_DIR_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"

    @contextmanager
    def _live_writer(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection to the live index inside a write transaction, creating the
        index if needed (also when the live directory is an earlier engine's).

        Committed when the block ends; rolled back on an exception.
        """
        for _ in range(5):
            if self._live_db() is None:
                self._create_live_index()
            name = self._live_name()
            path = self._live_db()
            if path is None:
                continue
            try:
                conn = _connect(path)
            except sqlite3.OperationalError:  # removed by a rebuild's switch meanwhile
                continue
            with closing(conn):
                conn.execute("BEGIN IMMEDIATE")
                # A rebuild may have switched CURRENT while we waited for the
                # lock; writing to the old directory would lose the change.
                if self._live_name() != name:
                    conn.execute("ROLLBACK")
                    continue
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            return
        raise RuntimeError(f"search index under {self.root} keeps changing; giving up")

    # -- writing -----------------------------------------------------------

    def _journal(self, entries: list[dict]) -> None:
        # Called with the live write lock held, which is also what the
        # rebuild holds while it replays the journal and switches.
        try:
            name = (self.root / _REBUILDING).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return
        if not _DIR_NAME.fullmatch(name):
            return
        with (self.root / f"{name}.journal").open("a", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def upsert(self, docs: Iterable[dict]) -> None:
        """Add documents, replacing any indexed document with the same ``id``.

        Keys: ``id`` and ``type`` (required), ``title``, ``body`` (plain
        text), ``column``, ``column_name``, ``unit``, ``unit_name``,
        ``published_at`` (datetime; naive values are taken as UTC) and
        ``url``.  Waits up to ``WRITER_TIMEOUT`` seconds for the write lock
        and raises ``sqlite3.OperationalError`` after that.
        """
        prepared = [_prepare(doc) for doc in docs]
        if not prepared:
            return
        with self._live_writer() as conn:
            _write(conn, prepared)
            self._journal([{"op": "upsert", "doc": doc} for doc in prepared])

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids; unknown ids are ignored."""
        ids = [str(i) for i in ids]
        if not ids:
            return
        if self._live_db() is None and not (self.root / _REBUILDING).exists():
            # Nothing to delete from; but during a first rebuild the delete
            # must still reach the journal.
            return
        with self._live_writer() as conn:
            for doc_id in ids:
                _remove(conn, doc_id)
            self._journal([{"op": "delete", "id": doc_id} for doc_id in ids])

    def rebuild(
        self,
        docs: Iterable[dict],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a new index from ``docs`` and switch searches to it.

        The new index is written to a fresh directory while the live one
        keeps serving searches and writes; then ``CURRENT`` is replaced
        atomically and the old directory removed.  ``docs`` should read the
        database lazily (a generator), so that writes journalled during the
        rebuild are never older than what it reads.  ``progress`` is called
        with the number of documents indexed so far, about a hundred times
        when ``total`` is given (every 100 documents otherwise) and once at
        the end.  Returns the number of documents indexed.  Raises
        :class:`RebuildInProgressError` if another rebuild is running.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        rebuild_lock = _FileLock(self.root / "rebuild.lock")
        if not rebuild_lock.acquire(blocking=False):
            raise RebuildInProgressError(f"a rebuild of {self.root} is already running")
        name = self._new_dir_name()
        path = self.root / name
        journal = self.root / f"{name}.journal"
        switched = False
        try:
            # Left-overs of a rebuild that crashed; nobody else uses them
            # while we hold the rebuild lock.
            (self.root / _REBUILDING).unlink(missing_ok=True)
            self._remove_stale()
            path.mkdir()
            _create_db(path / _DB)
            journal.touch()
            # From here on, writes to the live index are journalled.
            _atomic_write(self.root / _REBUILDING, name)
            count = self._fill(path / _DB, docs, total, progress)
            self._switch(path / _DB, name, journal)
            switched = True
            return count
        except BaseException:
            if not switched:
                self._discard(name)
            raise
        finally:
            (self.root / _REBUILDING).unlink(missing_ok=True)
            journal.unlink(missing_ok=True)
            # Still under the rebuild lock: the next rebuild's new directory
            # must not be mistaken for a stale one.
            self._remove_stale()
            rebuild_lock.release()

    @staticmethod
    def _fill(path: Path, docs: Iterable[dict], total: int | None,
              progress: Callable[[int], None] | None) -> int:
        every = max(1, total // 100) if total else 100
        count = 0
        with closing(_connect(path)) as conn:
            # Nobody reads the new index before the switch: no journal needed.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("BEGIN")
            try:
                batch: list[dict] = []
                for doc in docs:
                    batch.append(_prepare(doc))
                    count += 1
                    if len(batch) == 1000:
                        _write(conn, batch)
                        batch = []
                    if progress is not None and count % every == 0:
                        progress(count)
                _write(conn, batch)
                # One b-tree per column: the fewest pages to read per query.
                conn.execute("INSERT INTO grams (grams) VALUES ('optimize')")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("PRAGMA journal_mode = WAL")
        if progress is not None:
            progress(count)
        return count

    def _switch(self, path: Path, name: str, journal: Path) -> None:
        with _file_lock(self.root / "current.lock"):
            live = self._live_db()
            live_conn = None
            if live is not None:
                try:
                    live_conn = _connect(live, timeout=SWITCH_TIMEOUT)
                    live_conn.execute("BEGIN IMMEDIATE")
                except sqlite3.DatabaseError as e:  # a damaged live index is simply replaced
                    log.error("replacing unreadable search index: %r", e)
                    if live_conn is not None:
                        live_conn.close()
                    live_conn = None
            try:
                # Holding the live write lock: no write can slip in between
                # replaying the journal and switching CURRENT.
                self._replay(path, journal)
                _atomic_write(self.root / _CURRENT, name)
                (self.root / _REBUILDING).unlink(missing_ok=True)
            finally:
                if live_conn is not None:
                    live_conn.execute("ROLLBACK")
                    live_conn.close()

    @staticmethod
    def _replay(path: Path, journal: Path) -> None:
        with journal.open(encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
        if not entries:
            return
        with closing(_connect(path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for entry in entries:
                    if entry["op"] == "upsert":
                        _write(conn, [entry["doc"]])
                    else:
                        _remove(conn, entry["id"])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _discard(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)

    def _remove_stale(self) -> None:
        """Remove index directories and journals other than the live ones.

        Only call with the rebuild lock held, so no rebuild is in progress.
        """
        # current.lock: a first upsert may be creating the live directory
        # right now and has not written CURRENT yet.
        with _file_lock(self.root / "current.lock"):
            keep = self._live_name()
            for child in self.root.iterdir():
                if child.is_dir() and child.name.startswith(_DIR_PREFIX) and child.name != keep:
                    # Searches still reading the old index keep working:
                    # POSIX keeps unlinked open files readable.
                    self._discard(child.name)
                elif child.suffix == ".journal":
                    child.unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------

    def state(self) -> tuple[str, int]:
        """Whether the live index can be read: ``("ok", documents)``, ``("missing", 0)``,
        ``("outdated", documents)`` (an earlier engine's: rebuild it) or ``("corrupt", 0)``.
        Opens it afresh, so damage since the last search shows."""
        name = self._live_name()
        if name is None or not (self.root / name).is_dir():
            return "missing", 0
        path = self.root / name / _DB
        if not path.is_file():
            return "outdated", 0
        try:
            with closing(_connect(path, readonly=True)) as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version != FORMAT:
                    return "outdated", 0
                count = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
                conn.execute("SELECT count(*) FROM grams WHERE grams MATCH 'zz'").fetchone()
        except sqlite3.DatabaseError:
            return "corrupt", 0
        return "ok", count

    def doc_count(self) -> int:
        """Number of documents in the live index (0 if there is none)."""
        path = self._live_db()
        if path is None:
            return 0
        with closing(_connect(path, readonly=True)) as conn:
            return conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def search(
        self,
        q: str | None,
        *,
        column: str | None = None,
        unit: str | None = None,
        type: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        page: int = 1,
        pagelen: int = 10,
        sort: str = "relevance",
    ) -> SearchPage:
        """Search titles and bodies for the user's query ``q``.

        Every word must be found (AND); ``"quoted text"`` must be found as
        typed; AND/OR/NOT and parentheses work; no input raises.  A word is
        found wherever the title or body contains it, also inside a longer word.
        ``column``, ``unit`` and ``type`` filter on exact codes; ``date_from``
        and ``date_to`` are inclusive calendar days in China time.  ``sort`` is
        ``"relevance"`` (default) or ``"date"`` (newest first, undated last).
        ``page`` below 1 counts as 1; a page past the end has no hits but the
        right ``total``.  An empty query or a missing index gives an empty page.
        """
        page = max(1, int(page))
        pagelen = min(max(1, int(pagelen)), MAX_PAGELEN)
        empty = SearchPage(hits=[], total=0, page=page, pagelen=pagelen, pages=0)
        query = build_query(q)
        if query is None:
            return empty
        where, params = _filters(column, unit, type, date_from, date_to)
        # A rebuild may delete the directory between reading CURRENT and
        # opening it; the second attempt sees the new CURRENT.
        for attempt in range(2):
            path = self._live_db()
            if path is None:
                return empty
            try:
                with closing(_connect(path, readonly=True)) as conn:
                    total, rows = _run(conn, query.match, where, params, page, pagelen, sort)
            except sqlite3.OperationalError as e:
                if "unable to open" in str(e) and not attempt:
                    continue
                log.error("search index %s unreadable: %r", self.root, e)
                return empty
            except sqlite3.DatabaseError as e:  # damaged: pages keep serving, scheduler rebuilds
                log.error("search index %s unreadable: %r", self.root, e)
                return empty
            marker = _marker(query.marks)
            hits = [_hit(row, marker) for row in rows]
            pages = math.ceil(total / pagelen)
            return SearchPage(hits=hits, total=total, page=page, pagelen=pagelen, pages=pages)
        return empty


def _filters(column, unit, doc_type, date_from, date_to) -> tuple[list[str], list]:
    where: list[str] = []
    params: list = []
    for name, value in (("col", column), ("unit", unit), ("type", doc_type)):
        if value not in (None, ""):
            where.append(f"d.{name} = ?")
            params.append(str(value))
    if date_from is not None:
        where.append("d.published_at >= ?")
        params.append(_china_day_start(date_from))
    if date_to is not None:
        # The end bound is the next China-time midnight, excluded.
        where.append("d.published_at < ?")
        params.append(_china_day_start(date_to + timedelta(days=1)))
    return where, params


_COLUMNS = "d.id, d.type, t.title, t.body, d.col, d.column_name, d.unit, d.unit_name, " \
           "d.published_at, d.url"


def _run(conn, match, where, params, page, pagelen, sort) -> tuple[int, list]:
    filters = f" AND {' AND '.join(where)}" if where else ""
    if where:
        total = conn.execute("SELECT count(*) FROM grams JOIN docs d ON d.n = grams.rowid"
                             f" WHERE grams MATCH ?{filters}", [match, *params]).fetchone()[0]
    else:
        total = conn.execute("SELECT count(*) FROM grams WHERE grams MATCH ?",
                             (match,)).fetchone()[0]
    if total <= (page - 1) * pagelen:
        return total, []
    if sort == "date":
        ranked = ("SELECT d.n, d.published_at AS k1, d.n AS k2 FROM docs d WHERE d.n IN"
                  f" (SELECT rowid FROM grams WHERE grams MATCH ?){filters}"
                  " ORDER BY d.published_at DESC NULLS LAST, d.n DESC LIMIT ? OFFSET ?")
        order = "m.k1 DESC NULLS LAST, m.k2 DESC"
    elif where:
        ranked = (f"SELECT d.n, {_RANK} AS k1, d.n AS k2 FROM grams"
                  f" JOIN docs d ON d.n = grams.rowid WHERE grams MATCH ?{filters}"
                  " ORDER BY k1, k2 LIMIT ? OFFSET ?")
        order = "m.k1, m.k2"
    else:
        # Ranked on the index alone; only the page's rows are read from the tables.
        ranked = (f"SELECT rowid AS n, {_RANK} AS k1, rowid AS k2 FROM grams"
                  " WHERE grams MATCH ? ORDER BY k1, k2 LIMIT ? OFFSET ?")
        order = "m.k1, m.k2"
    sql = (f"SELECT {_COLUMNS} FROM ({ranked}) AS m JOIN docs d ON d.n = m.n"
           f" JOIN texts t ON t.n = m.n ORDER BY {order}")
    rows = conn.execute(sql, [match, *params, pagelen, (page - 1) * pagelen]).fetchall()
    return total, rows


# -- highlighting -------------------------------------------------------------------------


def _marker(marks: set[str]) -> re.Pattern | None:
    if not marks:
        return None
    # Longest first, so 县政府冬季 is marked whole rather than as 县政府 and 冬季.
    alternatives = sorted(marks, key=lambda m: (-len(m), m))
    return re.compile("|".join(re.escape(m) for m in alternatives), re.IGNORECASE)


def _matches(text: str, marker: re.Pattern | None, limit: int | None = None) -> list:
    if marker is None or not text:
        return []
    # Folding keeps offsets (one character for one), so they point into ``text``.
    folded = half_width(text)
    return [(m.start(), m.end()) for m in marker.finditer(folded, 0, limit or len(folded))
            if m.end() > m.start()]


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=False))
    return "".join(out)


def _snippet(body: str, marker: re.Pattern | None) -> str:
    """Up to two windows of the body around its matches, the richest ones, in text
    order; "…" where text is cut.  The lead of the body when nothing matches."""
    windows: list[list] = []  # [start, end, spans]
    for s, e in _matches(body, marker, SNIPPET_SCAN):
        if windows and e <= windows[-1][1]:
            windows[-1][2].append((s, e))
            continue
        if windows and s < windows[-1][1]:
            # Across the window's end: the match opens the next window instead.
            windows[-1][1] = s
        start = max(0, windows[-1][1] if windows else 0,
                    min(s - SNIPPET_LEAD, len(body) - SNIPPET_CHARS))
        windows.append([start, max(min(len(body), start + SNIPPET_CHARS), e), [(s, e)]])
    if not windows:
        return _lead(body)

    def richness(window):
        distinct = {fold(body[s:e]) for s, e in window[2]}
        return (-len(distinct), -len(window[2]), window[0])

    best = sorted(sorted(windows, key=richness)[:SNIPPET_FRAGMENTS])
    out = "…".join(_marked(body, spans, start, end) for start, end, spans in best)
    if best[0][0] > 0:
        out = "…" + out
    if best[-1][1] < len(body):
        out += "…"
    return out


def _lead(body: str) -> str:
    # Snippet for hits that matched only in the title.
    size = SNIPPET_CHARS * SNIPPET_FRAGMENTS
    if len(body) <= size:
        return html.escape(body, quote=False)
    return html.escape(body[:size], quote=False) + "…"


def _hit(row, marker) -> Hit:
    doc_id, doc_type, title, body, col, column_name, unit, unit_name, published, url = row
    return Hit(
        id=doc_id, type=doc_type, title=title, url=url, column=col or "",
        column_name=column_name, unit=unit or "", unit_name=unit_name,
        published_at=_from_micros(published),
        title_html=_marked(title, _matches(title, marker), 0, len(title)),
        snippet_html=_snippet(body, marker),
    )


# -- queries ------------------------------------------------------------------------------

def _phrase(text: str) -> str | None:
    """The FTS5 phrase that matches where a title or body contains ``text``."""
    tokens, prefix = phrase_grams(text)
    if not tokens:
        return None
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


def _normalize(text: str) -> list[str]:
    text = text.translate(_QUOTES)[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        # A stray quote (or one cut off above) would swallow the rest.
        last = text.rindex('"')
        text = text[:last] + " " + text[last + 1:]
    return _QUERY_PART.findall(text)


class _Parser:
    """AND/OR/NOT, parentheses, quoted phrases and words, as a citizen may type them;
    stray operators and parentheses are ignored, so no input is an error.  Builds the
    FTS5 expression (fully parenthesised) and collects the strings to highlight."""

    def __init__(self, parts: list[str]):
        self.parts = parts
        self.pos = 0
        self.marks: set[str] = set()
        self._negated = 0  # inside how many NOTs: nothing there is highlighted

    def _peek(self) -> str | None:
        return self.parts[self.pos] if self.pos < len(self.parts) else None

    def parse(self) -> str | None:
        clauses = []
        while self._peek() is not None:
            clause = self._or()
            if clause is not None:
                clauses.append(clause)
            if self._peek() == ")":  # a stray closing parenthesis
                self.pos += 1
        return _join(clauses, "AND")

    def _or(self) -> str | None:
        clauses = [self._and()]
        while self._peek() == "OR":
            self.pos += 1
            clauses.append(self._and())
        return _join([c for c in clauses if c is not None], "OR")

    def _and(self) -> str | None:
        positive: list[str] = []
        negative: list[str] = []
        while (part := self._peek()) is not None and part not in ("OR", ")"):
            if part == "AND":
                self.pos += 1
                continue
            if part == "NOT":
                self.pos += 1
                self._negated += 1
                clause = self._operand()
                self._negated -= 1
                if clause is not None:
                    negative.append(clause)
                continue
            clause = self._operand()
            if clause is not None:
                positive.append(clause)
        expr = _join(positive, "AND")
        if expr is None:
            return None  # nothing but exclusions matches nothing
        for clause in negative:
            expr = f"({expr} NOT {clause})"
        return expr

    def _mark(self, *texts: str) -> None:
        if not self._negated:
            self.marks.update(texts)

    def _operand(self) -> str | None:
        part = self._peek()
        if part is None or part in ("OR", ")"):
            return None
        self.pos += 1
        if part == "(":
            clause = self._or()
            if self._peek() == ")":
                self.pos += 1
            return clause
        if part in _OPERATORS:
            return None
        if part.startswith('"'):
            text = part[1:-1]
            self._mark(*runs(text))
            return _phrase(text)
        return self._words(part)

    def _words(self, part: str) -> str | None:
        # Each word of an unquoted run may stand anywhere in the title or body; a
        # Chinese run is also found where it stands as typed.
        words = list(dict.fromkeys(w for w in query_words(part) if runs(w)))
        self._mark(*words)
        clause = _join([p for p in map(_phrase, words) if p], "AND")
        if len(words) > 1 and has_cjk(part) and is_word_run(part):
            whole = _phrase(part)
            self._mark(fold(part))
            clause = _join([c for c in (clause, whole) if c], "OR")
        return clause


def _join(clauses: list[str], op: str) -> str | None:
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return "(" + f" {op} ".join(clauses) + ")"


def build_query(text: str | None) -> Query | None:
    """Turn a user's search text into a :class:`Query`, or None if it has no words."""
    if not text or not text.strip():
        return None
    parser = _Parser(_normalize(text))
    match = parser.parse()
    if match is None:
        return None
    return Query(match=match, marks={m for m in parser.marks if m})
