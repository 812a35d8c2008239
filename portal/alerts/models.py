"""Alerts and each user's choices of how to receive them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db


class Alert(db.Model):
    """One thing a user should know or do, with a link to where it is."""

    __tablename__ = "alert"
    __table_args__ = (
        # A reminder sent once (e.g. "urgent item waiting 60 minutes") is keyed per user.
        UniqueConstraint("user_id", "key"),
        Index("ix_alert_user_read", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(300), default="")  # a path inside the portal
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    mailed: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Alert {self.user_id} {self.kind} {self.subject[:20]!r}>"


class AlertSetting(db.Model):
    """A user's choice for one kind: on the desk list, by e-mail (no row: the defaults)."""

    __tablename__ = "alert_setting"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    desk: Mapped[bool] = mapped_column(default=True)
    mail: Mapped[bool] = mapped_column(default=True)
