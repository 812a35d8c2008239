"""The rules of citizen messages. Plain functions taking the acting user.

Each service validates, changes the message through the workflow table
(``workflow.apply``), records the step, queues its e-mails and search-index
changes for after the commit, and flushes; the caller commits.

Deadlines are working days in China time (``clock.work_calendar``):
``MESSAGE_REPLY_WORKING_DAYS`` after the day of acceptance, or the category's
override. Policy on a transfer (转办): the receiving unit gets the full period
again, counted from the day of the transfer, because it could not start
earlier; but a transfer never brings the due date forward (an extension the
center granted survives it). The acceptance date, shown to the public, stays.
An extension adds working days to the current due date.

``at`` (default: now) lets the example county and imports record steps in the past.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock, mail
from ..accounts.models import Unit, UnitKind
from ..accounts.services import normalise_email, unit_addresses
from ..aftercommit import after_commit
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from ..search.service import get_index
from ..urls import external_url
from . import workflow
from .models import (
    CATEGORY_LABELS,
    Category,
    Message,
    MessageLapse,
    MessageRequest,
    MessageStatus,
    Rating,
    RefusalReason,
    Reply,
    RequestKind,
    RequestStatus,
    last_day,
)
from .privacy import PhoneError, fold, normalise_phone
from .public import doc_id, scrub_for, search_doc

SUBJECT_MIN, SUBJECT_MAX = 2, 60
BODY_MIN, BODY_MAX = 10, 3000
NAME_MAX = 30
REPLY_MIN, REPLY_MAX = 10, 5000
REASON_MAX = 500
RATING_COMMENT_MAX = 500

# Query codes: 10 characters without look-alikes (no 0/O, 1/I/L), about 49 bits,
# shown as ABCDE-FGHJK. The hash is scrypt with a lighter work factor than
# passwords: with that much entropy even a cheap hash cannot be searched
# offline, and the example county hashes hundreds of codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_HASH_METHOD = "scrypt:4096:8:1"
_DUMMY_CODE_HASH = generate_password_hash("no-such-message", method=CODE_HASH_METHOD)
NUMBER_RE = re.compile(r"^(\d{4})-?(\d{6,})$")
_SEARCH_CHANGES = "message_search_changes"


# ---- helpers -----------------------------------------------------------------

def _text(value: str | None, label: str, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。")
    if len(value) < minimum:
        raise DomainError(f"{label}至少需要 {minimum} 个字。")
    if len(value) > maximum:
        raise DomainError(f"{label}不能超过 {maximum} 个字（现有 {len(value)} 个）。")
    return value


def reply_days(category: Category) -> int:
    """Working days to answer a message of ``category`` (the override, else the default)."""
    cfg = current_app.config
    overrides = cfg.get("MESSAGE_REPLY_WORKING_DAYS_BY_CATEGORY") or {}
    return int(overrides.get(Category(category).value, cfg["MESSAGE_REPLY_WORKING_DAYS"]))


def due_after(start: datetime, days: int) -> datetime:
    """End of the ``days``-th working day after the local day of ``start``."""
    return clock.work_calendar().deadline(start, days)


def extended(due_at: datetime, days: int) -> datetime:
    """``due_at`` moved ``days`` working days later."""
    day = clock.work_calendar().add_working_days(last_day(due_at), days)
    return clock.start_of_day(day + timedelta(days=1))


def dispatchable_units() -> list[Unit]:
    """The units a message may be addressed or dispatched to: active townships and departments."""
    return db.session.scalars(
        select(Unit).where(Unit.active, Unit.kind != UnitKind.center)
        .order_by(Unit.kind, Unit.code)).all()


def _dispatchable(unit: Unit | None) -> Unit:
    if unit is None or not unit.active or unit.kind == UnitKind.center:
        raise DomainError("请选择一个有效的办理单位（乡镇/街道或县直部门）。")
    return unit


def sync_search(message: Message) -> None:
    """Keep the search index in step with the message's publication (after the commit).

    The document is prepared now (the objects expire at the commit); the
    changes of one transaction are gathered so that the index is written once
    per commit, however many steps a message took (the example county takes
    hundreds in one transaction).
    """
    session = db.session()
    changes = session.info.get(_SEARCH_CHANGES)
    if changes is None:
        changes = session.info[_SEARCH_CHANGES] = {}
        index, info = get_index(), session.info

        def write() -> None:
            info.pop(_SEARCH_CHANGES, None)
            index.upsert([doc for doc in changes.values() if doc is not None])
            index.delete([key for key, doc in changes.items() if doc is None])

        after_commit(write, session)
    changes[doc_id(message)] = search_doc(message) if message.is_public else None


@event.listens_for(Session, "after_rollback")
def _forget_search_changes(session: Session) -> None:
    # The after-commit callback is dropped with the transaction: so are its changes.
    session.info.pop(_SEARCH_CHANGES, None)


# ---- query codes ---------------------------------------------------------------

def new_code() -> str:
    """A fresh query code, e.g. ``7KQ2M-XH4PB``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_code(code: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def hash_code(code: str) -> str:
    """The stored form of a query code (salted scrypt; checked in constant time)."""
    return generate_password_hash(_normalise_code(code), method=CODE_HASH_METHOD)


def normalise_number(number: str | None) -> str | None:
    """'2026-000123' from what a citizen typed ('2026000123', full-width digits), else None."""
    m = NUMBER_RE.match(re.sub(r"\s", "", fold(number)))
    return f"{m.group(1)}-{m.group(2)}" if m else None


def find_with_code(number: str | None, code: str | None) -> Message | None:
    """The message with this number if ``code`` is its query code, else None.

    An unknown number and a wrong code take the same time and give the same
    answer, so the look-up tells nothing about which numbers exist.
    """
    wanted = normalise_number(number)
    message = (db.session.scalar(select(Message).where(Message.number == wanted))
               if wanted else None)
    ok = check_password_hash(message.code_hash if message else _DUMMY_CODE_HASH,
                             _normalise_code(code))
    return message if ok and message is not None else None


# ---- the citizen -----------------------------------------------------------------

def submit(*, category, unit: Unit | None, subject: str, body: str, name: str, phone: str,
           email: str | None = None, publish_allowed: bool = False,
           at: datetime | None = None) -> tuple[Message, str]:
    """A citizen's new message; returns it and its query code (shown once, never stored)."""
    try:
        category = Category(category)
    except ValueError:
        raise DomainError("请选择留言类型。") from None
    if unit is not None:
        _dispatchable(unit)
    subject = _text(subject, "留言标题", SUBJECT_MIN, SUBJECT_MAX)
    body = _text(body, "留言内容", BODY_MIN, BODY_MAX)
    name = _text(name, "姓名", 1, NAME_MAX)
    try:
        phone = normalise_phone(phone)
    except PhoneError as e:
        raise DomainError(str(e)) from None
    email = normalise_email(email)
    at = at or clock.now()
    code = new_code()
    message = Message(category=category, addressed_unit=unit, subject=subject, body=body,
                      name=name, phone=phone, email=email,
                      publish_allowed=bool(publish_allowed), code_hash=hash_code(code),
                      created_at=at)
    message.public_subject = scrub_for(message, subject)
    message.public_body = scrub_for(message, body)
    db.session.add(message)
    db.session.flush()
    message.number = f"{clock.local(at).year}-{message.id:06d}"
    workflow.record(message, None, "submit", None, MessageStatus.new,
                    f"写给{unit.name if unit else '不确定（由网络信息中心分派）'}", at=at)
    db.session.flush()
    return message, code


def rate(message: Message, rating, comment: str = "", *, at: datetime | None = None) -> None:
    """The citizen (who gave the right query code) rates the reply."""
    try:
        rating = Rating(rating)
    except ValueError:
        raise DomainError("请选择满意、基本满意或不满意。") from None
    comment = (comment or "").strip()
    if len(comment) > RATING_COMMENT_MAX:
        raise DomainError(f"评价意见不能超过 {RATING_COMMENT_MAX} 个字。")
    at = at or clock.now()
    workflow.apply(message, "rate", workflow.Citizen(message.id),
                   f"{rating.label}" + (f"：{comment}" if comment else ""), at=at)
    message.rating, message.rating_comment, message.rated_at = rating, comment, at
    sync_search(message)
    db.session.flush()


# ---- the center ----------------------------------------------------------------------

def accept(actor, message: Message, unit: Unit | None, *, public: bool | None = None,
           public_subject: str | None = None, public_body: str | None = None,
           at: datetime | None = None) -> None:
    """Accept a new message and dispatch it to ``unit`` (the citizen's choice, or the center's)."""
    unit = _dispatchable(unit)
    at = at or clock.now()
    due = due_after(at, reply_days(message.category))
    chosen = message.addressed_unit.name if message.addressed_unit else "不确定"
    comment = f"分派至{unit.name}，答复期限 {last_day(due):%Y-%m-%d}"
    if unit.id != message.addressed_unit_id:
        comment += f"（留言人选择：{chosen}）"
    workflow.apply(message, "accept", actor, comment, at=at)
    message.unit, message.accepted_at, message.due_at = unit, at, due
    message.period_start_at, message.period_days = at, reply_days(message.category)
    _set_public(message, message.publish_allowed if public is None else public,
                message.public_subject if public_subject is None else public_subject,
                message.public_body if public_body is None else public_body)
    db.session.flush()
    notify_unit(message)
    sync_search(message)


def refuse(actor, message: Message, reason, *, channel: str = "", note: str = "",
           at: datetime | None = None) -> None:
    """Refuse a new message with a reason from the list (and the right channel, if elsewhere)."""
    try:
        reason = RefusalReason(reason)
    except ValueError:
        raise DomainError("请选择不予受理的理由。") from None
    channel, note = (channel or "").strip(), (note or "").strip()
    if reason == RefusalReason.other_channel and not channel:
        raise DomainError("属信访/纪检渠道的留言，须告知留言人应通过哪个渠道反映。")
    if len(channel) > 200 or len(note) > REASON_MAX:
        raise DomainError(f"说明不能超过 {REASON_MAX} 个字。")
    at = at or clock.now()
    comment = "；".join(filter(None, [reason.label, channel and f"请通过{channel}反映", note]))
    workflow.apply(message, "refuse", actor, comment, at=at)
    message.refusal_reason, message.refusal_channel, message.refusal_note = reason, channel, note
    message.refused_at = at
    message.public = False
    db.session.flush()
    if message.email:
        mail.send(message.email, f"您的留言（编号 {message.number}）未予受理",
                  "messages/mail/citizen_refused.txt", message=message,
                  link=external_url("messages.query"))


def _check_extension(message: Message, days) -> None:
    maximum = current_app.config["MESSAGE_MAX_EXTENSION_WORKING_DAYS"]
    if not isinstance(days, int) or not 1 <= days <= maximum:
        raise DomainError(f"延长的工作日数应在 1 到 {maximum} 之间。")
    total = current_app.config["MESSAGE_MAX_EXTENSION_TOTAL_WORKING_DAYS"]
    if message.extension_days + days > total:
        raise DomainError(f"每条留言累计最多延长 {total} 个工作日，"
                          f"已延长 {message.extension_days} 个工作日。")
    if message.due_at is None:
        raise Conflict("该留言尚未受理，没有答复期限。")


def _record_lapse(message: Message, at: datetime) -> bool:
    """If the handling unit has let the deadline pass, record it against that unit for good
    (before a transfer or extension moves the deadline). Returns whether it had lapsed."""
    if message.due_at is None or message.unit_id is None or message.due_at > at:
        return False
    exists = db.session.scalar(select(MessageLapse.id).where(
        MessageLapse.message_id == message.id, MessageLapse.unit_id == message.unit_id,
        MessageLapse.due_at == message.due_at))
    if exists is None:
        db.session.add(MessageLapse(message_id=message.id, unit_id=message.unit_id,
                                    due_at=message.due_at, recorded_at=at))
    return True


def extend(actor, message: Message, days: int, reason: str, *,
           at: datetime | None = None) -> None:
    """Move the due date ``days`` working days later, with a reason (the center only).

    A deadline already passed stays counted against the unit that let it pass."""
    _check_extension(message, days)
    reason = _text(reason, "延期理由", 2, REASON_MAX)
    at = at or clock.now()
    _record_lapse(message, at)
    new_due = extended(message.due_at, days)
    workflow.apply(message, "extend", actor,
                   f"延长 {days} 个工作日，答复期限改为 "
                   f"{last_day(new_due):%Y-%m-%d}：{reason}", at=at)
    message.due_at = new_due
    message.extension_days += days
    if message.period_days is not None:
        message.period_days += days
    message.extension_reason = reason
    db.session.flush()


def edit_public(actor, message: Message, *, public: bool, subject: str, body: str,
                at: datetime | None = None) -> None:
    """The center edits what the board shows (personal data out); the original stays."""
    if not workflow.center(actor, message):
        raise Forbidden("只有网络信息中心可以修改留言的公开内容。")
    if message.status not in workflow.PUBLIC_TEXT_EDITABLE:
        raise Conflict(f"「{message.status.label}」的留言不公开，无需修改公开内容。")
    _set_public(message, public, subject, body)
    workflow.record(message, actor, "edit_public", message.status, message.status,
                    "修改公开内容；" + ("在留言板公开" if message.public else "不在留言板公开"),
                    at=at)
    db.session.flush()
    sync_search(message)


def _set_public(message: Message, public: bool, subject: str, body: str) -> None:
    if public and not message.publish_allowed:
        raise DomainError("留言人未同意公开，不能在留言板公开。")
    message.public = bool(public)
    message.public_subject = scrub_for(message, _text(subject, "公开标题", 1, SUBJECT_MAX))
    message.public_body = scrub_for(message, _text(body, "公开内容", 1, BODY_MAX))


# ---- the unit -------------------------------------------------------------------------

def needs_signoff(actor, message: Message) -> bool:
    """An officer's reply in a unit that signs replies off waits for the leader."""
    return (message.unit is not None and message.unit.reply_signoff
            and getattr(actor, "is_officer", False))


def word_findings(text: str) -> list[str]:
    """The 错敏词 check items get, on a text written for the public (a reply)."""
    check = current_app.extensions.get("word_check")
    return check(text) if check else []


def reply(actor, message: Message, text: str, *, at: datetime | None = None,
          confirm_words: bool = True) -> Reply:
    """The unit answers; the reply is signed with the unit's name. In a unit that signs
    replies off, an officer's reply waits for the leader (``sign_off_reply``). A reply with
    terms of the word check list goes out only when ``confirm_words`` says they were read."""
    text = _text(text, "答复内容", REPLY_MIN, REPLY_MAX)
    findings = word_findings(text)
    if findings and not confirm_words:
        raise DomainError("答复中含有错敏词，请核对后勾选确认：" + "；".join(findings))
    at = at or clock.now()
    if needs_signoff(actor, message):
        if not workflow.can(message, "reply", actor):
            workflow.apply(message, "reply", actor, at=at)  # raises the table's refusal
        if message.pending_reply is not None:
            raise Conflict("已有一条答复等待领导签发。")
        answer = Reply(message=message, unit_id=message.unit_id, author_id=actor.id, text=text,
                       at=at, pending=True)
        db.session.add(answer)
        workflow.record(message, actor, "reply_draft", message.status, message.status,
                        "答复已提交分管领导签发", at=at)
        db.session.flush()
        return answer
    workflow.apply(message, "reply", actor, at=at)
    answer = Reply(message=message, unit_id=message.unit_id, author_id=actor.id, text=text, at=at)
    db.session.add(answer)
    return _published(message, answer, at)


def sign_off_reply(actor, message: Message, *, approve: bool, comment: str = "",
                   at: datetime | None = None) -> Reply | None:
    """The unit's leader publishes the waiting reply, or sends it back with a reason."""
    answer = message.pending_reply
    if answer is None:
        raise Conflict("没有等待签发的答复。")
    if not (getattr(actor, "is_leader", False) and actor.unit_id == message.unit_id):
        raise Forbidden("只有本单位分管领导可以签发答复。")
    at = at or clock.now()
    if not approve:
        comment = _text(comment, "退回理由", 2, REASON_MAX)
        db.session.delete(answer)
        workflow.record(message, actor, "reply_back", message.status, message.status,
                        f"答复退回修改：{comment}", at=at)
        db.session.flush()
        return None
    workflow.apply(message, "reply", actor, at=at)
    answer.pending, answer.signed_off_by_id, answer.at = False, actor.id, at
    return _published(message, answer, at)


def _published(message: Message, answer: Reply, at: datetime) -> Reply:
    message.answered_at = at
    db.session.flush()
    if message.email:
        mail.send(message.email, f"您的留言（编号 {message.number}）已答复",
                  "messages/mail/citizen_answered.txt", message=message, reply=answer,
                  link=external_url("messages.query"))
    sync_search(message)
    return answer


def transfer(actor, message: Message, to_unit: Unit | None, reason: str, *,
             at: datetime | None = None) -> None:
    """Send a misrouted message on to another unit (转办), with a reason."""
    to_unit = _dispatchable(to_unit)
    if to_unit.id == message.unit_id:
        raise DomainError("请选择另一个单位。")
    reason = _text(reason, "转办理由", 2, REASON_MAX)
    at = at or clock.now()
    old_unit = message.unit
    fresh = due_after(at, reply_days(message.category))
    # The receiving unit gets a full period; a deadline the old unit let pass stays its own.
    due = fresh if _record_lapse(message, at) else max(message.due_at, fresh)
    if due == fresh:
        message.period_start_at, message.period_days = at, reply_days(message.category)
    workflow.apply(message, "transfer", actor,
                   f"由{old_unit.name}转至{to_unit.name}，答复期限 {last_day(due):%Y-%m-%d}："
                   f"{reason}", at=at)
    # Conditional on the unit, like the workflow's state: of two transfers made
    # at the same moment, one wins and the other is told.
    moved = db.session.execute(
        update(Message).where(Message.id == message.id, Message.unit_id == old_unit.id)
        .values(unit_id=to_unit.id, due_at=due, transfer_count=Message.transfer_count + 1)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise Conflict("该留言已被转办，请刷新后查看。")
    db.session.refresh(message)
    notify_unit(message, transfer={"by": actor, "from_unit": old_unit, "reason": reason})
    sync_search(message)


# ---- requests from the unit, decided by the center ------------------------------------------

def _pending_request(message: Message) -> MessageRequest | None:
    return db.session.scalar(select(MessageRequest).where(
        MessageRequest.message_id == message.id,
        MessageRequest.status == RequestStatus.pending))


def _new_request(actor, message: Message, kind: RequestKind, reason: str,
                 at: datetime | None, **fields) -> MessageRequest:
    if not workflow.unit_staff(actor, message) or message.status != MessageStatus.accepted:
        raise Forbidden("只有办理单位可以对待答复的留言提出申请。")
    if _pending_request(message) is not None:
        raise Conflict("该留言已有一项申请等待中心审批。")
    at = at or clock.now()
    request = MessageRequest(message=message, kind=kind, unit_id=message.unit_id,
                             requested_by_id=actor.id, reason=reason, created_at=at, **fields)
    db.session.add(request)
    workflow.record(message, actor, f"request_{kind.value}", message.status, message.status,
                    f"{request.summary}：{reason}", at=at)
    db.session.flush()
    return request


def request_transfer(actor, message: Message, to_unit: Unit | None, reason: str, *,
                     at: datetime | None = None) -> MessageRequest:
    """The handling unit asks the center to transfer the message (转办申请)."""
    to_unit = _dispatchable(to_unit)
    if to_unit.id == message.unit_id:
        raise DomainError("请选择另一个单位。")
    reason = _text(reason, "转办理由", 2, REASON_MAX)
    return _new_request(actor, message, RequestKind.transfer, reason, at,
                        to_unit_id=to_unit.id, to_unit=to_unit)


def request_extension(actor, message: Message, days, reason: str, *,
                      at: datetime | None = None) -> MessageRequest:
    """The handling unit asks the center for more working days (延期申请)."""
    _check_extension(message, days)
    reason = _text(reason, "延期理由", 2, REASON_MAX)
    return _new_request(actor, message, RequestKind.extension, reason, at, days=days)


def pending_requests() -> list[MessageRequest]:
    return list(db.session.scalars(select(MessageRequest).where(
        MessageRequest.status == RequestStatus.pending).order_by(MessageRequest.created_at)))


def decide(actor, request: MessageRequest, approve: bool, note: str = "", *,
           at: datetime | None = None) -> None:
    """The center approves (and carries out) or refuses a unit's request."""
    message = request.message
    if not workflow.center(actor, message):
        raise Forbidden("只有网络信息中心可以审批转办和延期申请。")
    if request.status != RequestStatus.pending:
        raise Conflict(f"该申请已处理（{request.status.label}）。")
    if message.status != MessageStatus.accepted or message.unit_id != request.unit_id:
        raise Conflict("留言已答复或已转办，该申请不再适用。")
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise DomainError(f"审批意见不能超过 {REASON_MAX} 个字。")
    at = at or clock.now()
    who = f"{request.unit.name}申请"
    if approve:
        if request.kind == RequestKind.transfer:
            transfer(actor, message, request.to_unit, f"{request.reason}（{who}，中心同意）",
                     at=at)
        else:
            extend(actor, message, request.days, f"{request.reason}（{who}，中心同意）", at=at)
    else:
        if len(note) < 2:
            raise DomainError("不同意申请时请写明理由。")
        workflow.record(message, actor, "refuse_request", message.status, message.status,
                        f"不同意{request.unit.name}的{request.kind.label}申请：{note}", at=at)
    request.status = RequestStatus.approved if approve else RequestStatus.refused
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, at, note
    db.session.flush()
    db.session.expire(request, ["decided_by"])  # follow the id just set
    _mail_decision(request)


def _mail_decision(request: MessageRequest) -> None:
    to = unit_addresses(request.unit)
    if not to:
        return
    mail.send(to, f"留言 {request.message.number} 的{request.kind.label}申请："
                  f"{request.status.label}", "messages/mail/unit_request_decided.txt",
              request=request, decided_by=request.decided_by,
              link=external_url("messages.staff_detail", message_id=request.message_id))


def due_soon(unit_id: int, at: datetime | None = None, days: int = 2) -> list[Message]:
    """The unit's open messages due within the next ``days`` working days (not yet overdue)."""
    at = at or clock.now()
    horizon = due_after(at, days)
    return list(db.session.scalars(select(Message).where(
        Message.unit_id == unit_id, Message.status == MessageStatus.accepted,
        Message.due_at > at, Message.due_at <= horizon).order_by(Message.due_at)))


def send_deadline_reminders(at: datetime | None = None) -> str:
    """Each working day: each unit hears of its messages due on the next working day and of
    those that became overdue since the last working day; the center hears of every overdue
    message."""
    at = at or clock.now()
    cal, today = clock.work_calendar(), clock.local(at).date()
    if not cal.is_workday(today):
        return "not a working day"
    tomorrow = cal.add_working_days(today, 1)
    since = today - timedelta(days=1)
    while not cal.is_workday(since):
        since -= timedelta(days=1)
    open_ = db.session.scalars(select(Message).where(
        Message.status == MessageStatus.accepted, Message.due_at.is_not(None))).all()
    by_unit: dict[int, tuple[list[Message], list[Message]]] = {}
    for m in open_:
        if m.unit_id is None:
            continue
        if m.due_day == tomorrow:
            by_unit.setdefault(m.unit_id, ([], []))[0].append(m)
        elif since <= m.due_day < today:  # overdue since the last working day
            by_unit.setdefault(m.unit_id, ([], []))[1].append(m)
    sent = 0
    for unit_id, (due, overdue) in by_unit.items():
        unit = db.session.get(Unit, unit_id)
        to = unit_addresses(unit)
        if not to:
            continue
        mail.send(to, f"市民留言办理提醒：{len(due)} 条明天到期，{len(overdue)} 条已超期",
                  "messages/mail/unit_deadlines.txt", unit=unit, due=due, overdue=overdue,
                  link=external_url("messages.inbox"))
        sent += 1
    late = [m for m in open_ if m.due_at <= at]
    center_to = center_addresses()
    if late and center_to:
        mail.send(center_to, f"超期未答复的市民留言：{len(late)} 条",
                  "messages/mail/center_overdue.txt", messages=late,
                  link=external_url("messages.moderation", show="overdue"))
    return f"reminded {sent} units; {len(late)} overdue"


def center_addresses() -> list[str]:
    from ..accounts.models import Role, User

    return list(db.session.scalars(select(User.email).where(
        User.active, User.email.is_not(None), User.role.in_([Role.reviewer, Role.admin]))
        .order_by(User.username)))


# ---- the calendar changed -----------------------------------------------------------------

def recompute_deadlines(sender=None, actor=None, **_) -> tuple[str, int]:
    """Recompute the deadline of every open message from its period on the calendar as it is
    now; each move is recorded in the message's history. Returns ("留言", how many moved)."""
    clock.forget_calendar()
    moved = 0
    for message in db.session.scalars(select(Message).where(
            Message.status == MessageStatus.accepted, Message.period_start_at.is_not(None))):
        due = due_after(message.period_start_at, message.period_days)
        if due == message.due_at:
            continue
        before = last_day(message.due_at)
        message.due_at = due
        workflow.record(message, actor, "recompute_due", message.status, message.status,
                        f"工作日历调整，答复期限由 {before:%Y-%m-%d} 改为 {last_day(due):%Y-%m-%d}")
        moved += 1
    db.session.flush()
    return "条市民留言", moved


# ---- mail --------------------------------------------------------------------------------

def notify_unit(message: Message, transfer: dict | None = None) -> None:
    """Tell the handling unit a message has arrived (no personal data in the e-mail); a
    transfer says who moved it, from which unit and why."""
    to = unit_addresses(message.unit)
    if not to:
        return
    subject = (f"转办的市民留言待办理：{message.number}" if transfer
               else f"新的市民留言待办理：{message.number}")
    mail.send(to, subject, "messages/mail/unit_new.txt", transfer=transfer,
              message=message, category=CATEGORY_LABELS[message.category],
              due_day=last_day(message.due_at),
              link=external_url("messages.staff_detail", message_id=message.id))


# ---- counts for the desks -------------------------------------------------------------------

def count_new() -> int:
    """Messages waiting for the center."""
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.status == MessageStatus.new)) or 0


def count_overdue(unit_id: int | None = None, at: datetime | None = None) -> int:
    """Accepted messages past their due date (of one unit, or all)."""
    query = select(func.count()).select_from(Message).where(
        Message.status == MessageStatus.accepted, Message.due_at <= (at or clock.now()))
    if unit_id is not None:
        query = query.where(Message.unit_id == unit_id)
    return db.session.scalar(query) or 0


def working_days_left(message: Message, at: datetime | None = None) -> int | None:
    """Working days left after today to answer (0: due today; negative: overdue by that many)."""
    if message.due_at is None:
        return None
    now, cal = at or clock.now(), clock.work_calendar()
    due = clock.start_of_day(message.due_day)
    if clock.local(now).date() <= message.due_day:
        return cal.working_days_between(now, due)
    return -cal.working_days_between(due, now)
