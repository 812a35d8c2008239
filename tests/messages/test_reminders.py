"""People know what is due (issue 10): the desk lists messages due within 2 working days,
the unit gets an e-mail one working day before the deadline and on the day it is overdue,
the center a daily list of every overdue message."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, UnitKind
from portal.monitor import scheduler
from tests.messages.helpers import accepted, local


@pytest.fixture
def county(make_unit, make_user, center):
    dept = make_unit(UnitKind.department, name="县教育局", email="jyj@example.gov.cn")
    return {"dept": dept, "reviewer": make_user(Role.reviewer, email="zx@example.gov.cn"),
            "officer": make_user(Role.officer, unit=dept)}


def test_the_desk_lists_what_is_due_within_two_working_days(client, login, county, today):
    today("2026-11-09 09:00")  # Monday
    soon, _ = accepted(county["reviewer"], county["dept"], at=local(2026, 11, 3, 10))  # due 10th
    later, _ = accepted(county["reviewer"], county["dept"], at=local(2026, 11, 9, 8))
    login(county["officer"])
    html = client.get("/desk/messages/inbox").get_data(as_text=True)
    assert "1 条市民留言将在 2 个工作日内到期" in html and soon.number in html
    assert later.number not in html.split("将在 2 个工作日内到期")[1].split("</p>")[0]


def test_units_and_the_center_are_mailed_before_and_on_the_deadline(county, outbox, today):
    today("2026-11-09 10:00")  # Monday
    tomorrow, _ = accepted(county["reviewer"], county["dept"], at=local(2026, 11, 3, 10))
    lapsed, _ = accepted(county["reviewer"], county["dept"], at=local(2026, 11, 1, 10))
    done = scheduler.tick(local(2026, 11, 9, 10))
    assert any(line.startswith("message deadlines: reminded 1 units") for line in done)
    mails = {m["To"]: m for m in outbox() if "提醒" in m["Subject"] or "超期" in m["Subject"]}
    unit_mail = mails["jyj@example.gov.cn"].get_content()
    assert tomorrow.number in unit_mail and "明天" in unit_mail
    assert lapsed.number in unit_mail and "已超过答复期限" in unit_mail
    center_mail = mails["zx@example.gov.cn"]
    assert "超期未答复的市民留言：1 条" in center_mail["Subject"]
    assert lapsed.number in center_mail.get_content()
    # Once a day, however often the scheduler ticks.
    count = len(outbox())
    scheduler.tick(local(2026, 11, 9, 11))
    assert len(outbox()) == count
    # Not on a weekend (Monday's mail covers what turned overdue since Friday).
    assert not any("reminded" in line for line in scheduler.tick(local(2026, 11, 14, 10)))
