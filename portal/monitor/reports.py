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
from . import classes, scoring
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
    ("score_year", "累计信息得分"), ("rank", "同类排名"), ("unit_class", "类别"),
    ("target", "全年目标"), ("progress", "目标进度"),
]
YEAR_COLUMNS = [
    ("rank", "同类排名"), ("unit_name", "单位"), ("kind_label", "类型"), ("unit_class", "类别"),
    ("months", "统计月数"), ("submitted", "报送条数"), ("published", "发布条数"),
    ("adoptions", "采用条次"), ("adopt_city_up", "市级及以上采用"), ("instructions", "领导批示"),
    ("penalties", "扣分次数"), ("score", "信息得分"), ("target", "全年目标"),
    ("progress", "完成进度"), ("q1", "一季度"), ("q2", "二季度"), ("q3", "三季度"),
    ("q4", "四季度"), ("urgent_late", "迟报"), ("dual_unmet", "双报未落实"),
    ("messages_overdue", "逾期留言"), ("months_below", "报送未完成月数"), ("points", "报送得分"),
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
    score: list[int | None]  # the month's information score (信息得分)


def trend(unit_id: int | None = None, months: int = 12) -> Trend:
    """Submitted, published and score per month for a unit (or the county), from frozen
    revisions. The month in progress is counted live; months never run stay empty (None).
    """
    today = clock.today()
    span = months_back(today.year, today.month, months)
    runs = {(y, m): run_id for run_id, y, m in
            db.session.execute(_latest_runs_query(span[0], span[-1])).all()}
    q = (select(UnitFigures.run_id, func.sum(UnitFigures.submitted),
                func.sum(UnitFigures.published), func.sum(UnitFigures.quota),
                func.sum(UnitFigures.score))
         .where(UnitFigures.run_id.in_(list(runs.values()) or [-1]))
         .group_by(UnitFigures.run_id))
    if unit_id is not None:
        q = q.where(UnitFigures.unit_id == unit_id)
    by_run = {run_id: values for run_id, *values in db.session.execute(q).all()}
    result = Trend([f"{y}年{m}月" for y, m in span], [], [], [], [])
    for ym in span:
        values = by_run.get(runs.get(ym), (None, None, None, None))
        if ym == (today.year, today.month):
            live = figs.counts_for_units(*ym)
            ids = [unit_id] if unit_id else [u.id for u in figs.counted_units(*ym)]
            scores, _ = figs.scores(*ym, ids)
            values = (live.get(unit_id, 0) if unit_id else sum(live.values()), None, None,
                      sum(s.score for s in scores.values()))
        for series, v in zip((result.submitted, result.published, result.quota, result.score),
                             values, strict=True):
            series.append(int(v) if v is not None else None)
    return result


@dataclass
class YearRow:
    rank: int           # among units of the same kind, by the year's score (then points)
    unit_id: int
    unit_name: str
    unit_kind: str
    unit_class: str
    months: int
    submitted: int
    published: int
    urgent_on_time: int
    urgent_late: int
    dual_unmet: int
    messages_overdue: int
    months_below: int
    points: int
    adoptions: int
    adopt_city_up: int      # adoptions by city, province or State Council outlets
    instructions: int
    penalties: int
    score: int
    target: int
    quarter_scores: list[int | None]  # None: no closed month in that quarter yet
    quarter_months: list[int]          # closed months in each quarter
    zero_months: int                   # closed months without any adoption

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.unit_kind, self.unit_kind)

    @property
    def progress(self) -> str:
        return f"{self.score * 100 // self.target}%" if self.target else ""

    @property
    def target_met(self) -> bool:
        return bool(self.target) and self.score >= self.target

    def quarter(self, q: int) -> str:
        """The quarter's result (季度任务): 完成 / 未完成 / 零分, 进行中, or —."""
        score, months = self.quarter_scores[q], self.quarter_months[q]
        if score is None:
            return "—"
        if months < 3:
            return f"进行中（{score} 分）"
        if score <= 0:
            return f"零分（{score}）"
        if not self.target:
            return f"{score} 分"
        need = classes.quarter_target(self.target)
        return f"{'完成' if score >= need else '未完成'}（{score}/{need}）"

    @property
    def q1(self) -> str:
        return self.quarter(0)

    @property
    def q2(self) -> str:
        return self.quarter(1)

    @property
    def q3(self) -> str:
        return self.quarter(2)

    @property
    def q4(self) -> str:
        return self.quarter(3)


def year_table(year: int, kind: str | None = None) -> list[YearRow]:
    """The year's figures per unit, summed over the closed months' frozen revisions, ranked
    by the year's information score within townships and within departments."""
    latest = db.session.execute(_latest_runs_query((year, 1), (year, 12))).all()
    runs = [run_id for run_id, _, _ in latest]
    quarter_of = {run_id: (m - 1) // 3 for run_id, _, m in latest}
    case = db.case
    below = func.sum(case((UnitFigures.status.in_(["below", "none"]), 1), else_=0))
    per_quarter = [func.sum(case((UnitFigures.run_id.in_(
        [r for r, q in quarter_of.items() if q == i] or [-1]), UnitFigures.score), else_=0))
        for i in range(4)]
    q = (select(UnitFigures.unit_id, func.max(UnitFigures.unit_name),
                func.max(UnitFigures.unit_kind), func.max(UnitFigures.unit_class),
                func.count(), func.sum(UnitFigures.submitted),
                func.sum(UnitFigures.published),
                func.sum(UnitFigures.urgent - UnitFigures.urgent_late),
                func.sum(UnitFigures.urgent_late), func.sum(UnitFigures.dual_unmet),
                func.sum(UnitFigures.messages_overdue), below, func.sum(UnitFigures.points),
                func.sum(UnitFigures.adoptions),
                func.sum(UnitFigures.adopt_city + UnitFigures.adopt_province
                         + UnitFigures.adopt_state),
                func.sum(UnitFigures.instructions), func.sum(UnitFigures.penalties),
                func.sum(UnitFigures.score), func.max(UnitFigures.target),
                func.sum(case((UnitFigures.adoptions == 0, 1), else_=0)), *per_quarter)
         .where(UnitFigures.run_id.in_(runs or [-1]))
         .group_by(UnitFigures.unit_id))
    if kind in KIND_LABELS:
        q = q.where(UnitFigures.unit_kind == kind)
    months_in = [sum(1 for qq in quarter_of.values() if qq == i) for i in range(4)]
    rows = []
    for r in db.session.execute(q).all():
        *head, zero, s1, s2, s3, s4 = r
        quarters = [int(v) if months_in[i] else None for i, v in enumerate((s1, s2, s3, s4))]
        rows.append(YearRow(0, *head, quarter_scores=quarters, quarter_months=months_in,
                            zero_months=int(zero)))
    for unit_kind in {row.unit_kind for row in rows}:
        group = [row for row in rows if row.unit_kind == unit_kind]
        ranks = scoring.rank({row.unit_id: (row.score, row.points) for row in group})
        for row in group:
            row.rank = ranks[row.unit_id]
    rows.sort(key=lambda r: (r.unit_kind != "township", r.rank, r.unit_name))
    return rows
