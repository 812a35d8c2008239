"""Each unit's figures for a month, computed with a fixed number of SQL queries.

Every query groups by unit, so the number of queries is the same for 10 units
or 200 (a test counts them). The month is a calendar month in China time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from sqlalchemy import and_, case, func, or_, select

from .. import clock
from ..accounts.models import UNIT_KIND_LABELS, Unit, UnitKind
from ..extensions import db
from ..submissions.models import DualReport, DualStatus, Item, ItemStatus
from . import classes, scoring
from .models import DEFAULT_POINTS, STATUS_LABELS, QuotaRule


@dataclass
class Figures:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    quota: int
    exempt: bool = False
    exempt_reason: str = ""
    submitted: int = 0
    published: int = 0
    urgent: int = 0
    urgent_late: int = 0
    dual_due: int = 0
    dual_unmet: int = 0
    messages_received: int = 0
    messages_answered: int = 0
    messages_overdue: int = 0
    points: int = 0
    status: str = field(default="none")
    position: int = 0  # order in the month table (townships first, then by code)
    # The assessment (政务信息考核): adoptions dated in the month, by the outlet's level,
    # 批示 among them, deductions, the month's score, the year's so far and its rank
    # among units of the same kind (townships, departments; ties share a rank).
    adoptions: int = 0
    adopt_county: int = 0
    adopt_city: int = 0
    adopt_province: int = 0
    adopt_state: int = 0
    instructions: int = 0
    penalties: int = 0
    score: int = 0
    score_year: int = 0
    rank: int = 0
    unit_class: str = ""   # the unit's class (A, B, C…), '' when it has none
    target: int = 0        # the class's yearly point target (0: none set)

    @property
    def progress(self) -> str:
        """The year's score against the yearly target, as a percentage ('' without one)."""
        return f"{self.score_year * 100 // self.target}%" if self.target else ""

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS.get(self.unit_kind, self.unit_kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict:
        return asdict(self)


def counted_units(year: int | None = None, month: int | None = None) -> list[Unit]:
    """Units counted in compliance, townships first, then departments, by code: those
    active now, or, given a month, the month's roster (joined by its end and not
    deactivated before its start, see ``Unit.in_roster``)."""
    order = case((Unit.kind == UnitKind.township, 0), (Unit.kind == UnitKind.department, 1),
                 else_=2)
    if year is None:
        return db.session.scalars(select(Unit).where(Unit.active, Unit.counted)
                                  .order_by(order, Unit.code)).all()
    start, end = clock.month_bounds(year, month)
    units = db.session.scalars(select(Unit).where(Unit.counted).order_by(order, Unit.code))
    return [u for u in units if u.in_roster(start, end)]


def quota_rules(unit_ids: list[int], year: int, month: int) -> dict[int, QuotaRule]:
    """The rule in force for each unit that has one (the newest wins; exemptions first)."""
    rules = db.session.scalars(select(QuotaRule).where(
        QuotaRule.unit_id.in_(unit_ids), QuotaRule.revoked_at.is_(None))
        .order_by(QuotaRule.created_at)).all()
    found: dict[int, QuotaRule] = {}
    for rule in rules:
        if rule.applies_to(year, month):
            current = found.get(rule.unit_id)
            if current is None or rule.exempt or not current.exempt:
                found[rule.unit_id] = rule
    return found


def compute(year: int, month: int, quota: int, points: dict | None = None,
            basis: str = "submitted") -> list[Figures]:
    """Every counted unit's figures for the month, in the order of ``counted_units``.

    ``basis`` says which count meets the quota: items first submitted in the month
    (the default) or items published in it; both are always shown.
    """
    points = {**DEFAULT_POINTS, **(points or {})}
    start, end = clock.month_bounds(year, month)
    units = counted_units(year, month)
    ids = [u.id for u in units]
    rules = quota_rules(ids, year, month)
    unit_classes = classes.classes_of(ids)

    submitted = {row.unit_id: row for row in db.session.execute(
        select(Item.unit_id, func.count().label("n"),
               func.sum(case((Item.urgent, 1), else_=0)).label("urgent"),
               func.sum(case((and_(Item.urgent, Item.late), 1), else_=0)).label("late"))
        .where(Item.first_submitted_at >= start, Item.first_submitted_at < end,
               Item.unit_id.in_(ids))
        .group_by(Item.unit_id))}
    published = dict(db.session.execute(
        select(Item.unit_id, func.count())
        .where(Item.published_at >= start, Item.published_at < end,
               Item.status.in_([ItemStatus.published, ItemStatus.withdrawn]),
               Item.unit_id.in_(ids))
        .group_by(Item.unit_id)).all())
    unmet = or_(DualReport.status == DualStatus.pending,
                and_(DualReport.fulfilled_at.is_not(None),
                     DualReport.fulfilled_at > DualReport.due_at))
    dual = {row.department_id: row for row in db.session.execute(
        select(DualReport.department_id, func.count().label("due"),
               func.sum(case((unmet, 1), else_=0)).label("unmet"))
        # Only obligations already due: one due later this month is not yet owed.
        .where(DualReport.due_at >= start, DualReport.due_at < min(end, clock.now()),
               DualReport.status != DualStatus.waived, DualReport.department_id.in_(ids))
        .group_by(DualReport.department_id))}
    messages = message_figures(year, month)

    result = []
    for unit in units:
        rule, cls = rules.get(unit.id), unit_classes.get(unit.id)
        own = cls.monthly_quota if cls is not None and cls.monthly_quota is not None else quota
        f = Figures(unit_id=unit.id, unit_code=unit.code, unit_name=unit.name,
                    unit_kind=unit.kind.value, position=len(result),
                    quota=rule.quota if rule is not None and not rule.exempt else own,
                    unit_class=cls.code if cls else "", target=cls.yearly_target if cls else 0)
        if rule is not None and rule.exempt:
            f.exempt, f.exempt_reason, f.quota = True, rule.reason, 0
        if (row := submitted.get(unit.id)) is not None:
            f.submitted, f.urgent, f.urgent_late = row.n, row.urgent or 0, row.late or 0
        f.published = published.get(unit.id, 0)
        if (row := dual.get(unit.id)) is not None:
            f.dual_due, f.dual_unmet = row.due, row.unmet or 0
        m = messages.get(unit.id, {})
        f.messages_received = m.get("received", 0)
        f.messages_answered = m.get("answered", 0)
        f.messages_overdue = m.get("overdue", 0)
        f.points = (f.published * points["published"]
                    + (f.urgent - f.urgent_late) * points["urgent_on_time"]
                    + f.urgent_late * points["urgent_late"]
                    + f.dual_unmet * points["dual_unmet"]
                    + f.messages_overdue * points["message_overdue"])
        counted = f.published if basis == "published" else f.submitted
        f.status = ("exempt" if f.exempt else "none" if counted == 0
                    else "met" if counted >= f.quota else "below")
        result.append(f)
    _add_scores(result, year, month)
    return result


def late_by_month(year: int, month: int, ids: list[int]) -> dict[int, dict]:
    """Urgent items reported late (迟报) per unit and (year, month), January to ``month``."""
    start, _ = clock.month_bounds(year, 1)
    _, end = clock.month_bounds(year, month)
    late: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for unit_id, at in db.session.execute(
            select(Item.unit_id, Item.first_submitted_at)
            .where(Item.urgent, Item.late, Item.first_submitted_at >= start,
                   Item.first_submitted_at < end, Item.unit_id.in_(ids))):
        late[unit_id][clock.month_of(at)] += 1
    return late


def scores(year: int, month: int, ids: list[int]):
    """The units' month and year-to-date scores, with the 迟报 of their items deducted."""
    return scoring.unit_scores(year, month, ids, late_by_month(year, month, ids))


def _add_scores(rows: list[Figures], year: int, month: int) -> None:
    """The assessment's columns of every row, and the ranks by the year's score so far."""
    month_scores, year_scores = scores(year, month, [f.unit_id for f in rows])
    for f in rows:
        s = month_scores[f.unit_id]
        f.adoptions, f.instructions, f.penalties, f.score = (
            s.adoptions, s.instructions, s.penalties, s.score)
        f.adopt_county, f.adopt_city = s.by_level["county"], s.by_level["city"]
        f.adopt_province, f.adopt_state = s.by_level["province"], s.by_level["state"]
        f.score_year = year_scores[f.unit_id]
    for kind in {f.unit_kind for f in rows}:
        ranks = scoring.rank({f.unit_id: f.score_year for f in rows if f.unit_kind == kind})
        for f in rows:
            if f.unit_kind == kind:
                f.rank = ranks[f.unit_id]


def message_figures(year: int, month: int) -> dict[int, dict]:
    """Per unit: received, answered and overdue citizen messages in the month."""
    from ..messages.figures import monthly_figures

    return {unit_id: _as_dict(fig) for unit_id, fig in monthly_figures(year, month).items()}


def _as_dict(fig) -> dict:
    return fig if isinstance(fig, dict) else asdict(fig)


def counts_for_units(year: int, month: int) -> dict[int, int]:
    start, end = clock.month_bounds(year, month)
    return defaultdict(int, db.session.execute(
        select(Item.unit_id, func.count()).where(Item.first_submitted_at >= start,
                                                  Item.first_submitted_at < end)
        .group_by(Item.unit_id)).all())
