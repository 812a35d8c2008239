"""Keeping the search index in step with what is published.

Every workflow step of an item sends ``item_changed``; an item that becomes
published is (re)indexed and one that leaves ``published`` is removed, both
only after the database commits (``index_later`` / ``unindex_later``). The
"item" source lets ``flask search rebuild`` list every published item, read
lazily from the database in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import html
from ..extensions import db
from ..search import service as search
from ..submissions.models import Item, ItemStatus
from ..submissions.signals import item_changed

BATCH = 500


def doc_id(item_id: int) -> str:
    return f"item:{item_id}"


def item_path(item_id: int) -> str:
    """The public page of an item, also outside a request (CLI, scheduler)."""
    if has_request_context():
        return url_for("public.item", item_id=item_id)
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build("public.item", {"item_id": item_id})


def item_document(item: Item) -> dict:
    """The prepared search document of a published item (plain values only)."""
    text = html.to_text(item.body_html)
    # The summary and captions often repeat the body's first lines; indexed twice
    # they would show twice in every snippet.
    extra = [part for part in (item.summary, *(m.caption for m in item.media))
             if part and part not in text]
    body = "\n".join([*extra, text])
    return {
        "id": doc_id(item.id),
        "type": "item",
        "title": item.title,
        "body": body,
        "column": item.column.slug,
        "column_name": item.column.name,
        "unit": item.unit.code,
        "unit_name": item.unit.name,
        "published_at": item.published_at,
        "url": item_path(item.id),
    }


def _published():
    return (select(Item).where(Item.status == ItemStatus.published)
            .options(joinedload(Item.column), joinedload(Item.unit), selectinload(Item.media)))


def published_documents() -> Iterator[dict]:
    """Every published item as a search document, read in batches of ``BATCH``."""
    last = 0
    while True:
        batch = db.session.scalars(_published().where(Item.id > last)
                                   .order_by(Item.id).limit(BATCH)).unique().all()
        if not batch:
            return
        for item in batch:
            yield item_document(item)
        last = batch[-1].id
        for item in batch:  # keep memory flat on a county-size archive
            db.session.expunge(item)


def published_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Item)
                             .where(Item.status == ItemStatus.published))


def index_items(ids: Iterable[int]) -> int:
    """Index these items now if they are published (for callers outside the workflow)."""
    ids = sorted(set(ids))
    index = search.get_index()
    count = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        items = db.session.scalars(_published().where(Item.id.in_(chunk))).unique().all()
        index.upsert(item_document(item) for item in items)
        count += len(items)
    return count


def _on_item_changed(item: Item, action: str, old, new, actor) -> None:
    if new == ItemStatus.published:
        search.index_later([item_document(item)])
    elif old == ItemStatus.published:
        search.unindex_later([doc_id(item.id)])


def init_app(app) -> None:
    search.register_source(app, "item", published_documents, published_count)
    # A module-level function: blinker keeps one strong reference however many apps.
    item_changed.connect(_on_item_changed, weak=False)
