"""Withdrawn, expired and never-published content is absent everywhere the public looks:
pages, search, feeds, sitemap and media URLs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.publishing.services import run_due, withdraw_item
from portal.submissions.models import ItemKind


def status(client, url: str) -> str:
    with client.get(url) as r:  # media responses hold the file open until closed
        return str(r.status_code)


def public_views(client, item) -> dict[str, str]:
    """What a citizen can reach, as text (status codes for the item and its media)."""
    media = item.media[0]
    return {
        "home": client.get("/").get_data(as_text=True),
        "column": client.get(f"/column/{item.column.slug}").get_data(as_text=True),
        "unit": client.get(f"/units/{item.unit.code}").get_data(as_text=True),
        "search": client.get("/search", query_string={"q": "柳河"}).get_data(as_text=True),
        "feed": client.get("/feed.atom").get_data(as_text=True),
        "column_feed": client.get(f"/column/{item.column.slug}/feed.atom").get_data(as_text=True),
        "sitemap": client.get("/sitemap.xml").get_data(as_text=True),
        "item": status(client, f"/items/{item.id}"),
        "media": status(client, f"/media/{media.id}/file"),
        "thumb": status(client, f"/media/{media.id}/thumb"),
    }


PAGES = ("home", "column", "unit", "search")
FEEDS = ("feed", "column_feed")


def assert_public(client, item):
    views = public_views(client, item)
    for name in PAGES:
        assert f'href="/items/{item.id}"' in views[name], name
    for name in FEEDS:
        assert item.title in views[name], name
    assert f"/items/{item.id}<" in views["sitemap"]
    assert views["item"] == views["media"] == views["thumb"] == "200"


def assert_gone(client, item):
    views = public_views(client, item)
    for name in PAGES:
        assert f'href="/items/{item.id}"' not in views[name], name
    for name in FEEDS:
        assert item.title not in views[name], name
    assert f"/items/{item.id}<" not in views["sitemap"]
    assert views["item"] == views["media"] == views["thumb"] == "404"


@pytest.fixture
def picture(make_item):
    return make_item("published", title="柳河湿地公园开园", kind=ItemKind.image,
                     column_slug="gallery", media=[{"caption": "湿地公园"}])


def test_withdrawn_item_disappears_from_everything(client, picture, reviewer):
    assert_public(client, picture)
    withdraw_item(picture, reviewer, "图片版权存疑")
    db.session.commit()
    assert_gone(client, picture)


def test_expired_item_disappears_from_everything(client, picture):
    picture.unpublish_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    run_due()
    db.session.commit()
    assert_gone(client, picture)


@pytest.mark.parametrize("state", ["submitted", "scheduled", "returned", "declined"])
def test_unpublished_item_never_appears(client, make_item, state):
    item = make_item(state, title="柳河湿地公园开园", kind=ItemKind.image, column_slug="gallery",
                     media=[{"caption": "湿地公园"}])
    assert_gone(client, item)
