"""Citizen messages (市民留言), their replies and their history.

A message keeps two texts: what the citizen wrote (``subject``, ``body``), seen
by the center only, and what the public board shows (``public_subject``,
``public_body``), scrubbed of personal data automatically and edited by the
center. The citizen's name, phone and e-mail are never part of the public text;
public pages are built from :func:`portal.messages.public.public_view` only.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import Unit, User
from ..audit.spec import Audited
from ..extensions import db, str_enum


class Category(enum.StrEnum):
    consult = "consult"
    complaint = "complaint"
    suggestion = "suggestion"
    help = "help"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.consult: "咨询",
    Category.complaint: "投诉",
    Category.suggestion: "建议",
    Category.help: "求助",
}


class MessageStatus(enum.StrEnum):
    new = "new"            # waiting for the center (待受理)
    accepted = "accepted"  # dispatched to a unit, being handled (办理中)
    refused = "refused"    # not accepted, with a reason (不予受理)
    answered = "answered"  # the unit replied (已答复)
    rated = "rated"        # the citizen rated the reply (已评价)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    MessageStatus.new: "待受理",
    MessageStatus.accepted: "办理中",
    MessageStatus.refused: "不予受理",
    MessageStatus.answered: "已答复",
    MessageStatus.rated: "已评价",
}
# States in which a message has been accepted (it may be on the public board).
ACCEPTED_STATES = (MessageStatus.accepted, MessageStatus.answered, MessageStatus.rated)
ANSWERED_STATES = (MessageStatus.answered, MessageStatus.rated)


class RefusalReason(enum.StrEnum):
    advertising = "advertising"
    abuse = "abuse"
    duplicate = "duplicate"
    secret_or_privacy = "secret_or_privacy"
    other_channel = "other_channel"

    @property
    def label(self) -> str:
        return REFUSAL_LABELS[self]


REFUSAL_LABELS = {
    RefusalReason.advertising: "广告",
    RefusalReason.abuse: "辱骂",
    RefusalReason.duplicate: "重复",
    RefusalReason.secret_or_privacy: "涉密或隐私",
    RefusalReason.other_channel: "属信访/纪检渠道",
}


class Rating(enum.StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    dissatisfied = "dissatisfied"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {
    Rating.satisfied: "满意",
    Rating.basically_satisfied: "基本满意",
    Rating.dissatisfied: "不满意",
}


def last_day(end: datetime) -> date:
    """The local date of the last day before ``end``, an exclusive end of day (a due date)."""
    return clock.local(end - timedelta(microseconds=1)).date()


class Message(db.Model):
    """One citizen message, from the form to the public board."""

    __tablename__ = "message"
    __audit__ = Audited(columns=("status", "unit_id", "due_at", "extension_days",
                                  "extension_reason", "publish_allowed", "public",
                                  "transfer_count"), center_only=True)
    __table_args__ = (
        Index("ix_message_unit_id_status", "unit_id", "status"),
        Index("ix_message_status_accepted_at", "status", "accepted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "2026-000123": the local year of arrival and the row id, so it is unique
    # without a counter that two submissions could race for. Set right after
    # the first flush, hence nullable.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    category: Mapped[Category] = mapped_column(str_enum(Category))
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus),
                                                  default=MessageStatus.new, index=True)
    # The unit the citizen chose (None: 不确定, the center dispatches); never changes.
    addressed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The unit handling it: set on acceptance, changed by a transfer (转办).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    # What the citizen wrote: the center only.
    subject: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    # What the public board shows (personal data removed).
    public_subject: Mapped[str] = mapped_column(String(100), default="")
    public_body: Mapped[str] = mapped_column(Text, default="")

    # The citizen: never on a public page, feed, search document or export.
    name: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    # The citizen's consent to publication, and the center's decision (only with consent).
    publish_allowed: Mapped[bool] = mapped_column(default=False)
    public: Mapped[bool] = mapped_column(default=False)
    # Werkzeug scrypt hash of the query code (查询码); the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(200))

    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    accepted_at: Mapped[datetime | None]
    # End (exclusive, UTC) of the last working day to answer, China time.
    due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    rated_at: Mapped[datetime | None]

    refusal_reason: Mapped[RefusalReason | None] = mapped_column(str_enum(RefusalReason))
    # The channel named to the citizen when the matter belongs elsewhere (信访/纪检).
    refusal_channel: Mapped[str] = mapped_column(String(200), default="")
    refusal_note: Mapped[str] = mapped_column(Text, default="")
    # Working days added by the center in total, and the latest reason.
    extension_days: Mapped[int] = mapped_column(default=0)
    # The current period: due_at is the end of the period_days-th working day after
    # period_start_at, so a change to the calendar can recompute it exactly.
    period_start_at: Mapped[datetime | None]
    period_days: Mapped[int | None]
    extension_reason: Mapped[str] = mapped_column(String(500), default="")
    transfer_count: Mapped[int] = mapped_column(default=0)
    rating: Mapped[Rating | None] = mapped_column(str_enum(Rating))
    rating_comment: Mapped[str] = mapped_column(String(500), default="")

    addressed_unit: Mapped[Unit | None] = relationship(foreign_keys=[addressed_unit_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    replies: Mapped[list[Reply]] = relationship(back_populates="message", order_by="Reply.id",
                                                cascade="all, delete-orphan")
    events: Mapped[list[MessageEvent]] = relationship(back_populates="message",
                                                      order_by="MessageEvent.id",
                                                      cascade="all, delete-orphan")

    @property
    def reply(self) -> Reply | None:
        """The unit's published answer (the latest, should there ever be more)."""
        published = [r for r in self.replies if not r.pending]
        return published[-1] if published else None

    @property
    def pending_reply(self) -> Reply | None:
        """A reply written by an officer that waits for the leader's sign-off."""
        return next((r for r in self.replies if r.pending), None)

    @property
    def is_public(self) -> bool:
        """On the public board: accepted, the citizen consented and the center agreed."""
        return self.publish_allowed and self.public and self.status in ACCEPTED_STATES

    @property
    def due_day(self) -> date | None:
        """The last day to answer, China time."""
        return None if self.due_at is None else last_day(self.due_at)

    def is_overdue(self, at: datetime | None = None) -> bool:
        """Accepted, past its due date and still unanswered."""
        return (self.status == MessageStatus.accepted and self.due_at is not None
                and (at or clock.now()) >= self.due_at)

    @property
    def answered_late(self) -> bool:
        return (self.answered_at is not None and self.due_at is not None
                and self.answered_at >= self.due_at)

    def __repr__(self) -> str:
        return f"<Message {self.number} {self.status} {self.subject[:20]!r}>"


