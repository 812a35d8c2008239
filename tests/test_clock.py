"""Time: UTC storage, China-time months, working days with holidays and make-up days."""

import logging
from datetime import UTC, date, datetime

import pytest

from portal import clock
from portal.clock import CalendarDay, WorkCalendar, work_calendar
from portal.extensions import db


def test_month_bounds_are_china_time_in_utc(app):
    start, end = clock.month_bounds(2026, 10)
    assert start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert clock.month_bounds(2026, 12)[1] == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_half_past_eleven_on_the_31st_counts_for_that_month(app):
    late = clock.from_local(datetime(2026, 10, 31, 23, 30))
    assert late == datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
    assert clock.month_of(late) == (2026, 10)
    assert clock.month_of(clock.from_local(datetime(2026, 11, 1, 0, 0))) == (2026, 11)


def test_parse_month_refuses_bad_text(app):
    assert clock.parse_month("2026-10") == (2026, 10)
    for bad in ("2026-13", "2026/10", "十月", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            clock.parse_month(bad)


def test_previous_month_wraps_the_year(app):
    assert clock.previous_month(date(2027, 1, 5)) == (2026, 12)
    assert clock.previous_month(date(2026, 11, 27)) == (2026, 10)


def test_format_local_shows_china_time(app):
    assert clock.format_local(datetime(2026, 10, 31, 15, 30, tzinfo=UTC)) == "2026-10-31 23:30"
    assert clock.format_local(None) == ""


def test_naive_datetimes_are_refused_by_the_database(app, make_unit):
    unit = make_unit()
    unit.created_at = datetime(2026, 1, 1)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_national_day_2026_holiday_and_make_up_saturday():
    cal = WorkCalendar()
    assert not any(cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(date(2026, 10, 10))  # Saturday, make-up workday (调休)
    # 5 working days after 30 September: 8, 9, 10 (Sat), 12, 13 October.
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_deadline_is_end_of_the_nth_working_day_china_time(app):
    cal = WorkCalendar()
    accepted = clock.from_local(datetime(2026, 9, 30, 18, 0))
    assert cal.deadline(accepted, 5) == clock.from_local(datetime(2026, 10, 14, 0, 0))
    assert cal.working_days_between(accepted, clock.from_local(datetime(2026, 10, 9, 9, 0))) == 2


def test_unknown_year_falls_back_to_weekends_with_a_log_not_a_crash(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING):
        assert cal.is_workday(date(2027, 1, 4))       # a Monday
        assert not cal.is_workday(date(2027, 1, 9))   # a Saturday
    assert "2027" in caplog.text
    # Across the year boundary into January 2027.
    assert cal.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 4)


def test_configured_days_win_over_the_package_and_cover_unknown_years(app):
    db.session.add_all([
        CalendarDay(day=date(2027, 2, 8), is_workday=False, note="2027年春节"),
        CalendarDay(day=date(2027, 2, 6), is_workday=True, note="春节调休上班"),
    ])
    db.session.commit()
    cal = work_calendar()
    assert not cal.is_workday(date(2027, 2, 8))  # a Monday, configured holiday
    assert cal.is_workday(date(2027, 2, 6))      # a Saturday, configured workday
    assert cal.add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 9)


def test_cn_date_writes_dates_as_official_documents_do(app):
    assert clock.cn_date(date(2026, 12, 3)) == "2026年12月3日"
    assert clock.cn_date(date(2027, 1, 9)) == "2027年1月9日"
    # an instant is dated in China time: 2026-11-30 17:00 UTC is 1 December there
    assert clock.cn_date(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "2026年12月1日"
    assert clock.cn_date(None) == ""
