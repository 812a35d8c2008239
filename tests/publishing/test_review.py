"""The reviewer's queue and decisions: publish, schedule, return, decline, withdraw; races."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.search import service as search
from portal.submissions.models import Item, ItemEvent, ItemKind, ItemStatus
from tests.publishing.conftest import column


def events(item, action=None):
    query = select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id)
    if action:
        query = query.where(ItemEvent.action == action)
    return db.session.scalars(query).all()


def reload(item) -> Item:
    db.session.expire_all()
    return db.session.get(Item, item.id)


# ---- the queue -------------------------------------------------------------------------

def test_queue_shows_urgent_first_then_oldest(client, login, reviewer, make_item):
    old = make_item(title="较早报送的信息")
    new = make_item(title="较晚报送的信息")
    urgent = make_item(title="紧急：山洪灾害", urgent=True)
    old.submitted_at = clock.now() - timedelta(days=2)
    new.submitted_at = clock.now() - timedelta(hours=1)
    urgent.submitted_at = clock.now()
    db.session.commit()
    login(reviewer)
    html = client.get("/review/").get_data(as_text=True)
    positions = [html.index(t) for t in ("紧急：山洪灾害", "较早报送的信息", "较晚报送的信息")]
    assert positions == sorted(positions)
    assert "紧急" in html and "待审核（3）" in html


def test_queue_filters_by_unit_column_and_kind(client, login, reviewer, make_item, make_unit,
                                               make_user):
    other_unit = make_unit(UnitKind.township, name="桃源镇", skip_signoff=True)
    other = make_user(Role.officer, unit=other_unit)
    make_item(title="应急局文字信息")
    make_item(title="桃源镇图片信息", author=other, kind=ItemKind.image, column_slug="gallery")
    login(reviewer)

    def titles(**args):
        html = client.get("/review/", query_string=args).get_data(as_text=True)
        return {t for t in ("应急局文字信息", "桃源镇图片信息") if t in html}

    assert titles() == {"应急局文字信息", "桃源镇图片信息"}
    assert titles(unit=other_unit.id) == {"桃源镇图片信息"}
    assert titles(column=column("gallery").id) == {"桃源镇图片信息"}
    assert titles(kind="text") == {"应急局文字信息"}
    assert titles(kind="image", unit=other_unit.id, column=column("news").id) == set()


def test_queue_replaces_the_placeholder_desk_link(client, login, reviewer):
    login(reviewer)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/review/"' in html and 'href="/desk/review"' not in html


def test_queue_tabs_list_scheduled_and_published_items(client, login, reviewer, make_item):
    make_item("scheduled", title="定时的信息")
    make_item("published", title="已发布的信息")
    login(reviewer)
    assert "定时的信息" in client.get("/review/?tab=scheduled").get_data(as_text=True)
    assert "已发布的信息" in client.get("/review/?tab=published").get_data(as_text=True)
    assert "已发布的信息" not in client.get("/review/").get_data(as_text=True)
    assert client.get("/review/?tab=nope").status_code == 404


def test_review_page_previews_the_item_with_the_public_template(client, login, reviewer,
                                                                make_item):
    item = make_item(title="县政府召开安全生产工作会议", summary="会议摘要",
                     body="<p>会议要求<strong>压实责任</strong>。</p>")
    login(reviewer)
    html = client.get(f"/review/items/{item.id}").get_data(as_text=True)
    # The same article markup the public page renders.
    assert '<article class="article" aria-labelledby="article-title">' in html
    assert "<p>会议要求<strong>压实责任</strong>。</p>" in html
    assert "发布时间：发布后显示" in html
    assert client.post(f"/review/items/{item.id}/publish",
                       data={"title": item.title, "column_id": item.column_id}).status_code == 302
    public = client.get(f"/items/{item.id}").get_data(as_text=True)

    def article(page):
        # The article with its one difference, the publication date, cut out.
        text = page[page.index('<article class="article"'):page.index("</article>")]
        return re.sub(r"<span>发布时间：.*?</span>\s*", "", text, flags=re.S)

    assert article(public) == article(html)


def test_drafts_of_units_are_not_visible_to_the_center(client, login, reviewer, make_item):
    item = make_item("draft")
    login(reviewer)
    assert client.get(f"/review/items/{item.id}").status_code == 404


# ---- publishing ----------------------------------------------------------------------------

def test_publish_makes_the_item_public_and_records_who(client, login, reviewer, make_item):
    item = make_item(title="县政府召开安全生产工作会议")
    login(reviewer)
    assert client.get(f"/items/{item.id}").status_code == 404
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": item.title, "column_id": item.column_id})
    assert r.status_code == 302
    item = reload(item)
    assert item.status == ItemStatus.published and item.published_at is not None
    [event] = events(item, "publish")
    assert event.actor_id == reviewer.id and event.to_status == "published"
    assert client.get(f"/items/{item.id}").status_code == 200
    assert search.get_index().search("安全生产").total == 1


def test_publish_can_correct_the_title_and_move_the_column_both_recorded(
        client, login, reviewer, make_item):
    item = make_item(title="县政府召开安全生厂工作会议")
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": "县政府召开安全生产工作会议", "confirm_words": "y",
                          "column_id": column("documents").id})
    assert r.status_code == 302
    item = reload(item)
    assert item.title == "县政府召开安全生产工作会议" and item.column.slug == "documents"
    [retitle] = events(item, "retitle")
    assert "县政府召开安全生厂工作会议" in retitle.comment and retitle.actor_id == reviewer.id
    [move] = events(item, "move")
    assert "政务信息" in move.comment and "政府文件" in move.comment
    # The index has the corrected title and the new column.
    hit = search.get_index().search("安全生产").hits[0]
    assert hit.title == "县政府召开安全生产工作会议" and hit.column == "documents"


def test_publish_refuses_a_column_closed_to_submissions(client, login, reviewer, make_item):
    item = make_item()
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": item.title, "column_id": column("notices").id})
    assert r.status_code == 400
    assert reload(item).status == ItemStatus.submitted


def test_publish_with_an_empty_title_is_refused_and_changes_nothing(client, login, reviewer,
                                                                    make_item):
    item = make_item(title="原标题")
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish", data={"title": " ",
                                                              "column_id": item.column_id})
    assert r.status_code == 400 and "此项必填" in r.get_data(as_text=True)
    item = reload(item)
    assert item.status == ItemStatus.submitted and item.title == "原标题"


def test_publish_at_in_china_time_schedules_the_item(client, login, reviewer, make_item):
    item = make_item()
    login(reviewer)
    later = clock.local(clock.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    until = later + timedelta(days=7)
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": item.title, "column_id": item.column_id,
                          "publish_at": later.strftime("%Y-%m-%dT%H:%M"),
                          "unpublish_at": until.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302
    item = reload(item)
    assert item.status == ItemStatus.scheduled
    assert item.publish_at == later.astimezone(clock.now().tzinfo)
    assert item.unpublish_at == until.astimezone(clock.now().tzinfo)
    assert client.get(f"/items/{item.id}").status_code == 404
    assert search.get_index().doc_count() == 0


@pytest.mark.parametrize("publish_at, unpublish_at, message", [
    (timedelta(hours=-1), None, "定时发布的时间必须晚于现在"),
    (timedelta(hours=2), timedelta(hours=1), "下线时间必须晚于发布时间"),
    (None, timedelta(hours=-1), "下线时间必须晚于发布时间"),
])
def test_bad_publish_times_are_refused(client, login, reviewer, make_item, publish_at,
                                       unpublish_at, message):
    item = make_item()
    login(reviewer)
    now = clock.local(clock.now())
    data = {"title": item.title, "column_id": item.column_id}
    if publish_at is not None:
        data["publish_at"] = (now + publish_at).strftime("%Y-%m-%dT%H:%M")
    if unpublish_at is not None:
        data["unpublish_at"] = (now + unpublish_at).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/review/items/{item.id}/publish", data=data)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert reload(item).status == ItemStatus.submitted


def test_unparsable_time_is_refused_in_chinese(client, login, reviewer, make_item):
    item = make_item()
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish",
                    data={"title": item.title, "column_id": item.column_id,
                          "publish_at": "明天上午"})
    assert r.status_code == 400 and "不是有效的日期与时间值" in r.get_data(as_text=True)


def test_unschedule_puts_the_item_back_in_the_queue(client, login, reviewer, make_item):
    item = make_item("scheduled")
    login(reviewer)
    assert client.post(f"/review/items/{item.id}/unschedule").status_code == 302
    item = reload(item)
    assert item.status == ItemStatus.submitted and item.publish_at is None


# ---- return, decline, withdraw -------------------------------------------------------------

@pytest.mark.parametrize("action, field, state", [
    ("return", "return_reason", ItemStatus.returned),
    ("decline", "decline_reason", ItemStatus.declined),
])
def test_return_and_decline_need_a_reason_which_is_recorded(client, login, reviewer, make_item,
                                                            action, field, state):
    item = make_item()
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/{action}", data={field: "  "})
    assert r.status_code == 400 and "请填写理由" in r.get_data(as_text=True)
    assert reload(item).status == ItemStatus.submitted
    reason = "事实要素不全，请补充时间地点"
    r = client.post(f"/review/items/{item.id}/{action}", data={field: reason})
    assert r.status_code == 302
    item = reload(item)
    assert item.status == state
    assert events(item, action)[0].comment == reason


def test_withdraw_needs_a_reason_and_takes_the_item_off_the_site(client, login, reviewer,
                                                                 make_item):
    item = make_item("published", title="县政府召开安全生产工作会议")
    assert search.get_index().search("安全生产").total == 1
    login(reviewer)
    assert client.post(f"/review/items/{item.id}/withdraw",
                       data={"withdraw_reason": ""}).status_code == 400
    assert reload(item).status == ItemStatus.published
    r = client.post(f"/review/items/{item.id}/withdraw", data={"withdraw_reason": "数据有误"})
    assert r.status_code == 302
    item = reload(item)
    assert item.status == ItemStatus.withdrawn and item.withdrawn_at is not None
    assert events(item, "withdraw")[0].comment == "数据有误"
    assert client.get(f"/items/{item.id}").status_code == 404
    assert search.get_index().search("安全生产").total == 0


@pytest.mark.parametrize("state, action, data", [
    ("submitted", "publish", {"title": "标题", "column_id": "0"}),
    ("submitted", "return", {"return_reason": "理由"}),
    ("submitted", "decline", {"decline_reason": "理由"}),
    ("published", "withdraw", {"withdraw_reason": "理由"}),
    ("scheduled", "unschedule", {}),
])
def test_every_review_action_refuses_a_post_without_csrf_token(client, login, reviewer,
                                                               make_item, state, action, data):
    item = make_item(state)
    if action == "publish":
        data["column_id"] = str(item.column_id)
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/{action}", data=data, csrf=False)
    assert r.status_code == 400 and "页面已失效" in r.get_data(as_text=True)
    assert reload(item).status == ItemStatus(state)
    assert not [e for e in events(item) if e.actor_id == reviewer.id and e.action == action]


def test_officers_cannot_review(client, login, officer, make_item):
    item = make_item()
    login(officer)
    assert client.post(f"/review/items/{item.id}/publish",
                       data={"title": "x", "column_id": item.column_id}).status_code == 403
    assert reload(item).status == ItemStatus.submitted


# ---- two reviewers at once -----------------------------------------------------------------

def test_second_reviewer_is_told_who_already_handled_the_item(app, client, login, reviewer,
                                                              make_user, make_item):
    item = make_item()
    other = make_user(Role.reviewer, name="赵审核")
    second = login(other, app.test_client())
    login(reviewer)
    # Both opened the item while it was waiting.
    assert client.get(f"/review/items/{item.id}").status_code == 200
    assert second.get(f"/review/items/{item.id}").status_code == 200
    assert client.post(f"/review/items/{item.id}/publish",
                       data={"title": item.title, "column_id": item.column_id}).status_code == 302
    r = second.post(f"/review/items/{item.id}/return", data={"return_reason": "请修改"})
    assert r.status_code == 409
    assert "该事项已由李审核处理（当前状态：已发布）" in r.get_data(as_text=True)
    item = reload(item)
    assert item.status == ItemStatus.published
    assert [e.action for e in events(item)] == ["submit_direct", "publish"]


def test_two_reviewers_publishing_at_the_same_moment_publish_once(app, make_user, make_item,
                                                                  login):
    item = make_item(title="县政府召开安全生产工作会议")
    reviewers = [make_user(Role.reviewer, name=f"审核{i}") for i in range(2)]
    clients = [login(r, app.test_client()) for r in reviewers]
    item_id, column_id = item.id, item.column_id
    barrier = threading.Barrier(2)
    statuses = []

    def act(c, title):
        barrier.wait()
        r = c.post(f"/review/items/{item_id}/publish",
                   data={"title": title, "column_id": str(column_id)})
        statuses.append((r.status_code, r.get_data(as_text=True)))

    threads = [threading.Thread(target=act, args=(c, f"县政府召开安全生产工作会议（{i}）"))
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(code for code, _ in statuses)
    assert codes == [302, 409], statuses
    loser = next(body for code, body in statuses if code == 409)
    assert "该事项已由审核" in loser and "（当前状态：已发布）" in loser
    item = reload(item)
    assert len(events(item, "publish")) == 1
    assert len(events(item, "retitle")) == 1  # the loser's title change was rolled back
    assert search.get_index().search("安全生产").total == 1


# ---- due publishing ------------------------------------------------------------------------

def test_publish_due_publishes_scheduled_items_and_takes_expired_ones_offline(
        app, runner, make_item):
    due = make_item("scheduled", title="到时发布的信息")
    later = make_item("scheduled", title="尚未到时的信息")
    expiring = make_item("published", title="到期下线的信息")
    due.publish_at = clock.now() - timedelta(minutes=1)
    later.publish_at = clock.now() + timedelta(hours=1)
    expiring.unpublish_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["publish-due"])
    assert result.exit_code == 0, result.output
    assert "到时发布 1 条，到期下线 1 条" in result.output
    assert reload(due).status == ItemStatus.published
    assert reload(later).status == ItemStatus.scheduled
    expiring = reload(expiring)
    assert expiring.status == ItemStatus.withdrawn
    [event] = events(expiring, "unpublish_due")
    assert event.actor_id is None
    assert {h.title for h in search.get_index().search("信息").hits} == {"到时发布的信息"}
    again = runner.invoke(args=["publish-due"])
    assert "到时发布 0 条，到期下线 0 条" in again.output
    assert len(events(reload(due), "publish_due")) == 1


def test_two_publish_due_runs_at_once_publish_each_item_once(app, make_item):
    items = [make_item("scheduled") for _ in range(5)]
    for item in items:
        item.publish_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            from portal.publishing.services import run_due

            barrier.wait()
            results.append(run_due())
            db.session.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    published = sorted(i for r in results for i in r.published)
    assert published == sorted(i.id for i in items)
    db.session.expire_all()
    for item in items:
        assert len(events(item, "publish_due")) == 1


def test_scheduler_hook_runs_due_publishing(app, make_item):
    item = make_item("scheduled")
    item.publish_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    assert app.extensions["publish_due"](clock.now()) == "published 1, withdrawn 0"
    db.session.commit()
    assert reload(item).status == ItemStatus.published
    assert app.extensions["publish_due"](clock.now()) == ""


def test_an_empty_publish_post_publishes_nothing(client, login, reviewer, make_item):
    item = make_item()
    login(reviewer)
    r = client.post(f"/review/items/{item.id}/publish", data={})
    assert r.status_code == 400
    assert reload(item).status == ItemStatus.submitted
