"""The center's audit page: filter by actor, object and date; export to XLSX or CSV."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..monitor.exports import download
from ..permissions import require_login_and
from .models import AuditAction, AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")

# What each audited table is called on the page.
OBJECT_LABELS = {
    "unit": "单位", "user": "账号", "calendar_day": "工作日历", "site_column": "栏目",
    "word_term": "错敏词", "page_revision": "页面", "monitor_rules": "考核规则",
    "quota_rule": "单独设定", "monthly_run": "月度考核", "item": "信息",
    "dual_report": "条块双报", "message": "留言", "site_setting": "网站信息",
    "message_request": "留言转办/延期申请",
}
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def _filters() -> dict:
    return {"actor": (request.args.get("actor") or "").strip()[:60],
            "type": request.args.get("type") if request.args.get("type") in OBJECT_LABELS
            else "",
            "object": (request.args.get("object") or "").strip()[:64],
            "action": request.args.get("action") if request.args.get("action")
            in AuditAction.__members__ else "",
            "from": _day("from"), "to": _day("to")}


def _query(f: dict):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if f["actor"]:
        query = query.where(AuditEntry.actor.contains(f["actor"], autoescape=True))
    if f["type"]:
        query = query.where(AuditEntry.object_type == f["type"])
    if f["object"]:
        query = query.where((AuditEntry.object_id == f["object"])
                            | AuditEntry.label.contains(f["object"], autoescape=True))
    if f["action"]:
        query = query.where(AuditEntry.action == f["action"])
    if f["from"]:
        query = query.where(AuditEntry.at >= clock.start_of_day(f["from"]))
    if f["to"]:
        query = query.where(AuditEntry.at < clock.start_of_day(f["to"] + timedelta(days=1)))
    return query


def describe(changes: dict) -> str:
    """``字段：旧 → 新`` per changed column, one per line."""
    parts = []
    for key, (before, after) in changes.items():
        if before is None:
            parts.append(f"{key}：{after}")
        elif after is None:
            parts.append(f"{key}：{before}（删除）")
        else:
            parts.append(f"{key}：{before} → {after}")
    return "\n".join(parts)


@bp.get("/")
@require_login_and("audit.view")
def index():
    f = _filters()
    query = _query(f)
    fmt = request.args.get("format")
    if fmt in ("xlsx", "csv"):
        entries = db.session.scalars(query.limit(EXPORT_LIMIT)).all()
        headers = ["时间", "操作人", "角色", "来源", "操作", "对象类型", "对象编号", "名称",
                   "变更内容"]
        rows = [(clock.format_local(e.at, "%Y-%m-%d %H:%M:%S"), e.actor, e.actor_role, e.origin,
                 e.action_label, OBJECT_LABELS.get(e.object_type, e.object_type), e.object_id,
                 e.label, describe(e.changes)) for e in entries]
        return download(fmt, "审计日志", "审计日志", headers, rows)
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE,
                       max_per_page=PAGE_SIZE, error_out=False)
    args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    return render_template("audit/index.html", page=page, f=f, labels=OBJECT_LABELS,
                           actions=list(AuditAction), describe=describe, args=args)
