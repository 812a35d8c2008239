"""The working calendar the center keeps: which years are covered, a year's official
schedule pasted in at once, and the deadlines that move with it.

A year is covered when the installed chinese-calendar package knows it, or when the center
has entered that year's schedule (国务院办公厅关于某年部分节假日安排的通知) here. Deadlines in
an uncovered year are shown to staff as 节假日未确认; from 1 October the center is warned
while next year is not covered.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from .. import clock
from ..clock import CalendarDay, CalendarYear
from ..errors import DomainError
from ..extensions import db

WARN_FROM_MONTH = 10
_LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|至|—|-{2}|到)\s*(\d{4}-\d{1,2}-\d{1,2}))?"
                   r"\s+(休|放假|假|班|上班|off|work)\s*(.*)$")
_KIND = {"休": False, "放假": False, "假": False, "off": False, "班": True, "上班": True,
         "work": True}


@dataclass(frozen=True)
class Entry:
    day: date
    is_workday: bool
    note: str


def coverage() -> dict:
    """What the calendar page states: the package's years and the center's."""
    years = clock.package_years()
    confirmed = {y.year: y for y in db.session.scalars(db.select(CalendarYear)
                                                       .order_by(CalendarYear.year))}
    return {"package": (years.start, years.stop - 1), "confirmed": confirmed}


def next_year_warning(today: date | None = None) -> str | None:
    """From 1 October: next year's holidays are not known yet (None when they are)."""
    today = today or clock.today()
    if today.month < WARN_FROM_MONTH:
        return None
    nxt = today.year + 1
    if clock.work_calendar().covered(nxt):
        return None
    return (f"{nxt}年的法定节假日和调休安排尚未录入：跨入{nxt}年的留言和双报期限按周末推算，"
            f"可能落在节假日上。国务院办公厅公布安排后，请在“工作日历”中录入全年安排。")


def parse_schedule(year: int, text: str) -> list[Entry]:
    """Lines like ``2027-01-01 休 元旦``, ``2027-02-10~2027-02-16 休 春节``, ``2027-02-07 班``."""
    entries: dict[date, Entry] = {}
    errors = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            errors.append(f"第 {number} 行无法识别：{line[:40]}")
            continue
        try:
            first = date.fromisoformat(_pad(m.group(1)))
            last = date.fromisoformat(_pad(m.group(2))) if m.group(2) else first
        except ValueError:
            errors.append(f"第 {number} 行日期有误：{line[:40]}")
            continue
        if first.year != year or last.year != year or last < first or (last - first).days > 31:
            errors.append(f"第 {number} 行的日期不在 {year} 年内，或区间有误：{line[:40]}")
            continue
        note = m.group(4).strip()[:100]
        day = first
        while day <= last:
            entries[day] = Entry(day, _KIND[m.group(3)], note)
            day += timedelta(days=1)
    if errors:
        raise DomainError("；".join(errors[:5]))
    if not any(not e.is_workday for e in entries.values()):
        raise DomainError(f"没有读到 {year} 年的任何节假日，请粘贴国务院办公厅通知中的放假安排。")
    return sorted(entries.values(), key=lambda e: e.day)


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def month_grid(year: int, entries: list[Entry]) -> list[dict]:
    """Twelve months of weeks (Monday first) with each day's kind, for the preview."""
    marked = {e.day: e for e in entries}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                entry = marked.get(day)
                kind = ("workday" if entry.is_workday else "holiday") if entry else (
                    "weekend" if day.weekday() >= 5 else "normal")
                row.append({"day": day.day, "kind": kind, "note": entry.note if entry else ""})
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


def save_schedule(year: int, entries: list[Entry], note: str = "") -> int:
    """Store the year's schedule and mark the year confirmed; returns how many days."""
    for entry in entries:
        row = db.session.get(CalendarDay, entry.day) or CalendarDay(day=entry.day)
        row.is_workday, row.note = entry.is_workday, entry.note
        db.session.add(row)
    confirmed = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    confirmed.confirmed_at, confirmed.note = clock.now(), note[:200]
    db.session.add(confirmed)
    db.session.flush()
    return len(entries)


def recompute(actor) -> list[tuple[str, int]]:
    """Tell every package the calendar changed; what moved, as (what, count)."""
    clock.forget_calendar()
    results = clock.calendar_changed.send(current_app._get_current_object(), actor=actor)
    return [value for _, value in results if value]


def moved_text(moved: list[tuple[str, int]]) -> str:
    total = sum(n for _, n in moved)
    if not total:
        return "没有需要调整的期限。"
    return "已重新计算期限：" + "，".join(f"{n} {what}" for what, n in moved if n) + "。"
