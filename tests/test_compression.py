"""Compressed responses: brotli or gzip for anonymous text, never for staff, ranges or media."""

from __future__ import annotations

import gzip
import re

import brotli
import feedparser

from portal.accounts.models import Role
from portal.search import service as search_service

BR = {"Accept-Encoding": "br, gzip, deflate"}
GZIP = {"Accept-Encoding": "gzip"}


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def test_pages_are_compressed_for_browsers_that_accept_it_and_plain_for_others(
        client, make_unit, make_item):
    make_item(make_unit(), published="2026-10-20 09:00", title="全县秋冬季森林防火工作部署")
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    for headers, encoding in ((BR, "br"), (GZIP, "gzip"),
                              ({"Accept-Encoding": "br;q=0, gzip"}, "gzip")):
        r = client.get("/", headers=headers)
        assert r.status_code == 200 and r.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in r.headers["Vary"]
        assert len(r.data) < len(plain.data) / 2
        # The page cache keeps one uncompressed page for every encoding.
        assert decoded(r) == plain.data
        assert r.headers["ETag"].endswith(f':{encoding}"')
    assert "全县秋冬季森林防火工作部署" in plain.get_data(as_text=True)


def test_a_compressed_page_answers_its_own_etag_with_304(client, make_unit, make_item):
    make_item(make_unit(), published="2026-10-20 09:00")
    etag = client.get("/", headers=BR).headers["ETag"]
    r = client.get("/", headers={**BR, "If-None-Match": etag})
    assert r.status_code == 304 and r.data == b""
    assert "Content-Encoding" not in r.headers or r.headers["Content-Encoding"] == "br"


def test_feeds_sitemap_and_search_are_compressed_and_still_read(client, make_unit, make_item):
    make_item(make_unit(), published="2026-10-20 09:00", title="全县秋冬季森林防火工作部署")
    feed = client.get("/feed.atom", headers=BR)
    assert feed.headers["Content-Encoding"] == "br"
    parsed = feedparser.parse(decoded(feed))
    assert not parsed.bozo and parsed.entries[0].title == "全县秋冬季森林防火工作部署"
    assert b"<urlset" in decoded(client.get("/sitemap.xml", headers=BR)) or \
        b"<sitemapindex" in decoded(client.get("/sitemap.xml", headers=BR))
    docs, total = search_service.all_documents()
    search_service.get_index().rebuild(docs, total=total)
    search = client.get("/search?q=森林防火", headers=GZIP)
    assert search.headers["Content-Encoding"] == "gzip"
    assert "<mark>森林防火</mark>" in decoded(search).decode()


def test_static_files_are_compressed_once_and_ranges_are_sent_as_asked(client):
    css = client.get("/static/css/portal.css?v=1", headers=BR)
    again = client.get("/static/css/portal.css?v=1", headers=BR)
    assert css.headers["Content-Encoding"] == "br" and again.data == css.data
    plain = client.get("/static/css/portal.css?v=1")
    assert decoded(css) == plain.data and "Content-Encoding" not in plain.headers
    with client.get("/static/css/portal.css", headers={**GZIP, "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and "Content-Encoding" not in part.headers
        assert part.data == plain.data[:100]
    icon = client.get("/favicon.ico", headers=BR)
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers


def test_small_responses_and_errors_are_not_compressed(client):
    robots = client.get("/robots.txt", headers=BR)
    assert robots.status_code == 200 and len(robots.data) < 500
    assert "Content-Encoding" not in robots.headers
    missing = client.get("/items/999999", headers=BR)
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


def test_signed_in_users_pages_are_never_compressed(client, login, make_user):
    # Their pages carry CSRF tokens and personal data beside what they typed (BREACH).
    login(make_user(Role.officer))
    for path in ("/desk/items/new", "/", "/search?q=安全"):
        r = client.get(path, headers=BR)
        assert r.status_code == 200, path
        assert "Content-Encoding" not in r.headers, path
        assert re.search(rb"<html", r.data), path


def test_compression_can_be_switched_off(app, client):
    app.config["COMPRESS_ENABLED"] = False
    assert "Content-Encoding" not in client.get("/", headers=BR).headers


def test_a_cached_page_is_compressed_once_and_a_publication_changes_it(
        app, client, make_unit, make_item, monkeypatch):
    from portal import compression

    calls = []
    real = compression.compress.after_request.__globals__["_compress_data"]

    def counting(app_, data, algorithm):
        calls.append(algorithm)
        return real(app_, data, algorithm)

    monkeypatch.setitem(compression.compress.after_request.__globals__, "_compress_data",
                        counting)
    unit = make_unit()
    make_item(unit, published="2026-10-20 09:00", title="第一条")
    first = [client.get("/", headers=BR) for _ in range(3)]
    assert calls == ["br"] and len({r.data for r in first}) == 1
    make_item(unit, published="2026-10-21 09:00", title="第二条")
    after = client.get("/", headers=BR)
    assert calls == ["br", "br"] and "第二条" in decoded(after).decode()
    # Search results are not kept: compressed each time.
    client.get("/search?q=第一条", headers=BR)
    client.get("/search?q=第一条", headers=BR)
    assert calls.count("br") == 4
