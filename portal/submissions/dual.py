"""Dual reporting (条块双报): the obligations a township item creates for a department.

"属于乡镇上报的同时，业务管辖部门亦须上报" (范文8). When a township item that
names its supervising department first reaches the center, the department
owes a report of its own within ``DUAL_REPORT_WORKING_DAYS`` working days. It
fulfils the obligation by writing a linked report (prefilled from the
township's, its own to edit) that reaches the center, or contests it with a
reason the center rules on. The state machine is ``workflow.DUAL_FLOW``.
"""

from __future__ import annotations

import secrets
import shutil
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from . import notifications, workflow
from .models import DualReport, DualStatus, Item, ItemEvent, ItemStatus, Media
from .services import media_root, remove_on_rollback
from .signals import item_changed


def due_from(start: datetime) -> datetime:
    """The end of the n-th working day (China time) after ``start``."""
    return clock.work_calendar().deadline(start, current_app.config["DUAL_REPORT_WORKING_DAYS"])


def recompute_deadlines(sender=None, actor=None, **_) -> tuple[str, int]:
    """Recompute every pending obligation's deadline on the calendar as it is now (recorded
    on the township's item). Returns ("项条块双报", how many moved)."""
    clock.forget_calendar()
    moved = 0
    for dual in db.session.scalars(select(DualReport).where(
            DualReport.status.in_([DualStatus.pending, DualStatus.contested]))):
        due = due_from(dual.created_at)
        if due == dual.due_at:
            continue
        before = due_text(dual)
        dual.due_at = due
        db.session.add(ItemEvent(
            item_id=dual.source_item_id, actor_id=getattr(actor, "id", None),
            action="dual_due", comment=f"工作日历调整，{dual.department.name}报送期限由 "
                                       f"{before} 改为 {due_text(dual)}"))
        moved += 1
    db.session.flush()
    return "项条块双报", moved


def due_text(dual: DualReport) -> str:
    """The due date as people read it: the last minute of the last working day."""
    # due_at is the exclusive end of that day (midnight); 23:59 is what is meant.
    return clock.format_local(dual.due_at - timedelta(minutes=1))


def open_obligation(item: Item) -> DualReport | None:
    """Create the named department's obligation for ``item`` if it has none yet."""
    if item.dual_department_id is None or item.status != ItemStatus.submitted:
        return None
    existing = db.session.scalar(select(DualReport).where(
        DualReport.source_item_id == item.id,
        DualReport.department_id == item.dual_department_id))
    if existing is not None:
        return None
    now = clock.now()
    dual = DualReport(source_item_id=item.id, department_id=item.dual_department_id,
                      status=DualStatus.pending, created_at=now, due_at=due_from(now))
    db.session.add(dual)
    db.session.flush()
    db.session.add(ItemEvent(
        item_id=item.id, actor_id=None, action="dual_open",
        comment=f"{dual.department.name} 须在 {due_text(dual)} 前报送本部门信息"))
    db.session.flush()
    notifications.dual_created(dual)
    return dual


def start_response(actor, dual: DualReport) -> Item:
    """The department's own report for ``dual``, prefilled from the township's item.

    Returns the existing one if the department has started it already. The new
    item is an ordinary draft of the department: its own text to edit, its own
    sign-off, counted for the department.
    """
    if dual.response_item_id is not None:
        return dual.response_item
    if not (getattr(actor, "is_officer", False) and actor.unit_id == dual.department_id):
        raise Forbidden("只有双报部门的信息员可以报送该信息。")
    if dual.status not in (DualStatus.pending, DualStatus.contested):
        raise Conflict(f"该双报义务当前状态为「{dual.status.label}」，无需再报送。")
    source = dual.source_item
    item = Item(unit_id=dual.department_id, author_id=actor.id, status=ItemStatus.draft,
                kind=source.kind, title=source.title, summary=source.summary,
                body_html=source.body_html, column_id=source.column_id,
                event_at=source.event_at, event_place=source.event_place,
                urgent=source.urgent)
    db.session.add(item)
    db.session.flush()
    # The township's photos (or its video, its audio) come along as copies of the files:
    # the department may drop or add some without touching the township's item.
    copy_media(source, item)
    dual.response_item_id = item.id
    origin = f"根据{source.unit.name}报送的「{source.title}」双报"
    db.session.add(ItemEvent(item_id=item.id, actor_id=actor.id, action="create", comment=origin))
    db.session.add(ItemEvent(item_id=source.id, actor_id=actor.id, action="dual_response",
                             comment=f"{dual.department.name}已开始撰写本部门信息"))
    db.session.flush()
    return item


def copy_media(source: Item, target: Item) -> None:
    """Copy ``source``'s media files and rows onto ``target`` (new files, same content)."""
    root = media_root()
    month = clock.now().strftime("%Y/%m")
    (root / month).mkdir(parents=True, exist_ok=True)
    for row in sorted(source.media, key=lambda m: m.position):
        token = secrets.token_hex(6)
        copies = {}
        for name in ("path", "thumb", "page", "poster"):
            old = getattr(row, name)
            if not old:
                continue
            new = f"{month}/{token}-{PurePosixPath(old).name}"
            shutil.copyfile(root / old, root / new)
            copies[name] = new
        remove_on_rollback(list(copies.values()))
        db.session.add(Media(
            item=target, kind=row.kind, mime=row.mime, size=row.size, sha256=row.sha256,
            width=row.width, height=row.height, duration=row.duration, caption=row.caption,
            position=row.position, original_filename=row.original_filename,
            path=copies["path"], thumb=copies.get("thumb"), page=copies.get("page"),
            poster=copies.get("poster")))
    db.session.flush()


