"""Scoring adoptions with a point scheme (pure functions), and a month's scores per unit.

An adoption scores its outlet's points for its kind (or the outlet's base), the
outlet's 约稿 points instead when it was commissioned and the outlet sets them, plus the
scheme's 约稿 bonus for the outlet's level, plus the 批示 bonus of the leader's level
(the outlet's own bonus where it sets one). An item adopted several times scores the
sum of its adoptions (rule ``sum``) or only the highest one (rule ``highest``). A unit's
month is its items' points plus the scheme's deductions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import clock
from ..extensions import db
from .models import LEVELS, Adoption, Outlet, Penalty, PointScheme


@dataclass(frozen=True)
class Adopted:
    """What scoring needs to know of one adoption."""

    item_id: int
    outlet: str          # the outlet's code
    level: str           # the outlet's level
    kind: str = ""
    commissioned: bool = False
    instruction: str = ""  # the level of the leader who wrote a 批示 on it, or ''


def adoption_points(points: dict, a: Adopted) -> int:
    outlet = points.get("outlets", {}).get(a.outlet, {})
    value = outlet.get("kinds", {}).get(a.kind, outlet.get("base", 0))
    if a.commissioned:
        value = outlet.get("commissioned", value)
        value += points.get("commissioned", {}).get(a.level, 0)
    if a.instruction:
        own = outlet.get("instruction", {})
        value += own.get(a.instruction, points.get("instruction", {}).get(a.instruction, 0))
    return int(value)


def item_points(points: dict, rule: str, adoptions: list[Adopted]) -> int:
    """The points of one item's adoptions under the scheme's rule."""
    values = [adoption_points(points, a) for a in adoptions]
    if not values:
        return 0
    return max(values) if rule == "highest" else sum(values)


def deduction_points(points: dict, counts: dict[str, int]) -> int:
    """``counts``: how many 迟报 (late), 漏报 (missed), 误报 (wrong), 不实 (false)."""
    table = points.get("deductions", {})
    return int(sum(table.get(key, 0) * n for key, n in counts.items()))


def score(points: dict, rule: str, adoptions: list[Adopted],
          deductions: dict[str, int] | None = None) -> int:
    by_item: dict[int, list[Adopted]] = defaultdict(list)
    for a in adoptions:
        by_item[a.item_id].append(a)
    return (sum(item_points(points, rule, group) for group in by_item.values())
            + deduction_points(points, deductions or {}))


# ---- from the database ------------------------------------------------------------------

def scheme_for(year: int, month: int) -> PointScheme | None:
    """The scheme in force in a month: the newest one valid from that month or before."""
    return db.session.scalar(
        select(PointScheme).where(PointScheme.valid_from <= date(year, month, 1))
        .order_by(PointScheme.valid_from.desc(), PointScheme.id.desc()).limit(1))


@dataclass
class UnitScore:
    adoptions: int = 0
    adopted_items: int = 0
    by_level: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    instructions: int = 0
    penalties: int = 0
    score: int = 0


def _month_key(d: date) -> tuple[int, int]:
    return d.year, d.month


def unit_scores(year: int, month: int, unit_ids: list[int],
                late: dict[int, dict[tuple[int, int], int]] | None = None,
                ) -> tuple[dict[int, UnitScore], dict[int, int]]:
    """Each unit's adoptions and score in the month, and its cumulative score from January
    through the month (each month scored with the scheme in force then).

    ``late``: per unit and (year, month), urgent items reported late (迟报), which the
    scheme may deduct. Three queries, whatever the number of units.
    """
    first, end = date(year, 1, 1), clock.month_days(year, month)[1]
    rows = db.session.execute(
        select(Adoption.item_id, Adoption.unit_id, Adoption.adopted_on, Adoption.kind,
               Adoption.commissioned, Adoption.instruction_level, Outlet.code, Outlet.level)
        .join(Outlet, Outlet.id == Adoption.outlet_id)
        .where(Adoption.revoked_at.is_(None), Adoption.adopted_on >= first,
               Adoption.adopted_on < end, Adoption.unit_id.in_(unit_ids))).all()
    penalties = db.session.execute(
        select(Penalty.unit_id, Penalty.kind, Penalty.occurred_on)
        .where(Penalty.revoked_at.is_(None), Penalty.occurred_on >= first,
               Penalty.occurred_on < end, Penalty.unit_id.in_(unit_ids))).all()
    schemes = _schemes(year, month)

    adopted: dict[tuple[int, tuple[int, int]], list[Adopted]] = defaultdict(list)
    for r in rows:
        adopted[(r.unit_id, _month_key(r.adopted_on))].append(
            Adopted(r.item_id, r.code, r.level, r.kind, r.commissioned, r.instruction_level))
    deducted: dict[tuple[int, tuple[int, int]], dict[str, int]] = defaultdict(
        lambda: defaultdict(int))
    for p in penalties:
        deducted[(p.unit_id, _month_key(p.occurred_on))][p.kind] += 1
    for unit_id, months in (late or {}).items():
        for ym, n in months.items():
            deducted[(unit_id, ym)]["late"] += n

    this = (year, month)
    result = {u: UnitScore() for u in unit_ids}
    cumulative = dict.fromkeys(unit_ids, 0)
    for unit_id in unit_ids:
        for m in range(1, month + 1):
            ym = (year, m)
            scheme = schemes.get(ym)
            group = adopted.get((unit_id, ym), [])
            counts = deducted.get((unit_id, ym), {})
            value = (score(scheme.points, scheme.rule, group, counts) if scheme else 0)
            cumulative[unit_id] += value
            if ym == this:
                s = result[unit_id]
                s.adoptions, s.adopted_items = len(group), len({a.item_id for a in group})
                for a in group:
                    s.by_level[a.level] += 1
                s.instructions = sum(1 for a in group if a.instruction)
                s.penalties = sum(counts.values())
                s.score = value
    return result, cumulative


def _schemes(year: int, month: int) -> dict[tuple[int, int], PointScheme | None]:
    """The scheme in force in each month of the year up to ``month`` (one query)."""
    all_ = db.session.scalars(select(PointScheme).where(
        PointScheme.valid_from < clock.month_days(year, month)[1])
        .order_by(PointScheme.valid_from, PointScheme.id)).all()
    found = {}
    for m in range(1, month + 1):
        first = date(year, m, 1)
        valid = [s for s in all_ if s.valid_from <= first]
        found[(year, m)] = max(valid, key=lambda s: (s.valid_from, s.id)) if valid else None
    return found


def rank(values: dict) -> dict:
    """Competition ranking, highest first: ties share a rank, the next rank skips (1, 1, 3).
    Values may be tuples (a score, then what breaks its ties)."""
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=True)
    ranks, previous, current = {}, None, 0
    for i, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            current, previous = i, value
        ranks[key] = current
    return ranks
