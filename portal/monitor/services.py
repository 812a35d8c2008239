"""The monitor's rules: quotas, the monthly run and its notice, reminders.

``run_month`` freezes a month's figures into a new revision and prepares the month's
notice (工作通报) as a draft for the center to edit, sign off and publish (see
``notices``). Concurrent runs of the same
month are serialised on the month's row; a run that waited for another one
returns that run instead of writing a second identical revision.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import clock, mail
from ..accounts.models import Unit
from ..accounts.services import unit_people_addresses
from ..errors import DomainError
from ..extensions import db
from ..submissions.models import Item
from . import classes, health, notices, scoring
from . import figures as figs
from .models import (
    BASIS_LABELS,
    DEFAULT_POINTS,
    DEFAULT_REMINDERS,
    MonitorMonth,
    MonitorRules,
    MonthlyRun,
    QuotaRule,
    Reminder,
    UnitFigures,
)

POINT_LABELS = {
    "published": "每发布一条信息",
    "urgent_on_time": "每条紧急信息按时报送",
    "urgent_late": "每条紧急信息迟报",
    "dual_unmet": "每项条块双报未按期落实",
    "message_overdue": "每条市民留言逾期答复",
}


# ---- rules ----------------------------------------------------------------------

def current_rules() -> MonitorRules:
    """The rules in force (the defaults until the center changes them)."""
    rules = db.session.scalar(select(MonitorRules).order_by(MonitorRules.id.desc()).limit(1))
    return rules or MonitorRules(quota=current_app.config["MONTHLY_QUOTA"], basis="submitted",
                                 reminders=[list(r) for r in DEFAULT_REMINDERS],
                                 points=dict(DEFAULT_POINTS))


def update_rules(actor, *, quota: int, reminders: list[tuple[int, int]], points: dict,
                 note: str = "", basis: str = "submitted") -> MonitorRules:
    """Record new rules (the old ones stay in the history)."""
    if basis not in BASIS_LABELS:
        raise DomainError("计数口径无效。")
    if not 0 <= quota <= 100:
        raise DomainError("每月报送数量应在 0 到 100 之间。")
    days = [d for d, _ in reminders]
    if any(not 1 <= d <= 28 for d in days) or days != sorted(set(days)):
        raise DomainError("提醒日期应为 1 到 28 之间、从小到大且不重复的日子。")
    if any(not 0 <= n <= 100 for _, n in reminders):
        raise DomainError("提醒的条数应在 0 到 100 之间。")
    if set(points) != set(DEFAULT_POINTS) or any(not -100 <= v <= 100 for v in points.values()):
        raise DomainError("计分规则不完整，或分值超出 -100 到 100。")
    rules = MonitorRules(quota=quota, basis=basis, reminders=[[d, n] for d, n in reminders],
                         points={k: int(v) for k, v in points.items()},
                         created_by_id=actor.id if actor else None, note=(note or "")[:200])
    db.session.add(rules)
    db.session.flush()
    return rules


def add_quota_rule(actor, unit: Unit, *, exempt: bool, quota: int | None, valid_from: date,
                   valid_to: date | None, reason: str) -> QuotaRule:
    """Give a unit its own monthly quota, or exempt it, for a span of months."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写调整或免考核的理由。")
    if len(reason) > 200:
        raise DomainError("理由不能超过 200 个字符。")
    if not exempt and (quota is None or not 0 <= quota <= 100):
        raise DomainError("单独设定的报送数量应在 0 到 100 之间。")
    valid_from = valid_from.replace(day=1)
    valid_to = valid_to.replace(day=1) if valid_to else None
    if valid_to is not None and valid_to < valid_from:
        raise DomainError("结束月份不能早于开始月份。")
    if not unit.counted:
        raise DomainError(f"「{unit.name}」不计入考核，无需设置。")
    rule = QuotaRule(unit=unit, exempt=exempt, quota=None if exempt else quota,
                     valid_from=valid_from, valid_to=valid_to, reason=reason,
                     created_by_id=actor.id if actor else None)
    db.session.add(rule)
    db.session.flush()
    return rule


def class_quota(unit_ids: list[int], default: int) -> dict[int, int]:
    """Each unit's monthly quota by its class (the rules' quota when the class sets none)."""
    found = classes.classes_of(unit_ids)
    return {u: found[u].monthly_quota if u in found and found[u].monthly_quota is not None
            else default for u in unit_ids}


def effective_quota(unit: Unit, year: int, month: int) -> int:
    """A unit's quota for a month: its own rule if one applies (0 when exempt), else its
    class's, else the rules'."""
    rule = figs.quota_rules([unit.id], year, month).get(unit.id)
    if rule is None:
        return class_quota([unit.id], current_rules().quota)[unit.id]
    return 0 if rule.exempt else rule.quota


