"""Atom feeds and the sitemap: well-formed XML, absolute links, only published items."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from portal.submissions.models import ItemKind

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(response) -> ET.Element:
    return ET.fromstring(response.data)


def test_site_feed_lists_published_items_newest_first(client, make_item):
    old = make_item("published", title="较早的信息 & <细节>", summary="摘要一",
                    published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    new = make_item("published", title="最新的信息", body="<p>正文<b>加粗</b></p>",
                    column_slug="documents",
                    published_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    make_item("submitted", title="待审核的信息")
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = parse(r)
    assert feed.findtext(f"{ATOM}title") == "示范县人民政府公众信息网"
    assert feed.findtext(f"{ATOM}updated") == "2026-03-02T08:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["最新的信息", "较早的信息 & <细节>"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://portal.test/items/{new.id}"
    assert first.findtext(f"{ATOM}id").startswith("tag:www.example-county.gov.cn,")
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "县应急管理局"
    assert first.find(f"{ATOM}category").get("label") == "政府文件"
    assert first.find(f"{ATOM}content").get("type") == "html"
    assert first.findtext(f"{ATOM}content") == "<p>正文<b>加粗</b></p>"
    assert entries[1].findtext(f"{ATOM}summary") == "摘要一"
    assert str(old.id) in entries[1].find(f"{ATOM}link").get("href")


def test_column_feed_has_only_that_column(client, make_item):
    make_item("published", title="政务信息一条")
    make_item("published", title="政府文件一条", column_slug="documents")
    feed = parse(client.get("/column/documents/feed.atom"))
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["政府文件一条"]
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == \
        "http://portal.test/column/documents/feed.atom"
    assert client.get("/column/profile/feed.atom").status_code == 404  # a page, not a list
    assert client.get("/column/nope/feed.atom").status_code == 404


def test_empty_feed_is_valid(client):
    feed = parse(client.get("/feed.atom"))
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated")


def test_feed_entries_are_limited(client, app, make_item):
    app.config["PUBLISHING_FEED_ENTRIES"] = 2
    for _ in range(3):
        make_item("published")
    assert len(parse(client.get("/feed.atom")).findall(f"{ATOM}entry")) == 2


def test_sitemap_lists_home_columns_units_and_published_items(client, make_item, unit):
    item = make_item("published", published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    hidden = make_item("submitted")
    gallery = make_item("published", kind=ItemKind.image, column_slug="gallery")
    r = client.get("/sitemap.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod")
            for u in parse(r).findall(f"{SM}url")}
    assert "http://portal.test/" in urls and "http://portal.test/column/news" in urls
    assert f"http://portal.test/units/{unit.code}" in urls
    assert urls[f"http://portal.test/items/{item.id}"] == "2026-03-01T08:00:00Z"
    assert f"http://portal.test/items/{gallery.id}" in urls
    assert f"http://portal.test/items/{hidden.id}" not in urls


def test_feeds_are_linked_from_the_pages(client):
    assert 'href="/feed.atom"' in client.get("/").get_data(as_text=True)
    html = client.get("/column/news").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/column/news/feed.atom"' in html


def test_every_sitemap_url_has_a_lastmod_and_public_messages_are_listed(client, make_item,
                                                                      make_user, unit):
    from portal.accounts.models import Role
    from portal.extensions import db
    from portal.messages import services as messages

    make_item("published", published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    reviewer = make_user(Role.reviewer)
    public, _ = messages.submit(category="consult", unit=unit, subject="路灯不亮",
                                body="小区门口的路灯坏了一个月。", name="张三",
                                phone="13900001111", publish_allowed=True)
    messages.accept(reviewer, public, unit, public=True)
    private, _ = messages.submit(category="consult", unit=unit, subject="私下反映",
                                 body="不希望公开的留言内容。", name="李四",
                                 phone="13900002222", publish_allowed=False)
    messages.accept(reviewer, private, unit)
    db.session.commit()
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod")
            for u in parse(client.get("/sitemap.xml")).findall(f"{SM}url")}
    assert all(urls.values()), [u for u, m in urls.items() if not m]
    assert urls["http://portal.test/column/news"] == "2026-03-01T08:00:00Z"
    assert f"http://portal.test/messages/{public.number}" in urls
    assert f"http://portal.test/messages/{private.number}" not in urls


def test_a_big_sitemap_becomes_an_index_of_parts(client, make_item, monkeypatch):
    from portal.public import feeds

    monkeypatch.setattr(feeds, "SITEMAP_MAX_URLS", 5)
    items = [make_item("published") for _ in range(12)]
    index = parse(client.get("/sitemap.xml"))
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    assert parts[0] == "http://portal.test/sitemap-1.xml"
    assert all(s.findtext(f"{SM}lastmod") for s in index.findall(f"{SM}sitemap"))
    listed = []
    for n in range(1, len(parts) + 1):
        urlset = parse(client.get(f"/sitemap-{n}.xml"))
        found = [u.findtext(f"{SM}loc") for u in urlset.findall(f"{SM}url")]
        assert 0 < len(found) <= 5
        listed += found
    assert len(listed) == len(set(listed))
    assert {f"http://portal.test/items/{i.id}" for i in items} <= set(listed)
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_photos_and_video_posters_are_feed_enclosures(client, make_item):
    from tests.publishing.conftest import attach

    photo = make_item("published", kind=ItemKind.image, column_slug="gallery")
    attach(photo)
    from portal.extensions import db
    db.session.commit()
    entry = next(e for e in parse(client.get("/feed.atom")).findall(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}title") == photo.title)
    enclosure = next(link for link in entry.findall(f"{ATOM}link")
                     if link.get("rel") == "enclosure")
    media = photo.media[0]
    assert enclosure.get("href") == f"http://portal.test/media/{media.id}/file"
    assert enclosure.get("type") == media.mime and enclosure.get("length") == str(media.size)


def test_column_pages_say_when_they_were_updated(client, make_item):
    make_item("published", published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    html = client.get("/column/news").get_data(as_text=True)
    assert '更新时间：<time datetime="2026-03-01T08:00:00+00:00">2026-03-01 16:00</time>' in html


def test_a_page_column_is_updated_when_its_text_is(client, make_user):
    from portal.accounts.models import Role
    from portal.extensions import db
    from portal.publishing.services import save_page
    from portal.site.models import Column

    services = db.session.scalar(db.select(Column).where(Column.slug == "services"))
    assert "更新时间" not in client.get("/column/services").get_data(as_text=True)
    save_page(make_user(Role.admin), services, "<p>办事指南：请携带身份证原件。</p>")
    db.session.commit()
    assert "更新时间：<time" in client.get("/column/services").get_data(as_text=True)


def test_a_corrected_item_is_updated_in_the_feed_and_sitemap_but_keeps_its_publication(
        client, make_item):
    from portal.extensions import db

    item = make_item("published", title="更正过的信息",
                     published_at=datetime(2026, 10, 13, 1, 0, tzinfo=UTC))
    item.corrected_at = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
    db.session.commit()
    entry = parse(client.get("/feed.atom")).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}published").text.startswith("2026-10-13T01:00")
    assert entry.find(f"{ATOM}updated").text.startswith("2026-10-20T00:00")
    lastmods = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod").text
                for u in parse(client.get("/sitemap.xml")).findall(f"{SM}url")}
    assert any(loc.endswith(f"/items/{item.id}") and mod.startswith("2026-10-20")
               for loc, mod in lastmods.items())
