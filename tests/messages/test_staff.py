"""The center's moderation and the unit inbox, through the web pages."""

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.messages import services
from portal.messages.models import Message, MessageRequest, MessageStatus, RequestStatus
from tests.messages.helpers import PHONE, accepted, local, login_as, write


@pytest.fixture
def county(make_unit, make_user):
    edu = make_unit(UnitKind.department, name="县教育局", email="jyj@example.gov.cn")
    water = make_unit(UnitKind.department, name="县水利局")  # no unit address: its people
    town = make_unit(UnitKind.township, name="城关镇")
    return {
        "edu": edu, "water": water, "town": town,
        "reviewer": make_user(Role.reviewer, name="李审核"),
        "edu_officer": make_user(Role.officer, unit=edu, name="周信息"),
        "edu_leader": make_user(Role.leader, unit=edu, name="吴领导"),
        "water_officer": make_user(Role.officer, unit=water, email="sl1@example.gov.cn"),
        "water_leader": make_user(Role.leader, unit=water, email="sl2@example.gov.cn"),
        "town_officer": make_user(Role.officer, unit=town),
    }


# ---- the center ------------------------------------------------------------------------

def test_the_center_has_a_desk_link_to_the_queue_of_new_messages(client, login, county):
    first, _ = write(county["edu"], subject="学区划分咨询")
    write(None, subject="不知道找谁")
    login(county["reviewer"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/desk/messages"' in home and "留言受理" in home
    html = client.get("/desk/messages").get_data(as_text=True)
    assert "待受理（2）" in html and "学区划分咨询" in html and "不知道找谁" in html
    assert "不确定" in html and first.number in html


def test_the_center_accepts_confirming_the_citizens_unit(client, login, county, outbox):
    message, _ = write(county["edu"])
    login(county["reviewer"])
    page = client.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    # The unit the citizen chose is preselected; the original text is shown to the center.
    assert re.search(rf'<option selected value="{county["edu"].id}"|'
                     rf'<option value="{county["edu"].id}" selected', page)
    assert "留言原文（仅网络信息中心可见）" in page and PHONE in page
    r = client.post(f"/desk/messages/{message.id}/accept", data={
        "accept-unit": str(county["edu"].id), "accept-public": "y",
        "accept-public_subject": message.public_subject, "accept-public_body": message.public_body})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.accepted and message.unit_id == county["edu"].id
    assert message.accepted_at is not None and message.due_at > message.accepted_at
    assert message.is_public
    event = message.events[-1]
    assert event.action == "accept" and event.actor_id == county["reviewer"].id
    assert "分派至县教育局" in event.comment
    # The unit is told, at the unit's own address, without the citizen's data.
    [mail] = outbox()
    assert mail["To"] == "jyj@example.gov.cn" and message.number in mail["Subject"]
    body = mail.get_content()
    assert f"/desk/messages/{message.id}" in body and PHONE not in body
    assert message.name not in body


def test_the_center_dispatches_a_not_sure_message_to_the_unit_it_chooses(
        client, login, county, outbox):
    message, _ = write(None, publish=False)
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/accept", data={
        "accept-unit": str(county["water"].id),
        "accept-public_subject": "改过的标题", "accept-public_body": "改过的内容"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.unit_id == county["water"].id and message.addressed_unit_id is None
    assert "留言人选择：不确定" in message.events[-1].comment
    assert not message.is_public
    # A unit without its own address: its active people are told.
    [mail] = outbox()
    assert sorted(mail["To"].split(", ")) == ["sl1@example.gov.cn", "sl2@example.gov.cn"]


def test_accepting_without_a_unit_is_refused_and_nothing_changes(client, login, county):
    message, _ = write(None)
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/accept", data={
        "accept-unit": "", "accept-public_subject": "x", "accept-public_body": "y"})
    assert r.status_code == 400 and "请选择办理单位。" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.new


