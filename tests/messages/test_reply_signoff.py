"""Optional sign-off of replies (issue 10): in a unit that sets it, an officer's reply is
published only when the unit's leader signs it off; the deadline counts the publication."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, UnitKind
from portal.errors import Conflict, Forbidden
from portal.extensions import db
from portal.messages import services
from portal.messages.models import MessageStatus
from tests.messages.helpers import accepted, login_as

TEXT = "您好！您反映的路灯问题已安排维修，预计本周内修复。"


@pytest.fixture
def county(make_unit, make_user, center):
    dept = make_unit(UnitKind.department, name="县城管局", reply_signoff=True)
    return {"dept": dept, "reviewer": make_user(Role.reviewer),
            "officer": make_user(Role.officer, unit=dept),
            "leader": make_user(Role.leader, unit=dept),
            "other_leader": make_user(Role.leader, unit=make_unit(UnitKind.township))}


def test_an_officers_reply_waits_for_the_leader_and_is_then_published(client, login,
                                                                        county, outbox):
    message, _ = accepted(county["reviewer"], county["dept"], email="c@example.com")
    login(county["officer"])
    r = client.post(f"/desk/messages/{message.id}/reply", data={"reply-text": TEXT})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.accepted and message.reply is None
    assert message.pending_reply.text == TEXT and message.answered_at is None
    assert not [m for m in outbox() if "已答复" in m["Subject"]]  # nothing to the citizen yet
    leader = login_as(login, county["leader"], client)
    page = leader.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    assert "待签发的答复" in page and TEXT in page
    r = leader.post(f"/desk/messages/{message.id}/reply-signoff", data={"decision": "approve"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.answered and message.reply.text == TEXT
    assert message.reply.signed_off_by_id == county["leader"].id
    assert [m for m in outbox() if "已答复" in m["Subject"]]


def test_the_leader_sends_a_reply_back_with_a_reason(county):
    message, _ = accepted(county["reviewer"], county["dept"])
    services.reply(county["officer"], message, TEXT)
    with pytest.raises(Conflict):
        services.reply(county["officer"], message, TEXT)  # one waiting reply at a time
    services.sign_off_reply(county["leader"], message, approve=False, comment="请写明修复时间")
    db.session.commit()
    assert message.pending_reply is None and message.status == MessageStatus.accepted
    assert "请写明修复时间" in message.events[-1].comment


def test_only_the_units_leader_signs_off(county):
    message, _ = accepted(county["reviewer"], county["dept"])
    services.reply(county["officer"], message, TEXT)
    for who in ("officer", "other_leader", "reviewer"):
        with pytest.raises(Forbidden):
            services.sign_off_reply(county[who], message, approve=True)
    assert message.status == MessageStatus.accepted


def test_without_the_setting_a_reply_is_published_at_once(county, make_unit, make_user):
    plain = make_unit(UnitKind.department)
    message, _ = accepted(county["reviewer"], plain)
    services.reply(make_user(Role.officer, unit=plain), message, TEXT)
    assert message.status == MessageStatus.answered


def test_a_reply_gets_the_word_check_items_get(client, login, county, make_unit, make_user):
    from portal.publishing.services import save_term

    save_term(county["reviewer"], "省政府办", "typo", suggestion="省政府办公厅")
    db.session.commit()
    plain = make_unit(UnitKind.department)
    officer = make_user(Role.officer, unit=plain)
    message, _ = accepted(county["reviewer"], plain)
    login(officer)
    text = "您好！根据省政府办的通知，路灯维修已列入本月计划。"
    r = client.post(f"/desk/messages/{message.id}/reply", data={"reply-text": text})
    assert r.status_code == 400
    assert "省政府办（" in r.get_data(as_text=True) and "省政府办公厅" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.accepted
    r = client.post(f"/desk/messages/{message.id}/reply",
                    data={"reply-text": text, "reply-confirm_words": "y"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.answered
