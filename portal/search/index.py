"""The portal's full-text search index (Whoosh, Chinese analyzer).

One :class:`SearchIndex` manages a directory such as ``instance/search``::

    instance/search/
        CURRENT                      name of the live index directory
        index-20261031T153000-1a2b3c4d/   the live Whoosh index
        current.lock, rebuild.lock   inter-process locks (see below)
        REBUILDING, <dir>.journal    present only while a rebuild runs

Searches read ``CURRENT`` and open that directory, so :meth:`SearchIndex.rebuild`
can build a complete new index next to the live one and switch to it with an
atomic rename while searches keep being served from the old one.

Writes (:meth:`~SearchIndex.upsert`, :meth:`~SearchIndex.delete`) go to the
live index through Whoosh's single writer lock.  While a rebuild runs they are
also appended to a journal that the rebuild replays, under the same lock,
just before it switches; so a document published during a rebuild is not lost
as long as the rebuild's document iterable reads the database lazily (after
``rebuild`` is called) and writes are made after the database commit.

Stored values are plain text: callers strip HTML from bodies.  Highlighted
titles and snippets are returned as safe HTML in which only ``<mark>`` is
markup and everything else is escaped.
"""

from __future__ import annotations

import gc
import html
import json
import logging
import math
import os
import re
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.highlight import (
    DEFAULT_CHARLIMIT,
    Formatter,
    Fragment,
    Fragmenter,
    Highlighter,
    WholeFragmenter,
    get_text,
)
from whoosh.qparser import (
    AndGroup,
    GroupPlugin,
    MultifieldPlugin,
    OperatorsPlugin,
    PhrasePlugin,
    QueryParser,
)
from whoosh.query import And, DateRange, NullQuery, Or, Phrase, Query, Term
from whoosh.util.filelock import FileLock

from .analysis import (
    BigramAnalyzer,
    ChineseAnalyzer,
    bigrams,
    has_cjk,
    is_word_run,
    query_words,
)

log = logging.getLogger(__name__)

__all__ = [
    "SCHEMA",
    "Hit",
    "MarkFormatter",
    "RebuildInProgressError",
    "SearchIndex",
    "SearchPage",
    "SnippetFragmenter",
    "build_query",
]

CHINA_TZ = ZoneInfo("Asia/Shanghai")

SCHEMA = Schema(
    id=ID(unique=True, stored=True),
    type=ID(stored=True),
    title=TEXT(analyzer=ChineseAnalyzer(), stored=True, field_boost=2.0),
    body=TEXT(analyzer=ChineseAnalyzer(), stored=True),
    # Character bigrams of the same texts (not stored): a word that the segmenter cuts
    # differently inside a longer compound, or a span across two words, is still found
    # as a phrase of its bigrams, i.e. exactly where the text contains it.
    title_ng=TEXT(analyzer=BigramAnalyzer(), phrase=True),
    body_ng=TEXT(analyzer=BigramAnalyzer(), phrase=True),
    column=ID(stored=True),
    column_name=STORED(),
    unit=ID(stored=True),
    unit_name=STORED(),
    # Documents without a date sort as the oldest: Whoosh's default column
    # value is the largest number, which would put them first by date.
    published_at=DATETIME(stored=True, sortable=NumericColumn("Q", default=0)),
    url=STORED(),
)

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
# Long pasted texts are cut: a search box query has no use for more, and
# every word becomes a clause of the query.
MAX_QUERY_CHARS = 100
MAX_PAGELEN = 100
# A snippet is at most two windows of SNIPPET_CHARS characters, each starting
# SNIPPET_LEAD characters before its first match: about two lines of a
# results list.
SNIPPET_CHARS = 70
SNIPPET_LEAD = 20
SNIPPET_FRAGMENTS = 2

_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
# A quoted phrase, a parenthesis, or a run of anything else up to a space.
_QUERY_PART = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
# Quotation marks that Chinese input methods produce instead of ASCII ".
_QUOTES = str.maketrans({c: '"' for c in "“”„‟＂「」『』«»"})


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


