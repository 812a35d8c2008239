"""Alerts: a desk list with an unread count in the header, and e-mail, chosen per user and
kind; each keyed reminder once."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.alerts import services
from portal.alerts.models import Alert
from portal.extensions import db


def test_notify_puts_an_alert_on_the_desk_and_mails_it(app, make_user, outbox):
    user = make_user(Role.leader)
    services.notify([user], "item_returned", "信息被中心退回修改：测试", "退回理由：请补充",
                    "/desk/items/1")
    db.session.commit()
    assert services.unread_count(user) == 1
    [mail] = outbox()
    assert mail["To"] == user.email and "信息被中心退回修改：测试" in mail["Subject"]
    body = mail.get_content()
    assert "退回理由：请补充" in body and "/desk/items/1" in body


def test_a_keyed_alert_is_sent_once(app, make_user, outbox):
    user = make_user(Role.leader)
    for _ in range(2):
        services.notify([user], "urgent_signoff", "紧急", "", "/x", key="urgent:1:0")
    db.session.commit()
    assert db.session.query(Alert).count() == 1 and len(outbox()) == 1


def test_the_users_settings_decide_desk_and_mail(app, make_user, outbox):
    user = make_user(Role.officer)
    services.save_settings(user, {"item_returned": (True, False),
                                  "item_declined": (False, False)})
    services.notify([user], "item_returned", "退回", "", "/x")
    services.notify([user], "item_declined", "不予采用", "", "/x")
    db.session.commit()
    assert [a.subject for a in db.session.query(Alert)] == ["退回"]
    assert outbox() == []


def test_published_alerts_are_not_mailed_unless_chosen(app, make_user, outbox):
    user = make_user(Role.officer)
    services.notify([user], "item_published", "已发布", "", "/x")
    db.session.commit()
    assert services.unread_count(user) == 1 and outbox() == []


def test_nobody_without_an_address_is_mailed_and_inactive_users_get_nothing(app, make_user,
                                                                           outbox):
    no_mail = make_user(Role.officer)
    no_mail.email = None
    gone = make_user(Role.officer, active=False)
    services.notify([no_mail, gone], "item_returned", "退回", "", "/x")
    db.session.commit()
    assert [a.user_id for a in db.session.query(Alert)] == [no_mail.id] and outbox() == []


def test_the_header_counts_unread_alerts_and_opening_one_reads_it(client, login, make_user):
    user = make_user(Role.officer)
    services.notify([user], "item_returned", "信息被退回：甲", "", "/desk/submissions")
    db.session.commit()
    login(user)
    page = client.get("/desk/alerts").get_data(as_text=True)
    assert '<span class="badge">1</span>' in page and "信息被退回：甲" in page
    alert = db.session.query(Alert).one()
    r = client.post(f"/desk/alerts/{alert.id}/open")
    assert r.status_code == 302 and r.headers["Location"].endswith("/desk/submissions")
    assert alert.read_at is not None and services.unread_count(user) == 0


def test_read_all_and_other_peoples_alerts(client, login, make_user):
    user, other = make_user(Role.officer), make_user(Role.officer)
    services.notify([user, other], "item_returned", "退回", "", "https://evil.example/")
    db.session.commit()
    mine = db.session.query(Alert).filter_by(user_id=user.id).one()
    theirs = db.session.query(Alert).filter_by(user_id=other.id).one()
    login(user)
    assert client.post(f"/desk/alerts/{theirs.id}/open").status_code == 404
    r = client.post(f"/desk/alerts/{mine.id}/open")  # never leaves the portal
    assert r.headers["Location"].endswith("/desk/alerts")
    client.post("/desk/alerts/read")
    assert theirs.read_at is None


def test_the_settings_page_lists_the_kinds_and_saves(client, login, make_user):
    user = make_user(Role.officer)
    login(user)
    page = client.get("/account/alerts").get_data(as_text=True)
    assert "紧急信息待签发" in page and "双报任务明天到期" in page
    r = client.post("/account/alerts", data={"desk-item_returned": "y"})
    assert r.status_code == 302
    choices = {c.kind: (c.desk, c.mail) for c in services.settings_of(user)}
    assert choices["item_returned"] == (True, False)
    assert choices["urgent_signoff"] == (False, False)
    assert client.post("/account/alerts", data={}, csrf=False).status_code == 400


def test_alert_pages_need_a_login(client):
    assert client.get("/desk/alerts").status_code in (302, 401)
    assert client.get("/account/alerts").status_code in (302, 401)
