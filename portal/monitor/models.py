"""The monitor's data: its rules (with their history), per-unit quota overrides and
exemptions, frozen monthly snapshots, the month's notice, and sent reminders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import Unit, User
from ..audit.spec import Audited
from ..extensions import db
from ..submissions.models import Item

DEFAULT_POINTS = {
    # Points in the manner of 范文2 / 范文6, set by the center.
    "published": 1,          # per item published
    "urgent_on_time": 2,     # per urgent item reported in time
    "urgent_late": -10,      # per urgent item reported late (迟报 倒扣)
    "dual_unmet": -3,        # per dual-report obligation not met by its deadline
    "message_overdue": -2,   # per citizen message answered late or not at all
}
DEFAULT_REMINDERS = [[20, 2], [25, 4]]  # by the 20th at least 2 items, by the 25th at least 4
BASIS_LABELS = {"submitted": "报送到中心的信息（按首次报送时间）",
                "published": "网站发布的信息（按发布时间）"}


class MonitorRules(db.Model):
    """The monitor's rules. Every change adds a row, so the history is kept."""

    __tablename__ = "monitor_rules"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    quota: Mapped[int] = mapped_column(default=4)
    # What counts towards the quota: items first submitted to the center in the month
    # ("submitted", the default of 范文8), or items published in the month ("published").
    basis: Mapped[str] = mapped_column(String(10), default="submitted")
    reminders: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_REMINDERS))
    points: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_POINTS))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MonitorRules {self.id} quota={self.quota}>"


class QuotaRule(db.Model):
    """A unit's own quota (override) or an exemption, for a span of months, with a reason."""

    __tablename__ = "quota_rule"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    exempt: Mapped[bool] = mapped_column(default=False)
    quota: Mapped[int | None]            # None when exempt
    valid_from: Mapped[date]             # first day of the first month it applies to
    valid_to: Mapped[date | None]        # first day of the last month; None: open-ended
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def applies_to(self, year: int, month: int) -> bool:
        first = date(year, month, 1)
        return (self.revoked_at is None and self.valid_from <= first
                and (self.valid_to is None or first <= self.valid_to))

    def __repr__(self) -> str:
        return f"<QuotaRule unit={self.unit_id} exempt={self.exempt} quota={self.quota}>"


class MonitorMonth(db.Model):
    """One row per month the monitor has closed: the lock for concurrent runs, and the notice."""

    __tablename__ = "monitor_month"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    notice_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    last_run_at: Mapped[datetime | None]

    notice_item: Mapped[Item | None] = relationship()
    runs: Mapped[list[MonthlyRun]] = relationship(back_populates="monitor_month",
                                                  order_by="MonthlyRun.revision")

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __repr__(self) -> str:
        return f"<MonitorMonth {self.year}-{self.month:02d}>"


