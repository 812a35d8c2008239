"""Shorthands for the messages tests: a message written, accepted, answered."""

from __future__ import annotations

from datetime import datetime

from portal import clock
from portal.extensions import db
from portal.messages import services

PHONE = "13912345678"


BODY = "我家小区门口的路灯坏了一个月，晚上出行很不安全。"


def write(unit=None, *, category="consult", subject="小区路灯不亮", name="张三丰",
          phone=PHONE, email=None, publish=True, body=BODY, at: datetime | None = None,
          commit=True):
    """A citizen's message; returns (message, query code)."""
    message, code = services.submit(category=category, unit=unit, subject=subject, body=body,
                                    name=name, phone=phone, email=email, publish_allowed=publish,
                                    at=at)
    if commit:
        db.session.commit()
    return message, code


def local(*args) -> datetime:
    """A China-time instant as UTC: local(2026, 9, 30, 18)."""
    return clock.from_local(datetime(*args))


def accepted(reviewer, unit, at=None, **kw):
    message, code = write(unit, at=at, **kw)
    services.accept(reviewer, message, unit, at=at)
    db.session.commit()
    return message, code


def answered(reviewer, officer, at=None, reply_at=None, **kw):
    message, code = accepted(reviewer, officer.unit, at=at, **kw)
    services.reply(officer, message, "您好！已安排维修人员处理，路灯已恢复照明。", at=reply_at)
    db.session.commit()
    return message, code


def login_as(login, user, client):
    """Switch ``client`` to ``user``. The tests' requests share the test's app
    context, where Flask-Login caches the user in ``g``: forget it first."""
    from flask import g

    g.pop("_login_user", None)
    return login(user, client)
