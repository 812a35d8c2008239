"""Who is told what about items and dual reports (through ``portal.alerts``).

* An urgent item waiting for sign-off: the unit's leaders, at once and again at 60 and
  90 minutes (范文9: urgent items reach the center within 2 hours of the event).
* An item returned, declined, published or corrected: its author (or, without one, the
  unit's officers).
* A correction sent back, returned or declined: its author.
* A dual-report obligation: the department's officers and leaders when it is created,
  and the day before it is due.

Immediate alerts follow the workflow's signal; the timed ones come from ``due`` (run
every minute by the scheduler). Each timed alert has a key, so it is sent once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..accounts.models import Role, User
from ..alerts import register_kind
from ..alerts.services import link, notify
from ..extensions import db
from .models import Correction, DualReport, DualStatus, Item, ItemEvent, ItemStatus
from .services import latest_comment
from .signals import item_changed

URGENT_AGAIN_MINUTES = (60, 90)

KINDS = {
    # kind: (label, mailed unless the user switches it off)
    "urgent_signoff": ("紧急信息待签发", True),
    "item_returned": ("信息被退回", True),
    "item_declined": ("信息不予采用", True),
    "item_published": ("信息已发布", False),
    "item_corrected": ("信息已更正", False),
    "correction_back": ("更正被退回或未采用", True),
    "dual_created": ("新的双报任务", True),
    "dual_due": ("双报任务明天到期", True),
}


def init_app(app) -> None:
    for kind, (label, mail) in KINDS.items():
        register_kind(app, kind, label, mail)
    item_changed.connect(_on_item_changed, weak=False)
    app.extensions["alerts_due"] = due


def unit_people(unit_id: int, roles: tuple[Role, ...]) -> list[User]:
    return db.session.scalars(select(User).where(User.unit_id == unit_id, User.active,
                                                 User.role.in_(roles))
                              .order_by(User.id)).all()


def _authors(item: Item) -> list[User]:
    if item.author is not None and item.author.active and item.author.unit_id == item.unit_id:
        return [item.author]
    return unit_people(item.unit_id, (Role.officer,))


def _item_link(item: Item) -> str:
    return link("submissions.item", item_id=item.id)


def _reason(item: Item, action: str) -> str:
    event = latest_comment(item, (action,))
    return event.comment if event is not None else ""


def _on_item_changed(item: Item, action: str, old, new, actor, **_) -> None:
    if new == ItemStatus.awaiting_signoff and item.urgent:
        urgent_waiting(item, 0)
    elif action == "return":
        notify(_authors(item), "item_returned", f"信息被中心退回修改：{item.title}",
               f"退回理由：{_reason(item, 'return')}", _item_link(item))
    elif action == "decline":
        notify(_authors(item), "item_declined", f"信息中心不予采用：{item.title}",
               f"理由：{_reason(item, 'decline')}", _item_link(item))
    elif new == ItemStatus.published and action in ("publish", "publish_due", "restore"):
        notify(_authors(item), "item_published", f"信息已发布：{item.title}",
               "", link("public.item", item_id=item.id))
    elif action == "correct":
        notify(_authors(item), "item_corrected", f"已发布的信息已更正：{item.title}",
               "网上内容已替换，网址不变，页面注明更新时间。", _item_link(item))


def _since_submitted(item: Item) -> ItemEvent | None:
    """The step that put the item at sign-off this time."""
    return db.session.scalar(select(ItemEvent).where(
        ItemEvent.item_id == item.id, ItemEvent.to_status == ItemStatus.awaiting_signoff.value)
        .order_by(ItemEvent.id.desc()).limit(1))


def urgent_waiting(item: Item, minutes: int) -> list:
    """Tell the unit's leaders an urgent item waits for them (``minutes`` already)."""
    step = _since_submitted(item)
    hours = current_app.config.get("URGENT_REPORT_HOURS", 2)
    left = ""
    if item.event_at is not None:
        remaining = item.event_at + timedelta(hours=hours) - clock.now()
        minutes_left = int(remaining.total_seconds() // 60)
        left = (f"距事件发生后 {hours} 小时的报送时限还剩 {minutes_left} 分钟。"
                if minutes_left > 0 else f"已超过事件发生后 {hours} 小时的报送时限。")
    waited = f"已等待 {minutes} 分钟。" if minutes else ""
    return notify(unit_people(item.unit_id, (Role.leader,)), "urgent_signoff",
                  f"紧急信息待签发：{item.title}", waited + left, _item_link(item),
                  key=f"urgent:{item.id}:{step.id if step else 0}:{minutes}")


def correction_back(correction: Correction, action: str, reason: str) -> None:
    """The correction's author learns it was sent back, returned or declined."""
    what = {"send_back": "被领导退回", "return": "被中心退回修改",
            "decline": "中心不予更正"}[action]
    author = correction.author
    notify([author] if author else _authors(correction.item), "correction_back",
           f"更正{what}：{correction.item.title}", f"理由：{reason}",
           link("submissions.correction", correction_id=correction.id))


def dual_created(dual: DualReport) -> None:
    notify(unit_people(dual.department_id, (Role.officer, Role.leader)), "dual_created",
           f"新的双报任务：{dual.source_item.title}",
           f"{dual.source_item.unit.name}报送的信息属于本部门业务管辖，"
           f"请于 {clock.cn_date(dual.due_day)} 前报送本部门信息，或提出异议。",
           link("submissions.item", item_id=dual.source_item_id),
           key=f"dual_created:{dual.id}")


def due(now: datetime | None = None) -> str:
    """The timed alerts due at ``now`` (the caller commits); a summary, or ""."""
    now = now or clock.now()
    sent = 0
    waiting = db.session.scalars(select(Item).where(
        Item.status == ItemStatus.awaiting_signoff, Item.urgent)).all()
    for item in waiting:
        step = _since_submitted(item)
        if step is None:
            continue
        waited = (now - step.at).total_seconds() / 60
        for minutes in URGENT_AGAIN_MINUTES:
            if waited >= minutes:
                sent += len(urgent_waiting(item, minutes))
    tomorrow = clock.local(now).date() + timedelta(days=1)
    open_duals = db.session.scalars(select(DualReport).where(
        DualReport.status == DualStatus.pending, DualReport.due_at > now)).all()
    for dual in open_duals:
        if dual.due_day == tomorrow:
            notified = notify(unit_people(dual.department_id, (Role.officer, Role.leader)),
                              "dual_due", f"双报任务明天到期：{dual.source_item.title}",
                              f"请于 {clock.cn_date(dual.due_day)} 前报送本部门信息。",
                              link("submissions.item", item_id=dual.source_item_id),
                              key=f"dual_due:{dual.id}:{dual.due_day.isoformat()}")
            sent += len(notified)
    return f"alerts: {sent}" if sent else ""
