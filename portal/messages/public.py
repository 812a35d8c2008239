"""What the public may see of a message: the only way public pages, the search
index and anything exported to the public get at a message.

:func:`public_view` copies the published fields into a :class:`PublicMessage`
that has no name, phone or e-mail field to leak: the name is masked, the texts
are scrubbed once more (the center's edits and the unit's reply included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import ACCEPTED_STATES, ANSWERED_STATES, Message, Reply
from .privacy import mask_name, scrub

SEARCH_TYPE = "message"
COLUMN_SLUG = "messages"
COLUMN_NAME = "市民留言"


@dataclass(frozen=True)
class PublicMessage:
    number: str
    category: str
    subject: str
    body: str
    name: str            # masked: 张**
    unit_name: str
    unit_code: str
    accepted_at: datetime
    answered_at: datetime | None
    reply: str | None
    reply_unit: str | None
    rating: str | None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def status(self) -> str:
        return "已答复" if self.answered else "办理中"


def scrub_for(message: Message, text: str | None, *, staff: bool = False) -> str:
    """``text`` without the personal data of ``message``'s author (or anyone's phone, e-mail,
    unless the text is the ``staff``'s own: a reply keeps the hotline it tells the citizen)."""
    return scrub(text, name=message.name, phone=message.phone, email=message.email,
                 staff=staff)


def public_view(message: Message) -> PublicMessage:
    """The public face of a published message (ValueError if it is not public)."""
    if not message.is_public:
        raise ValueError(f"message {message.id} is not public")
    reply: Reply | None = message.reply if message.status in ANSWERED_STATES else None
    return PublicMessage(
        number=message.number or "",
        category=message.category.label,
        subject=scrub_for(message, message.public_subject),
        body=scrub_for(message, message.public_body),
        name=mask_name(message.name),
        unit_name=message.unit.name if message.unit else "",
        unit_code=message.unit.code if message.unit else "",
        accepted_at=message.accepted_at,
        answered_at=message.answered_at if reply else None,
        reply=scrub_for(message, reply.text, staff=True) if reply else None,
        reply_unit=reply.unit.name if reply else None,
        rating=message.rating.label if message.rating else None,
    )


def public_messages() -> Select:
    """Published messages, newest accepted first, with what the board shows loaded."""
    return (select(Message)
            .where(Message.publish_allowed, Message.public, Message.status.in_(ACCEPTED_STATES))
            .options(selectinload(Message.unit),
                     selectinload(Message.replies).selectinload(Reply.unit))
            .order_by(Message.accepted_at.desc(), Message.id.desc()))


def board_updated() -> datetime | None:
    """When the public board last changed (更新时间): the newest answer or publication."""
    return db.session.scalar(
        select(func.max(func.coalesce(Message.answered_at, Message.accepted_at)))
        .where(Message.publish_allowed, Message.public, Message.status.in_(ACCEPTED_STATES)))


def sitemap_urls():
    """The public messages for the sitemap: (address, last changed: answered or accepted)."""
    from ..urls import external_url_maker

    message_url = external_url_maker("messages.detail", "number")
    rows = db.session.execute(
        select(Message.number, Message.accepted_at, Message.answered_at)
        .where(Message.publish_allowed, Message.public, Message.status.in_(ACCEPTED_STATES))
        .order_by(Message.id))
    for number, accepted_at, answered_at in rows:
        yield message_url(number), answered_at or accepted_at


def detail_path(number: str) -> str:
    """The public page of a message, also outside a request (search rebuilds)."""
    if has_request_context():
        return url_for("messages.detail", number=number)
    with current_app.test_request_context("/"):
        return url_for("messages.detail", number=number)


def search_doc(message: Message) -> dict:
    """The search index document of a published message (masked name, no contact data)."""
    view = public_view(message)
    body = view.body
    if view.reply:
        body += f"\n{view.reply_unit}答复：{view.reply}"
    return {
        "id": doc_id(message), "type": SEARCH_TYPE, "title": view.subject,
        "body": body, "column": COLUMN_SLUG, "column_name": COLUMN_NAME,
        "unit": view.unit_code, "unit_name": view.unit_name, "published_at": view.accepted_at,
        "url": detail_path(view.number),
    }


def doc_id(message: Message) -> str:
    return f"{SEARCH_TYPE}:{message.id}"


def all_search_docs():
    """Every published message as a search document, read lazily (for rebuilds)."""
    for message in db.session.scalars(public_messages().execution_options(yield_per=200)):
        yield search_doc(message)


def count_public() -> int:
    return db.session.scalar(select(db.func.count()).select_from(
        public_messages().order_by(None).subquery())) or 0
