"""The portal's search index: one SQLite FTS5 index under ``instance/search/`` for
everything the public may find (published items, published messages).

Feature packages keep it in step with the database:

* ``index_later(docs)`` / ``unindex_later(ids)`` queue a change that is applied
  only after the database commits (never ahead of it, never on rollback);
* ``register_source(type, docs, count)`` tells ``flask search rebuild`` how to
  list every public document of a type.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from ..aftercommit import after_commit
from .index import RebuildInProgressError, SearchIndex

log = logging.getLogger(__name__)
_SOURCES = "search_sources"


def get_index(app=None) -> SearchIndex:
    app = app or current_app._get_current_object()
    index = app.extensions.get("search_index")
    if index is None:
        index = app.extensions["search_index"] = SearchIndex(Path(app.instance_path) / "search")
    return index


def index_later(docs: Iterable[dict]) -> None:
    """Add or replace these prepared documents once the transaction commits."""
    docs = list(docs)
    if docs:
        index = get_index()
        after_commit(lambda: index.upsert(docs))


def unindex_later(ids: Iterable[str]) -> None:
    """Remove these documents once the transaction commits."""
    ids = list(ids)
    if ids:
        index = get_index()
        after_commit(lambda: index.delete(ids))


def register_source(app, doc_type: str, docs: Callable[[], Iterable[dict]],
                    count: Callable[[], int]) -> None:
    """Let ``search rebuild`` list every public document of ``doc_type``."""
    app.extensions.setdefault(_SOURCES, {})[doc_type] = (docs, count)


def all_documents(app=None) -> tuple[Iterable[dict], int]:
    app = app or current_app._get_current_object()
    sources = app.extensions.get(_SOURCES, {}).values()
    total = sum(count() for _, count in sources)

    def generate():
        for docs, _ in sources:
            yield from docs()

    return generate(), total


def expected_count(app=None) -> int:
    """How many public documents the database has for the index."""
    app = app or current_app._get_current_object()
    return sum(count() for _, count in app.extensions.get(_SOURCES, {}).values())


def repair_if_needed() -> str | None:
    """Rebuild the index when it is missing or unreadable while there is something to find.
    Searches meanwhile return nothing rather than fail; the rebuild swaps the new index in."""
    state, _ = get_index().state()
    if state == "ok" or not expected_count():
        return None
    docs, total = all_documents()
    try:
        n = get_index().rebuild(docs, total=total)
    except RebuildInProgressError:
        return None
    log.warning("search index was %s; rebuilt with %d documents", state, n)
    return f"search index {state}: rebuilt, {n} documents"


search_cli = AppGroup("search", help="全文检索索引")


@search_cli.command("rebuild")
def rebuild_command():
    """Rebuild the index from the database into a new directory and swap it in."""
    docs, total = all_documents()
    with tqdm(total=total, unit="篇", desc="重建索引") as bar:
        n = get_index().rebuild(docs, total=total, progress=lambda done: bar.update(done - bar.n))
    click.echo(f"索引已重建：{n} 篇。")


def init_app(app) -> None:
    app.cli.add_command(search_cli)
