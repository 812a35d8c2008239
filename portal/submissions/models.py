"""Items (报送信息), their media, their history, and dual-report obligations (条块双报)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import Unit, User
from ..audit.spec import Audited
from ..extensions import db, str_enum
from ..site.models import Column


class ItemKind(enum.StrEnum):
    text = "text"
    image = "image"
    video = "video"
    audio = "audio"

    @property
    def label(self) -> str:
        return {"text": "文字", "image": "图片", "video": "视频", "audio": "音频"}[self.value]


class ItemStatus(enum.StrEnum):
    draft = "draft"                        # the officer is writing it
    awaiting_signoff = "awaiting_signoff"  # waiting for the unit's leader (待签发)
    submitted = "submitted"                # in the center's queue (待审核)
    scheduled = "scheduled"                # approved, to be published at publish_at (定时发布)
    published = "published"                # on the public site
    returned = "returned"                  # sent back by the center for revision (退回修改)
    declined = "declined"                  # not used by the center (不予采用)
    withdrawn = "withdrawn"                # taken off the public site (已撤稿)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ItemStatus.draft: "草稿",
    ItemStatus.awaiting_signoff: "待签发",
    ItemStatus.submitted: "待审核",
    ItemStatus.scheduled: "定时发布",
    ItemStatus.published: "已发布",
    ItemStatus.returned: "退回修改",
    ItemStatus.declined: "不予采用",
    ItemStatus.withdrawn: "已撤稿",
}


class Item(db.Model):
    """One piece of reported information, from draft to the public site."""

    __tablename__ = "item"
    __audit__ = Audited(columns=("status", "column_id"), center_only=True)
    __table_args__ = (
        # All published items, newest first; carries what the sitemap reads, so its
        # parts walk the index alone.
        Index("ix_item_status_published", "status", "published_at", "id", "corrected_at"),
        # When the site (or a column) last changed: the newest withdrawal, at once.
        Index("ix_item_withdrawn_at", "withdrawn_at"),
        Index("ix_item_column_withdrawn", "column_id", "withdrawn_at"),
        # The public lists: a column's or a unit's published items, newest first (the
        # pages walk these indexes in order, so a deep page does not sort the table).
        Index("ix_item_column_status_published", "column_id", "status", "published_at", "id"),
        Index("ix_item_unit_status_published", "unit_id", "status", "published_at", "id"),
        Index("ix_item_kind_status_published", "kind", "status", "published_at", "id"),
        Index("ix_item_unit_first_submitted_at", "unit_id", "first_submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind), default=ItemKind.text)
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.draft,
                                               index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised with nh3 on save
    column_id: Mapped[int] = mapped_column(ForeignKey("site_column.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When and where the reported event happened (required for urgent items).
    event_at: Mapped[datetime | None]
    event_place: Mapped[str] = mapped_column(String(100), default="")
    urgent: Mapped[bool] = mapped_column(default=False)
    # Urgent item that reached the center too long after the event (迟报).
    late: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    # First time the item reached the center: the month it counts for in the quota.
    first_submitted_at: Mapped[datetime | None]
    # Latest time it reached the center (after a return and resubmission).
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    publish_at: Mapped[datetime | None]    # scheduled publishing (reviewer's choice)
    unpublish_at: Mapped[datetime | None]  # scheduled withdrawal
    withdrawn_at: Mapped[datetime | None]
    # The last time the public text changed after the first publication (更新于): a
    # correction, a reviewer's edit of a published item, a reworked item published again.
    # ``published_at`` stays the first publication (no 伪造发稿日期).
    corrected_at: Mapped[datetime | None]

    # Items brought over from an old site (import-items): idempotent by external_id.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Dual reporting (条块双报): the county department a township names as supervising
    # the matter. Reaching the center creates that department's obligation (DualReport).
    dual_department_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    column: Mapped[Column] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    author: Mapped[User | None] = relationship()
    dual_department: Mapped[Unit | None] = relationship(foreign_keys=[dual_department_id])
    media: Mapped[list[Media]] = relationship(back_populates="item", order_by="Media.position",
                                              cascade="all, delete-orphan")
    events: Mapped[list[ItemEvent]] = relationship(back_populates="item",
                                                   order_by="ItemEvent.id",
                                                   cascade="all, delete-orphan")

    @property
    def is_public(self) -> bool:
        return self.status == ItemStatus.published

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.status} {self.title[:20]!r}>"


class Media(db.Model):
    """An image, video or audio file of an item (paths relative to instance/media/)."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # image | video | audio
    path: Mapped[str] = mapped_column(String(200), unique=True)
    mime: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration: Mapped[float | None]
    poster: Mapped[str | None] = mapped_column(String(200))
    thumb: Mapped[str | None] = mapped_column(String(200))
    page: Mapped[str | None] = mapped_column(String(200))
    # Caption, also the alt text of an image (required for images).
    caption: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    item: Mapped[Item] = relationship(back_populates="media")

    def __repr__(self) -> str:
        return f"<Media {self.id} {self.kind} {self.path}>"


