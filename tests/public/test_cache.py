"""The page cache: anonymous public pages are served from it until the published content
changes, and a change is seen at once in every process serving the site."""

from __future__ import annotations

import secrets

import pytest
import requests

from portal.accounts.models import Role
from portal.extensions import db
from portal.publishing import services
from portal.site.models import Column
from portal.submissions import corrections
from tests.gunicorn import gunicorn


def _cache(resp) -> str | None:
    return resp.headers.get("X-Page-Cache")


@pytest.mark.parametrize("url", ["/", "/column/news", "/feed.atom", "/sitemap.xml"])
def test_a_second_anonymous_visit_is_served_from_the_cache(client, make_item, url):
    make_item("published", title="县应急管理局开展防汛演练")
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert (_cache(first), _cache(second)) == ("miss", "hit")
    assert second.data == first.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    # Conditional GET still works on a cached page.
    again = client.get(url, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304


def test_an_item_page_is_cached_and_a_withdrawal_is_seen_at_once(client, make_item, reviewer):
    item = make_item("published", title="城关镇秋季防火检查")
    assert client.get(f"/items/{item.id}").status_code == 200
    assert _cache(client.get(f"/items/{item.id}")) == "hit"
    services.withdraw_item(item, reviewer, "内容有误")
    db.session.commit()
    assert client.get(f"/items/{item.id}").status_code == 404
    assert "城关镇秋季防火检查" not in client.get("/").get_data(as_text=True)


def test_a_publication_is_seen_on_the_next_request(client, make_item, reviewer):
    client.get("/")
    assert _cache(client.get("/")) == "hit"
    item = make_item("submitted", title="县医保局发布新政策解读")
    assert "县医保局发布新政策解读" not in client.get("/").get_data(as_text=True)
    services.publish(item, reviewer)
    db.session.commit()
    home = client.get("/")
    assert _cache(home) == "miss" and "县医保局发布新政策解读" in home.get_data(as_text=True)


def test_a_bulk_update_of_a_public_table_invalidates_too(client, make_item):
    client.get("/column/news")
    column = db.session.query(Column).filter_by(slug="news").one()
    db.session.execute(db.update(Column).where(Column.id == column.id).values(name="要闻动态"))
    db.session.commit()
    assert "要闻动态" in client.get("/column/news").get_data(as_text=True)


def test_a_rolled_back_change_does_not_invalidate(client, make_item):
    make_item("published")
    client.get("/")
    column = db.session.query(Column).filter_by(slug="news").one()
    column.name = "不会保存的名字"
    db.session.flush()
    db.session.rollback()
    assert _cache(client.get("/")) == "hit"


def test_signed_in_users_never_get_or_fill_the_cache(client, make_item, make_user, login):
    make_item("published")
    client.get("/")
    assert _cache(client.get("/")) == "hit"
    admin = make_user(Role.admin, name="王管理")
    login(admin)
    page = client.get("/")
    assert _cache(page) is None
    assert "王管理" in page.get_data(as_text=True)
    assert "private" in page.headers["Cache-Control"] or "no-store" in page.headers[
        "Cache-Control"]


def test_the_care_mode_version_is_kept_apart(client, make_item):
    make_item("published")
    plain = client.get("/")
    client.set_cookie("care", "1")
    care = client.get("/")
    assert _cache(care) == "miss" and 'class="care"' in care.get_data(as_text=True)
    assert 'class="care"' not in plain.get_data(as_text=True)
    client.delete_cookie("care")
    assert _cache(client.get("/")) == "hit"


def test_errors_searches_and_pages_with_flashed_messages_are_not_cached(client, make_item):
    assert _cache(client.get("/items/999999")) is None
    client.get("/search?q=防汛")
    assert _cache(client.get("/search?q=防汛")) is None
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "您的留言已提交")]
    page = client.get("/")
    assert _cache(page) is None and "您的留言已提交" in page.get_data(as_text=True)
    assert "您的留言已提交" not in client.get("/").get_data(as_text=True)


def test_the_cache_can_be_switched_off(app, client, make_item):
    app.config["PAGE_CACHE_ENABLED"] = False
    client.get("/")
    assert _cache(client.get("/")) is None


# ---- across processes -------------------------------------------------------------------

@pytest.mark.parametrize("shared", ["file", "redis"])
def test_every_process_sees_a_change_within_a_second(app, app_config, tmp_path, make_item,
                                                     reviewer, shared):
    """Two servers (separate processes, each with its own memory) on one database: both
    have the home page cached; a publication made by a third process shows on both."""
    extra = {}
    if shared == "redis":
        extra = {"PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
                 "PORTAL_PAGE_CACHE_PREFIX": f"cachetest-{secrets.token_hex(4)}:",
                 "PORTAL_RATELIMIT_KEY_PREFIX": f"cachetest-{secrets.token_hex(4)}"}
        app.config["REDIS_URL"] = extra["PORTAL_REDIS_URL"]
        app.config["PAGE_CACHE_PREFIX"] = extra["PORTAL_PAGE_CACHE_PREFIX"]
        from portal.public.cache import Generation
        app.extensions["page_cache_generation"] = Generation(app)
    make_item("published", title="已发布的旧信息")
    with (gunicorn(app_config, tmp_path / "server1.log", workers=1, env=extra) as one,
          gunicorn(app_config, tmp_path / "server2.log", workers=1, env=extra) as two):
        bases = [one, two]
        for base in bases:
            requests.get(base + "/", timeout=10)
            cached = requests.get(base + "/", timeout=10)
            assert cached.headers.get("X-Page-Cache") == "hit"
        item = make_item("submitted", title="县政府召开常务会议")
        services.publish(item, reviewer)
        db.session.commit()  # this test's process publishes: a third process
        # No waiting and no timer: the very next request in each process has it (with
        # Redis the second server is handed the page the first one just rendered).
        pages = [requests.get(base + "/", timeout=10) for base in bases]
        assert all("县政府召开常务会议" in page.text for page in pages)
        assert [p.headers["X-Page-Cache"] for p in pages] == (
            ["miss", "hit"] if shared == "redis" else ["miss", "miss"])

        # A correction, then a withdrawal: each seen at once on the item page, the home
        # page and in search, in both processes.
        path = f"/items/{item.id}"
        for base in bases:
            requests.get(base + path, timeout=10)
            assert requests.get(base + path, timeout=10).headers["X-Page-Cache"] == "hit"
        corrections.edit_directly(item, reviewer, title="县政府召开第二次常务会议",
                                  summary=item.summary, body=item.body_html, reason="更正标题")
        db.session.commit()
        for base in bases:
            assert "县政府召开第二次常务会议" in requests.get(base + path, timeout=10).text
            assert "县政府召开第二次常务会议" in requests.get(base + "/", timeout=10).text
            found = requests.get(base + "/search", params={"q": "第二次常务会议"}, timeout=10)
            assert f'href="{path}"' in found.text
        services.withdraw_item(item, reviewer, "内容有误")
        db.session.commit()
        for base in bases:
            assert requests.get(base + path, timeout=10).status_code == 404
            assert "第二次常务会议" not in requests.get(base + "/", timeout=10).text
            found = requests.get(base + "/search", params={"q": "第二次常务会议"}, timeout=10)
            assert f'href="{path}"' not in found.text
