"""The citizen's side: writing a message, the query code, reading the answer, rating it."""

import re

import pytest

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.messages import services
from portal.messages.models import Message, MessageEvent, MessageStatus
from tests.messages.helpers import PHONE, accepted, answered, write


@pytest.fixture
def dept(make_unit):
    return make_unit(UnitKind.department, name="县教育局")


def form(to=None, **overrides):
    data = {"category": "consult", "unit": str(to.id) if to else "",
            "subject": "孩子上学划片咨询",
            "body": "我家住新城小区，孩子明年上小学，请问属于哪个学区？",
            "name": "欧阳娜娜", "phone": "139-1234-5678", "email": "", "publish_allowed": "y",
            "website": ""}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Message))


def _receipt(client, response):
    assert response.status_code == 302 and response.headers["Location"] == "/messages/sent"
    sent = client.get("/messages/sent")
    assert sent.headers["Cache-Control"] == "no-store"  # the code must not stay in a cache
    html = sent.get_data(as_text=True)
    number = re.search(r'<dd class="code">(\d{4}-\d{6})</dd>', html).group(1)
    code = re.search(r'<dd class="code">([0-9A-Z]{5}-[0-9A-Z]{5})</dd>', html).group(1)
    return number, code, html


def test_the_form_lists_the_units_grouped_and_not_sure(client, dept, make_unit):
    make_unit(UnitKind.township, name="城关镇")
    make_unit(UnitKind.center, name="网络信息中心", code="center")
    html = client.get("/messages/new").get_data(as_text=True)
    assert "不确定（由网络信息中心分派）" in html
    assert '<optgroup label="县直部门">' in html and '<optgroup label="乡镇/街道">' in html
    assert "县教育局" in html and "城关镇" in html
    assert "网络信息中心</option>" not in html  # citizens write to townships and departments


def test_a_citizen_writes_and_sees_the_number_and_query_code_once(client, dept):
    number, code, html = _receipt(client, client.post("/messages/new", data=form(dept)))
    assert "查询码只显示这一次" in html
    message = db.session.scalar(db.select(Message).where(Message.number == number))
    assert message.addressed_unit_id == dept.id and message.unit_id is None
    assert message.status == MessageStatus.new and message.phone == PHONE
    assert message.name == "欧阳娜娜" and message.publish_allowed
    # Only a hash of the code is kept, and it checks.
    assert code.replace("-", "") not in message.code_hash
    assert services.find_with_code(number, code) is message
    # The receipt is gone after one look.
    assert client.get("/messages/sent").headers["Location"] == "/messages/new"


def test_not_sure_leaves_the_unit_to_the_center(client, dept):
    number, _, _ = _receipt(client, client.post("/messages/new", data=form(None)))
    message = db.session.scalar(db.select(Message).where(Message.number == number))
    assert message.addressed_unit_id is None and message.status == MessageStatus.new