class ItemEvent(db.Model):
    """One step in an item's history: who, when, from which state to which, why."""

    __tablename__ = "item_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the system
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ItemEvent {self.item_id} {self.action} {self.from_status}->{self.to_status}>"


class ItemRevision(db.Model):
    """The text of an item as one save left it: title, summary, body and the media list.

    Written by every save that changes them (the officer's, the leader's at sign-off,
    the reviewer's small edits, a published correction); never changed afterwards.
    """

    __tablename__ = "item_revision"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    number: Mapped[int]  # 1, 2, ... per item
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: before records
    # What produced it: create | edit | media | reviewer | correction | baseline
    source: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    media_list: Mapped[str] = mapped_column(Text, default="")  # one "file：caption" per line
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship()
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ItemRevision {self.item_id}#{self.number} {self.source}>"


class CorrectionStatus(enum.StrEnum):
    draft = "draft"                        # the officer is writing it (or it came back)
    awaiting_signoff = "awaiting_signoff"  # waiting for the unit's leader
    submitted = "submitted"                # in the center's queue
    published = "published"                # applied to the item; the page shows 更新于
    declined = "declined"                  # the center keeps the published text
    cancelled = "cancelled"                # the officer gave it up

    @property
    def label(self) -> str:
        return {"draft": "更正草稿", "awaiting_signoff": "更正待签发", "submitted": "更正待审核",
                "published": "更正已发布", "declined": "更正未采用",
                "cancelled": "更正已撤销"}[self.value]


OPEN_CORRECTION = (CorrectionStatus.draft, CorrectionStatus.awaiting_signoff,
                   CorrectionStatus.submitted)


class Correction(db.Model):
    """A change proposed to a published item (更正). The published text stays online
    while the correction goes through sign-off and review like a new item."""

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    status: Mapped[CorrectionStatus] = mapped_column(
        str_enum(CorrectionStatus), default=CorrectionStatus.draft, index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why (shown to leader and center)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    item: Mapped[Item] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def unit_id(self) -> int:
        return self.item.unit_id

    def __repr__(self) -> str:
        return f"<Correction {self.id} item={self.item_id} {self.status}>"


class DualStatus(enum.StrEnum):
    pending = "pending"        # the department has to report (待报送)
    fulfilled = "fulfilled"    # the department's linked report reached the center (已报送)
    contested = "contested"    # the department says it is not theirs; the center decides (有异议)
    waived = "waived"          # the center accepted the objection (已免报)

    @property
    def label(self) -> str:
        return {"pending": "待报送", "fulfilled": "已报送", "contested": "有异议待裁定",
                "waived": "已免报"}[self.value]


class DualReport(db.Model):
    """The obligation a township item creates for the department supervising the matter."""

    __tablename__ = "dual_report"
    __audit__ = Audited(columns=("status", "department_id", "due_at"), center_only=True)
    __table_args__ = (UniqueConstraint("source_item_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[DualStatus] = mapped_column(str_enum(DualStatus), default=DualStatus.pending,
                                               index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    due_at: Mapped[datetime]  # end of the n-th working day (China time), UTC
    # The department's own linked report, once it exists.
    response_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), unique=True)
    fulfilled_at: Mapped[datetime | None]
    contest_reason: Mapped[str] = mapped_column(Text, default="")
    # 已掌握: the department tells the township and the center it knows the matter (with a
    # note on what it is doing). The obligation stays until its report reaches the center.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledge_note: Mapped[str] = mapped_column(Text, default="")
    ruling_comment: Mapped[str] = mapped_column(Text, default="")
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ruled_at: Mapped[datetime | None]

    source_item: Mapped[Item] = relationship(foreign_keys=[source_item_id])
    response_item: Mapped[Item | None] = relationship(foreign_keys=[response_item_id])
    department: Mapped[Unit] = relationship()
    ruled_by: Mapped[User | None] = relationship(foreign_keys=[ruled_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])

    @property
    def due_day(self):
        """The last day to report, China time (due_at is the exclusive end of that day)."""
        return clock.local(self.due_at - timedelta(microseconds=1)).date()

    def is_overdue(self, at: datetime | None = None) -> bool:
        """Past due and still unmet (pending, or contested and later upheld as pending)."""
        return self.status == DualStatus.pending and (at or clock.now()) >= self.due_at

    @property
    def fulfilled_late(self) -> bool:
        """Fulfilled, but only after the due date had passed (逾期报送)."""
        return self.fulfilled_at is not None and self.fulfilled_at >= self.due_at

    def __repr__(self) -> str:
        return f"<DualReport item={self.source_item_id} dept={self.department_id} {self.status}>"