def revoke_quota_rule(actor, rule: QuotaRule) -> None:
    if rule.revoked_at is not None:
        raise DomainError("该设置已撤销。")
    rule.revoked_at = clock.now()
    rule.revoked_by_id = actor.id if actor else None
    db.session.flush()


# ---- the monthly run ---------------------------------------------------------------

def _check_month(year: int, month: int) -> None:
    today = clock.today()
    if (year, month) >= (today.year, today.month):
        raise DomainError(f"{year}年{month}月尚未结束，不能生成通报。")
    if year < 2000:
        raise DomainError("月份无效。")
    first = installed_on()
    if first is not None and (year, month) < (first.year, first.month):
        raise DomainError(f"{year}年{month}月早于本网站开始记录报送的时间"
                          f"（{first.year}年{first.month}月），没有可统计的数据。")


def installed_on() -> date | None:
    """When the portal began to record reporting: the earliest item that reached the
    center, or, when every unit carries the date it joined, the earliest of those. A unit
    without one has always been there and does not bound it. None while nothing says
    (an empty county can still close its months)."""
    always = db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.counted, Unit.joined_on.is_(None)))
    joined = None if always else db.session.scalar(select(func.min(Unit.joined_on)))
    submitted = db.session.scalar(select(func.min(Item.first_submitted_at)))
    found = [d for d in (joined, submitted and clock.local(submitted).date()) if d is not None]
    return min(found) if found else None


def _month_row(year: int, month: int) -> MonitorMonth:
    row = db.session.scalar(select(MonitorMonth).where(MonitorMonth.year == year,
                                                       MonitorMonth.month == month))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = MonitorMonth(year=year, month=month)
            db.session.add(row)
    except IntegrityError:  # another run created it meanwhile
        row = db.session.scalar(select(MonitorMonth).where(MonitorMonth.year == year,
                                                           MonitorMonth.month == month))
    return row


def run_month(year: int, month: int, actor=None, note: str = "", *,
              retries: int = 20) -> MonthlyRun:
    """Freeze the month's figures in a new revision and post or revise its notice.

    Commits (it is a whole job, like a command). Safe to call from two processes at
    once: the second waits for the first and returns the first's revision.
    """
    _check_month(year, month)
    requested_at = clock.now()
    for attempt in range(retries):
        try:
            run = _run_locked(year, month, actor, note, requested_at)
            db.session.commit()
            return run
        except OperationalError as e:  # SQLite: "database is locked" while the other run writes
            db.session.rollback()
            if "locked" not in str(e).lower() or attempt == retries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _run_locked(year, month, actor, note, requested_at) -> MonthlyRun:
    row = _month_row(year, month)
    db.session.flush()
    # Take the month's row lock: a concurrent run of the same month waits here.
    db.session.execute(update(MonitorMonth).where(MonitorMonth.id == row.id)
                       .values(last_run_at=clock.now()))
    latest = db.session.scalar(select(MonthlyRun).where(MonthlyRun.monitor_month_id == row.id)
                               .order_by(MonthlyRun.revision.desc()).limit(1))
    if latest is not None and latest.created_at >= requested_at:
        return latest  # another run finished while we waited: that is the result
    rules = current_rules()
    rows = figs.compute(year, month, rules.quota, rules.points, rules.basis)
    checks = health.run_checks()
    totals = _totals(rows)
    scheme = scoring.scheme_for(year, month)
    run = MonthlyRun(monitor_month=row, revision=(latest.revision + 1) if latest else 1,
                     created_at=clock.now(),
                     created_by_id=actor.id if actor else None, note=(note or "")[:200],
                     rules={"quota": rules.quota, "basis": rules.basis, "points": rules.points,
                            "reminders": rules.reminders,
                            "scheme": ({"id": scheme.id, "name": scheme.name, "rule": scheme.rule}
                                       if scheme else None)},
                     totals=totals, health=[c.as_dict() for c in checks])
    db.session.add(run)
    db.session.flush()
    # One multi-row INSERT for all units, not one statement per unit.
    if rows:
        db.session.execute(insert(UnitFigures), [
            {**f.as_dict(), "run_id": run.id} for f in rows])
    db.session.expire(run, ["figures"])
    notices.prepare(row, run)
    return run


