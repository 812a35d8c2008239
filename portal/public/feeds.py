"""Atom feeds (the site's and each column's) and the sitemap.

Built with the standard library's ElementTree, so every value is escaped by
the serialiser. Links are absolute, from ``BASE_URL`` (the public address,
not whatever Host header a request came with). Responses carry a
Last-Modified of the newest publication or withdrawal; ``views.conditional``
adds the ETag and answers 304.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, current_app
from sqlalchemy import func, select, type_coerce

from .. import html
from ..accounts.models import Unit, UnitKind
from ..extensions import db
from ..publishing.models import PageRevision
from ..site.models import Column
from ..site.views import sitemap_sources
from ..submissions.models import Item, ItemStatus
from ..urls import external_url, external_url_maker
from . import queries

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The sitemap protocol allows 50,000 URLs a file; past that, /sitemap.xml is an index.
SITEMAP_MAX_URLS = 50_000


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _rfc3339(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tag_uri(item: Item) -> str:
    # A tag URI stays the same if the site's address changes (RFC 4151).
    domain = current_app.config["SITE_DOMAIN"]
    return f"tag:{domain},{item.created_at.astimezone(UTC):%Y-%m-%d}:item/{item.id}"


def atom(column: Column | None, items: list[Item], updated: datetime | None) -> bytes:
    """The Atom document of the site (``column`` None) or of one column."""
    cfg = current_app.config
    site = cfg["SITE_NAME"]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh-CN"})
    if column is None:
        title, page = site, external_url("public.home")
        self_url = external_url("public.feed")
    else:
        title, page = f"{column.name} - {site}", external_url("public.column", slug=column.slug)
        self_url = external_url("public.column_feed", slug=column.slug)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", column.description if column is not None else cfg["SITE_SPONSOR"])
    _sub(feed, "id", self_url)
    _sub(feed, "updated", _rfc3339(updated or datetime(2000, 1, 1, tzinfo=UTC)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page)
    author = _sub(feed, "author")
    _sub(author, "name", cfg["SITE_OPERATOR"])
    _sub(feed, "generator", site)
    for item in items:
        entry = _sub(feed, "entry")
        _sub(entry, "title", item.title)
        _sub(entry, "id", _tag_uri(item))
        _sub(entry, "link", rel="alternate", type="text/html",
             href=external_url("public.item", item_id=item.id))
        _sub(entry, "published", _rfc3339(item.published_at))
        # A correction (更新于) changes the entry; its publication time stays the first.
        _sub(entry, "updated", _rfc3339(item.corrected_at or item.published_at))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", item.unit.name)
        _sub(entry, "category", term=item.column.slug, label=item.column.name)
        for media in item.media:  # photos, and a video's poster frame, for feed readers
            if media.kind == "image":
                _sub(entry, "link", rel="enclosure", type=media.mime, length=str(media.size),
                     href=external_url("submissions.media", media_id=media.id, variant="file"))
            elif media.kind == "video" and media.poster:
                _sub(entry, "link", rel="enclosure", type="image/jpeg",
                     href=external_url("submissions.media", media_id=media.id,
                                       variant="poster"))
        _sub(entry, "summary", item.summary or html.excerpt(item.body_html, 200))
        _sub(entry, "content", item.body_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def atom_response(column: Column | None) -> Response:
    query = queries.published()
    if column is not None:
        query = query.where(Item.column_id == column.id)
    items = db.session.scalars(query.limit(current_app.config["PUBLISHING_FEED_ENTRIES"])).all()
    changed = queries.last_change(column)
    response = Response(atom(column, items, changed),
                        mimetype="application/atom+xml")
    response.last_modified = changed
    return response


def _head_urls() -> Iterator[tuple[str, datetime]]:
    """The sitemap's URLs before the items (``_item_urls``), with when each last changed:
    home, columns, unit pages, and what other packages register (public messages). A
    page that never changed since the site began gets the site's own last change."""
    site_changed = queries.last_change() or datetime(2000, 1, 1, tzinfo=UTC)
    yield external_url("public.home"), site_changed
    # Each column's and unit's newest publication (and withdrawal) from the end of its
    # index: one statement each, never a scan of all items.
    pages = dict(db.session.execute(select(PageRevision.column_id, func.max(PageRevision.saved_at))
                                    .group_by(PageRevision.column_id)).all())
    changes = [q.correlate(Column).scalar_subquery()
               for q in queries.last_change_selects(Column.id)]
    for column, published_at, withdrawn_at in db.session.execute(
            select(Column, *changes).where(Column.in_nav).order_by(Column.position)):
        changed = queries.latest(published_at, withdrawn_at) or pages.get(column.id)
        yield external_url("public.column", slug=column.slug), changed or site_changed
    newest = (select(func.max(Item.published_at))
              .where(Item.status == ItemStatus.published).scalar_subquery())
    for code, created, published_at in db.session.execute(
            select(Unit.code, Unit.created_at,
                   newest.where(Item.unit_id == Unit.id).correlate(Unit))
            .where(Unit.active, Unit.kind != UnitKind.center).order_by(Unit.code)):
        yield external_url("public.unit", code=code), published_at or created
    for source in sitemap_sources():
        yield from source()


