"""The year-end award candidates (评先, 范文2 三(二)): 先进集体, 信息报送进步奖 and
先进个人, each with the criteria it met or missed, for the center to decide. Nothing
here decides: the center reads the list and its reasons."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..accounts.models import User
from ..extensions import db
from ..submissions.models import Item
from .models import Adoption, Outlet
from .reports import YearRow, year_table

# 范文2 二(一): every unit must have at least one item adopted by one of these in the year.
REQUIRED_OUTLETS = ("zbxx", "gzjl", "zwdy")
ABOVE_COUNTY = ("city", "province", "state")


@dataclass
class Criterion:
    label: str
    met: bool
    detail: str = ""


@dataclass
class Candidate:
    row: YearRow
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.criteria)


@dataclass
class Person:
    user: User
    unit_name: str
    adoptions: int
    above_county: int
    county_instructions: int
    reason: str


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _per_unit(year: int) -> dict[int, dict[str, int]]:
    """Per unit in the year: adoptions above the county or 批示 above it, and adoptions by
    the required outlets. One query."""
    first, end = _year_bounds(year)
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, level, instruction, code in db.session.execute(
            select(Adoption.unit_id, Outlet.level, Adoption.instruction_level, Outlet.code)
            .join(Outlet, Outlet.id == Adoption.outlet_id)
            .where(Adoption.revoked_at.is_(None), Adoption.adopted_on >= first,
                   Adoption.adopted_on < end)):
        if level in ABOVE_COUNTY or instruction in ABOVE_COUNTY:
            found[unit_id]["city"] += 1
        if code in REQUIRED_OUTLETS:
            found[unit_id]["required"] += 1
    return found


def collectives(year: int, top_townships: int = 10, top_departments: int = 20
                ) -> list[Candidate]:
    """Every unit with its 先进集体 criteria (范文2 三(二)1 and 三(一))."""
    extra = _per_unit(year)
    result = []
    for row in year_table(year):
        top = top_townships if row.unit_kind == "township" else top_departments
        kind = "乡镇" if row.unit_kind == "township" else "部门"
        closed_zero = [i + 1 for i in range(4) if row.quarter_months[i] == 3
                       and (row.quarter_scores[i] or 0) <= 0]
        c = Candidate(row)
        c.criteria = [
            Criterion("完成全年目标任务", row.target_met,
                      f"{row.score}/{row.target} 分" if row.target else "未设置全年目标"),
            Criterion(f"得分在{kind}中名列前 {top} 位", row.rank <= top, f"第 {row.rank} 位"),
            Criterion("全年至少 1 条被市级及以上采用或获市领导批示",
                      extra[row.unit_id]["city"] > 0, f"{extra[row.unit_id]['city']} 条次"),
            Criterion("每月至少 1 条被采用或获县领导批示", row.zero_months == 0,
                      f"{row.zero_months} 个月为零" if row.zero_months else
                      f"{row.months} 个月均有"),
            Criterion("无漏报、迟报、错报", row.penalties == 0 and row.urgent_late == 0,
                      f"扣分 {row.penalties} 次，迟报 {row.urgent_late} 条"),
            Criterion("《专报信息》《工作交流》或《政务调研》采用 1 条以上",
                      extra[row.unit_id]["required"] > 0,
                      f"{extra[row.unit_id]['required']} 条"),
            Criterion("没有得分为零的季度", not closed_zero,
                      "第 " + "、".join(map(str, closed_zero)) + " 季度为零" if closed_zero
                      else ""),
        ]
        result.append(c)
    return result


def progress(year: int, collective_ids: set[int]) -> list[Candidate]:
    """信息报送进步奖 (范文2 三(二)2): target met, at least one adoption above the county or
    a city leader's 批示, up 8 places or more on the year before, not already 先进集体."""
    extra = _per_unit(year)
    before = {r.unit_id: r.rank for r in year_table(year - 1)}
    result = []
    for row in year_table(year):
        was = before.get(row.unit_id)
        up = (was - row.rank) if was is not None else None
        c = Candidate(row)
        c.criteria = [
            Criterion("完成全年目标任务", row.target_met,
                      f"{row.score}/{row.target} 分" if row.target else "未设置全年目标"),
            Criterion("全年至少 1 条被市级及以上采用或获市领导批示",
                      extra[row.unit_id]["city"] > 0, f"{extra[row.unit_id]['city']} 条次"),
            Criterion("排位同比上升 8 位以上", up is not None and up >= 8,
                      f"{year - 1}年第 {was} 位，今年第 {row.rank} 位" if was is not None
                      else f"{year - 1}年无排名"),
            Criterion("未被评为先进集体", row.unit_id not in collective_ids),
        ]
        result.append(c)
    return result


def individuals(year: int, collective_ids: set[int]) -> list[Person]:
    """先进个人 (范文2 三(二)3): in a 先进集体 unit, its officer with the most adoptions (one
    per unit); elsewhere, every officer with an item adopted above the county or
    instructed by a county leader."""
    first, end = _year_bounds(year)
    rows = db.session.execute(
        select(Item.author_id, Item.unit_id, func.count(),
               func.sum(db.case((Outlet.level.in_(ABOVE_COUNTY), 1), else_=0)),
               func.sum(db.case((Adoption.instruction_level == "county", 1), else_=0)))
        .join(Adoption, Adoption.item_id == Item.id)
        .join(Outlet, Outlet.id == Adoption.outlet_id)
        .where(Adoption.revoked_at.is_(None), Adoption.adopted_on >= first,
               Adoption.adopted_on < end, Item.author_id.is_not(None))
        .group_by(Item.author_id, Item.unit_id)).all()
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([r[0] for r in rows] or [-1])))}
    best: dict[int, tuple] = {}
    people = []
    for author_id, unit_id, n, above, county in rows:
        if unit_id in collective_ids:
            if unit_id not in best or n > best[unit_id][2]:
                best[unit_id] = (author_id, unit_id, n, above, county)
        elif above or county:
            people.append((author_id, unit_id, n, above, county,
                           "被市级及以上采用" if above else "获县政府领导批示"))
    people += [(*row, "所在单位为先进集体，本单位采用最多") for row in best.values()]
    result = [Person(users[a], users[a].unit.name, int(n), int(above or 0), int(county or 0),
                     reason) for a, _, n, above, county, reason in people]
    result.sort(key=lambda p: (-p.above_county, -p.adoptions, p.unit_name))
    return result
