"""The workflow of a citizen message, as data.

Read the table to learn the whole flow: the center accepts a new message and
dispatches it to a unit, or refuses it with a reason; the unit replies, or
asks the center to transfer (转办) a misrouted message to another unit or to
extend the deadline, and the center decides; the citizen, holding the query code, rates the reply.
``apply`` is the only way a message changes state, and every step, including
those that keep the state (transfer, extension, editing the public text), is
recorded in the message's history.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from .. import clock
from ..extensions import db
from ..workflow import Transition, Workflow
from .models import STATUS_LABELS, Message, MessageEvent, MessageStatus

S = MessageStatus


class Citizen:
    """The actor who proved, with the query code, that they wrote ``message_id``."""

    id = None
    display_name = "留言人"
    is_authenticated = False
    is_admin = is_reviewer = is_officer = is_leader = False
    unit_id = None

    def __init__(self, message_id: int):
        self.message_id = message_id

    def __repr__(self) -> str:
        return f"<Citizen of message {self.message_id}>"


# ---- who may ----------------------------------------------------------------

def center(actor, message: Message) -> bool:
    """Reviewers and admins of the network information center."""
    return getattr(actor, "is_reviewer", False)


def unit_staff(actor, message: Message) -> bool:
    """Officers and leaders of the unit handling the message."""
    return ((getattr(actor, "is_officer", False) or getattr(actor, "is_leader", False))
            and message.unit_id is not None and actor.unit_id == message.unit_id)


def author(actor, message: Message) -> bool:
    return isinstance(actor, Citizen) and actor.message_id == message.id


# ---- the table ----------------------------------------------------------------

TRANSITIONS = {
    # (state,        action):      Transition(new state, who may, label, comment?)
    (S.new, "accept"):          Transition(S.accepted, center, "受理并分派"),
    (S.new, "refuse"):          Transition(S.refused, center, "不予受理", True),
    (S.accepted, "reply"):      Transition(S.answered, unit_staff, "答复"),
    # Units ask (services.request_transfer / request_extension); the center decides.
    (S.accepted, "transfer"):   Transition(S.accepted, center, "转办", True),
    (S.accepted, "extend"):     Transition(S.accepted, center, "延期", True),
    (S.answered, "rate"):       Transition(S.rated, author, "评价"),
}

# What people call each step of the history (the table's labels, and the steps outside it).
ACTION_LABELS = {action: t.label for (_, action), t in TRANSITIONS.items()} | {
    "submit": "提交留言", "edit_public": "修改公开内容", "request_transfer": "申请转办",
    "request_extension": "申请延期", "refuse_request": "不同意申请",
    "recompute_due": "期限重算", "reply_draft": "答复送签", "reply_back": "答复退回"}

# Editing the public text is no transition: the center may do it in these states.
PUBLIC_TEXT_EDITABLE = (S.new, S.accepted, S.answered, S.rated)

# The time recorded for the step being applied (the services pass it on, so
# that the example county and imports can record steps in the past).
_event_at: ContextVar[datetime | None] = ContextVar("message_event_at", default=None)


def record(message: Message, actor, action: str, old, new, comment: str = "", *,
           at: datetime | None = None) -> MessageEvent:
    """Add a history row for ``message`` (also used for steps outside the table)."""
    event = MessageEvent(message=message, actor_id=getattr(actor, "id", None), action=action,
                         from_status=None if old is None else str(old),
                         to_status=None if new is None else str(new), comment=comment,
                         at=at or _event_at.get() or clock.now())
    db.session.add(event)
    return event


def _handled_by(message: Message) -> str | None:
    last = db.session.scalar(db.select(MessageEvent).where(MessageEvent.message_id == message.id)
                             .order_by(MessageEvent.id.desc()).limit(1))
    return last.actor_label if last is not None else None


MESSAGE_FLOW = Workflow("message", TRANSITIONS, record=record,
                        state_labels={k.value: v for k, v in STATUS_LABELS.items()},
                        handled_by=_handled_by)


def apply(message: Message, action: str, actor, comment: str | None = None, *,
          at: datetime | None = None) -> Transition:
    """Move ``message`` by ``action`` as ``actor`` and record it (at ``at``, default now)."""
    token = _event_at.set(at)
    try:
        return MESSAGE_FLOW.apply(message, action, actor, comment)
    finally:
        _event_at.reset(token)


def can(message: Message, action: str, actor) -> bool:
    """Whether ``actor`` may take ``action`` on ``message`` now (its state included)."""
    return MESSAGE_FLOW.can(message, action, actor)


def may(message: Message, action: str, actor) -> bool:
    """Whether ``actor`` has the role for ``action`` on ``message``, whatever its state.

    Views check this first (403), and leave the state to ``apply`` (409 with
    who handled it), so that a double click is told what happened.
    """
    return actor is not None and any(t.allowed(actor, message)
                                     for (_, a), t in TRANSITIONS.items() if a == action)