def contest(actor, dual: DualReport, reason: str) -> None:
    """The department says the matter is not theirs; the center will rule."""
    workflow.DUAL_FLOW.apply(dual, "contest", actor, reason)
    dual.contest_reason = reason.strip()
    db.session.flush()


ACKNOWLEDGE_NOTE_MAX = 500


def acknowledge(actor, dual: DualReport, note: str) -> None:
    """已掌握: the department knows the matter and says what it is doing about it. It does
    not meet the obligation (only the department's own report does); it tells the township
    and the center that the matter is in hand. Saying it again replaces the note."""
    if not workflow.department_member(actor, dual):
        raise Forbidden("只有双报部门的信息员或领导可以确认已掌握。")
    if dual.status not in (DualStatus.pending, DualStatus.contested):
        raise Conflict(f"该双报任务已{dual.status.label}，无需再确认。")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写已掌握的情况说明（例如已派员核实、将于何时报送）。")
    if len(note) > ACKNOWLEDGE_NOTE_MAX:
        raise DomainError(f"情况说明不超过 {ACKNOWLEDGE_NOTE_MAX} 个字。")
    dual.acknowledged_at = clock.now()
    dual.acknowledged_by_id = actor.id
    dual.acknowledge_note = note
    db.session.add(ItemEvent(item_id=dual.source_item_id, actor_id=actor.id,
                             action="dual_acknowledge",
                             comment=f"{dual.department.name}：已掌握。{note}"))
    db.session.flush()


def rule(actor, dual: DualReport, decision: str, comment: str) -> None:
    """The center's ruling on a contest: ``waive`` it, or ``uphold`` it with a new due date."""
    if decision not in ("waive", "uphold"):
        raise DomainError("请选择裁定结果：免报或须报。")
    workflow.DUAL_FLOW.apply(dual, decision, actor, comment)
    dual.ruling_comment = comment.strip()
    dual.ruled_by_id = actor.id
    dual.ruled_at = clock.now()
    if decision == "uphold":
        dual.due_at = due_from(dual.ruled_at)
    db.session.flush()


def fulfil_with(item: Item, actor) -> DualReport | None:
    """Mark the obligation answered by ``item`` as fulfilled (its report reached the center)."""
    dual = db.session.scalar(select(DualReport).where(DualReport.response_item_id == item.id))
    if dual is None or dual.status not in (DualStatus.pending, DualStatus.contested):
        return None
    workflow.DUAL_FLOW.apply(dual, "fulfil", actor)
    dual.fulfilled_at = item.submitted_at or clock.now()  # when the report reached the center
    db.session.flush()
    return dual


@item_changed.connect
def _on_item_changed(item: Item, action: str, old, new, actor, **_) -> None:
    # Every path to the center (sign-off, direct submission, resubmission, a
    # command) opens and fulfils obligations, not only the desk's buttons.
    if new != ItemStatus.submitted:
        return
    open_obligation(item)
    fulfil_with(item, actor)


def obligations_of(unit_id: int, open_only: bool = True) -> list[DualReport]:
    """A department's obligations, the most urgent first."""
    query = select(DualReport).where(DualReport.department_id == unit_id)
    if open_only:
        query = query.where(DualReport.status.in_([DualStatus.pending, DualStatus.contested]))
    return db.session.scalars(query.order_by(DualReport.due_at, DualReport.id)).all()


def links_of(item: Item) -> tuple[list[DualReport], DualReport | None]:
    """(obligations this item created, the obligation this item answers)."""
    created = db.session.scalars(select(DualReport).where(DualReport.source_item_id == item.id)
                                 .order_by(DualReport.id)).all()
    answers = db.session.scalar(select(DualReport).where(DualReport.response_item_id == item.id))
    return list(created), answers


def links_for(item_ids: list[int]) -> dict[int, list[tuple[str, DualReport]]]:
    """For a page of items: each item's dual-report links, as ("source", dual) when the item
    created the obligation and ("response", dual) when it answers one. One query."""
    found: dict[int, list[tuple[str, DualReport]]] = {}
    if not item_ids:
        return found
    for dual in db.session.scalars(select(DualReport).where(
            DualReport.source_item_id.in_(item_ids)
            | DualReport.response_item_id.in_(item_ids)).order_by(DualReport.id)):
        if dual.source_item_id in item_ids:
            found.setdefault(dual.source_item_id, []).append(("source", dual))
        if dual.response_item_id in item_ids:
            found.setdefault(dual.response_item_id, []).append(("response", dual))
    return found


def contested() -> list[DualReport]:
    """Contests waiting for the center's ruling, oldest first."""
    return db.session.scalars(select(DualReport).where(DualReport.status == DualStatus.contested)
                              .order_by(DualReport.created_at, DualReport.id)).all()


def overdue(at=None) -> list[DualReport]:
    """Pending obligations past their due date (the monitor counts them against the department)."""
    return db.session.scalars(select(DualReport).where(
        DualReport.status == DualStatus.pending, DualReport.due_at <= (at or clock.now()))
        .order_by(DualReport.due_at)).all()
