"""The word check list (错敏词): admin pages, highlights on the review page, confirmation."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.publishing.models import TermKind, WordTerm
from portal.submissions.models import Item, ItemEvent, ItemStatus


def add(term, kind=TermKind.typo, suggestion=""):
    entry = WordTerm(term=term, kind=kind, suggestion=suggestion)
    db.session.add(entry)
    db.session.commit()
    return entry


def test_admin_adds_edits_and_deletes_terms(client, login, make_user):
    admin = make_user(Role.admin)
    login(admin)
    assert 'href="/admin/words"' in client.get("/admin/").get_data(as_text=True)
    r = client.post("/admin/words", data={"term": "人名政府", "kind": "typo",
                                          "suggestion": "人民政府"})
    assert r.status_code == 302
    entry = db.session.scalar(select(WordTerm))
    assert (entry.term, entry.kind, entry.suggestion, entry.updated_by_id) == \
        ("人名政府", TermKind.typo, "人民政府", admin.id)
    assert "人名政府" in client.get("/admin/words").get_data(as_text=True)
    r = client.post(f"/admin/words/{entry.id}/edit", data={"term": "人名政府", "kind": "sensitive",
                                                           "suggestion": "人民政府"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(WordTerm, entry.id).kind == TermKind.sensitive
    assert client.post(f"/admin/words/{entry.id}/delete").status_code == 302
    assert db.session.scalar(select(WordTerm)) is None


def test_duplicate_or_empty_terms_are_refused(client, login, make_user):
    add("人名政府")
    login(make_user(Role.admin))
    r = client.post("/admin/words", data={"term": "人名政府", "kind": "typo"})
    assert r.status_code == 400 and "已在列表中" in r.get_data(as_text=True)
    r = client.post("/admin/words", data={"term": "", "kind": "typo"})
    assert r.status_code == 400 and "此项必填" in r.get_data(as_text=True)
    r = client.post("/admin/words", data={"term": "甲", "kind": "other"})
    assert r.status_code == 400 and "不是有效的选择" in r.get_data(as_text=True)
    r = client.post("/admin/words", data={"term": "甲乙", "kind": "typo", "suggestion": "甲乙"})
    assert r.status_code == 400 and "不能与词语本身相同" in r.get_data(as_text=True)
    assert db.session.query(WordTerm).count() == 1


def test_reviewers_cannot_manage_terms(client, login, reviewer):
    login(reviewer)
    assert client.get("/admin/words").status_code == 403
    assert client.post("/admin/words", data={"term": "x", "kind": "typo"}).status_code == 403


def test_matches_are_highlighted_on_the_review_page(client, login, reviewer, make_item):
    add("人名政府", suggestion="人民政府")
    add("台湾总统", TermKind.sensitive, "台湾地区领导人")
    item = make_item(title="县人名政府召开会议",
                     body='<p>县<a href="https://example.gov.cn/a">人名政府</a>部署工作。</p>'
                          "<p>提及台湾总统的说法。</p>")
    login(reviewer)
    html = client.get(f"/review/items/{item.id}").get_data(as_text=True)
    assert "发现 2 个错敏词" in html
    assert '<mark class="word-hit" title="易错词，建议改为「人民政府」">人名政府</mark>' in html
    # Inside a link the markup is kept and only the text is marked.
    assert ('<a href="https://example.gov.cn/a" rel="noopener noreferrer">' in html
            or '<a href="https://example.gov.cn/a">' in html)
    assert '>人名政府</mark></a>' in html
    assert ('<mark class="word-hit" title="敏感词，建议改为「台湾地区领导人」">台湾总统</mark>'
            in html)
    assert "标题、正文" in html


def test_publishing_with_matches_needs_confirmation_which_is_recorded(client, login, reviewer,
                                                                      make_item):
    add("人名政府", suggestion="人民政府")
    item = make_item(title="县人名政府召开会议")
    login(reviewer)
    data = {"title": item.title, "column_id": item.column_id}
    r = client.post(f"/review/items/{item.id}/publish", data=data)
    assert r.status_code == 400 and "请逐一核对后勾选确认" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Item, item.id).status == ItemStatus.submitted
    r = client.post(f"/review/items/{item.id}/publish", data={**data, "confirm_words": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Item, item.id).status == ItemStatus.published
    [event] = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id,
                                                         ItemEvent.action == "word_check")).all()
    assert event.actor_id == reviewer.id and "人名政府（易错词，建议：人民政府）" in event.comment


def test_correcting_the_title_clears_the_match(client, login, reviewer, make_item):
    add("人名政府", suggestion="人民政府")
    item = make_item(title="县人名政府召开会议")
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": "县人民政府召开会议", "column_id": item.column_id})
    assert r.status_code == 302
    assert not db.session.scalars(select(ItemEvent).where(ItemEvent.action == "word_check")).all()


def test_captions_are_checked_too(client, login, reviewer, make_item):
    add("北朝鲜", TermKind.sensitive, "朝鲜")
    item = make_item(media=[{"caption": "北朝鲜代表团参观"}])
    login(reviewer)
    html = client.get(f"/review/items/{item.id}").get_data(as_text=True)
    assert "附件1说明" in html and "发现 1 个错敏词" in html