def test_publication_cannot_be_forced_against_the_citizens_wish(client, login, county):
    message, _ = write(county["edu"], publish=False)
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/accept", data={
        "accept-unit": str(county["edu"].id), "accept-public": "y",
        "accept-public_subject": "标题", "accept-public_body": "内容"})
    assert r.status_code == 400 and "留言人未同意公开" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.new and not message.public


def test_the_center_edits_personal_data_out_of_the_public_text_and_keeps_the_original(
        client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"],
                          body="我住在幸福家园3号楼2单元501室，孩子明年上小学，请问学区怎么划分？")
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/public", data={
        "public-public": "y", "public-public_subject": "学区划分咨询",
        "public-public_body": "我住在幸福家园，孩子明年上小学，请问学区怎么划分？"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert "3号楼2单元501室" in message.body and "3号楼" not in message.public_body
    assert message.events[-1].action == "edit_public"
    board = client.get(f"/messages/{message.number}").get_data(as_text=True)
    assert "3号楼" not in board and "我住在幸福家园，孩子明年上小学" in board
    # The handling unit works from what the citizen wrote: it must find the address.
    unit = login_as(login, county["edu_officer"], client)
    page = unit.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    assert "3号楼2单元501室" in page
    # Another unit does not even know the message exists.
    other = login_as(login, county["town_officer"], client)
    assert other.get(f"/desk/messages/{message.id}").status_code == 404


