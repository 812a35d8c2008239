"""Units (townships, county departments, the center) and their accounts."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..audit.spec import Audited
from ..extensions import db, str_enum


class UnitKind(enum.StrEnum):
    township = "township"
    department = "department"
    center = "center"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.township: "乡镇/街道",
    UnitKind.department: "县直部门",
    UnitKind.center: "网络信息中心",
}


class Role(enum.StrEnum):
    officer = "officer"
    leader = "leader"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.officer: "信息员",
    Role.leader: "分管领导",
    Role.reviewer: "审核员",
    Role.admin: "管理员",
}
# Roles that belong to the center, and those that belong to a reporting unit.
CENTER_ROLES = {Role.reviewer, Role.admin}
UNIT_ROLES = {Role.officer, Role.leader}



class Unit(db.Model):
    __tablename__ = "unit"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    active: Mapped[bool] = mapped_column(default=True)
    # Counted in the monthly compliance figures (the center itself usually is not).
    counted: Mapped[bool] = mapped_column(default=True)
    # Units without a separate leader send items straight to the center.
    skip_signoff: Mapped[bool] = mapped_column(default=False)
    # A reply to a citizen's message is published only once the unit's leader signs it off.
    reply_signoff: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # When the unit joined the portal's reporting (its first month in the roster); None
    # for units that have always been there. Set on creation, or given for history.
    joined_on: Mapped[date | None]
    # When it was last deactivated: it stays in the roster of the months it was active.
    deactivated_at: Mapped[datetime | None]

    users: Mapped[list[User]] = relationship(back_populates="unit", order_by="User.username")

    def in_roster(self, start: datetime, end: datetime) -> bool:
        """Whether the unit belongs to the roster of the period ``[start, end)`` (UTC): it
        had joined before the period ended and was not deactivated before it began."""
        if self.joined_on is not None and clock.start_of_day(self.joined_on) >= end:
            return False
        if not self.active:
            return self.deactivated_at is not None and self.deactivated_at >= start
        return True

    @property
    def is_center(self) -> bool:
        return self.kind == UnitKind.center

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __audit__ = Audited(ignore=("last_login_at",), secret=("password_hash", "session_nonce"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session id: changing it (deactivation, new password) ends every session.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(back_populates="users")

    # Flask-Login: a deactivated user, or one whose unit is deactivated, has no session.
    @property
    def is_active(self) -> bool:
        return self.active and self.unit.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def end_sessions(self) -> None:
        self.session_nonce = secrets.token_hex(8)

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_reviewer(self) -> bool:
        """Reviewers and admins both work the center's queue."""
        return self.role in CENTER_ROLES

    @property
    def is_officer(self) -> bool:
        return self.role == Role.officer

    @property
    def is_leader(self) -> bool:
        return self.role == Role.leader

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class PasswordToken(db.Model):
    """A one-time set-password link. Only the SHA-256 of the token is stored."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when a newer link is sent, so only the latest link works.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordToken user={self.user_id} expires={self.expires_at}>"


class AccountEvent(db.Model):
    """Who changed which unit or account, and how: the admin's audit trail."""

    __tablename__ = "account_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<AccountEvent {self.action} unit={self.unit_id} user={self.user_id}>"
