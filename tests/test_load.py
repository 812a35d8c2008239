"""Load without loss: 50 citizens post 1,000 messages and 20 officers submit 200 items with
photos at once, against gunicorn with 4 workers over loopback, on the suite's database.

Every message and item is stored exactly once, no response is a 5xx, receipts (numbers and
query codes) are unique, and a rate limit holds across the workers (Redis). Bounded: each
request has a timeout and the whole run a few minutes at most on a 2-core machine.
"""

from __future__ import annotations

import io
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from PIL import Image

from portal.accounts.models import Role
from portal.extensions import db
from portal.messages.models import Message
from portal.site.models import Column
from portal.submissions.models import Item, ItemStatus, Media
from tests.conftest import PASSWORD
from tests.gunicorn import gunicorn

pytestmark = pytest.mark.load

CITIZENS, MESSAGES_EACH = 50, 20
OFFICERS, ITEMS_EACH = 20, 10
TIMEOUT = 60
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def server(app_config, tmp_path):
    """gunicorn, 4 sync workers, on the test database; Redis for the rate limits."""
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(app_config, log_path, workers=4, env={
            "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
            "PORTAL_RATELIMIT_KEY_PREFIX": f"loadtest-{secrets.token_hex(4)}",
            "PORTAL_PROXY_FIX_HOPS": "1",  # each citizen comes from an address of their own
            "PORTAL_MESSAGE_SUBMIT_LIMIT": "100 per hour",
            "PORTAL_MESSAGE_POST_LIMIT": "100 per hour",
            "PORTAL_MEDIA_USE_FFMPEG": "false"}) as base:
        yield base
    errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line]
    assert not errors, log_path.read_text()[-5000:]


def _token(session: requests.Session, url: str, **kw) -> str:
    resp = session.get(url, timeout=TIMEOUT, **kw)
    assert resp.status_code == 200, (url, resp.status_code)
    return CSRF.search(resp.text).group(1)


def citizen(base: str, n: int) -> list[tuple[int, str, str]]:
    """Post MESSAGES_EACH messages; returns (status, number, code) per message."""
    s = requests.Session()
    headers = {"X-Forwarded-For": f"10.20.{n // 200}.{n % 200 + 1}"}
    out = []
    for i in range(MESSAGES_EACH):
        token = _token(s, base + "/messages/new", headers=headers)
        resp = s.post(base + "/messages/new", headers=headers, timeout=TIMEOUT, data={
            "csrf_token": token, "category": "consult", "unit": "",
            "subject": f"关于第{n}号市民第{i}件事的咨询",
            "body": f"我是第{n}号市民，这是我的第{i}条留言，请问办事指南在哪里可以查到？谢谢。",
            "name": f"王{n}", "phone": f"139{n:04d}{i:04d}"})
        if resp.status_code != 200 or "/messages/sent" not in resp.url:
            out.append((resp.status_code, "", ""))
            continue
        number = re.search(r'<dt>留言编号</dt><dd class="code">([^<]+)</dd>', resp.text)
        code = re.search(r'<dt>查询码</dt><dd class="code">([^<]+)</dd>', resp.text)
        out.append((resp.status_code, number.group(1), code.group(1)))
    return out


def officer(base: str, username: str, password: str, png: bytes,
            column: int) -> list[tuple[str, int]]:
    """Log in, then create, illustrate and submit ITEMS_EACH image items; (step, status)."""
    s = requests.Session()
    statuses = []
    token = _token(s, base + "/login")
    resp = s.post(base + "/login", timeout=TIMEOUT,
                  data={"csrf_token": token, "username": username, "password": password})
    statuses.append(("login", resp.status_code))
    for i in range(ITEMS_EACH):
        token = _token(s, base + "/desk/items/new")
        resp = s.post(base + "/desk/items/new", timeout=TIMEOUT, data={
            "csrf_token": token, "kind": "image", "title": f"{username} 第{i}组图片",
            "summary": "", "body": "", "column_id": str(column), "event_place": ""})
        statuses.append(("new", resp.status_code))
        item_id = re.search(r"/desk/items/(\d+)/edit", resp.url)
        if item_id is None:
            continue
        item_id = item_id.group(1)
        token = CSRF.search(resp.text).group(1)
        resp = s.post(f"{base}/desk/items/{item_id}/media", timeout=TIMEOUT,
                      data={"csrf_token": token, "caption": "工作现场"},
                      files={"file": ("现场.png", io.BytesIO(png), "image/png")})
        statuses.append(("media", resp.status_code))
        resp = s.post(f"{base}/desk/items/{item_id}/act", timeout=TIMEOUT,
                      data={"csrf_token": token, "action": "submit_direct", "comment": ""})
        statuses.append(("act", resp.status_code))
    return statuses


def test_fifty_citizens_and_twenty_officers_at_once_lose_nothing(app, server, make_unit,
                                                                 make_user, center):
    officers = [make_user(Role.officer, unit=make_unit(skip_signoff=True))
                for _ in range(OFFICERS)]
    png = _png()
    column = db.session.scalar(db.select(Column.id).where(Column.slug == "news"))
    with ThreadPoolExecutor(max_workers=CITIZENS + OFFICERS) as pool:
        posted = [pool.submit(citizen, server, n) for n in range(CITIZENS)]
        submitted = [pool.submit(officer, server, o.username, PASSWORD, png, column)
                     for o in officers]
        receipts = [r for f in posted for r in f.result()]
        statuses = [s for f in submitted for s in f.result()] + [
            ("message", r[0]) for r in receipts]

    assert not [s for s in statuses if s[1] >= 500]
    assert all(s[1] in (200, 302) for s in statuses), sorted(set(statuses))
    numbers, codes = [r[1] for r in receipts], [r[2] for r in receipts]
    assert len(receipts) == CITIZENS * MESSAGES_EACH and all(numbers)
    assert len(set(numbers)) == len(numbers) and len(set(codes)) == len(codes)

    db.session.expire_all()
    stored = db.session.scalars(db.select(Message.number)).all()
    assert sorted(stored) == sorted(numbers)  # each exactly once
    items = db.session.scalars(db.select(Item)).all()
    assert len(items) == OFFICERS * ITEMS_EACH
    assert len({(i.unit_id, i.title) for i in items}) == len(items)
    assert all(i.status == ItemStatus.submitted for i in items)
    media = db.session.scalars(db.select(Media)).all()
    assert sorted(m.item_id for m in media) == sorted(i.id for i in items)
    root = Path(app.instance_path) / "media"
    assert all((root / m.path).is_file() for m in media)


def test_a_rate_limit_holds_across_the_workers(server):
    """Failed query-code look-ups: 10 per 15 minutes per address, whichever worker answers."""
    headers = {"X-Forwarded-For": "10.99.0.1", "Connection": "close"}
    statuses = []
    for _ in range(16):
        s = requests.Session()  # a new connection each time: the workers take turns
        token = _token(s, server + "/messages/query", headers=headers)
        statuses.append(s.post(server + "/messages/query", headers=headers, timeout=TIMEOUT,
                               data={"csrf_token": token, "number": "2026-999999",
                                     "code": "WRONGCODE"}).status_code)
    assert statuses.count(429) == 6 and 429 not in statuses[:10], statuses


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 110, 160)).save(buf, "PNG")
    return buf.getvalue()
