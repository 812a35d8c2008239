"""The working calendar the center keeps (issue 10): which years are covered, a year's
schedule pasted in with a month-grid preview, deadlines marked 节假日未确认 in uncovered
years, and every open deadline recomputed when the calendar changes."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import Role, UnitKind
from portal.clock import CalendarDay, CalendarYear
from portal.extensions import db
from portal.messages.models import Message
from tests.messages.helpers import accepted, local

SCHEDULE_2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知（示例）
2027-01-01 休 元旦
2027-02-05~2027-02-11 休 春节
2027-02-14 班 春节调休
"""


@pytest.fixture
def county(make_unit, make_user, center):
    dept = make_unit(UnitKind.department, name="县教育局")
    return {"dept": dept, "reviewer": make_user(Role.reviewer), "admin": make_user(Role.admin),
            "officer": make_user(Role.officer, unit=dept)}


def test_a_message_accepted_on_christmas_without_and_with_next_years_schedule(
        client, login, county, today):
    today("2026-12-25 10:00")
    message, _ = accepted(county["reviewer"], county["dept"], at=local(2026, 12, 25, 10))
    assert message.due_day == date(2027, 1, 1)  # weekdays only: a holiday nobody knew
    login(county["officer"])
    assert "节假日未确认" in client.get(f"/desk/messages/{message.id}").get_data(as_text=True)

    admin = login(county["admin"])
    page = admin.post("/admin/calendar/year", data={"year": "2027", "schedule": SCHEDULE_2027,
                                                    "action": "preview"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2027 年预览" in html
    assert '<td class="holiday" title="元旦">1' in html and '<td class="workday"' in html
    assert db.session.get(CalendarYear, 2027) is None  # a preview saves nothing
    resp = admin.post("/admin/calendar/year", data={"year": "2027", "schedule": SCHEDULE_2027,
                                                    "action": "save"}, follow_redirects=True)
    assert "已重新计算期限：1 条市民留言" in resp.get_data(as_text=True)
    db.session.refresh(message)
    assert message.due_day == date(2027, 1, 4)
    assert "工作日历调整，答复期限由 2027-01-01 改为 2027-01-04" in message.events[-1].comment
    assert db.session.get(CalendarDay, date(2027, 2, 14)).is_workday
    login(county["officer"], client)
    from flask import g
    g.pop("_login_user", None)
    assert "节假日未确认" not in client.get(f"/desk/messages/{message.id}").get_data(as_text=True)


def test_a_holiday_added_moves_every_open_deadline_it_touches(client, login, county, today):
    today("2026-11-02 09:00")
    moving = [accepted(county["reviewer"], county["dept"], at=local(2026, 11, d, 10))[0]
              for d in (2, 3, 4)]
    done = accepted(county["reviewer"], county["dept"], at=local(2026, 11, 2, 10))[0]
    from portal.messages import services
    services.reply(county["officer"], done, "您好！问题已经处理完毕，感谢您的反映。")
    db.session.commit()
    before = [m.due_day for m in moving]
    login(county["admin"])
    resp = client.post("/admin/calendar", data={"day": "2026-11-06", "is_workday": "0",
                                                "note": "本县特殊安排"}, follow_redirects=True)
    assert "已重新计算期限：3 条市民留言" in resp.get_data(as_text=True)
    for m, old in zip(moving, before, strict=True):
        db.session.refresh(m)
        assert m.due_day > old and m.events[-1].action == "recompute_due"
    # Removing the day moves them back, again recorded.
    resp = client.post("/admin/calendar/2026-11-06/delete", follow_redirects=True)
    assert "3 条市民留言" in resp.get_data(as_text=True)
    assert [db.session.get(Message, m.id).due_day for m in moving] == before


def test_dual_report_deadlines_move_with_the_calendar(client, login, county, make_unit,
                                                      make_user, today):
    from portal.submissions.models import DualReport, DualStatus

    today("2026-11-02 09:00")
    from tests.submissions.factories import make_item, move
    town = make_unit(UnitKind.township)
    officer = make_user(Role.officer, unit=town)
    item = make_item(officer, dual_department_id=county["dept"].id)
    move(item, "submitted", {"officer": officer, "leader": make_user(Role.leader, unit=town),
                             "reviewer": county["reviewer"]})
    dual = db.session.scalar(db.select(DualReport))
    assert dual.status == DualStatus.pending
    old = dual.due_day
    login(county["admin"])
    resp = client.post("/admin/calendar", data={"day": old.isoformat(), "is_workday": "0"},
                       follow_redirects=True)
    assert "1 项条块双报" in resp.get_data(as_text=True)
    db.session.refresh(dual)
    assert dual.due_day > old
    assert any(e.action == "dual_due" for e in item.events)


def test_the_page_states_the_coverage_and_warns_from_october(client, login, county, today):
    today("2026-10-02 09:00")
    login(county["admin"])
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert "软件内置" in html and "2027年的法定节假日和调休安排尚未录入" in html
    reviewer = login(county["reviewer"])
    from flask import g
    g.pop("_login_user", None)
    assert "2027年的法定节假日" in reviewer.get("/desk/messages").get_data(as_text=True)
    today("2026-09-30 09:00")
    assert "2027年的法定节假日" not in reviewer.get("/desk/messages").get_data(as_text=True)


@pytest.mark.parametrize("schedule, message", [
    ("2027-01-01 休 元旦\n2027-13-01 休 错", "日期有误"),
    ("2026-12-31 休 跨年", "不在 2027 年内"),
    ("明年元旦放三天", "无法识别"),
    ("2027-02-14 班 调休", "没有读到 2027 年的任何节假日"),
])
def test_a_bad_schedule_is_refused_and_nothing_is_saved(client, login, county, schedule,
                                                        message):
    login(county["admin"])
    resp = client.post("/admin/calendar/year", data={"year": "2027", "schedule": schedule,
                                                     "action": "save"})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.get(CalendarYear, 2027) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarDay)) == 0


@pytest.mark.parametrize("role", [Role.officer, Role.reviewer])
def test_only_the_admin_enters_a_years_schedule(client, login, county, make_user, role):
    login(make_user(role) if role == Role.reviewer else county["officer"])
    resp = client.post("/admin/calendar/year", data={"year": "2027", "schedule": SCHEDULE_2027,
                                                     "action": "save"})
    assert resp.status_code == 403 and db.session.get(CalendarYear, 2027) is None
