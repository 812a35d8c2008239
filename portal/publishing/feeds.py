"""Atom feeds (the site's and each column's) and the sitemap.

Built with the standard library's ElementTree, so every value is escaped by
the serialiser. Links are absolute, from ``BASE_URL`` (the public address,
not whatever Host header a request came with). Responses carry a
Last-Modified of the newest publication or withdrawal; ``views.conditional``
adds the ETag and answers 304.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, current_app
from sqlalchemy import select

from ..accounts.models import Unit, UnitKind
from ..extensions import db
from ..site.models import Column
from ..submissions.models import Item, ItemStatus
from ..urls import external_url
from . import html, queries

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The sitemap protocol allows 50,000 URLs a file; the newest items fill what is left.
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
        title, page = site, external_url("site.home")
        self_url = external_url("publishing.feed")
    else:
        title, page = f"{column.name} - {site}", external_url("site.column", slug=column.slug)
        self_url = external_url("publishing.column_feed", slug=column.slug)
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
             href=external_url("publishing.item", item_id=item.id))
        _sub(entry, "published", _rfc3339(item.published_at))
        _sub(entry, "updated", _rfc3339(item.published_at))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", item.unit.name)
        _sub(entry, "category", term=item.column.slug, label=item.column.name)
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


def sitemap() -> bytes:
    """Home, the columns in the navigation, unit pages and the newest published items."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})

    def add(loc: str, lastmod: datetime | None = None) -> None:
        url = _sub(urlset, "url")
        _sub(url, "loc", loc)
        if lastmod is not None:
            _sub(url, "lastmod", _rfc3339(lastmod))

    add(external_url("site.home"), queries.last_change())
    for column in db.session.scalars(select(Column).where(Column.in_nav)
                                     .order_by(Column.position)):
        add(external_url("site.column", slug=column.slug))
    for code in db.session.scalars(select(Unit.code).where(Unit.active,
                                                           Unit.kind != UnitKind.center)
                                   .order_by(Unit.code)):
        add(external_url("publishing.unit", code=code))
    room = SITEMAP_MAX_URLS - len(urlset)
    rows = db.session.execute(select(Item.id, Item.published_at)
                              .where(Item.status == ItemStatus.published)
                              .order_by(Item.published_at.desc(), Item.id.desc())
                              .limit(max(room, 0)))
    for item_id, published_at in rows:
        add(external_url("publishing.item", item_id=item_id), published_at)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def sitemap_response() -> Response:
    response = Response(sitemap(), mimetype="application/xml")
    response.last_modified = queries.last_change()
    return response
