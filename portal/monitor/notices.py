"""The month's notice (工作通报) as an official document: drafted, signed, published.

``monitor run`` (and the scheduler) freezes a month's figures and prepares the notice
as a draft; it never publishes. The center edits the text blocks (文号, 主送, 导语,
存在问题, 下步要求, 落款) around the generated figures and previews it as it will print;
a center leader signs it off (审签); then it is published to 工作通报. What was signed
is fixed by a digest of the rendered text: an edit, or a new run whose figures change
the text, voids the signature. Publishing again after a change is a revision, with a
reason shown on the published notice; publishing an unchanged text makes no revision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import select

from .. import clock
from ..accounts.models import Unit, UnitKind
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from ..permissions import can
from ..site.models import Column, ensure_default_columns
from ..submissions import workflow
from ..submissions.models import Item, ItemEvent, ItemKind
from ..submissions.signals import item_changed
from ..workflow import SYSTEM
from .models import MonitorMonth, MonthlyRun, Notice

BLOCK_LIMITS = {"number": 50, "recipients": 300, "opening": 2000, "problems": 5000,
                "requirements": 5000, "signature": 100}
BLOCK_LABELS = {"number": "文号", "recipients": "主送机关", "opening": "导语",
                "problems": "存在问题", "requirements": "下步要求", "signature": "落款单位"}


def title(year: int, month: int) -> str:
    return f"关于{year}年{month}月全县政务信息报送情况的通报"


@dataclass
class _Scheme:
    """The scheme a run used, as frozen in its rules."""

    id: int
    name: str
    rule: str


def render(notice: Notice, issued: date | None) -> str:
    """The notice's HTML (the published item's body): the center's blocks around the
    frozen figures of its run. ``issued`` None renders a placeholder date (for digests and
    unsigned previews)."""
    run, mm = notice.run, notice.monitor_month
    rows = run.figures
    best = sorted((f for f in rows if f.status == "met"),
                  key=lambda f: (-f.score, -f.points, -f.published, f.position))[:5]
    scheme = run.rules.get("scheme")
    return render_template(
        "monitor/notice.html", notice=notice, run=run, mm=mm, totals=run.totals,
        quota=run.rules["quota"], below=[f for f in rows if f.status == "below"],
        silent=[f for f in rows if f.status == "none"],
        dual=[f for f in rows if f.dual_unmet], overdue=[f for f in rows if f.messages_overdue],
        late=[f for f in rows if f.urgent_late], exempt=[f for f in rows if f.exempt],
        best=best, scheme=_Scheme(**scheme) if scheme else None, rows=rows,
        zero=[f for f in rows if not f.exempt and not f.adoptions],
        paragraphs=_paragraphs, issued=clock.cn_date(issued) if issued else "　年　月　日")


def issued_on(notice: Notice) -> date | None:
    """The date the notice bears: the day it was signed (None while it is a draft)."""
    return clock.local(notice.signed_at).date() if notice.status != "draft" else None


def document(notice: Notice) -> str:
    """The notice as it stands, dated as it will print."""
    return render(notice, issued_on(notice))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def digest(notice: Notice) -> str:
    return hashlib.sha256(render(notice, None).encode()).hexdigest()


def get(year: int, month: int) -> Notice | None:
    return db.session.scalar(select(Notice).join(MonitorMonth).where(
        MonitorMonth.year == year, MonitorMonth.month == month))


def prepare(mm: MonitorMonth, run: MonthlyRun) -> Notice:
    """Make (or bring up to ``run``'s figures) the month's draft. Never publishes."""
    notice = db.session.scalar(select(Notice).where(Notice.monitor_month_id == mm.id))
    if notice is None:
        notice = Notice(monitor_month=mm, run=run,
                        signature=current_app.config["SITE_OPERATOR"],
                        published_revision=1 if mm.notice_item_id else 0)
        db.session.add(notice)
        db.session.flush()
        return notice
    notice.run = run
    db.session.flush()
    _void_if_changed(notice)
    return notice


def _void_if_changed(notice: Notice) -> None:
    """Back to draft when the text no longer is what was signed (or published)."""
    now = digest(notice)
    if notice.status == "signed" and now != notice.signed_digest:
        notice.status = "draft"
    elif notice.status == "published" and now != notice.published_digest:
        notice.status = "draft"


def edit(actor, notice: Notice, **blocks: str) -> bool:
    """Change the text blocks. Returns whether anything changed (then the signature, if
    any, is void)."""
    changed = False
    for key, value in blocks.items():
        if key not in BLOCK_LIMITS:
            raise DomainError(f"未知的栏目：{key}")
        value = (value or "").replace("\r\n", "\n").strip()
        if len(value) > BLOCK_LIMITS[key]:
            raise DomainError(f"「{BLOCK_LABELS[key]}」不能超过 {BLOCK_LIMITS[key]} 个字。")
        if key in ("recipients", "signature", "requirements") and not value:
            raise DomainError(f"请填写「{BLOCK_LABELS[key]}」。")
        if getattr(notice, key) != value:
            setattr(notice, key, value)
            changed = True
    if changed:
        notice.edited_at, notice.edited_by_id = clock.now(), actor.id if actor else None
        db.session.flush()
        _void_if_changed(notice)
    return changed


def sign(actor, notice: Notice) -> None:
    """The center leader's 审签 of the text as it is now."""
    if not can(actor, "monitor.notice_sign"):
        raise Forbidden("通报须由网络信息中心的领导（或管理员）审签。")
    if notice.status == "signed":
        raise Conflict(f"该通报已由 {notice.signed_by.display_name} 审签。")
    if notice.status == "published":
        raise Conflict("该通报已发布，内容没有变化，无需再次审签。")
    notice.status, notice.signed_at = "signed", clock.now()
    notice.signed_by_id, notice.signed_digest = actor.id, digest(notice)
    db.session.flush()


def publish(actor, notice: Notice, reason: str = "") -> Item:
    """Publish the signed text to 工作通报 (first time), or revise the published notice in
    place (same URL) with ``reason`` shown on it."""
    if notice.status != "signed":
        raise Conflict("通报须经审签后才能发布。" if notice.status == "draft"
                       else "该通报已发布，内容没有变化。")
    if digest(notice) != notice.signed_digest:
        notice.status = "draft"
        db.session.flush()
        raise Conflict("审签后内容或数据已变化，请重新审签。")
    reason = (reason or "").strip()
    mm = notice.monitor_month
    revising = mm.notice_item is not None
    if revising and not reason:
        raise DomainError("该通报已发布过，请填写修订原因（将显示在通报上）。")
    if len(reason) > 200:
        raise DomainError("修订原因不能超过 200 个字。")
    notice.published_revision += 1
    notice.revision_reason = reason if revising else ""
    body = document(notice)
    if revising:
        body += render_template("monitor/_notice_revision.html", notice=notice,
                                at=clock.now())
    run = notice.run
    summary = (f"{mm.year}年{mm.month}月，全县 {run.totals['counted']} 个考核单位共报送信息 "
               f"{run.totals['submitted']} 条，{run.totals['met']} 个单位完成报送任务。")
    item = mm.notice_item
    if item is None:
        ensure_default_columns()
        column = db.session.scalar(select(Column).where(Column.slug == "notices"))
        item = Item(kind=ItemKind.text, title=title(mm.year, mm.month), summary=summary,
                    body_html=body, column=column, unit=_center(), author_id=actor.id)
        db.session.add(item)
        db.session.flush()
        mm.notice_item = item
        workflow.apply(item, "post_notice", SYSTEM)
    else:
        item.title, item.summary, item.body_html = title(mm.year, mm.month), summary, body
        db.session.add(ItemEvent(item=item, actor_id=actor.id, action="revise",
                                 from_status=item.status.value, to_status=item.status.value,
                                 comment=f"第 {notice.published_revision} 版通报：{reason}"))
        db.session.flush()
        item_changed.send(item, action="revise", old=item.status, new=item.status, actor=actor)
    notice.status, notice.published_digest = "published", notice.signed_digest
    db.session.flush()
    return item


def _center() -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.kind == UnitKind.center, Unit.active)
                             .order_by(Unit.id).limit(1))
    if unit is None:
        raise DomainError("尚未设置网络信息中心单位，无法发布通报。")
    return unit