class MonthlyRun(db.Model):
    """A frozen revision of a month's figures. Later edits of items never change it."""

    __tablename__ = "monthly_run"
    __audit__ = Audited()
    __table_args__ = (UniqueConstraint("monitor_month_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitor_month_id: Mapped[int] = mapped_column(ForeignKey("monitor_month.id"), index=True)
    revision: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: scheduler
    rules: Mapped[dict] = mapped_column(JSON)    # the rules in force, as used
    totals: Mapped[dict] = mapped_column(JSON)   # county-wide figures
    health: Mapped[list] = mapped_column(JSON, default=list)  # site-health checks at run time
    note: Mapped[str] = mapped_column(String(200), default="")

    monitor_month: Mapped[MonitorMonth] = relationship(back_populates="runs")
    figures: Mapped[list[UnitFigures]] = relationship(back_populates="run",
                                                      order_by="UnitFigures.position",
                                                      cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MonthlyRun {self.monitor_month_id} rev {self.revision}>"


class UnitFigures(db.Model):
    """One unit's figures in one revision (names copied, so renames don't rewrite history)."""

    __tablename__ = "unit_figures"
    __table_args__ = (UniqueConstraint("run_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monthly_run.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    unit_code: Mapped[str] = mapped_column(String(32))
    unit_name: Mapped[str] = mapped_column(String(100))
    unit_kind: Mapped[str] = mapped_column(String(20))
    quota: Mapped[int]
    exempt: Mapped[bool] = mapped_column(default=False)
    exempt_reason: Mapped[str] = mapped_column(String(200), default="")
    submitted: Mapped[int] = mapped_column(default=0)
    published: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[int] = mapped_column(default=0)
    urgent_late: Mapped[int] = mapped_column(default=0)
    dual_due: Mapped[int] = mapped_column(default=0)
    dual_unmet: Mapped[int] = mapped_column(default=0)
    messages_received: Mapped[int] = mapped_column(default=0)
    messages_answered: Mapped[int] = mapped_column(default=0)
    messages_overdue: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10))  # met | below | none | exempt
    adoptions: Mapped[int] = mapped_column(default=0)
    adopt_county: Mapped[int] = mapped_column(default=0)
    adopt_city: Mapped[int] = mapped_column(default=0)
    adopt_province: Mapped[int] = mapped_column(default=0)
    adopt_state: Mapped[int] = mapped_column(default=0)
    instructions: Mapped[int] = mapped_column(default=0)
    penalties: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    score_year: Mapped[int] = mapped_column(default=0)
    rank: Mapped[int] = mapped_column(default=0)
    unit_class: Mapped[str] = mapped_column(String(10), default="")
    target: Mapped[int] = mapped_column(default=0)

    run: Mapped[MonthlyRun] = relationship(back_populates="figures")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def __repr__(self) -> str:
        return f"<UnitFigures {self.unit_code} {self.submitted}/{self.quota}>"


STATUS_LABELS = {"met": "已完成", "below": "未完成", "none": "未报送", "exempt": "免考核"}


class Reminder(db.Model):
    """A reminder sent to a unit behind pace: at most one per unit, month and threshold."""

    __tablename__ = "monitor_reminder"
    __table_args__ = (UniqueConstraint("unit_id", "year", "month", "threshold_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    threshold_day: Mapped[int]
    expected: Mapped[int]
    count: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=clock.now)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Reminder {self.unit_id} {self.year}-{self.month} day {self.threshold_day}>"


class SchedulerRun(db.Model):
    """A scheduled job done for a period key (e.g. close:2026-10): two schedulers do it once."""

    __tablename__ = "scheduler_run"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    result: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SchedulerRun {self.job} {self.period}>"


# ---- the assessment (政务信息考核): where items were adopted, and how that scores ------

LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级", "state": "国家级"}
LEVELS = list(LEVEL_LABELS)
INSTRUCTION_LABELS = {"county": "县领导批示", "city": "市领导批示", "province": "省领导批示",
                      "state": "国务院领导批示"}
RULE_LABELS = {"sum": "分别计分、累计算分（范文2 二(二)7）",
               "highest": "就高不就低，只计分值最高的一次（范文6 二(七)）"}
PENALTY_LABELS = {"missed": "漏报", "wrong": "误报、错报", "false": "报送不实信息"}
# Deductions the scheme sets: 迟报 comes from items reported late; the rest are recorded.
DEDUCTION_LABELS = {"late": "迟报（紧急信息未按时报送）", **PENALTY_LABELS}


class Outlet(db.Model):
    """A publication or column that adopts (采用) information: 《快讯》“工作简况”,
    《专报信息》, 市政府办公室《信息快报》… The center keeps the list."""

    __tablename__ = "outlet"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[str] = mapped_column(String(10))            # county | city | province | state
    # The kinds of information the outlet scores differently (综合信息, 简要信息…); empty: one.
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def __repr__(self) -> str:
        return f"<Outlet {self.code} {self.name}>"


class PointScheme(db.Model):
    """The points of the assessment, valid from a month on. Every change adds a row."""

    __tablename__ = "point_scheme"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date]                      # first day of its first month
    # How an item adopted several times scores: "sum" of all, or only the "highest".
    rule: Mapped[str] = mapped_column(String(10), default="sum")
    # {"outlets": {code: {"base": n, "kinds": {kind: n}, "commissioned": n,
    #                     "instruction": {level: n}}},
    #  "instruction": {level: n}, "commissioned": {level: n}, "deductions": {key: n}}
    points: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship()

    @property
    def rule_label(self) -> str:
        return RULE_LABELS[self.rule]

    def __repr__(self) -> str:
        return f"<PointScheme {self.id} {self.name} from {self.valid_from}>"


class Adoption(db.Model):
    """One adoption of an item by an outlet, with any leader's instruction (批示) on it."""

    __tablename__ = "adoption"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the item's unit
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="")
    commissioned: Mapped[bool] = mapped_column(default=False)         # 约稿信息
    adopted_on: Mapped[date] = mapped_column(index=True)
    instruction_level: Mapped[str] = mapped_column(String(10), default="")  # '' or a level
    instructed_by: Mapped[str] = mapped_column(String(50), default="")
    instructed_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    item: Mapped[Item] = relationship()
    unit: Mapped[Unit] = relationship()
    outlet: Mapped[Outlet] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def instruction_label(self) -> str:
        return INSTRUCTION_LABELS.get(self.instruction_level, "")

    def __repr__(self) -> str:
        return f"<Adoption item={self.item_id} outlet={self.outlet_id} {self.adopted_on}>"


class Penalty(db.Model):
    """A recorded 漏报, 误报 or 不实 of a unit (迟报 comes from the items themselves)."""

    __tablename__ = "penalty"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))                    # missed | wrong | false
    occurred_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[Unit] = relationship()

    @property
    def kind_label(self) -> str:
        return PENALTY_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<Penalty {self.unit_id} {self.kind} {self.occurred_on}>"


