"""What every government portal has (政府网站发展指引): robots.txt, a favicon, the search box
in every header, feed discovery, valid machine-readable times, the page identity in the
footer as settings, a warning when links would point to the default address, print."""

from __future__ import annotations

import re

import pytest

from portal import DEFAULT_BASE_URL
from portal.accounts.models import Role
from portal.extensions import db


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_the_desks(client):
    resp = client.get("/robots.txt")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert "Sitemap: http://portal.test/sitemap.xml" in text
    for path in ("/desk/", "/admin/", "/review/", "/monitor/", "/login"):
        assert f"Disallow: {path}" in text
    assert "Disallow: /\n" not in text  # the public site stays open


def test_there_is_a_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.data[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert "max-age" in resp.headers["Cache-Control"] and not resp.direct_passthrough
    again = client.get("/favicon.ico", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/column/news", "/messages/new", "/no-such-page"])
def test_every_page_has_the_search_box_in_its_header(client, url):
    html = client.get(url).get_data(as_text=True)
    header = html[html.index("<header"):html.index("</header>")]
    assert re.search(r'<form class="header-search" method="get" action="/search"', header)
    assert 'name="q"' in header


def test_the_home_page_announces_its_feed(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/feed.atom"',
                     html)


def test_machine_readable_times_have_no_microseconds(client, make_unit, make_item):
    item = make_item(make_unit(), published="2026-11-02 09:00:00.123456")
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s)
                          for s in stamps), stamps


IDENTITY = {
    "SITE_SPONSOR": "某某县人民政府办公室", "SITE_OPERATOR": "某某县网络信息中心",
    "SITE_ID_CODE": "4101000001", "SITE_ICP": "豫ICP备12345678号",
    "SITE_PSB": "豫公网安备 41010002000001号",
    "SITE_PSB_URL": "https://beian.mps.gov.cn/#/query/webSearch?code=41010002000001",
    "SITE_PARTY_GOV_LINK": "https://bszs.conac.cn/sitename?method=show&id=0001",
    "SITE_PARTY_GOV_IMAGE": "/static/red.png", "SITE_PHONE": "0371-12345678",
    "SITE_ADDRESS": "某某县人民路 1 号",
}


@pytest.mark.parametrize("url", ["/", "/column/news", "/messages/new", "/login"])
def test_the_footer_shows_the_page_identity_when_it_is_set(app, client, url):
    app.config.update(IDENTITY)
    html = client.get(url).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer"'):]
    for value in ("某某县人民政府办公室", "某某县网络信息中心", "4101000001", "0371-12345678",
                  "某某县人民路 1 号"):
        assert value in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">豫ICP备12345678号</a>' in footer
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=41010002000001"' in footer
    assert 'alt="党政机关网站标识"' in footer and 'href="https://bszs.conac.cn/' in footer


def test_an_unset_identity_leaves_nothing_broken(app, client):
    for key in IDENTITY:
        app.config[key] = None
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer"'):]
    assert "None" not in footer and "href=\"None\"" not in footer and "<img" not in footer
    assert "主办：" not in footer and "网站标识码" not in footer


def test_admins_are_warned_when_links_would_point_to_the_default_address(app, client, login,
                                                                         make_user):
    app.config["BASE_URL"] = DEFAULT_BASE_URL
    login(make_user(Role.admin))
    warning = "网站地址（BASE_URL）仍为默认的"
    assert warning in client.get("/admin/").get_data(as_text=True)
    local = client.get("/admin/", base_url=DEFAULT_BASE_URL).get_data(as_text=True)
    assert warning not in local  # the demo on a developer's machine
    app.config["BASE_URL"] = "https://www.example.gov.cn"
    assert warning not in client.get("/admin/").get_data(as_text=True)


def test_items_print_with_their_address_and_date_and_without_the_site_chrome(client, make_unit,
                                                                           make_item):
    item = make_item(make_unit(), published="2026-11-02 09:00")
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="/static/css/print.css[^"]*" media="print">',
                     html)
    assert f"本文网址：http://portal.test/items/{item.id}" in html
    resp = client.get("/static/css/print.css")
    css = resp.get_data(as_text=True)
    resp.close()
    assert "@page { size: A4" in css and ".site-nav" in css and "display: none" in css


def test_the_admin_sets_the_page_identity_on_the_site_page(app, client, login, make_user):
    admin = make_user(Role.admin)
    login(admin)
    page = client.get("/admin/site")
    assert page.status_code == 200 and "网站标识码" in page.get_data(as_text=True)
    assert "网站信息" in client.get("/admin/").get_data(as_text=True)  # reachable by a click
    resp = client.post("/admin/site", data={
        "psb": "豫公网安备 41010002000001号",
        "psb_url": "https://beian.mps.gov.cn/#/query/webSearch?code=41010002000001",
        "phone": "0371-12345678", "keywords": "某某县,政府,政务公开"})
    assert resp.status_code == 302
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer"'):]
    assert "豫公网安备 41010002000001号" in footer and "0371-12345678" in footer
    assert '<meta name="Keywords" content="某某县,政府,政务公开">' in html
    # Recorded in the audit trail, with who did it.
    from portal.audit.models import AuditEntry
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.object_type == "site_setting", AuditEntry.object_id == "phone")).one()
    assert entry.actor_id == admin.id and entry.changes["value"] == [None, "0371-12345678"]
    # Blank: back to the configured default.
    client.post("/admin/site", data={"phone": ""})
    assert "0371-12345678" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("icp_url", "javascript:alert(1)", "应以 https://"),
    ("party_gov_link", "evil.example/x", "应以 https://"),
    ("id_code", "1" * 30, "不能超过 20 个字符"),
])
def test_the_site_page_refuses_bad_values_and_changes_nothing(client, login, make_user, field,
                                                             value, message):
    login(make_user(Role.admin))
    resp = client.post("/admin/site", data={field: value, "phone": "0371-1"})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert "0371-1" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.officer, Role.leader, Role.reviewer])
def test_only_the_admin_reaches_the_site_page(client, login, make_user, role):
    assert client.get("/admin/site").status_code == 302
    login(make_user(role))
    assert client.get("/admin/site").status_code == 403
    assert client.post("/admin/site", data={"phone": "1"}).status_code == 403
