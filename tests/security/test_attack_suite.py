"""The attack suite (issue 14, item 4): what wapiti, sqlmap and a role-aware crawler tried,
kept as tests over every endpoint of the application (the access matrix lists them all).

* a POST without its CSRF token is refused everywhere and changes nothing; a GET changes
  nothing anywhere;
* ids far beyond 64 bits in every URL are a 404, never a 500;
* a ``next`` pointing off the site is ignored by every view that honours one;
* enumerating ids as another township never shows township A's private data;
* script payloads in every text field stay text in every page, feed and export;
* spreadsheet cells never start a formula in any export.
"""

from __future__ import annotations

import hashlib
import io
import re
import string

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from tests.access_helpers import ROLES
from tests.conftest import PASSWORD
from tests.test_access import ALL_ROWS, world  # noqa: F401  (the fixture)

POST_ROWS = sorted({(url, endpoint) for method, url, _, endpoint in ALL_ROWS
                    if method == "POST"})
GET_ROWS = sorted({(url, endpoint) for method, url, _, endpoint in ALL_ROWS
                   if method == "GET"})


def snapshot() -> str:
    """A digest of every row of every table."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- CSRF and GET


@pytest.mark.parametrize("role", ["anon", "officer_a", "leader_a", "admin"])
def test_no_post_without_its_token_changes_anything(client, login, world, role):  # noqa: F811
    users, ids = world
    if role != "anon":
        login(users[role])
    before = snapshot()
    for url, endpoint in POST_ROWS:
        resp = client.post(url.format(**ids), csrf=False)
        assert resp.status_code in (400, 404, 405), (endpoint, resp.status_code)
        db.session.rollback()
    assert snapshot() == before


def test_no_get_changes_anything(client, login, world):  # noqa: F811
    users, ids = world
    for role in ROLES:
        if role != "anon":
            login(users[role])
        before = snapshot()
        for url, endpoint in GET_ROWS + POST_ROWS:
            if "captcha" in url:
                continue
            resp = client.get(url.format(**ids))
            assert resp.status_code < 500, (endpoint, resp.status_code)
            resp.close()
        db.session.rollback()
        assert snapshot() == before, role


# ---------------------------------------------------------------- oversized ids


def test_huge_ids_in_every_url_are_not_found(client, login, world):  # noqa: F811
    users, ids = world
    login(users["admin"])
    huge = str(2**70)
    numeric = {k: v for k, v in ids.items() if isinstance(v, int)}
    tried = 0
    for url, endpoint in GET_ROWS + POST_ROWS:
        names = re.findall(r"{(\w+)}", url)
        if not any(n in numeric for n in names):
            continue
        target = url.format(**{**ids, **{n: huge for n in names if n in numeric}})
        resp = client.post(target) if (url, endpoint) in POST_ROWS else client.get(target)
        assert resp.status_code in (302, 400, 403, 404, 405), (target, resp.status_code)
        tried += 1
    assert tried >= 10


# ---------------------------------------------------------------- open redirects

OFFSITE = ["//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil.example",
           "/\t/evil.example", "\\\\evil.example", "/%2F%2Fevil.example", "http:evil.example",
           "javascript:alert(1)", "/%0d%0aLocation:%20https://evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_every_next_stays_on_the_site(client, make_user, target):
    user = make_user(Role.officer)
    resp = client.post("/login", query_string={"next": target},
                       data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/") and "evil" not in resp.headers["Location"]
    for mode in ("on", "off"):
        resp = client.get(f"/care-mode/{mode}", query_string={"next": target})
        assert "evil" not in resp.headers["Location"]


def test_the_only_views_that_read_next_are_the_ones_checked_above():
    from pathlib import Path

    readers = set()
    for path in (Path(__file__).parent.parent.parent / "portal").rglob("*.py"):
        if re.search(r"""args\.get\(["']next["']\)|form\.get\(["']next["']\)""",
                     path.read_text(encoding="utf-8")):
            readers.add(path.parent.name + "/" + path.name)
    assert readers <= {"accounts/views.py", "site/views.py"}, readers


# ---------------------------------------------------------------- enumeration (IDOR)

SECRET = "甲镇内部未公开"


@pytest.fixture
def secrets_of_a(world, make_user):  # noqa: F811
    from portal.messages import services as messages
    from tests.submissions.factories import make_item

    users, ids = world
    a = users["officer_a"].unit
    make_item(users["officer_a"], title=f"{SECRET}草稿", kind="image")
    msg, _ = messages.submit(category="consult", unit=a, subject=f"{SECRET}留言",
                             body=f"{SECRET}的留言内容，涉及个人住址。", name="李四",
                             phone="13900001111", publish_allowed=False)
    messages.accept(users["reviewer"], msg, a)
    db.session.commit()
    return users, ids


@pytest.mark.parametrize("role", ["anon", "officer_b"])
def test_enumerating_ids_never_shows_another_units_private_data(client, login, secrets_of_a,
                                                                role):
    users, ids = secrets_of_a
    if role != "anon":
        login(users[role])
    numeric = {k for k, v in ids.items() if isinstance(v, int)}
    seen = 0
    for url, _endpoint in GET_ROWS:
        names = re.findall(r"{(\w+)}", url)
        if len(names) != 1 or names[0] not in numeric:
            continue
        for n in range(1, 40):
            resp = client.get(url.format(**{**ids, names[0]: n}))
            body = resp.get_data()
            resp.close()
            assert SECRET.encode() not in body, (url, n, resp.status_code)
            seen += 1
    assert seen > 100


# ---------------------------------------------------------------- stored XSS

XSS = '"><script>alert("xss")</script><img src=x onerror=alert(1)>{{7*7}}'
SHORT = '"><script>alert(1)</script><img src=x onerror=1>'
RAW = ["<script>alert(", "<img src=x"]


def assert_inert(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, (where, raw)


def test_script_payloads_in_every_text_field_stay_text_everywhere(app, client, login, center,
                                                                  make_unit, make_user):
    from portal.messages import services as messages
    from portal.publishing.services import save_term
    from tests.submissions.factories import make_item, move

    town = make_unit(UnitKind.township, name=f"镇{XSS}"[:100], code="xss")
    officer = make_user(Role.officer, unit=town, name=f"员{XSS}"[:50])
    leader = make_user(Role.leader, unit=town)
    reviewer = make_user(Role.reviewer)
    actors = {"officer": officer, "leader": leader, "reviewer": reviewer}
    item = make_item(officer, title=f"标题{XSS}", body=f"<p>正文{XSS}</p>", kind="image",
                     summary=f"摘要{XSS}")
    item.media[0].caption = f"说明{XSS}"
    move(item, "published", actors)
    returned = make_item(officer, title=f"退回{XSS}")
    move(returned, "submitted", actors)
    from portal.submissions.workflow import apply
    apply(returned, "return", reviewer, f"理由{XSS}")
    msg, _ = messages.submit(category="consult", unit=town, subject=f"主{SHORT}",
                             body=f"内容{XSS}内容内容", name=f"王{XSS}"[:30],
                             phone="13900001111", publish_allowed=True)
    messages.accept(reviewer, msg, town, public=True)
    messages.reply(officer, msg, f"答复{XSS}答复答复")
    save_term(reviewer, f"词{XSS}"[:50], "sensitive", suggestion=f"改{XSS}"[:50])
    db.session.commit()

    public = ["/", "/column/news", "/column/gallery", f"/items/{item.id}", "/units/xss",
              f"/messages/{msg.number}", "/column/messages", "/search?q=标题",
              f"/search?q={XSS}", "/feed.atom", "/column/gallery/feed.atom", "/sitemap.xml"]
    for url in public:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert_inert(resp.get_data(as_text=True), url)
    pages = {
        officer: ["/desk/submissions", "/desk/submissions/items", f"/desk/items/{returned.id}",
                  f"/desk/items/{returned.id}/edit", "/desk/messages/inbox",
                  f"/desk/messages/{msg.id}"],
        reviewer: ["/review/", f"/review/items/{item.id}", "/desk/messages",
                   f"/desk/messages/{msg.id}", "/monitor/month/2026-12", "/audit/"],
        make_user(Role.admin): ["/admin/units", "/admin/users", "/admin/words", "/audit/"],
    }
    for user, urls in pages.items():
        login(user)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, url
            assert_inert(resp.get_data(as_text=True), url)


# ---------------------------------------------------------------- spreadsheet formulas


def test_no_export_cell_starts_a_formula(app, client, login, center, make_unit, make_user,
                                         make_item):
    town = make_unit(UnitKind.township, name="=HYPERLINK(\"http://evil.example\",\"点\")",
                     code="f1")
    make_unit(UnitKind.department, name="+cmd|' /C calc'!A0", code="f2")
    make_unit(UnitKind.township, name="@SUM(1+1)*cmd", code="f3")
    make_item(town, submitted="2026-11-10 10:00", title="-2+3+cmd|' /C calc'!A0")
    login(make_user(Role.admin))
    client.post("/monitor/month/2026-11/run")
    exports = ["/monitor/month/2026-11?format=xlsx", "/monitor/month/2026-11?format=csv",
               "/audit/?format=xlsx", "/audit/?format=csv"]
    for rule in app.url_map.iter_rules():  # every other export the monitor offers
        if rule.endpoint in ("monitor.trend", "monitor.year") and not rule.arguments:
            exports += [f"{rule.rule}?format=xlsx", f"{rule.rule}?format=csv"]
    cells = 0
    for url in exports:
        resp = client.get(url)
        assert resp.status_code == 200, url
        if "xlsx" in url:
            values = [c.value for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()
                      for c in row]
        else:
            import csv
            values = [v for row in csv.reader(io.StringIO(resp.data.decode("utf-8-sig")))
                      for v in row]
        for v in values:
            if isinstance(v, str) and v:
                cells += 1
                assert v[0] not in "=+-@\t\r" or _number(v), (url, v)
    assert cells > 20


def _number(text: str) -> bool:
    return bool(text) and all(c in string.digits + ".-+" for c in text)