class Reply(db.Model):
    """A unit's answer to a message, signed with the unit's name."""

    __tablename__ = "message_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    # Units that sign replies off: written (pending) → signed off by the leader (published).
    pending: Mapped[bool] = mapped_column(default=False)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    message: Mapped[Message] = relationship(back_populates="replies")
    unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])

    def __repr__(self) -> str:
        return f"<Reply message={self.message_id} unit={self.unit_id}>"


class MessageEvent(db.Model):
    """One step in a message's history: who, when, from which state to which, why.

    ``actor_id`` is None for the citizen (writing, rating) and for the system.
    """

    __tablename__ = "message_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")

    message: Mapped[Message] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def actor_label(self) -> str:
        if self.actor is not None:
            return f"{self.actor.display_name}（{self.actor.unit.name}）"
        return "留言人" if self.action in CITIZEN_ACTIONS else "系统"

    def __repr__(self) -> str:
        return (f"<MessageEvent {self.message_id} {self.action} "
                f"{self.from_status}->{self.to_status}>")


# Steps taken by the citizen (recorded without a user).
CITIZEN_ACTIONS = frozenset({"submit", "rate"})


class RequestKind(enum.StrEnum):
    transfer = "transfer"
    extension = "extension"

    @property
    def label(self) -> str:
        return {"transfer": "转办", "extension": "延期"}[self.value]


class RequestStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"

    @property
    def label(self) -> str:
        return {"pending": "待中心审批", "approved": "中心已同意", "refused": "中心未同意"}[
            self.value]


class MessageRequest(db.Model):
    """A unit asks the center to transfer a message elsewhere or to extend its deadline.

    Units cannot move their own deadline: the center decides, and both the request
    and the decision stay in the record.
    """

    __tablename__ = "message_request"
    __audit__ = Audited(columns=("status", "decided_by_id", "decision_note"), center_only=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus),
                                                  default=RequestStatus.pending, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    days: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    message: Mapped[Message] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    to_unit: Mapped[Unit | None] = relationship(foreign_keys=[to_unit_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def summary(self) -> str:
        if self.kind == RequestKind.transfer:
            return f"申请转至{self.to_unit.name if self.to_unit else '中心指定单位'}"
        return f"申请延长 {self.days} 个工作日"


class MessageLapse(db.Model):
    """A deadline a unit let pass: it stays counted against that unit (live and in the frozen
    month) whatever happens to the message afterwards (a transfer, an extension)."""

    __tablename__ = "message_lapse"
    __table_args__ = (UniqueConstraint("message_id", "unit_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
