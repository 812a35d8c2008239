"""Sending alerts, reading them, and each user's settings.

``notify`` adds the alerts and queues the e-mails; the caller commits once (mail goes
out only after the commit, see ``portal.mail``). A ``key`` makes an alert once-only per
user (a second notify with the same key does nothing), for reminders sent by a timer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select, update

from .. import clock, mail
from ..accounts.models import User
from ..extensions import db
from ..urls import path_for
from .models import Alert, AlertSetting

PAGE_SIZE = 30


def kinds() -> dict[str, tuple[str, bool]]:
    """kind -> (label, mailed by default), as the packages registered them."""
    return current_app.extensions.get("alert_kinds", {})


@dataclass
class Choice:
    kind: str
    label: str
    desk: bool
    mail: bool


def settings_of(user: User) -> list[Choice]:
    """The user's choice for every kind (defaults where they have not chosen)."""
    saved = {s.kind: s for s in db.session.scalars(select(AlertSetting)
                                                   .where(AlertSetting.user_id == user.id))}
    return [Choice(kind, label, saved[kind].desk if kind in saved else True,
                   saved[kind].mail if kind in saved else mailed)
            for kind, (label, mailed) in kinds().items()]


def save_settings(user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store (desk, mail) per kind; unknown kinds are ignored."""
    known = kinds()
    saved = {s.kind: s for s in db.session.scalars(select(AlertSetting)
                                                   .where(AlertSetting.user_id == user.id))}
    for kind, (desk, by_mail) in choices.items():
        if kind not in known:
            continue
        row = saved.get(kind) or AlertSetting(user_id=user.id, kind=kind)
        row.desk, row.mail = bool(desk), bool(by_mail)
        db.session.add(row)
    db.session.flush()


def notify(users: Iterable[User], kind: str, subject: str, text: str, url: str,
           key: str | None = None) -> list[Alert]:
    """Tell ``users`` (each once) about something; ``url`` is a path inside the portal."""
    label, mailed_by_default = kinds().get(kind, (kind, True))
    people = {u.id: u for u in users if u is not None and getattr(u, "active", True)}
    if not people:
        return []
    saved = {(s.user_id, s.kind): s for s in db.session.scalars(select(AlertSetting).where(
        AlertSetting.user_id.in_(people), AlertSetting.kind == kind))}
    taken = set() if key is None else set(db.session.scalars(select(Alert.user_id).where(
        Alert.user_id.in_(people), Alert.key == key)))
    sent = []
    for user_id, user in sorted(people.items()):
        if user_id in taken:
            continue
        choice = saved.get((user_id, kind))
        desk = choice.desk if choice else True
        by_mail = (choice.mail if choice else mailed_by_default) and bool(user.email)
        if not (desk or by_mail):
            continue
        alert = Alert(user_id=user_id, kind=kind, key=key, subject=subject, text=text,
                      url=url, created_at=clock.now(), mailed=by_mail,
                      read_at=None if desk else clock.now())
        db.session.add(alert)
        sent.append(alert)
        if by_mail:
            mail.send(user.email, f"【{label}】{subject}", "alerts/mail.txt", user=user,
                      title=subject, text=text, link=_absolute(url), label=label)
    db.session.flush()
    return sent


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def unread_count(user=None) -> int:
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.user_id == user.id, Alert.read_at.is_(None)))


def page_of(user: User, page: int):
    return db.paginate(select(Alert).where(Alert.user_id == user.id)
                       .order_by(Alert.id.desc()), page=page, per_page=PAGE_SIZE,
                       error_out=False)


def read(user: User, alert: Alert) -> None:
    if alert.user_id != user.id:
        raise PermissionError
    if alert.read_at is None:
        alert.read_at = clock.now()
    db.session.flush()


def read_all(user: User) -> int:
    result = db.session.execute(update(Alert).where(Alert.user_id == user.id,
                                                    Alert.read_at.is_(None))
                                .values(read_at=clock.now()))
    return result.rowcount


def link(endpoint: str, **values) -> str:
    """A path for an alert's link, also from the scheduler."""
    return path_for(endpoint, **values)