def test_a_replys_hotline_is_published_as_written_but_the_citizens_data_is_not(
        client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"], publish=True)
    services.edit_public(county["reviewer"], message, public=True, subject="路灯不亮",
                         body="小区门口的路灯坏了。")
    services.reply(county["edu_officer"], message,
                   f"{message.name}您好！请拨打县教育局招生热线 0371-6688 1234 或 12345 咨询；"
                   f"我们已按您留的电话 {message.phone} 回访。")
    db.session.commit()
    page = client.get(f"/messages/{message.number}").get_data(as_text=True)
    assert "0371-6688 1234" in page and "12345" in page  # the unit's own numbers
    assert message.phone not in page and message.name not in page  # the citizen's are not


@pytest.mark.parametrize("reason, label", [
    ("advertising", "广告"), ("abuse", "辱骂"), ("duplicate", "重复"),
    ("secret_or_privacy", "涉密或隐私"), ("other_channel", "属信访/纪检渠道")])
def test_the_center_refuses_with_a_reason_from_the_list(client, login, county, outbox,
                                                        reason, label):
    message, _ = write(county["edu"], email="citizen@example.com")
    login(county["reviewer"])
    channel = "县纪委监委（信访举报电话 12388，网站 www.12388.gov.cn）"
    r = client.post(f"/desk/messages/{message.id}/refuse", data={
        "refuse-reason": reason, "refuse-channel": channel if reason == "other_channel" else "",
        "refuse-note": "如有新情况可重新留言"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.refused and message.refusal_reason.label == label
    assert message.refused_at is not None and not message.is_public
    assert label in message.events[-1].comment
    [mail] = outbox()
    assert mail["To"] == "citizen@example.com" and label in mail.get_content()
    if reason == "other_channel":
        assert "12388" in mail.get_content()


def test_refusing_for_another_channel_requires_naming_it(client, login, county):
    message, _ = write(county["edu"])
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/refuse",
                    data={"refuse-reason": "other_channel", "refuse-channel": ""})
    assert r.status_code == 400 and "须告知留言人应通过哪个渠道反映" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.new


def test_the_center_grants_an_extension_with_a_reason(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"], at=local(2026, 11, 2, 9))
    login(county["reviewer"])
    r = client.post(f"/desk/messages/{message.id}/extend",
                    data={"extend-days": "3", "extend-reason": "需会同住建部门现场核实"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert str(message.due_day) == "2026-11-12" and message.extension_days == 3
    bad = client.post(f"/desk/messages/{message.id}/extend",
                      data={"extend-days": "abc", "extend-reason": "x"})
    assert bad.status_code == 400 and "不是有效的整数" in bad.get_data(as_text=True)
    too_many = client.post(f"/desk/messages/{message.id}/extend",
                           data={"extend-days": "99", "extend-reason": "x"})
    assert too_many.status_code == 400 and "1 到 15 之间" in too_many.get_data(as_text=True)


def test_the_center_sees_overdue_messages(client, login, county):
    late, _ = accepted(county["reviewer"], county["edu"], subject="早该答复的留言",
                       at=clock.now() - timedelta(days=30))
    accepted(county["reviewer"], county["edu"], subject="还来得及的留言")
    login(county["reviewer"])
    html = client.get("/desk/messages?show=overdue").get_data(as_text=True)
    assert "已超期（1）" in html and "早该答复的留言" in html and "还来得及的留言" not in html
    assert 'class="overdue"' in html
    assert "有 1 条市民留言已超过答复期限" in html  # the desk's reminder


def test_the_center_finds_a_message_by_number(client, login, county):
    message, _ = write(county["edu"], subject="要找的这条")
    write(county["edu"], subject="别的留言")
    login(county["reviewer"])
    html = client.get(f"/desk/messages?show=all&q={message.number}").get_data(as_text=True)
    assert "要找的这条" in html and "别的留言" not in html


# ---- the unit ------------------------------------------------------------------------------

def test_the_unit_inbox_lists_its_messages_with_due_dates_and_highlights_overdue(
        client, login, county):
    late, _ = accepted(county["reviewer"], county["edu"], subject="超期的留言",
                       at=clock.now() - timedelta(days=30))
    fresh, _ = accepted(county["reviewer"], county["edu"], subject="新到的留言")
    accepted(county["reviewer"], county["water"], subject="水利局的留言")
    write(county["edu"], subject="还没受理的留言")
    login(county["edu_leader"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/desk/messages/inbox"' in home and "留言办理" in home
    html = client.get("/desk/messages/inbox").get_data(as_text=True)
    assert "超期的留言" in html and "新到的留言" in html
    assert "水利局的留言" not in html and "还没受理的留言" not in html
    assert html.index("超期的留言") < html.index("新到的留言")  # by due date
    assert html.count('class="overdue"') == 1 and "已超期" in html
    assert fresh.due_day.strftime("%Y-%m-%d") in html and "还剩" in html
    assert "本单位有 1 条市民留言已超过答复期限" in html  # the desk's reminder


def test_a_unit_officer_replies_signed_with_the_units_name(client, login, county, outbox):
    message, code = accepted(county["reviewer"], county["edu"], email="citizen@example.com")
    outbox_before = len(outbox())
    login(county["edu_officer"])
    page = client.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    assert "署名：县教育局" in page and PHONE in page  # the unit may call the citizen back
    r = client.post(f"/desk/messages/{message.id}/reply",
                    data={"reply-text": "您好！新城小区属于县实验小学招生范围。"})
    assert r.status_code == 302 and r.headers["Location"] == "/desk/messages/inbox"
    db.session.refresh(message)
    assert message.status == MessageStatus.answered and message.answered_at is not None
    assert message.reply.unit.name == "县教育局" and message.reply.author_id == \
        county["edu_officer"].id
    mails = outbox()[outbox_before:]
    assert [m["To"] for m in mails] == ["citizen@example.com"]
    assert "县实验小学" in mails[0].get_content() and "县教育局" in mails[0].get_content()
    assert code not in mails[0].get_content()
    done = client.get("/desk/messages/inbox?show=done").get_data(as_text=True)
    assert message.public_subject in done and "按期" in done


def test_an_empty_reply_is_refused_and_nothing_changes(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["edu_leader"])
    r = client.post(f"/desk/messages/{message.id}/reply", data={"reply-text": "  "})
    assert r.status_code == 400 and "请填写答复内容。" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.accepted and not message.replies


def test_a_unit_asks_for_a_transfer_and_the_center_carries_it_out(client, login, county,
                                                                  outbox):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["edu_officer"])
    # A unit cannot transfer by itself any more: it asks the center.
    r = client.post(f"/desk/messages/{message.id}/transfer", data={
        "transfer-unit": str(county["water"].id), "transfer-reason": "灌溉问题属水利局职责"})
    assert r.status_code == 403
    r = client.post(f"/desk/messages/{message.id}/request-transfer", data={
        "transfer-unit": str(county["water"].id), "transfer-reason": "灌溉问题属水利局职责"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.unit_id == county["edu"].id  # nothing moves before the center decides
    request = db.session.scalar(db.select(MessageRequest))
    assert request.status == RequestStatus.pending and request.to_unit_id == county["water"].id
    # One request at a time.
    r = client.post(f"/desk/messages/{message.id}/request-extension",
                    data={"extend-days": "3", "extend-reason": "需要核实"})
    assert r.status_code == 409

    center = login_as(login, county["reviewer"], client)
    page = center.get("/desk/messages").get_data(as_text=True)
    assert "待审批的转办、延期申请（1）" in page
    r = center.post(f"/desk/message-requests/{request.id}/decide",
                    data={f"decide{request.id}-decision": "approve"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.unit_id == county["water"].id and message.status == MessageStatus.accepted
    assert "灌溉问题属水利局职责" in message.events[-1].comment
    assert "申请，中心同意" in message.events[-1].comment
    sent = {m["Subject"]: m for m in outbox()}
    decided = next(m for s, m in sent.items() if "转办申请" in s)
    assert "李审核" in decided.get_content() and "灌溉问题属水利局职责" in decided.get_content()
    transferred = next(m for m in outbox() if "转办的市民留言待办理" in m["Subject"])
    assert sorted(transferred["To"].split(", ")) == ["sl1@example.gov.cn", "sl2@example.gov.cn"]
    text = transferred.get_content()
    assert "李审核（网络信息中心）将原由县教育局办理" in text and "灌溉问题属水利局职责" in text
    edu = login_as(login, county["edu_officer"], client)
    assert edu.get(f"/desk/messages/{message.id}").status_code == 404  # gone from the unit


def test_the_center_refuses_a_request_with_a_reason(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    request = services.request_extension(county["edu_leader"], message, 5, "需要多部门会商")
    db.session.commit()
    due = message.due_at
    login(county["reviewer"])
    r = client.post(f"/desk/message-requests/{request.id}/decide",
                    data={f"decide{request.id}-decision": "refuse"})
    assert r.status_code == 400  # a refusal needs its reason
    r = client.post(f"/desk/message-requests/{request.id}/decide",
                    data={f"decide{request.id}-decision": "refuse",
                          f"decide{request.id}-note": "五个工作日内可以答复"})
    assert r.status_code == 302
    db.session.refresh(message)
    assert message.due_at == due and request.status == RequestStatus.refused
    assert "五个工作日内可以答复" in message.events[-1].comment
    # Decided once: a second decision is a conflict.
    r = client.post(f"/desk/message-requests/{request.id}/decide",
                    data={f"decide{request.id}-decision": "approve"})
    assert r.status_code == 409


def test_only_the_handling_unit_asks_and_only_the_center_decides(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["town_officer"])
    r = client.post(f"/desk/messages/{message.id}/request-extension",
                    data={"extend-days": "3", "extend-reason": "抢着申请"})
    assert r.status_code == 404
    reviewer = login_as(login, county["reviewer"], client)
    r = reviewer.post(f"/desk/messages/{message.id}/request-extension",
                      data={"extend-days": "3", "extend-reason": "中心不需要申请"})
    assert r.status_code == 403
    request = services.request_extension(county["edu_officer"], message, 3, "需要核实")
    db.session.commit()
    leader = login_as(login, county["edu_leader"], client)
    r = leader.post(f"/desk/message-requests/{request.id}/decide",
                    data={f"decide{request.id}-decision": "approve"})
    assert r.status_code == 403
    assert request.status == RequestStatus.pending


def test_a_unit_cannot_ask_to_transfer_to_itself(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["edu_officer"])
    r = client.post(f"/desk/messages/{message.id}/request-transfer", data={
        "transfer-unit": str(county["edu"].id), "transfer-reason": "理由"})
    assert r.status_code == 400
    db.session.refresh(message)
    assert message.unit_id == county["edu"].id and message.transfer_count == 0
    assert db.session.scalar(db.select(MessageRequest)) is None


def test_a_unit_cannot_read_or_reply_to_another_units_messages(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["town_officer"])
    assert client.get(f"/desk/messages/{message.id}").status_code == 404
    r = client.post(f"/desk/messages/{message.id}/reply",
                    data={"reply-text": "您好！这条不是我们的，但我们来答复。"})
    assert r.status_code == 404
    r = client.post(f"/desk/messages/{message.id}/request-transfer", data={
        "transfer-unit": str(county["town"].id), "transfer-reason": "抢过来"})
    assert r.status_code == 404
    assert message.public_subject not in client.get("/desk/messages/inbox").get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.accepted and message.unit_id == county["edu"].id


def test_units_cannot_use_the_centers_actions(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    login(county["edu_leader"])
    assert client.get("/desk/messages").status_code == 403
    r = client.post(f"/desk/messages/{message.id}/extend",
                    data={"extend-days": "5", "extend-reason": "自己延期"})
    assert r.status_code == 403
    db.session.refresh(message)
    assert message.extension_days == 0


def test_the_desks_remind_units_of_their_overdue_messages_and_the_center_of_new_ones(
        app, login, county):
    accepted(county["reviewer"], county["edu"], at=clock.now() - timedelta(days=30))
    write(county["water"])
    edu = login_as(login, county["edu_officer"], app.test_client())
    assert "本单位有 1 条市民留言已超过答复期限" in \
        edu.get("/desk/messages/inbox").get_data(as_text=True)
    assert "超过答复期限" not in edu.get("/column/messages").get_data(as_text=True)  # desks only
    water = login_as(login, county["water_officer"], app.test_client())
    assert "超过答复期限" not in water.get("/desk/messages/inbox").get_data(as_text=True)
    center = login_as(login, county["reviewer"], app.test_client()).get("/desk/messages")
    assert "有 1 条市民留言待受理" in center.get_data(as_text=True)


def test_the_history_shows_every_step_with_who_and_when(client, login, county):
    message, _ = accepted(county["reviewer"], county["edu"])
    services.transfer(county["reviewer"], message, county["water"], "属水利局职责")
    services.extend(county["reviewer"], message, 2, "需现场核实")
    services.reply(county["water_officer"], message, "您好！水渠已清淤，恢复通水。")
    services.rate(message, "satisfied")
    db.session.commit()
    login(county["reviewer"])
    html = client.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    history = html[html.index("办理记录"):]
    for label in ("提交留言", "受理并分派", "转办", "延期", "答复", "评价"):
        assert label in history
    assert "李审核（网络信息中心）" in history and "留言人" in history
    assert [e.action for e in db.session.get(Message, message.id).events] == [
        "submit", "accept", "transfer", "extend", "reply", "rate"]


def test_acceptance_never_defaults_to_publishing(client, login, county):
    message, _ = write(county["edu"], publish=True)
    login(county["reviewer"])
    page = client.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="accept-public"[^>]*>', page).group(0)
    assert "checked" not in box


def test_the_center_sees_each_automatic_redaction_before_it_publishes(client, login, county):
    message, _ = write(county["edu"], publish=True,
                       body="我住幸福家园3号楼2单元501室，电话 139 1234 5678，"
                            "<b>孩子</b>上学问题。")
    login(county["reviewer"])
    html = client.get(f"/desk/messages/{message.id}").get_data(as_text=True)
    preview = html[html.index("公开内容预览"):html.index("</section>", html.index("公开内容预览"))]
    assert preview.count('<mark class="redacted"') == 2
    assert "501室" not in preview and "1234 5678" not in preview
    assert "&lt;b&gt;孩子&lt;/b&gt;" in preview  # the citizen's text stays text