@pytest.mark.parametrize("field, value, error", [
    ("subject", "", "请填写留言标题。"),
    ("body", "", "请填写留言内容。"),
    ("body", "太短了", "留言内容应为 10–3000 个字。"),
    ("body", "很" * 3001, "留言内容应为 10–3000 个字。"),
    ("subject", "标" * 61, "留言标题应为 2–60 个字。"),
    ("name", "", "请填写姓名。"),
    ("name", "名" * 31, "姓名不能超过 30 个字。"),
    ("phone", "", "请填写联系电话。"),
    ("phone", "12345", "联系电话格式不正确"),
    ("phone", "1391234567", "联系电话格式不正确"),
    ("email", "not-an-address", "电子邮箱地址格式不正确"),
    ("category", "", "请选择留言类型。"),
    ("category", "gossip", "不是有效的选择"),
    ("unit", "999999", "不是有效的选择"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(
        client, dept, field, value, error):
    r = client.post("/messages/new", data=form(dept, **{field: value}))
    assert r.status_code == 400
    assert error in r.get_data(as_text=True)
    assert _count() == 0


def test_an_inactive_unit_cannot_be_written_to(client, dept, make_unit):
    closed = make_unit(UnitKind.township, active=False)
    r = client.post("/messages/new", data=form(closed))
    assert r.status_code == 400 and _count() == 0


def test_the_honeypot_catches_robots_and_stores_nothing(client, dept):
    r = client.post("/messages/new", data=form(dept, website="http://spam.example/"))
    assert r.status_code == 400 and "提交未成功" in r.get_data(as_text=True)
    assert _count() == 0


def test_a_post_without_csrf_token_is_refused(client, dept):
    r = client.post("/messages/new", data=form(dept), csrf=False)
    assert r.status_code == 400 and _count() == 0


def test_messages_per_address_are_limited(app, client, dept):
    app.config["MESSAGE_SUBMIT_LIMIT"] = "2 per hour"
    # Mistakes in the form do not use the allowance up...
    assert client.post("/messages/new", data=form(dept, phone="1")).status_code == 400
    for _ in range(2):
        assert client.post("/messages/new", data=form(dept)).status_code == 302
    r = client.post("/messages/new", data=form(dept))
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    assert _count() == 2
    # ...but another address may still write.
    other = client.post("/messages/new", data=form(dept),
                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 302 and _count() == 3


def test_honeypot_hits_count_against_the_address(app, client, dept):
    app.config["MESSAGE_SUBMIT_LIMIT"] = "2 per hour"
    for _ in range(2):
        client.post("/messages/new", data=form(dept, website="x"))
    assert client.post("/messages/new", data=form(dept)).status_code == 429


def test_robots_hammering_the_form_are_limited_even_with_bad_posts(app, client, dept):
    app.config["MESSAGE_POST_LIMIT"] = "3 per hour"
    for _ in range(3):
        assert client.post("/messages/new", data={}).status_code == 400
    assert client.post("/messages/new", data=form(dept)).status_code == 429
    assert client.get("/messages/new").status_code == 200  # reading the form is never limited


# ---- query code --------------------------------------------------------------------------

def _query(client, number, code, **kw):
    return client.post("/messages/query", data={"number": number, "code": code}, **kw)


def _without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", html)


def test_the_right_code_shows_the_status_and_reply(client, make_user):
    officer = make_user(Role.officer)
    message, code = answered(make_user(Role.reviewer), officer)
    # Forgiving input: no hyphens, full-width digits, lower case, spaces.
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    typed = message.number.replace("-", "").translate(full_width)
    r = _query(client, typed, code.lower().replace("-", " "))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "已答复" in html and "已安排维修人员处理" in html and officer.unit.name in html
    assert "您对答复是否满意？" in html


def test_a_wrong_code_reveals_nothing_not_even_that_the_number_exists(client, make_user):
    message, code = accepted(make_user(Role.reviewer), make_user(Role.officer).unit)
    wrong = _query(client, message.number, "AAAAA-AAAAA")
    unknown = _query(client, "2026-999999", "AAAAA-AAAAA")
    garbage = _query(client, "hello", "AAAAA-AAAAA")
    assert wrong.status_code == unknown.status_code == garbage.status_code == 400
    texts = [_without_token(r.get_data(as_text=True)) for r in (wrong, unknown, garbage)]
    assert "留言编号或查询码不正确" in texts[0]
    # The same page for all three, but for the number typed back into the form.
    assert texts[0].replace(message.number, "N") == texts[1].replace("2026-999999", "N") \
        == texts[2].replace('value="hello"', 'value="N"')
    assert message.subject not in texts[0]
    assert "AAAAA-AAAAA" not in texts[0]  # a code typed is never echoed back


def test_failed_look_ups_are_limited_per_address_but_not_the_citizens_own(app, client, make_user):
    app.config["MESSAGE_QUERY_LIMIT"] = "3 per 15 minutes"
    message, code = accepted(make_user(Role.reviewer), make_user(Role.officer).unit)
    for _ in range(5):
        assert _query(client, message.number, code).status_code == 200
    for _ in range(3):
        assert _query(client, message.number, "BBBBB-BBBBB").status_code == 400
    r = _query(client, message.number, code)
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)


def test_the_query_page_never_shows_contact_data(client, make_user):
    message, code = accepted(make_user(Role.reviewer), make_user(Role.officer).unit,
                             email="zsf@example.com",
                             body=f"我的电话是{PHONE}，请联系我，路灯一个月没修了。")
    html = _query(client, message.number, code).get_data(as_text=True)
    assert PHONE not in html and "zsf@example.com" not in html
    assert "路灯一个月没修了" in html


def test_a_refused_citizen_is_told_the_reason_and_the_right_channel(client, make_user):
    message, code = write(make_user(Role.officer).unit)
    services.refuse(make_user(Role.reviewer), message, "other_channel",
                    channel="县纪委监委（信访举报电话 12388）")
    db.session.commit()
    html = _query(client, message.number, code).get_data(as_text=True)
    assert "不予受理" in html and "属信访/纪检渠道" in html
    assert "请通过以下渠道反映：县纪委监委（信访举报电话 12388）" in html


# ---- rating ------------------------------------------------------------------------------

def _rate(client, number, code, rating="satisfied", comment=""):
    return client.post("/messages/rate", data={"number": number, "code": code,
                                                "rating": rating, "comment": comment})


def test_the_citizen_rates_the_reply_with_the_code(client, make_user):
    message, code = answered(make_user(Role.reviewer), make_user(Role.officer))
    r = _rate(client, message.number, code, "basically_satisfied", "修得还算及时")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "感谢您的评价" in html and "基本满意" in html
    db.session.refresh(message)
    assert message.status == MessageStatus.rated and message.rating.label == "基本满意"
    assert message.rating_comment == "修得还算及时" and message.rated_at is not None
    event = message.events[-1]
    assert event.action == "rate" and event.actor_label == "留言人"
    # Only once.
    again = _rate(client, message.number, code, "dissatisfied")
    assert again.status_code == 409
    db.session.refresh(message)
    assert message.rating.value == "basically_satisfied"


def test_rating_with_a_wrong_code_changes_nothing(client, make_user):
    message, _ = answered(make_user(Role.reviewer), make_user(Role.officer))
    r = _rate(client, message.number, "CCCCC-CCCCC")
    assert r.status_code == 400 and "留言编号或查询码不正确" in r.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.answered and message.rating is None


def test_rating_needs_a_choice_and_an_answer_to_rate(client, make_user):
    reviewer = make_user(Role.reviewer)
    message, code = answered(reviewer, make_user(Role.officer))
    r = _rate(client, message.number, code, rating="")
    assert r.status_code == 400 and "请选择满意、基本满意或不满意" in r.get_data(as_text=True)
    waiting, waiting_code = accepted(reviewer, make_user(Role.officer).unit)
    assert _rate(client, waiting.number, waiting_code).status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(MessageEvent)
                             .where(MessageEvent.action == "rate")) == 0



def test_a_citizen_who_gives_an_address_gets_the_receipt_by_mail(client, dept, outbox):
    number, code, html = _receipt(client, client.post("/messages/new", data=form(
        dept, email="ouyang@example.com")))
    assert "编号和查询码也已发送到您的邮箱" in html
    receipt = next(m for m in outbox() if m["To"] == "ouyang@example.com")
    text = receipt.get_content()
    assert number in receipt["Subject"] and number in text and code in text
    assert f"http://portal.test/messages/query?number={number}" in text
    # Without an address, no mail: the code is shown once and never again.
    _receipt(client, client.post("/messages/new", data=form(dept)))
    assert len([m for m in outbox() if "留言已提交" in m["Subject"]]) == 1


def test_the_query_page_takes_the_number_from_the_receipt_and_says_when_to_expect(
        client, dept, make_user):
    number, code, html = _receipt(client, client.post("/messages/new", data=form(dept)))
    assert f'href="/messages/query?number={number}"' in html
    page = client.get(f"/messages/query?number={number}").get_data(as_text=True)
    assert re.search(rf'name="number"[^>]*value="{number}"', page)
    found = client.post("/messages/query", data={"number": number, "code": code})
    assert "一般在 5 个工作日内答复" in found.get_data(as_text=True)
    message = db.session.scalar(db.select(Message))
    services.accept(make_user(Role.reviewer), message, dept)
    db.session.commit()
    found = client.post("/messages/query", data={"number": number, "code": code})
    assert f"预计在 {message.due_day:%Y年%m月%d日} 前答复" in found.get_data(as_text=True)


def test_when_the_limit_is_reached_the_page_says_how_long_and_offers_the_phone(app, client,
                                                                               dept):
    app.config["MESSAGE_SUBMIT_LIMIT"] = "1 per hour"
    _receipt(client, client.post("/messages/new", data=form(dept)))
    resp = client.post("/messages/new", data=form(dept, subject="第二条留言的标题"))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert re.search(r"请在 \d+ (分钟|小时)后再试", text) and "12345 政务服务便民热线" in text


def test_the_body_shows_its_limit_before_it_bites(client):
    html = client.get("/messages/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*maxlength="\d+"', html) and "js/counter.js" in html
