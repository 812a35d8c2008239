"""The center's compliance pages: dashboard, month table, drill-down, trends, year, rules."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from .. import clock
from ..accounts.models import Unit
from ..accounts.services import reachable_units
from ..errors import DomainError
from ..extensions import db
from ..forms import choices
from ..messages.models import Message
from ..permissions import get_or_404, require_login_and
from ..submissions.models import DualReport, Item
from . import adoptions as adopt
from . import awards as award_rules
from . import figures as figs
from . import health, notices, reports, services
from .exports import download, total_row
from .forms import PenaltyForm, QuotaRuleForm, ReasonForm, RulesForm, RunForm
from .models import MonitorMonth, MonitorRules, MonthlyRun, QuotaRule

bp = Blueprint("monitor", __name__, url_prefix="/monitor")


@bp.context_processor
def nav_context():
    today = clock.today()
    return {"monitor_today": today, "monitor_previous": clock.previous_month(today)}


def _month(text: str) -> tuple[int, int]:
    try:
        return clock.parse_month(text)
    except ValueError:
        abort(404)


def _export_format() -> str | None:
    fmt = request.args.get("format")
    return fmt if fmt in ("xlsx", "csv") else None


@bp.get("/")
@require_login_and("monitor.view")
def dashboard():
    today = clock.today()
    months = db.session.execute(
        select(MonitorMonth, MonthlyRun)
        .join(MonthlyRun, MonthlyRun.monitor_month_id == MonitorMonth.id)
        .order_by(MonitorMonth.year.desc(), MonitorMonth.month.desc(),
                  MonthlyRun.revision.desc())).all()
    latest = {}
    for mm, run in months:
        latest.setdefault(mm.id, (mm, run))
    behind = services.behind_pace(today)
    return render_template("monitor/dashboard.html", checks=health.run_checks(),
                           months=list(latest.values())[:12], today=today, behind=behind,
                           reachable=reachable_units([b.unit.id for b in behind]),
                           previous=clock.previous_month(today), run_form=RunForm())


@bp.get("/month/<ym>")
@require_login_and("monitor.view")
def month(ym: str):
    year, mon = _month(ym)
    kind = request.args.get("kind") or None
    sort = request.args.get("sort", "unit")
    desc = request.args.get("desc") == "1"
    report = reports.month_report(year, mon, kind, sort, desc)
    if fmt := _export_format():
        headers, rows = reports.table(report.rows, reports.MONTH_COLUMNS)
        state = (f"第 {report.run.revision} 版统计，{clock.format_local(report.run.created_at)}"
                 if report.run else f"实时数据，{clock.format_local(clock.now())}")
        return download(fmt, f"{year}年{mon}月政务信息报送情况", f"{year}年{mon}月", headers, rows,
                        heading=f"{year}年{mon}月政务信息报送及采用情况（{state}）",
                        total=total_row(headers, rows,
                                        skip=("累计信息得分", "同类排名", "全年目标")))
    today = clock.today()
    return render_template("monitor/month.html", report=report, kind=kind, sort=sort, desc=desc,
                           ym=ym, ended=(year, mon) < (today.year, today.month),
                           run_form=RunForm(), columns=reports.MONTH_COLUMNS)


@bp.post("/month/<ym>/run")
@require_login_and("monitor.manage")
def run(ym: str):
    year, mon = _month(ym)
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    run = services.run_month(year, mon, current_user, form.note.data or "")
    notice = notices.get(year, mon)
    flash(f"{year}年{mon}月统计完成（第 {run.revision} 版）。通报草稿已"
          f"{'生成' if run.revision == 1 else '更新'}，当前状态：{notice.status_label}；"
          f"审签后方可发布。", "success")
    return redirect(url_for("monitor.notice", ym=ym))


@bp.get("/month/<ym>/unit/<int:unit_id>")
@require_login_and("monitor.view")
def unit_month(ym: str, unit_id: int):
    year, mon = _month(ym)
    unit = get_or_404(Unit, unit_id, view="monitor.view")
    start, end = clock.month_bounds(year, mon)
    items = db.session.scalars(select(Item).where(
        Item.unit_id == unit.id, Item.first_submitted_at >= start, Item.first_submitted_at < end)
        .order_by(Item.first_submitted_at)).all()
    if fmt := _export_format():
        headers = ["标题", "类型", "状态", "首次报送时间", "发布时间", "紧急", "迟报"]
        rows = [[i.title, i.kind.label, i.status.label, clock.format_local(i.first_submitted_at),
                 clock.format_local(i.published_at), "是" if i.urgent else "",
                 "是" if i.late else ""] for i in items]
        return download(fmt, f"{unit.name}{year}年{mon}月报送信息", "报送信息", headers, rows)
    obligations = db.session.scalars(select(DualReport).where(
        DualReport.department_id == unit.id,
        or_(DualReport.due_at.between(start, end), DualReport.created_at.between(start, end)))
        .order_by(DualReport.due_at)).all()
    report = reports.month_report(year, mon)
    row = next((r for r in report.rows if r.unit_id == unit.id), None)
    penalty_form = PenaltyForm(prefix="penalty")
    penalty_form.occurred_on.data = min(clock.today(),
                                        clock.month_days(year, mon)[1] - timedelta(days=1))
    return render_template("monitor/unit_month.html", unit=unit, year=year, mon=mon, ym=ym,
                           items=items, obligations=obligations, row=row, live=report.live,
                           messages=_messages(unit.id, start, end), now=clock.now(),
                           adoptions=adopt.in_month(year, mon, unit.id),
                           penalties=adopt.penalties_in_month(unit.id, year, mon),
                           describe=adopt.describe,
                           penalty_form=penalty_form, revoke_form=ReasonForm(prefix="revoke"))


def _messages(unit_id: int, start, end) -> list[Message]:
    """Messages the unit handles (or was chosen for) that arrived in the month."""
    return db.session.scalars(select(Message).where(
        func.coalesce(Message.unit_id, Message.addressed_unit_id) == unit_id,
        Message.created_at >= start, Message.created_at < end)
        .order_by(Message.created_at)).all()


@bp.get("/trend")
@require_login_and("monitor.view")
def trend():
    unit_id = request.args.get("unit", type=int)
    unit = get_or_404(Unit, unit_id, view="monitor.view") if unit_id else None
    data = reports.trend(unit.id if unit else None)
    if fmt := _export_format():
        name = unit.name if unit else "全县"
        rows = [list(r) for r in zip(data.labels, data.submitted, data.published, data.quota,
                                     data.score, strict=True)]
        return download(fmt, f"{name}近12个月报送趋势", "趋势",
                        ["月份", "报送条数", "发布条数", "应报条数", "信息得分"], rows,
                        heading=f"{name}近12个月政务信息报送及得分")
    return render_template("monitor/trend.html", unit=unit, units=figs.counted_units(),
                           trend=data)


@bp.get("/year/<int:year>")
@require_login_and("monitor.view")
def year(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    kind = request.args.get("kind") or None
    rows = reports.year_table(year, kind)
    if fmt := _export_format():
        headers, data = reports.table(rows, reports.YEAR_COLUMNS)
        months = rows[0].months if rows else 0
        return download(fmt, f"{year}年度政务信息报送积分排名", f"{year}年度", headers, data,
                        heading=f"{year}年度政务信息考核得分及排名（已统计 {months} 个月）",
                        total=total_row(headers, data, skip=("同类排名", "统计月数", "全年目标")))
    return render_template("monitor/year.html", year=year, rows=rows, kind=kind,
                           columns=reports.YEAR_COLUMNS, points=services.current_rules().points,
                           point_labels=services.POINT_LABELS)


@bp.route("/rules", methods=["GET", "POST"])
@require_login_and("monitor.manage")
def rules():
    form = RulesForm() if request.method == "POST" else _prefilled_rules_form()
    quota_form = _quota_form()
    if form.validate_on_submit():
        reminders = [(getattr(form, f"day{i}").data, getattr(form, f"count{i}").data or 0)
                     for i in (1, 2, 3) if getattr(form, f"day{i}").data]
        try:
            services.update_rules(current_user, quota=form.quota.data, reminders=reminders,
                                  basis=form.basis.data,
                                  points={k: getattr(form, f"points_{k}").data
                                          for k in services.POINT_LABELS},
                                  note=form.note.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash("考核规则已更新，下次统计起生效。", "success")
            return redirect(url_for("monitor.rules"))
    return _rules_page(form, quota_form, 400 if request.method == "POST" else 200)


def _prefilled_rules_form() -> RulesForm:
    current = services.current_rules()
    form = RulesForm(formdata=None, quota=current.quota, basis=current.basis,
                     **{f"points_{k}": v for k, v in current.points.items()})
    for i, (day, count) in enumerate(current.reminders[:3], start=1):
        getattr(form, f"day{i}").data, getattr(form, f"count{i}").data = day, count
    return form


def _quota_form() -> QuotaRuleForm:
    form = QuotaRuleForm(prefix="q")
    form.unit_id.choices = choices((u.id, u.name) for u in figs.counted_units())
    return form


def _rules_page(form, quota_form, status=200):
    history = db.session.scalars(select(MonitorRules).order_by(MonitorRules.id.desc())
                                 .limit(20)).all()
    quota_rules = db.session.scalars(select(QuotaRule).order_by(QuotaRule.created_at.desc())
                                     .limit(200)).all()
    return render_template("monitor/rules.html", form=form, quota_form=quota_form,
                           history=history, quota_rules=quota_rules, revoke_form=RunForm(),
                           point_labels=services.POINT_LABELS), status


def _first_of(text: str | None) -> date | None:
    if not text:
        return None
    y, m = clock.parse_month(text)
    return date(y, m, 1)


@bp.post("/quota-rules")
@require_login_and("monitor.manage")
def quota_rule_add():
    quota_form = _quota_form()
    if quota_form.validate_on_submit():
        unit = db.session.get(Unit, quota_form.unit_id.data)
        try:
            services.add_quota_rule(
                current_user, unit, exempt=quota_form.kind.data == "exempt",
                quota=quota_form.quota.data, valid_from=_first_of(quota_form.valid_from.data),
                valid_to=_first_of(quota_form.valid_to.data), reason=quota_form.reason.data)
        except DomainError as e:
            db.session.rollback()
            quota_form.reason.errors = [*quota_form.reason.errors, e.message]
        else:
            db.session.commit()
            flash(f"已为「{unit.name}」保存设置。", "success")
            return redirect(url_for("monitor.rules"))
    return _rules_page(_prefilled_rules_form(), quota_form, 400)


@bp.post("/quota-rules/<int:rule_id>/revoke")
@require_login_and("monitor.manage")
def quota_rule_revoke(rule_id: int):
    rule = get_or_404(QuotaRule, rule_id, view="monitor.manage")
    if not RunForm().validate_on_submit():
        abort(400)
    services.revoke_quota_rule(current_user, rule)
    db.session.commit()
    flash(f"已撤销「{rule.unit.name}」的设置。", "success")
    return redirect(url_for("monitor.rules"))


@bp.get("/awards/<int:year>")
@require_login_and("monitor.view")
def awards(year: int):
    top_t = min(max(request.args.get("top_townships", 10, type=int), 1), 500)
    top_d = min(max(request.args.get("top_departments", 20, type=int), 1), 500)
    collectives = award_rules.collectives(year, top_t, top_d)
    chosen = {c.row.unit_id for c in collectives if c.eligible}
    return render_template("monitor/awards.html", year=year, collectives=collectives,
                           progress=award_rules.progress(year, chosen),
                           people=award_rules.individuals(year, chosen),
                           top_townships=top_t, top_departments=top_d)