class MarkFormatter(Formatter):
    """Highlight formatter: ``<mark>`` around matches, everything else escaped.

    Fragments are joined with "…", and "…" marks text cut off at either end.
    """

    between = "…"

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        """Return the matched text, escaped and wrapped in ``<mark>``."""
        return "<mark>" + html.escape(get_text(text, token, replace), quote=False) + "</mark>"

    def format(self, fragments, replace=False):
        """Return the fragments as one HTML string, with ellipses where text is cut."""
        if not fragments:
            return ""
        out = super().format(fragments, replace=replace)
        if fragments[0].startchar > 0:
            out = self.between + out
        if fragments[-1].endchar < len(fragments[-1].text):
            out += self.between
        return out


class SnippetFragmenter(Fragmenter):
    """Cut fixed-size windows of text around matched words.

    Each window starts ``lead`` characters before a match and is ``maxchars``
    long; later matches inside it join it.  Whoosh's ContextFragmenter lets a
    fragment grow well past its ``maxchars`` when matches are dense (a
    common word such as 安全 in a long report), so snippets had no
    predictable length.
    """

    def __init__(self, maxchars=SNIPPET_CHARS, lead=SNIPPET_LEAD, charlimit=DEFAULT_CHARLIMIT):
        self.maxchars = maxchars
        self.lead = lead
        self.charlimit = charlimit

    def fragment_tokens(self, text, tokens):
        """Yield a Fragment per window of ``text`` around matched tokens."""
        matches = []
        for t in tokens:
            if self.charlimit and t.endchar > self.charlimit:
                break
            if t.matched:
                matches.append(t.copy())
        matches.sort(key=lambda t: (t.startchar, -t.endchar))
        window: list = []
        start = end = 0
        for t in matches:
            if window and t.endchar <= end:
                window.append(t)
                continue
            if window:
                yield Fragment(text, window, start, end)
            # Near the end of the text, start earlier to fill the window,
            # but never overlap the previous window.
            start = max(0, end if window else 0,
                        min(t.startchar - self.lead, len(text) - self.maxchars))
            end = max(min(len(text), start + self.maxchars), t.endchar)
            window = [t]
        if window:
            yield Fragment(text, window, start, end)


def _utc_naive(value: datetime) -> datetime:
    # Whoosh stores naive datetimes; naive input is taken to be UTC already.
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _china_day_start_utc(day: date) -> datetime:
    return _utc_naive(datetime.combine(day, time.min, tzinfo=CHINA_TZ))


def _prepare(doc: dict) -> dict:
    """Validate a caller's document and convert it to Whoosh field values."""
    unknown = set(doc) - _DOC_KEYS
    if unknown:
        raise ValueError(f"unknown search document fields: {sorted(unknown)}")
    if not doc.get("id") or not doc.get("type"):
        raise ValueError("search documents need an 'id' and a 'type'")
    out: dict = {}
    for key in _ID_FIELDS:
        if doc.get(key) not in (None, ""):
            out[key] = str(doc[key])
    for key in _TEXT_FIELDS + _STORED_FIELDS:
        out[key] = "" if doc.get(key) is None else str(doc[key])
    for key in _TEXT_FIELDS:
        out[f"{key}_ng"] = out[key]
    published = doc.get("published_at")
    if published is not None:
        if not isinstance(published, datetime):
            raise TypeError(f"published_at must be a datetime, not {type(published).__name__}")
        out["published_at"] = _utc_naive(published)
    return out


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        # The rename must never expose an empty or partial file after a crash.
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextmanager
def _damaged_quietly():
    """Whoosh leaves a file open when it fails to read a damaged index; it is closed when
    the failure is dropped. Keep that expected ResourceWarning out of the logs."""
    failed: list[bool] = []  # callers append True when they caught a failure
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield failed
        if failed:  # a full collection costs tens of milliseconds: only after a failure
            gc.collect()


