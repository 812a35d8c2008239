"""The example county's messages, and the privacy promise checked against all of them:
no phone number, e-mail address or full name ever reaches a public response."""

import re
from collections import Counter

import pytest

from portal import clock
from portal.accounts.demo import seed_accounts
from portal.extensions import db
from portal.messages import services
from portal.messages.demo import COUNT, seed_messages
from portal.messages.models import Message, MessageStatus
from portal.messages.privacy import normalise_phone
from portal.messages.public import all_search_docs
from portal.search.service import get_index
from portal.site.demo import seed_columns


@pytest.fixture
def demo(app):
    seed_columns()
    seed_accounts()
    lines = seed_messages()
    db.session.commit()
    return lines


def test_the_example_county_has_messages_in_every_state_over_six_months(demo):
    messages = db.session.scalars(db.select(Message)).all()
    assert len(messages) == COUNT
    states = Counter(m.status for m in messages)
    assert set(states) == set(MessageStatus)
    now = clock.now()
    assert sum(m.is_overdue(now) for m in messages) >= 2
    assert sum(m.answered_late for m in messages) >= 2
    assert any(m.transfer_count for m in messages) and any(m.extension_days for m in messages)
    assert any(m.addressed_unit_id is None and m.unit_id for m in messages)  # dispatched
    months = {clock.month_of(m.created_at) for m in messages}
    assert len(months) >= 6
    assert {m.refusal_reason.value for m in messages if m.refusal_reason} >= {
        "advertising", "duplicate", "other_channel"}
    codes = {m.unit.code for m in messages if m.unit}
    assert any(c.startswith("T") for c in codes) and any(c.startswith("D") for c in codes)
    for m in messages:
        assert normalise_phone(m.phone) == m.phone       # valid in form
        assert [e.action for e in m.events][0] == "submit"
        assert all(a.at <= b.at for a, b in zip(m.events, m.events[1:], strict=False))
    assert any("查询码" in line for line in demo)


def test_the_example_messages_are_added_once(demo):
    assert seed_messages() == []
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == COUNT


def _secrets() -> list[str]:
    out = []
    for m in db.session.scalars(db.select(Message)):
        out += [m.phone, m.phone.replace("-", "")]
        if m.email:
            out.append(m.email)
        if len(m.name) >= 2:
            out.append(m.name)
    return out


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


def _public_pages(app, client) -> dict[str, str]:
    """Every page an anonymous visitor can reach without filling in a form."""
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            r = client.get(rule.rule)
            if not r.mimetype.startswith("image/"):  # the favicon
                pages[rule.rule] = r.get_data(as_text=True)
            r.close()
    for slug in ("messages", "news", "units", "notices"):
        page = 1
        while True:
            html = client.get(f"/column/{slug}?page={page}").get_data(as_text=True)
            pages[f"/column/{slug}?page={page}"] = html
            if f"page={page + 1}" not in html:
                break
            page += 1
    for m in db.session.scalars(db.select(Message)):
        pages[f"/messages/{m.number}"] = client.get(f"/messages/{m.number}").get_data(
            as_text=True)
    return pages


def test_no_example_citizens_phone_email_or_name_appears_in_any_public_response(
        app, client, demo):
    secrets = _secrets()
    assert len(secrets) > COUNT * 2
    published = db.session.scalars(db.select(Message).where(Message.public)).all()
    assert len(published) > 20
    pages = _public_pages(app, client)
    for url, html in pages.items():
        assert not _leaks(html, secrets), url
    # The board really shows them (masked), and some texts had a phone in them.
    board = "".join(html for url, html in pages.items() if url.startswith("/column/messages"))
    assert len(re.findall(r"<dt>留言人</dt><dd>[\u4e00-\u9fff]{1,2}\*+</dd>", board)) >= 20
    assert any(m.phone in m.body for m in db.session.scalars(db.select(Message)))

    # The query page of somebody else's message shows none of theirs.
    mine, code = services.submit(category="consult", unit=None, subject="我的留言",
                                 body="想了解一下本县的人才引进政策。", name="测试者",
                                 phone="13000000000")
    db.session.commit()
    html = client.post("/messages/query", data={"number": mine.number, "code": code}
                       ).get_data(as_text=True)
    assert "我的留言" in html and not _leaks(html, secrets)

    # Search: every document the index gets, and what a search returns.
    docs = list(all_search_docs())
    assert len(docs) == len([m for m in published if m.is_public])
    for doc in docs:
        assert not _leaks(" ".join(str(v) for v in doc.values()), secrets), doc["id"]
    get_index().rebuild(iter(docs), total=len(docs))
    for word in ("小区", "补贴", "留言", "答复", "您好"):
        for hit in get_index().search(word, pagelen=100).hits:
            text = " ".join([hit.title, hit.title_html, hit.snippet_html, hit.url])
            assert not _leaks(text, secrets), hit.id