def _totals(rows: list[figs.Figures]) -> dict:
    counted = [f for f in rows if not f.exempt]
    return {
        "units": len(rows),
        "counted": len(counted),
        "exempt": len(rows) - len(counted),
        "met": sum(f.status == "met" for f in counted),
        "below": sum(f.status == "below" for f in counted),
        "none": sum(f.status == "none" for f in counted),
        "submitted": sum(f.submitted for f in rows),
        "published": sum(f.published for f in rows),
        "urgent": sum(f.urgent for f in rows),
        "urgent_late": sum(f.urgent_late for f in rows),
        "dual_due": sum(f.dual_due for f in rows),
        "dual_unmet": sum(f.dual_unmet for f in rows),
        "messages_received": sum(f.messages_received for f in rows),
        "messages_overdue": sum(f.messages_overdue for f in rows),
        "adoptions": sum(f.adoptions for f in rows),
        "adopt_city_up": sum(f.adopt_city + f.adopt_province + f.adopt_state for f in rows),
        "instructions": sum(f.instructions for f in rows),
        "score": sum(f.score for f in rows),
        "zero_adoptions": sum(f.adoptions == 0 for f in counted),
    }


def latest_run(year: int, month: int) -> MonthlyRun | None:
    return db.session.scalar(
        select(MonthlyRun).join(MonitorMonth)
        .where(MonitorMonth.year == year, MonitorMonth.month == month)
        .order_by(MonthlyRun.revision.desc()).limit(1))


# ---- reminders -----------------------------------------------------------------------

@dataclass
class Behind:
    unit: Unit
    count: int
    expected: int
    day: int


def behind_pace(today: date | None = None, unit_ids: list[int] | None = None) -> list[Behind]:
    """Units under the pace the rules expect by ``today`` in the current month."""
    today = today or clock.today()
    rules = current_rules()
    due = [(d, n) for d, n in rules.reminders if today.day >= d]
    if not due:
        return []
    day, expected = due[-1]
    units = [u for u in figs.counted_units() if unit_ids is None or u.id in unit_ids]
    own = figs.quota_rules([u.id for u in units], today.year, today.month)
    by_class = class_quota([u.id for u in units], rules.quota)
    counts = figs.counts_for_units(today.year, today.month)
    result = []
    for unit in units:
        rule = own.get(unit.id)
        if rule is not None and rule.exempt:
            continue
        quota = rule.quota if rule is not None else by_class[unit.id]
        need = min(expected, quota)  # a unit with a lower quota is never asked for more
        if counts[unit.id] < need:
            result.append(Behind(unit, counts[unit.id], need, day))
    return result


@dataclass
class Reminded:
    sent: list[Behind]          # e-mailed (and recorded, so not sent again)
    unreachable: list[Behind]   # behind pace, but nobody to write to: not recorded


def remind(today: date | None = None) -> Reminded:
    """E-mail every unit behind pace (its officers, leaders and its own address), once per
    unit and threshold. A unit nobody can be written to is listed, not marked reminded."""
    today = today or clock.today()
    result = Reminded([], [])
    for b in behind_pace(today):
        recipients = unit_people_addresses(b.unit)
        if not recipients:
            result.unreachable.append(b)
            continue
        try:
            with db.session.begin_nested():
                db.session.add(Reminder(unit_id=b.unit.id, year=today.year, month=today.month,
                                        threshold_day=b.day, expected=b.expected, count=b.count))
        except IntegrityError:
            continue  # already reminded for this threshold (another scheduler, or a re-run)
        mail.send(recipients, f"提醒：{today.year}年{today.month}月信息报送进度",
                  "monitor/mail/remind.txt", b=b, today=today)
        result.sent.append(b)
    db.session.flush()
    return result


def desk_notice(user) -> list[str]:
    """On an officer's or leader's desk: the unit's pace this month, when behind."""
    if not (user.is_officer or user.is_leader):
        return []
    behind = behind_pace(unit_ids=[user.unit_id])
    if not behind:
        return []
    b = behind[0]
    today = clock.today()
    quota = effective_quota(user.unit, today.year, today.month)
    return [f"本月（{today.month}月）本单位已报送 {b.count} 条，按进度 {b.day} 日前应不少于 "
            f"{b.expected} 条，月底前须达到 {quota} 条，请抓紧报送。"]


def score_notice(user) -> list[str]:
    """On an officer's or leader's desk: the unit's information score this year so far,
    its rank among units of its kind, and this month's adoptions (once a scheme is set)."""
    if not (user.is_officer or user.is_leader) or not user.unit.counted:
        return []
    today = clock.today()
    if scoring.scheme_for(today.year, today.month) is None:
        return []
    peers = [u for u in figs.counted_units(today.year, today.month)
             if u.kind == user.unit.kind]
    if user.unit not in peers:
        return []
    ids = [u.id for u in peers]
    month, year = figs.scores(today.year, today.month, ids)
    rank = scoring.rank(year)[user.unit_id]
    return [f"本单位{today.year}年信息得分 {year[user.unit_id]} 分（含本月实时），在"
            f"{user.unit.kind.label}中排第 {rank} 位；本月信息被采用 "
            f"{month[user.unit_id].adoptions} 条次。"]
