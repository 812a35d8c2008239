"""Outgoing mail: the outbox folder by default, a real SMTP server when configured."""

import pytest

from portal import mail
from portal.extensions import db


def test_without_a_server_mail_goes_to_the_outbox_after_commit(app, outbox):
    with app.test_request_context():
        mail.send("a@example.gov.cn", "主题", "accounts/mail/set_password.txt",
                  user=type("U", (), {"display_name": "张三", "username": "zs",
                                      "unit": type("X", (), {"name": "柳河镇"}),
                                      "role": type("R", (), {"label": "信息员"})})(),
                  link="http://x/y", hours=72, expires_at=None)
    assert outbox() == []  # nothing before the commit
    db.session.commit()
    [message] = outbox()
    assert message["Subject"] == "主题" and "张三" in message.get_content()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    import socket

    with socket.socket() as s:  # a free port on loopback
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, received
    finally:
        controller.stop()


def test_with_a_server_mail_is_sent_by_smtp(app, smtp_server, outbox):
    controller, received = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    msg = mail.build("b@example.gov.cn", "测试邮件", "正文：设置密码")
    mail.deliver(msg, app)
    assert len(received) == 1 and received[0]["To"] == "b@example.gov.cn"
    assert outbox() == []
