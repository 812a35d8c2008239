"""Time: UTC for storage, the portal's time zone for everything people see.

Every month bound, working-day deadline and displayed date is computed here and
only here. Working days come from the ``chinese-calendar`` package (statutory
holidays and make-up workdays, 调休) plus days the center configures itself,
which win over the package and cover the years it does not know yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from blinker import Namespace
from flask import current_app, g, has_app_context
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .audit.spec import Audited
from .extensions import db

log = logging.getLogger(__name__)
DEFAULT_TZ = "Asia/Shanghai"


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def local(dt: datetime) -> datetime:
    """``dt`` (aware) in the portal's time zone."""
    return dt.astimezone(zone())


def today() -> date:
    """Today's date in the portal's time zone."""
    return local(now()).date()


def start_of_day(d: date) -> datetime:
    """The UTC instant at which local day ``d`` begins."""
    return datetime.combine(d, time(0), tzinfo=zone()).astimezone(UTC)


def from_local(naive: datetime) -> datetime:
    """Interpret a naive datetime typed by a person as local time; return UTC."""
    return naive.replace(tzinfo=zone()).astimezone(UTC)


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first day of a month and the first day of the next: ``[first, next)``."""
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC ``[start, end)`` of a calendar month in the portal's time zone."""
    first, nxt = month_days(year, month)
    return start_of_day(first), start_of_day(nxt)


def month_of(dt: datetime) -> tuple[int, int]:
    """The (year, month) an instant belongs to, in local time."""
    loc = local(dt)
    return loc.year, loc.month


def previous_month(d: date | None = None) -> tuple[int, int]:
    d = d or today()
    return (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-10' -> (2026, 10); ValueError with a Chinese message otherwise."""
    try:
        y, m = (int(p) for p in text.strip().split("-"))
        date(y, m, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份格式应为 YYYY-MM：{text}") from None
    return y, m


def iso(dt: datetime | date | None) -> str:
    """A machine-readable time for ``<time datetime>``: whole seconds, with its offset (HTML
    allows at most three fraction digits; microseconds made every such page invalid)."""
    if dt is None:
        return ""
    if isinstance(dt, datetime):
        return dt.isoformat(timespec="seconds")
    return dt.isoformat()


def cn_date(value: datetime | date | None) -> str:
    """A date as official documents write it: 2026年12月3日 (no zero padding; an instant
    is taken in local time)."""
    if value is None:
        return ""
    d = local(value).date() if isinstance(value, datetime) else value
    return f"{d.year}年{d.month}月{d.day}日"


def format_local(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Jinja filter: an instant shown in local time ('' for None)."""
    return "" if dt is None else local(dt).strftime(fmt)


class CalendarDay(db.Model):
    """A day the center declares a holiday or a make-up workday (调休上班)."""

    __tablename__ = "calendar_day"
    __audit__ = Audited()

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'workday' if self.is_workday else 'holiday'}>"


class CalendarYear(db.Model):
    """A year whose official schedule (国务院办公厅 holiday notice) the center has entered."""

    __tablename__ = "calendar_year"
    __audit__ = Audited()

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    confirmed_at: Mapped[datetime] = mapped_column(default=lambda: now())
    note: Mapped[str] = mapped_column(String(200), default="")


# Sent when the center changes the calendar; receivers recompute the deadlines they own and
# return ``(what, how many moved)``.
calendar_changed = Namespace().signal("calendar-changed")


def package_years() -> range:
    """The years whose schedule the installed chinese-calendar package knows."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


@dataclass
class WorkCalendar:
    """Working days: configured days first, then chinese-calendar, then weekends."""

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    confirmed_years: set[int] = field(default_factory=set)

    def covered(self, year: int) -> bool:
        """Whether the year's holidays are known (the package's data or the center's entry)."""
        return year in package_years() or year in self.confirmed_years
    _unknown_years: set[int] = field(default_factory=set, repr=False)

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            # The package has no data for this year yet (it ships each year's
            # schedule after the State Council publishes it): weekends only,
            # plus whatever the center has configured above.
            if d.year not in self._unknown_years:
                self._unknown_years.add(d.year)
                log.warning("chinese-calendar has no data for %s; using weekends and "
                            "configured days only", d.year)
            return d.weekday() < 5

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        while n:
            d += timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def deadline(self, start: datetime, n: int) -> datetime:
        """End (exclusive, UTC) of the n-th working day after the local day of ``start``."""
        due_day = self.add_working_days(local(start).date(), n)
        return start_of_day(due_day + timedelta(days=1))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days from the local day of ``start`` (excluded) to that of ``end`` (included)."""
        a, b = local(start).date(), local(end).date()
        count = 0
        while a < b:
            a += timedelta(days=1)
            count += self.is_workday(a)
        return count


def work_calendar() -> WorkCalendar:
    """The working calendar with the center's configured days, cached per request."""
    if "work_calendar" not in g:
        days = db.session.scalars(db.select(CalendarDay)).all()
        g.work_calendar = WorkCalendar(
            holidays={c.day for c in days if not c.is_workday},
            workdays={c.day for c in days if c.is_workday},
            confirmed_years=set(db.session.scalars(db.select(CalendarYear.year))),
        )
    return g.work_calendar


def holidays_unconfirmed(dt: datetime | date | None) -> bool:
    """Jinja global: a deadline falling in a year whose holidays nobody has confirmed."""
    if dt is None:
        return False
    day = local(dt).date() if isinstance(dt, datetime) else dt
    return not work_calendar().covered(day.year)


def forget_calendar() -> None:
    """Drop the request's cached calendar (after the center changed it)."""
    g.pop("work_calendar", None)
