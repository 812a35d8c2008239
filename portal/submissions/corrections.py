"""Corrections (更正) of published items, and the center's small edits.

An officer proposes a changed text of a published item, with the reason. The
proposal is signed off by the unit's leader and reviewed by the center like a
new item (``workflow.CORRECTION_FLOW``) while the published text stays online;
published, it replaces the item's title, summary and body under the same URL,
is kept as a revision, and the page shows 更新于 beside the first publication
time, which never changes.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from ..html import to_text
from . import notifications, revisions, workflow
from .models import OPEN_CORRECTION, Correction, Item, ItemEvent, ItemStatus
from .services import BODY_MAX_CHARS, body_from_input, check_words_at_signoff, checked_text
from .signals import item_changed

REASON_MAX = 1000


def open_correction(item: Item) -> Correction | None:
    """The correction of this item still on its way (draft, at sign-off, at the center)."""
    return db.session.scalar(select(Correction).where(Correction.item_id == item.id,
                                                      Correction.status.in_(OPEN_CORRECTION))
                             .order_by(Correction.id.desc()).limit(1))


def of_item(item: Item) -> list[Correction]:
    return db.session.scalars(select(Correction).where(Correction.item_id == item.id)
                              .order_by(Correction.id.desc())).all()


def can_propose(actor, item: Item) -> bool:
    return item.status == ItemStatus.published and workflow.officer_of_unit(actor, item) \
        and open_correction(item) is None


def _fields(item: Item, title: str, summary: str, body: str, reason: str) -> dict:
    values = {"title": checked_text(title, "标题", 200, required=True),
              "summary": checked_text(summary, "摘要", 500),
              "body_html": body_from_input(body, item.media),
              "reason": checked_text(reason, "更正理由", REASON_MAX, required=True)}
    if len(values["body_html"]) > BODY_MAX_CHARS:
        raise DomainError(f"正文过长（上限 {BODY_MAX_CHARS} 个字符）。")
    return values


def propose(actor, item: Item, *, title: str, summary: str, body: str,
            reason: str) -> Correction:
    """A correction draft of a published item of the actor's unit."""
    if not workflow.officer_of_unit(actor, item):
        raise Forbidden("只有本单位信息员可以对已发布的信息提出更正。")
    if item.status != ItemStatus.published:
        raise Conflict("只能更正已发布的信息。")
    if open_correction(item) is not None:
        raise Conflict("该信息已有一份更正正在办理，请在其中修改。")
    correction = Correction(item=item, author_id=actor.id, status=workflow.C.draft,
                            **_fields(item, title, summary, body, reason))
    db.session.add(correction)
    db.session.add(ItemEvent(item=item, actor_id=actor.id, action="correction_open",
                             comment=correction.reason))
    db.session.flush()
    return correction


def update(actor, correction: Correction, *, title: str, summary: str, body: str,
           reason: str) -> None:
    """Change the proposed text (the officer while a draft, the leader at sign-off)."""
    if not workflow.can_edit_correction(actor, correction):
        raise Forbidden("该更正当前不能由您修改。")
    changed = False
    for name, value in _fields(correction.item, title, summary, body, reason).items():
        if getattr(correction, name) != value:
            setattr(correction, name, value)
            changed = True
    if changed:
        db.session.add(ItemEvent(item_id=correction.item_id, actor_id=actor.id,
                                 action="correction_edit"))
    db.session.flush()


def problems(correction: Correction) -> list[str]:
    """What stops the correction from going on."""
    item = correction.item
    found = []
    if (correction.title, correction.summary, correction.body_html) == (
            item.title, item.summary, item.body_html):
        found.append("更正稿与已发布的内容相同")
    if not correction.reason.strip():
        found.append("缺少更正理由")
    if item.kind == "text" and not correction.body_html.strip():
        found.append("文字信息需要填写正文")
    return found


def texts(correction: Correction) -> list[tuple[str, str]]:
    """(place, plain text) of the proposed text, for the word check."""
    return [("标题", correction.title), ("摘要", correction.summary or ""),
            ("正文", to_text(correction.body_html))]


def act(correction: Correction, action: str, actor, comment: str | None = None,
        confirm_words: bool = False):
    """A step of the unit on its correction (submit, sign off, send back, recall, cancel)."""
    if action not in workflow.CORRECTION_UNIT_ACTIONS:
        raise DomainError("此操作不能在这里办理。")
    if action == "sign_off" and workflow.CORRECTION_FLOW.can(correction, action, actor):
        check_words_at_signoff(correction.item_id, texts(correction), actor, confirm_words)
    if action in ("submit", "submit_direct", "sign_off") and \
            workflow.CORRECTION_FLOW.can(correction, action, actor):
        found = problems(correction)
        if found:
            raise DomainError("还不能提交：" + "；".join(found) + "。")
    return workflow.CORRECTION_FLOW.apply(correction, action, actor, comment)


def publish(correction: Correction, actor) -> None:
    """The center publishes the correction: the item takes its text, same URL, 更新于."""
    item = correction.item
    if item.status != ItemStatus.published:
        raise Conflict(f"该信息已不在网站上（当前状态：{item.status.label}），不能发布更正。")
    workflow.CORRECTION_FLOW.apply(correction, "publish", actor)
    revisions.baseline(item)
    item.title, item.summary, item.body_html = (correction.title, correction.summary,
                                                correction.body_html)
    item.corrected_at = clock.now()
    revisions.record(item, correction.author, "correction",
                     f"{correction.reason}（审核发布：{actor.display_name}）")
    db.session.flush()
    item_changed.send(item, action="correct", old=item.status, new=item.status, actor=actor)


def return_(correction: Correction, actor, reason: str) -> None:
    """The center sends the correction back to its unit (a draft again), with the reason."""
    workflow.CORRECTION_FLOW.apply(correction, "return", actor, reason)
    notifications.correction_back(correction, "return", reason)


def decline(correction: Correction, actor, reason: str) -> None:
    """The center keeps the published text, with the reason."""
    workflow.CORRECTION_FLOW.apply(correction, "decline", actor, reason)
    notifications.correction_back(correction, "decline", reason)


def edit_directly(item: Item, actor, *, title: str, summary: str, body: str,
                  reason: str) -> bool:
    """A reviewer's small edit of an item at the center or on the site, with the reason.
    Returns whether anything changed."""
    if not getattr(actor, "is_reviewer", False):
        raise Forbidden("只有中心审核员可以直接修改。")
    if item.status not in (ItemStatus.submitted, ItemStatus.scheduled, ItemStatus.published):
        raise Conflict(f"该信息当前状态为「{item.status.label}」，不能直接修改。")
    values = _fields(item, title, summary, body, reason)
    reason = values.pop("reason")
    if all(getattr(item, k) == v for k, v in values.items()):
        return False
    revisions.baseline(item)
    for name, value in values.items():
        setattr(item, name, value)
    db.session.add(ItemEvent(item=item, actor_id=actor.id, action="reviewer_edit",
                             comment=reason))
    revisions.record(item, actor, "reviewer", reason)
    if item.status == ItemStatus.published:
        item.corrected_at = clock.now()
        db.session.flush()
        item_changed.send(item, action="correct", old=item.status, new=item.status,
                          actor=actor)
    db.session.flush()
    return True