@contextmanager
def _file_lock(path: Path):
    lock = FileLock(str(path))
    lock.acquire(blocking=True)
    try:
        yield
    finally:
        lock.release()


class SearchIndex:
    """Full-text index of published items and answered messages.

    ``root`` is a directory (e.g. ``instance/search``); it and the index are
    created on the first :meth:`upsert` or :meth:`rebuild`.  Instances are
    cheap and hold no open files; several processes may use the same root.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._indexes: dict[str, whoosh_index.Index] = {}

    # -- locating the live index ------------------------------------------

    def _live_name(self) -> str | None:
        try:
            name = (self.root / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        # CURRENT is only ever written by this class; refuse anything that
        # could point outside the root.
        return name if _DIR_NAME.fullmatch(name) else None

    def _open(self, name: str) -> whoosh_index.Index:
        ix = self._indexes.get(name)
        if ix is None:
            ix = whoosh_index.open_dir(str(self.root / name), schema=SCHEMA)
            # Only the latest directory is worth keeping open.
            self._indexes = {name: ix}
        return ix

    def _live_index(self) -> whoosh_index.Index | None:
        name = self._live_name()
        if name is None or not (self.root / name).is_dir():
            return None
        return self._open(name)

    def _create_live_index(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Two processes may publish the very first document at once.
        with _file_lock(self.root / "current.lock"):
            name = self._live_name()
            if name is not None and (self.root / name).is_dir():
                return
            name = self._new_dir_name()
            path = self.root / name
            path.mkdir()
            whoosh_index.create_in(str(path), SCHEMA)
            _atomic_write(self.root / _CURRENT, name)

    @staticmethod
    def _new_dir_name() -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return f"{_DIR_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"

    @contextmanager
    def _live_writer(self):
        """Yield a writer on the live index, creating the index if needed.

        The caller commits; on an exception the writer is cancelled.
        """
        for _ in range(5):
            if self._live_index() is None:
                self._create_live_index()
            name = self._live_name()
            ix = self._live_index()
            if ix is None:
                continue
            writer = ix.writer(timeout=WRITER_TIMEOUT)
            # A rebuild may have switched CURRENT while we waited for the
            # lock; writing to the old directory would lose the change.
            if self._live_name() != name:
                writer.cancel()
                continue
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            return
        raise RuntimeError(f"search index under {self.root} keeps changing; giving up")

    # -- writing -----------------------------------------------------------

    def _journal(self, entries: list[dict]) -> None:
        # Called with the live writer lock held, which is also what the
        # rebuild holds while it replays the journal and switches.
        try:
            name = (self.root / _REBUILDING).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return
        if not _DIR_NAME.fullmatch(name):
            return
        with (self.root / f"{name}.journal").open("a", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(entry, ensure_ascii=False, default=_json_default) + "\n")

    def upsert(self, docs: Iterable[dict]) -> None:
        """Add documents, replacing any indexed document with the same ``id``.

        Keys: ``id`` and ``type`` (required), ``title``, ``body`` (plain
        text), ``column``, ``column_name``, ``unit``, ``unit_name``,
        ``published_at`` (datetime; naive values are taken as UTC) and
        ``url``.  Waits up to ``WRITER_TIMEOUT`` seconds for the writer lock
        and raises ``whoosh.index.LockError`` after that.
        """
        prepared = [_prepare(doc) for doc in docs]
        if not prepared:
            return
        with self._live_writer() as writer:
            for doc in prepared:
                writer.update_document(**doc)
            self._journal([{"op": "upsert", "doc": doc} for doc in prepared])
            writer.commit()

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids; unknown ids are ignored."""
        ids = [str(i) for i in ids]
        if not ids:
            return
        if self._live_index() is None and not (self.root / _REBUILDING).exists():
            # Nothing to delete from; but during a first rebuild the delete
            # must still reach the journal.
            return
        with self._live_writer() as writer:
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)
            self._journal([{"op": "delete", "id": doc_id} for doc_id in ids])
            writer.commit()

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
        rebuild_lock = FileLock(str(self.root / "rebuild.lock"))
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
            new_ix = whoosh_index.create_in(str(path), SCHEMA)
            journal.touch()
            # From here on, writes to the live index are journalled.
            _atomic_write(self.root / _REBUILDING, name)
            every = max(1, total // 100) if total else 100
            count = 0
            writer = new_ix.writer(limitmb=128)
            try:
                for doc in docs:
                    writer.add_document(**_prepare(doc))
                    count += 1
                    if progress is not None and count % every == 0:
                        progress(count)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            if progress is not None:
                progress(count)
            self._switch(new_ix, name, journal)
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

    def _switch(self, new_ix: whoosh_index.Index, name: str, journal: Path) -> None:
        with _file_lock(self.root / "current.lock"):
            with _damaged_quietly() as failed:
                try:
                    live = self._live_index()
                except Exception as e:  # a damaged live index is simply replaced
                    failed.append(True)
                    self._indexes.clear()
                    log.error("replacing unreadable search index: %s", repr(e))
                    live = None
            live_writer = live.writer(timeout=SWITCH_TIMEOUT) if live is not None else None
            try:
                # Holding the live writer lock: no write can slip in between
                # replaying the journal and switching CURRENT.
                self._replay(new_ix, journal)
                _atomic_write(self.root / _CURRENT, name)
                (self.root / _REBUILDING).unlink(missing_ok=True)
            finally:
                if live_writer is not None:
                    live_writer.cancel()

    @staticmethod
    def _replay(new_ix: whoosh_index.Index, journal: Path) -> None:
        with journal.open(encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
        if not entries:
            return
        writer = new_ix.writer(timeout=WRITER_TIMEOUT)
        try:
            for entry in entries:
                if entry["op"] == "upsert":
                    doc = entry["doc"]
                    if doc.get("published_at"):
                        doc["published_at"] = datetime.fromisoformat(doc["published_at"])
                    writer.update_document(**doc)
                else:
                    writer.delete_by_term("id", entry["id"])
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def _discard(self, name: str) -> None:
        self._indexes.pop(name, None)
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
        """Whether the live index can be read: ``("ok", documents)``, ``("missing", 0)``
        or ``("corrupt", 0)``.  Opens it afresh, so damage since the last open shows."""
        name = self._live_name()
        if name is None or not (self.root / name).is_dir():
            return "missing", 0
        with _damaged_quietly() as failed:
            try:
                ix = whoosh_index.open_dir(str(self.root / name))
                fields = set(ix.schema.names())
                with ix.searcher() as searcher:
                    count = searcher.doc_count()
                ix.close()
            except Exception:  # whoosh raises many kinds on a damaged index
                failed.append(True)
                return "corrupt", 0
        if not set(SCHEMA.names()) <= fields:
            return "outdated", count  # built by an earlier version: rebuild it
        return "ok", count

    def doc_count(self) -> int:
        """Number of documents in the live index (0 if there is none)."""
        ix = self._live_index()
        return ix.doc_count() if ix is not None else 0

    def search(
        self,
        q: str,
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

        All words must match (AND); ``"quoted text"`` must match as an exact
        phrase; AND/OR/NOT and parentheses work; anything unparsable falls
        back to a plain all-words query, so no input raises.  ``column``,
        ``unit`` and ``type`` filter on exact codes; ``date_from`` and
        ``date_to`` are inclusive calendar days in China time.  ``sort`` is
        ``"relevance"`` (default) or ``"date"`` (newest first).  ``page``
        below 1 counts as 1; a page past the end has no hits but the right
        ``total``.  An empty query or a missing index gives an empty page.
        """
        page = max(1, int(page))
        pagelen = min(max(1, int(pagelen)), MAX_PAGELEN)
        empty = SearchPage(hits=[], total=0, page=page, pagelen=pagelen, pages=0)
        query = build_query(q)
        if query is None:
            return empty
        filters = _filter_query(column, unit, type, date_from, date_to)
        # A rebuild may delete the directory between reading CURRENT and
        # opening it; the second attempt sees the new CURRENT.
        for attempt in range(2):
            with _damaged_quietly() as failed:
                try:
                    ix = self._live_index()
                    if ix is None:
                        return empty
                    with ix.searcher() as searcher:
                        return self._search_page(searcher, query, filters, page, pagelen,
                                                 sort)
                except (FileNotFoundError, whoosh_index.EmptyIndexError):
                    failed.append(True)
                    self._indexes.clear()
                    if attempt:
                        raise
                except Exception as e:  # damaged: pages keep serving, the scheduler rebuilds
                    failed.append(True)
                    self._indexes.clear()
                    # No traceback kept: it would hold whoosh's open files.
                    log.error("search index %s unreadable: %s", self.root, repr(e))
                    return empty
        return empty  # pragma: no cover - the loop always returns or raises

    @staticmethod
    def _search_page(searcher, query, filters, page, pagelen, sort) -> SearchPage:
        # Neither terms=True nor optimize=False: in Whoosh 2.7.5, len(results)
        # then ignores the filter (terms=True) or counts only part of the
        # matches (optimize=False).  Highlighting works from the query terms.
        kwargs = {"filter": filters, "limit": page * pagelen}
        if sort == "date":
            kwargs.update(sortedby="published_at", reverse=True)
        results = searcher.search(query, **kwargs)
        total = len(results)
        results.fragmenter = SnippetFragmenter()
        results.formatter = MarkFormatter()
        title_highlighter = Highlighter(fragmenter=WholeFragmenter(), formatter=MarkFormatter())
        hits = []
        for hit in results[(page - 1) * pagelen : page * pagelen]:
            fields = hit.fields()
            title = fields.get("title", "")
            body = fields.get("body", "")
            published = fields.get("published_at")
            hits.append(
                Hit(
                    id=fields["id"],
                    type=fields.get("type", ""),
                    title=title,
                    url=fields.get("url", ""),
                    column=fields.get("column", ""),
                    column_name=fields.get("column_name", ""),
                    unit=fields.get("unit", ""),
                    unit_name=fields.get("unit_name", ""),
                    published_at=published.replace(tzinfo=UTC) if published else None,
                    title_html=title_highlighter.highlight_hit(hit, "title")
                    or html.escape(title, quote=False),
                    snippet_html=hit.highlights("body", top=SNIPPET_FRAGMENTS) or _lead(body),
                )
            )
        pages = math.ceil(total / pagelen)
        return SearchPage(hits=hits, total=total, page=page, pagelen=pagelen, pages=pages)


def _lead(body: str) -> str:
    # Snippet for hits that matched only in the title.
    size = SNIPPET_CHARS * SNIPPET_FRAGMENTS
    if len(body) <= size:
        return html.escape(body, quote=False)
    return html.escape(body[:size], quote=False) + "…"


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot journal {type(value).__name__}")


def _filter_query(column, unit, doc_type, date_from, date_to) -> Query | None:
    clauses: list[Query] = []
    for field, value in (("column", column), ("unit", unit), ("type", doc_type)):
        if value not in (None, ""):
            clauses.append(Term(field, str(value)))
    if date_from is not None or date_to is not None:
        start = _china_day_start_utc(date_from) if date_from is not None else None
        end = (
            _china_day_start_utc(date_to + timedelta(days=1)) if date_to is not None else None
        )
        # The end bound is the next China-time midnight, excluded.
        clauses.append(DateRange("published_at", start, end, endexcl=end is not None))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else And(clauses)


def _parser() -> QueryParser:
    # A new parser per query: cheap, and no state shared between threads.
    # Only the syntax a citizen may mean: phrases, parentheses, AND/OR/NOT.
    # Field names, wildcards, ranges and boosts are left out so that text
    # like "http://x", "*" or "a^2" is searched as words.
    parser = QueryParser(
        None,
        SCHEMA,
        plugins=[PhrasePlugin(), GroupPlugin(), OperatorsPlugin()],
        group=AndGroup,
    )
    parser.add_plugin(MultifieldPlugin(list(_TEXT_FIELDS)))
    return parser


def _normalize_query(text: str) -> str:
    text = text.translate(_QUOTES)[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        # A stray quote (or one cut off above) would swallow the rest.
        last = text.rindex('"')
        text = text[:last] + " " + text[last + 1 :]
    parts = []
    for m in _QUERY_PART.finditer(text):
        part = m.group()
        if part.startswith('"'):
            # The phrase plugin segments the quoted text itself.
            if query_words(part[1:-1]):
                parts.append(part)
        elif part in _OPERATORS or part in "()":
            parts.append(part)
        else:
            # Pre-segment Chinese so that each word becomes its own
            # title-or-body clause; left whole, a run like 县政府安全生产
            # would need all its words in the same field. A Chinese run also
            # matches wherever the text contains it as it was typed (its
            # bigram phrase, see _with_bigrams), however the text was segmented.
            words = query_words(part)
            if len(words) > 1 and has_cjk(part) and is_word_run(part):
                parts.append(f'(({" AND ".join(words)}) OR "{part}")')
            else:
                parts.extend(words)
    return " ".join(parts)


def _bigram_phrase(field: str, text: str) -> Query | None:
    if len(text) < 2 or not is_word_run(text):
        return None
    grams = [gram for _, gram, _ in bigrams(text)]
    return Term(field, grams[0]) if len(grams) == 1 else Phrase(field, grams)


def _with_bigrams(query: Query, phrases: dict[tuple[str, ...], str]) -> Query:
    """Widen each Chinese word and phrase on title or body to "or the text contains it
    exactly" (its bigram phrase on ``title_ng``/``body_ng``): full recall of substrings.
    ``phrases`` maps a phrase's words to the text typed between the quotes (the words of
    a segmentation may overlap, so they cannot simply be joined)."""

    def widen(q: Query) -> Query:
        if isinstance(q, Term) and q.fieldname in _TEXT_FIELDS:
            text = q.text if isinstance(q.text, str) else q.text.decode()
        elif isinstance(q, Phrase) and q.fieldname in _TEXT_FIELDS:
            words = tuple(w if isinstance(w, str) else w.decode() for w in q.words)
            text = phrases.get(words, "".join(words))
        else:
            return q
        if len(text) < 2 or not has_cjk(text):
            return q
        alt = _bigram_phrase(f"{q.fieldname}_ng", text)
        return Or([q, alt]) if alt is not None else q

    return query.accept(widen)


def _plain_query(text: str) -> Query | None:
    words = list(dict.fromkeys(query_words(text[:MAX_QUERY_CHARS])))
    if not words:
        return None
    return And([Or([Term(field, word) for field in _TEXT_FIELDS]) for word in words])


def build_query(text: str | None) -> Query | None:
    """Turn a user's search text into a Whoosh query, or None if it has no words.

    Never raises on odd input: if the parser fails, or its result has no
    terms, the words of the text are searched as a plain AND query.
    """
    if not text or not text.strip():
        return None
    normalized = _normalize_query(text)
    phrases = {tuple(query_words(p)): p for p in re.findall(r'"([^"]*)"', normalized)}
    try:
        query = _parser().parse(normalized).normalize()
    except Exception:
        # Citizens type anything; a search box must not error.
        query = None
    if query is None or query is NullQuery or not any(True for _ in query.iter_all_terms()):
        query = _plain_query(text)
    return _with_bigrams(query, phrases) if query is not None else None
