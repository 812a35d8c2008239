"""Figures of citizen messages for the monitor: per unit and China-time month.

Each figure counts what happened in the month, so that every message is
counted once per kind of event and a month's figures do not change when later
months are added:

* ``received``: messages that arrived in the month (by the unit handling
  them, else the unit the citizen chose; ``None``: 不确定, not yet dispatched);
* ``accepted``, ``refused``, ``answered``: accepted, refused, answered in the month;
* ``answered_on_time``: answered in the month before the end of the due day;
* ``overdue``: messages whose due day ended in the month (up to ``as_of``)
  without an answer by then: answered late, or still unanswered; and deadlines the
  unit let pass before the center transferred or extended the message (lapses);
* ``median_working_days``: of the messages answered in the month, the median
  number of working days from acceptance to answer (0: the same day);
* ``satisfied`` / ``basically_satisfied`` / ``dissatisfied``: ratings given in the month.

Counts come from ONE aggregate query (conditional sums grouped by unit) and one
over the lapses, so
the number of queries does not grow with the number of units. The median
needs the working calendar (holidays and make-up days live partly in the
``chinese-calendar`` package, not in the database), so the (unit, accepted,
answered) triples of the month's answers are fetched in ONE more query and
the medians are computed in Python per unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import and_, case, func, or_, select

from .. import clock
from ..extensions import db
from .models import Message, MessageLapse, MessageStatus, Rating


@dataclass
class UnitMessageFigures:
    unit_id: int | None
    received: int = 0
    accepted: int = 0
    refused: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    median_working_days: float | None = None
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def monthly_figures(year: int, month: int, as_of: datetime | None = None
                    ) -> dict[int | None, UnitMessageFigures]:
    """Figures per unit id for a China-time month; units with nothing in it are absent.

    ``as_of`` (default now) is when overdue is judged: a due day that has not
    ended by then is not overdue yet.
    """
    start, end = clock.month_bounds(year, month)
    until = min(end, as_of or clock.now())
    unit = func.coalesce(Message.unit_id, Message.addressed_unit_id).label("unit")

    def during(column):
        return and_(column >= start, column < end)

    due_in_month = and_(Message.due_at > start, Message.due_at <= until)
    late = or_(Message.answered_at.is_(None), Message.answered_at >= Message.due_at)
    rated = {r: _count(and_(during(Message.rated_at), Message.rating == r)) for r in Rating}
    rows = db.session.execute(
        select(unit,
               _count(during(Message.created_at)).label("received"),
               _count(during(Message.accepted_at)).label("accepted"),
               _count(during(Message.refused_at)).label("refused"),
               _count(during(Message.answered_at)).label("answered"),
               _count(and_(during(Message.answered_at), Message.answered_at < Message.due_at))
               .label("answered_on_time"),
               _count(and_(due_in_month, late)).label("overdue"),
               *(expr.label(r.value) for r, expr in rated.items()))
        .where(or_(during(Message.created_at), during(Message.accepted_at),
                   during(Message.refused_at), during(Message.answered_at),
                   during(Message.rated_at), due_in_month))
        .group_by(unit))
    figures = {row.unit: UnitMessageFigures(unit_id=row.unit, **{
        k: int(v) for k, v in row._mapping.items() if k != "unit"}) for row in rows}
    # Deadlines a unit let pass before the message was transferred or extended stay its own.
    for unit_id, lapsed in db.session.execute(
            select(MessageLapse.unit_id, func.count())
            .where(MessageLapse.due_at > start, MessageLapse.due_at <= until)
            .group_by(MessageLapse.unit_id)):
        figures.setdefault(unit_id, UnitMessageFigures(unit_id=unit_id)).overdue += lapsed

    durations: dict[int | None, list[int]] = defaultdict(list)
    calendar = clock.work_calendar()
    for unit_id, accepted_at, answered_at in db.session.execute(
            select(unit, Message.accepted_at, Message.answered_at)
            .where(during(Message.answered_at), Message.accepted_at.is_not(None))):
        durations[unit_id].append(calendar.working_days_between(accepted_at, answered_at))
    for unit_id, days in durations.items():
        figures[unit_id].median_working_days = float(median(days))
    return figures


def oldest_unanswered() -> datetime | None:
    """When the oldest message still waiting for an answer arrived (None: none waits).

    Counted from arrival, not acceptance: a message the center has not
    accepted yet has been waiting just as long for the citizen. Refused
    messages do not wait.
    """
    return db.session.scalar(select(func.min(Message.created_at)).where(
        Message.status.in_([MessageStatus.new, MessageStatus.accepted])))
