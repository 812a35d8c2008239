"""Deadlines in working days, China time: holidays, make-up days, unknown years,
per-category overrides, transfers and extensions."""

import logging
from datetime import date

import pytest

from portal.accounts.models import Role, UnitKind
from portal.clock import CalendarDay
from portal.extensions import db
from portal.messages import services
from portal.messages.models import MessageEvent
from tests.messages.helpers import accepted, local, write


@pytest.fixture
def people(make_unit, make_user):
    dept = make_unit(UnitKind.department, name="县住房和城乡建设局")
    other = make_unit(UnitKind.department, name="县水利局")
    return {"reviewer": make_user(Role.reviewer), "dept": dept, "other": other,
            "officer": make_user(Role.officer, unit=dept),
            "other_officer": make_user(Role.officer, unit=other)}


def test_accepted_before_national_day_is_due_after_the_holiday_counting_the_make_up_saturday(
        people):
    # Accepted Wed 30 Sep 2026, 18:00: 1–7 October are off, Sat 10 October is a
    # make-up workday. Five working days: 8, 9, 10, 12, 13 October.
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 9, 30, 18))
    assert message.due_day == date(2026, 10, 13)
    assert message.due_at == local(2026, 10, 14, 0, 0)
    assert not message.is_overdue(local(2026, 10, 13, 23, 59))
    assert message.is_overdue(local(2026, 10, 14, 0, 0))


def test_acceptance_late_at_night_china_time_counts_from_that_local_day(people):
    # 23:30 on Thu 24 Sep China time is 15:30 UTC, still the 24th locally: the
    # count starts with Fri 25 Sep, which is the Mid-Autumn holiday in 2026, so:
    # 28, 29, 30 Sep, 8, 9 Oct.
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 9, 24, 23, 30))
    assert (message.accepted_at.day, message.accepted_at.hour) == (24, 15)  # UTC
    assert message.due_day == date(2026, 10, 9)


def test_deadline_runs_into_january_2027_on_weekends_when_the_package_has_no_data(
        people, caplog):
    with caplog.at_level(logging.WARNING):
        message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 12, 28, 10))
    # 29, 30, 31 Dec, then 2027 (unknown to chinese-calendar): Fri 1 Jan and Mon 4 Jan.
    assert message.due_day == date(2027, 1, 4)
    assert "2027" in caplog.text


def test_deadline_into_2027_follows_the_days_the_center_configured(people):
    db.session.add_all([CalendarDay(day=date(2027, 1, 1), is_workday=False, note="元旦"),
                        CalendarDay(day=date(2027, 1, 9), is_workday=True, note="调休上班")])
    db.session.commit()
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 12, 28, 10))
    # 29, 30, 31 Dec, (1 Jan off), 4, 5 Jan.
    assert message.due_day == date(2027, 1, 5)
    late, _ = accepted(people["reviewer"], people["dept"], at=local(2027, 1, 6, 10))
    # 7, 8, Sat 9 (make-up), 11, 12 January.
    assert late.due_day == date(2027, 1, 12)


def test_categories_may_have_their_own_number_of_working_days(app, people):
    app.config["MESSAGE_REPLY_WORKING_DAYS_BY_CATEGORY"] = {"help": 2}
    app.config["MESSAGE_REPLY_WORKING_DAYS"] = 7
    at = local(2026, 11, 2, 9)  # a Monday
    help_, _ = accepted(people["reviewer"], people["dept"], at=at, category="help")
    consult, _ = accepted(people["reviewer"], people["dept"], at=at, category="consult")
    assert help_.due_day == date(2026, 11, 4)
    assert consult.due_day == date(2026, 11, 11)


def test_transfer_restarts_the_period_for_the_receiving_unit(people):
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 9, 28, 9))
    assert message.due_day == date(2026, 10, 10)  # 29, 30 Sep, 8, 9, Sat 10 Oct
    services.transfer(people["reviewer"], message, people["other"], "属水利局职责",
                      at=local(2026, 10, 9, 15))
    db.session.commit()
    # Five working days from Fri 9 Oct: Sat 10 (make-up), 12, 13, 14, 15 October.
    assert message.unit_id == people["other"].id and message.transfer_count == 1
    assert message.due_day == date(2026, 10, 15)
    # The acceptance date the public sees stays.
    assert message.accepted_at == local(2026, 9, 28, 9)
    # Nobody else is bound by the old deadline any more: the first unit lost the message.
    assert not services.count_overdue(people["dept"].id, at=local(2026, 10, 14))
    event = db.session.scalars(db.select(MessageEvent).where(
        MessageEvent.message_id == message.id, MessageEvent.action == "transfer")).one()
    assert "县住房和城乡建设局转至县水利局" in event.comment and "2026-10-15" in event.comment


def test_transfer_never_brings_an_extended_deadline_forward(people):
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 11, 2, 9))
    assert message.due_day == date(2026, 11, 9)
    services.extend(people["reviewer"], message, 10, "需多部门会商", at=local(2026, 11, 3, 9))
    assert message.due_day == date(2026, 11, 23)
    services.transfer(people["reviewer"], message, people["other"], "属水利局职责",
                      at=local(2026, 11, 4, 9))
    db.session.commit()
    # A fresh period would end on 11 November; the extension (23 November) is kept.
    assert message.due_day == date(2026, 11, 23)


def test_extension_adds_working_days_to_the_current_due_date_across_the_holiday(people):
    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 9, 21, 9))
    # 22, 23, 24, (25 Mid-Autumn off), 28, 29 September.
    assert message.due_day == date(2026, 9, 29)
    services.extend(people["reviewer"], message, 4, "需现场核实", at=local(2026, 9, 29, 9))
    db.session.commit()
    # Four more working days after 29 Sep: 30 Sep, (1–7 Oct off), 8, 9, Sat 10 October.
    assert message.due_day == date(2026, 10, 10)
    assert message.extension_days == 4 and message.extension_reason == "需现场核实"
    event = message.events[-1]
    assert event.action == "extend" and "延长 4 个工作日" in event.comment
    assert "2026-10-10" in event.comment and "需现场核实" in event.comment


@pytest.mark.parametrize("days", [0, -1, 16])
def test_extension_outside_the_allowed_range_is_refused(people, days):
    from portal.errors import DomainError

    message, _ = accepted(people["reviewer"], people["dept"], at=local(2026, 11, 2, 9))
    due = message.due_at
    with pytest.raises(DomainError, match="1 到 15"):
        services.extend(people["reviewer"], message, days, "理由")
    db.session.rollback()
    assert db.session.get(type(message), message.id).due_at == due


def test_a_message_waiting_for_the_center_has_no_deadline_yet(people):
    message, _ = write(people["dept"])
    assert message.due_at is None and not message.is_overdue()