def _items(start: int, stop: int | None):
    """Published items ``start``..``stop`` (newest first) as a subquery of id and
    last change (corrected or published)."""
    query = (select(Item.id.label("id"),
                    type_coerce(func.coalesce(Item.corrected_at, Item.published_at),
                                Item.published_at.type).label("changed"))
             .where(Item.status == ItemStatus.published)
             .order_by(Item.published_at.desc(), Item.id.desc()).offset(start))
    if stop is not None:
        query = query.limit(stop - start)
    return query.subquery()


def _item_urls(start: int, stop: int | None) -> Iterator[tuple[str, datetime]]:
    item_url = external_url_maker("public.item", "item_id")
    rows = _items(start, stop)
    for item_id, changed in db.session.execute(select(rows.c.id, rows.c.changed)):
        yield item_url(item_id), changed


def _items_changed(start: int, stop: int) -> datetime | None:
    """The latest change among published items ``start``..``stop``, counted in SQL: the
    sitemap index never reads the items one by one."""
    rows = _items(start, stop)
    return db.session.scalar(select(func.max(rows.c.changed)))


def _urlset(urls: Iterable[tuple[str, datetime]]) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for loc, lastmod in urls:
        url = _sub(urlset, "url")
        _sub(url, "loc", loc)
        _sub(url, "lastmod", _rfc3339(lastmod))
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def sitemap(part: int | None = None) -> bytes | None:
    """The sitemap: one urlset while the site has at most SITEMAP_MAX_URLS URLs, else a
    sitemap index of parts (``part`` 1, 2, …) of that many each. None: no such part.
    The items, nearly all of the URLs, are read only for the part that lists them."""
    per_file = SITEMAP_MAX_URLS
    head = list(_head_urls())
    items = db.session.scalar(select(func.count(Item.id))
                              .where(Item.status == ItemStatus.published))
    total = len(head) + items
    if total <= per_file:
        return _urlset(head + list(_item_urls(0, None))) if part is None else None

    def bounds(n: int) -> tuple[list, int, int]:
        start, stop = (n - 1) * per_file, min(n * per_file, total)
        return (head[start:stop], max(0, start - len(head)), max(0, stop - len(head)))

    parts = (total - 1) // per_file + 1
    if part is None:
        index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
        for n in range(1, parts + 1):
            first, start, stop = bounds(n)
            changed = [lastmod for _, lastmod in first]
            if stop > start:
                changed.append(_items_changed(start, stop))
            entry = _sub(index, "sitemap")
            _sub(entry, "loc", external_url("public.sitemap_part", part=n))
            _sub(entry, "lastmod", _rfc3339(max(c for c in changed if c is not None)))
        return ET.tostring(index, encoding="utf-8", xml_declaration=True)
    if not 1 <= part <= parts:
        return None
    first, start, stop = bounds(part)
    return _urlset(first + (list(_item_urls(start, stop)) if stop > start else []))


def sitemap_response(part: int | None = None) -> Response | None:
    body = sitemap(part)
    if body is None:
        return None
    response = Response(body, mimetype="application/xml")
    response.last_modified = queries.last_change()
    return response
