"""Outgoing mail: SMTP when MAIL_SERVER is configured, else .eml files in
``instance/outbox/`` (the example county, development and the tests read them).

``send`` queues the message until the database commits, so nobody receives a
link or a notice for something that was rolled back.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template

from . import clock
from .aftercommit import after_commit


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"


def build(to: str | list[str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    cfg = current_app.config
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = ", ".join([to] if isinstance(to, str) else to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg.get("SITE_DOMAIN") or None)
    msg.set_content(body)
    return msg


def send(to: str | list[str], subject: str, template: str, **context) -> EmailMessage:
    """Render ``template`` (plain text) and deliver it after the next commit."""
    body = render_template(template, **context)
    msg = build(to, subject, body)
    app = current_app._get_current_object()
    after_commit(lambda: deliver(msg, app))
    return msg


def deliver(msg: EmailMessage, app=None) -> None:
    """Hand the message to SMTP, or write it to the outbox folder."""
    app = app or current_app._get_current_object()
    cfg = app.config
    if cfg.get("MAIL_SERVER"):
        cls = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
        with cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return
    folder = Path(app.instance_path) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(bytes(msg))
