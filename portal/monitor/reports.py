"""What the center reads: a month's table, a unit's drill-down, trends, the year's points.

Closed months are read from their latest frozen revision; the month in
progress is computed live (and says so). Every report is a fixed number of
queries, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import clock
from ..accounts.models import UNIT_KIND_LABELS as KIND_LABELS
from ..extensions import db
from . import figures as figs
from .figures import Figures
from .models import MonitorMonth, MonthlyRun, UnitFigures
from .services import current_rules, latest_run

# (attribute, header) of the month table, in the order of the page and the exports.
MONTH_COLUMNS = [
    ("unit_name", "单位"), ("kind_label", "类型"), ("quota", "应报条数"), ("submitted", "报送条数"),
    ("published", "发布条数"), ("urgent", "紧急信息"), ("urgent_late", "迟报"),
    ("dual_due", "双报到期"), ("dual_unmet", "双报未落实"), ("messages_received", "收到留言"),
    ("messages_answered", "答复留言"), ("messages_overdue", "逾期留言"), ("points", "报送得分"),
    ("status_label", "完成情况"), ("adoptions", "采用条次"), ("adopt_county", "县级采用"),
    ("adopt_city", "市级采用"), ("adopt_province", "省级采用"), ("adopt_state", "国家级采用"),
    ("instructions", "领导批示"), ("penalties", "扣分次数"), ("score", "当月信息得分"),
    ("score_year", "累计信息得分"), ("rank", "同类排名"),
]
YEAR_COLUMNS = [
    ("rank", "名次"), ("unit_name", "单位"), ("kind_label", "类型"), ("months", "统计月数"),
    ("submitted", "报送条数"), ("published", "发布条数"), ("urgent_on_time", "紧急信息按时"),
    ("urgent_late", "迟报"), ("dual_unmet", "双报未落实"), ("messages_overdue", "逾期留言"),
    ("months_below", "未完成月数"), ("points", "得分"),
]
SORT_KEYS = {"unit": "position", "submitted": "submitted", "published": "published",
             "points": "points", "status": "status", "adoptions": "adoptions",
             "score": "score", "score_year": "score_year"}
_FIELDS = list(Figures.__dataclass_fields__)


def _row(source) -> Figures:
    """A month-table row from a frozen ``UnitFigures`` (live rows are ``Figures`` already)."""
    return Figures(**{k: getattr(source, k) for k in _FIELDS})


@dataclass
class MonthReport:
    year: int
    month: int
    run: MonthlyRun | None
    rows: list[Figures]
    live: bool  # computed now (month in progress, or never run)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def month_report(year: int, month: int, kind: str | None = None,
                 sort: str = "unit", desc: bool = False) -> MonthReport:
    run = latest_run(year, month)
    if run is not None:
        rows = [_row(f) for f in run.figures]
    else:
        rules = current_rules()
        rows = figs.compute(year, month, rules.quota, rules.points, rules.basis)
    if kind in KIND_LABELS:
        rows = [r for r in rows if r.unit_kind == kind]
    key = SORT_KEYS.get(sort, "position")
    rows.sort(key=lambda r: (getattr(r, key), r.position), reverse=desc)
    return MonthReport(year, month, run, rows, live=run is None)


def table(rows, columns) -> tuple[list[str], list[list]]:
    """Headers and cell values for an export, numbers kept as numbers."""
    return [h for _, h in columns], [[getattr(r, k) for k, _ in columns] for r in rows]


def _latest_runs_query(first: tuple[int, int], last: tuple[int, int]):
    """The latest revision of every closed month in [first, last]."""
    key = MonitorMonth.year * 100 + MonitorMonth.month
    latest = (select(MonthlyRun.monitor_month_id, func.max(MonthlyRun.revision).label("rev"))
              .group_by(MonthlyRun.monitor_month_id).subquery())
    return (select(MonthlyRun.id, MonitorMonth.year, MonitorMonth.month)
            .join(MonitorMonth, MonitorMonth.id == MonthlyRun.monitor_month_id)
            .join(latest, (latest.c.monitor_month_id == MonthlyRun.monitor_month_id)
                  & (latest.c.rev == MonthlyRun.revision))
            .where(key >= first[0] * 100 + first[1], key <= last[0] * 100 + last[1]))


def months_back(year: int, month: int, n: int) -> list[tuple[int, int]]:
    """The n months ending with (year, month), oldest first."""
    out = []
    for _ in range(n):
        out.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


@dataclass
class Trend:
    labels: list[str]
    submitted: list[int | None]
    published: list[int | None]
    quota: list[int | None]


def trend(unit_id: int | None = None, months: int = 12) -> Trend:
    """Submitted and published per month for a unit (or the county), from frozen revisions.

    The month in progress is counted live; months never run stay empty (None).
    """
    today = clock.today()
    span = months_back(today.year, today.month, months)
    runs = {(y, m): run_id for run_id, y, m in
            db.session.execute(_latest_runs_query(span[0], span[-1])).all()}
    q = (select(UnitFigures.run_id, func.sum(UnitFigures.submitted),
                func.sum(UnitFigures.published), func.sum(UnitFigures.quota))
         .where(UnitFigures.run_id.in_(list(runs.values()) or [-1]))
         .group_by(UnitFigures.run_id))
    if unit_id is not None:
        q = q.where(UnitFigures.unit_id == unit_id)
    by_run = {run_id: (s, p, quota) for run_id, s, p, quota in db.session.execute(q).all()}
    result = Trend([f"{y}年{m}月" for y, m in span], [], [], [])
    for ym in span:
        values = by_run.get(runs.get(ym), (None, None, None))
        if ym == (today.year, today.month):
            live = figs.counts_for_units(*ym)
            values = (live.get(unit_id, 0) if unit_id else sum(live.values()), None, None)
        for series, v in zip((result.submitted, result.published, result.quota), values,
                             strict=True):
            series.append(int(v) if v is not None else None)
    return result


@dataclass
class YearRow:
    rank: int
    unit_id: int
    unit_name: str
    unit_kind: str
    months: int
    submitted: int
    published: int
    urgent_on_time: int
    urgent_late: int
    dual_unmet: int
    messages_overdue: int
    months_below: int
    points: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.unit_kind, self.unit_kind)


def year_table(year: int, kind: str | None = None) -> list[YearRow]:
    """The year's points per unit (sum of the closed months' frozen figures), ranked."""
    runs = [run_id for run_id, _, _ in
            db.session.execute(_latest_runs_query((year, 1), (year, 12))).all()]
    below = func.sum(db.case((UnitFigures.status.in_(["below", "none"]), 1), else_=0))
    q = (select(UnitFigures.unit_id, func.max(UnitFigures.unit_name),
                func.max(UnitFigures.unit_kind), func.count(), func.sum(UnitFigures.submitted),
                func.sum(UnitFigures.published),
                func.sum(UnitFigures.urgent - UnitFigures.urgent_late),
                func.sum(UnitFigures.urgent_late), func.sum(UnitFigures.dual_unmet),
                func.sum(UnitFigures.messages_overdue), below, func.sum(UnitFigures.points))
         .where(UnitFigures.run_id.in_(runs or [-1]))
         .group_by(UnitFigures.unit_id))
    if kind in KIND_LABELS:
        q = q.where(UnitFigures.unit_kind == kind)
    rows = [YearRow(0, *r) for r in db.session.execute(q).all()]
    rows.sort(key=lambda r: (-r.points, -r.published, r.unit_name))
    rank = 0
    for i, row in enumerate(rows):
        if i == 0 or (row.points, row.published) != (rows[i - 1].points, rows[i - 1].published):
            rank = i + 1
        row.rank = rank
    return rows
