"""Who is told what: urgent items at sign-off (at once, at 60 and 90 minutes), returns,
declines, publications and corrections to the author, dual-report obligations to the
department (created, due tomorrow). E-mails name the item and link to it."""

from __future__ import annotations

from datetime import timedelta

from portal import clock
from portal.alerts.models import Alert
from portal.extensions import db
from portal.publishing import services as publishing
from portal.submissions import corrections, notifications, services
from portal.submissions.models import DualReport, ItemStatus

from .factories import make_item, move


def alerts_of(user) -> list[Alert]:
    return db.session.query(Alert).filter_by(user_id=user.id).order_by(Alert.id).all()


def test_an_urgent_item_at_signoff_alerts_the_leader_at_once_then_at_60_and_90_minutes(
        county, actors, outbox):
    item = make_item(county.officer, urgent=True,
                     event_at=clock.now() - timedelta(minutes=10))
    services.act(item, "submit", county.officer)
    db.session.commit()
    [first] = alerts_of(county.leader)
    assert first.kind == "urgent_signoff" and item.title in first.subject
    assert "还剩 109 分钟" in first.text or "还剩 110 分钟" in first.text
    [mail] = outbox()
    assert item.title in mail["Subject"] and f"/desk/items/{item.id}" in mail.get_content()

    now = clock.now()
    assert notifications.due(now + timedelta(minutes=30)) == ""
    assert notifications.due(now + timedelta(minutes=61)) == "alerts: 1"
    assert notifications.due(now + timedelta(minutes=62)) == ""  # once
    assert notifications.due(now + timedelta(minutes=95)) == "alerts: 1"
    db.session.commit()
    assert [a.text.split("。")[0] for a in alerts_of(county.leader)][1:] == [
        "已等待 60 分钟", "已等待 90 分钟"]
    assert alerts_of(county.officer) == []


def test_a_signed_off_urgent_item_is_not_reminded(county, actors):
    item = make_item(county.officer, urgent=True, event_at=clock.now())
    services.act(item, "submit", county.officer)
    services.act(item, "sign_off", county.leader)
    assert notifications.due(clock.now() + timedelta(minutes=95)) == ""


def test_the_author_hears_of_return_decline_publication_and_correction(county, actors,
                                                                       outbox):
    returned = move(make_item(county.officer, title="甲信息"), ItemStatus.submitted, actors)
    publishing.return_item(returned, county.reviewer, "请补充时间")
    declined = move(make_item(county.officer, title="乙信息"), ItemStatus.submitted, actors)
    publishing.decline_item(declined, county.reviewer, "内容重复")
    item = move(make_item(county.officer, title="丙信息"), ItemStatus.published, actors)
    publishing.edit_item(item, county.reviewer, title="丙信息", summary="", body="改正",
                         reason="错字")
    db.session.commit()
    got = [(a.kind, a.subject) for a in alerts_of(county.officer)]
    assert got == [("item_returned", "信息被中心退回修改：甲信息"),
                   ("item_declined", "信息中心不予采用：乙信息"),
                   ("item_published", "信息已发布：丙信息"),
                   ("item_corrected", "已发布的信息已更正：丙信息")]
    mailed = [m["Subject"] for m in outbox()]  # published/corrected: desk only by default
    assert len(mailed) == 2 and "甲信息" in mailed[0] and "乙信息" in mailed[1]
    assert "请补充时间" in outbox()[0].get_content()


def test_a_returned_correction_tells_its_author(county, actors):
    item = move(make_item(county.officer), ItemStatus.published, actors)
    c = corrections.propose(county.officer, item, title=item.title, summary="",
                            body="新正文", reason="更正")
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    publishing.return_correction(c, county.reviewer, "请写明更正内容")
    db.session.commit()
    last = alerts_of(county.officer)[-1]
    assert last.kind == "correction_back" and "请写明更正内容" in last.text
    assert last.url == f"/desk/corrections/{c.id}"


def test_the_department_hears_of_a_new_obligation_and_the_day_before_it_is_due(
        county, actors, outbox):
    item = move(make_item(county.officer, dual_department_id=county.dept.id),
                ItemStatus.submitted, actors)
    db.session.commit()
    for person in (county.dept_officer, county.dept_leader):
        assert [a.kind for a in alerts_of(person)] == ["dual_created"]
    dual = db.session.query(DualReport).one()
    day_before = clock.from_local(
        clock.local(dual.due_at).replace(tzinfo=None) - timedelta(days=1, hours=12))
    assert notifications.due(day_before - timedelta(days=1)) == ""
    assert notifications.due(day_before) == "alerts: 2"
    assert notifications.due(day_before + timedelta(hours=1)) == ""
    db.session.commit()
    assert [a.kind for a in alerts_of(county.dept_officer)] == ["dual_created", "dual_due"]
    assert item.title in alerts_of(county.dept_leader)[-1].subject