# ---- the month's notice as an official document --------------------------------------

NOTICE_STATUS_LABELS = {"draft": "拟稿", "signed": "已审签", "published": "已发布"}
DEFAULT_RECIPIENTS = "各乡镇人民政府、街道办事处，县政府各部门："
DEFAULT_REQUIREMENTS = ("请未完成任务的单位认真分析原因，明确专人负责，切实做好信息报送工作。"
                        "各单位要围绕县委、县政府中心工作，多报送有深度、有分量的综合信息和"
                        "调研信息，提高信息采用率。")


class Notice(db.Model):
    """The month's notice (工作通报): the center's text blocks around the frozen figures of
    a run. ``monitor run`` prepares it as a draft; a center leader signs it off (审签)
    before it is published to 工作通报. Editing or new figures void the signature."""

    __tablename__ = "monitor_notice"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    monitor_month_id: Mapped[int] = mapped_column(ForeignKey("monitor_month.id"), unique=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monthly_run.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft|signed|published
    number: Mapped[str] = mapped_column(String(50), default="")        # 文号
    recipients: Mapped[str] = mapped_column(String(300), default=DEFAULT_RECIPIENTS)  # 主送
    opening: Mapped[str] = mapped_column(Text, default="")             # 导语 ('' = standard)
    problems: Mapped[str] = mapped_column(Text, default="")            # 存在问题
    requirements: Mapped[str] = mapped_column(Text, default=DEFAULT_REQUIREMENTS)  # 下步要求
    signature: Mapped[str] = mapped_column(String(100), default="")    # 落款
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_digest: Mapped[str] = mapped_column(String(64), default="")  # what was signed
    published_digest: Mapped[str] = mapped_column(String(64), default="")
    published_revision: Mapped[int] = mapped_column(default=0)
    revision_reason: Mapped[str] = mapped_column(String(200), default="")

    monitor_month: Mapped[MonitorMonth] = relationship()
    run: Mapped[MonthlyRun] = relationship()
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def status_label(self) -> str:
        return NOTICE_STATUS_LABELS[self.status]

    def __repr__(self) -> str:
        return f"<Notice {self.monitor_month_id} {self.status}>"


# ---- classes of units: yearly point targets and monthly quotas (范文2 二(一), 范文6 三) ----

class AssessmentClass(db.Model):
    """A class of townships or of departments (A, B, C…) with its yearly point target and,
    optionally, its own monthly item quota."""

    __tablename__ = "assessment_class"
    __audit__ = Audited()
    __table_args__ = (UniqueConstraint("unit_kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_kind: Mapped[str] = mapped_column(String(20))        # township | department
    code: Mapped[str] = mapped_column(String(10))              # A, B, C…
    yearly_target: Mapped[int]                                 # points a year
    monthly_quota: Mapped[int | None]                          # None: the rules' quota
    note: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<AssessmentClass {self.unit_kind} {self.code}>"


class UnitClass(db.Model):
    """Which class a unit is in (one at a time; the audit trail keeps the changes)."""

    __tablename__ = "unit_class"
    __audit__ = Audited()

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("assessment_class.id"), index=True)

    unit: Mapped[Unit] = relationship()
    assessment_class: Mapped[AssessmentClass] = relationship()
