"""Citizen messages in a real browser: from the form to the public board, and the
accessibility of the public pages."""

import re

from playwright.sync_api import expect

from portal.accounts.models import Role, UnitKind
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in

SUBJECT = "新城小区孩子上学划片咨询"
REPLY = "您好！新城小区属于县实验小学招生范围，报名请携带户口簿和房产证明。"


def test_a_citizen_writes_the_center_accepts_the_department_replies_and_the_citizen_rates(
        page, make_unit, make_user):
    edu = make_unit(UnitKind.department, name="县教育局")
    make_unit(UnitKind.township, name="城关镇")
    reviewer = make_user(Role.reviewer)
    officer = make_user(Role.officer, unit=edu)

    # The citizen finds the form from the home page and writes to the department.
    page.goto("/")
    page.get_by_role("navigation", name="网站栏目").get_by_role("link", name="市民留言").click()
    page.get_by_role("link", name="我要写留言").click()
    assert axe_violations(page) == []
    page.get_by_label("留言类型").select_option(label="咨询")
    page.get_by_label("写给").select_option(label="县教育局")
    page.get_by_label("留言标题").fill(SUBJECT)
    page.get_by_label("留言内容").fill("我家住在新城小区，孩子明年9月上小学，请问属于哪所小学？")
    page.get_by_label("姓名", exact=True).fill("欧阳娜娜")
    page.get_by_label("联系电话").fill("139 1234 5678")
    page.get_by_label("同意在留言板公开").check()
    page.get_by_role("button", name="提交留言").click()
    expect(page.get_by_role("heading", name="留言已提交")).to_be_visible()
    codes = page.locator("dd.code").all_inner_texts()
    number, code = codes[0].strip(), codes[1].strip()
    assert re.fullmatch(r"\d{4}-\d{6}", number) and re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)

    # The center accepts it, confirming the department the citizen chose.
    log_in(page, reviewer.username, PASSWORD)
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="留言受理").click()
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_label("办理单位")).to_have_value(str(edu.id))
    # Publishing is never pre-ticked: the center ticks it after reading the public text.
    expect(page.get_by_label("在留言板公开")).not_to_be_checked()
    page.get_by_label("在留言板公开").check()
    page.get_by_role("button", name="受理并分派").click()
    expect(page.get_by_text(f"留言 {number} 已受理并分派。")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    # The department replies from its inbox.
    log_in(page, officer.username, PASSWORD)
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="留言办理").click()
    page.get_by_role("link", name=SUBJECT).click()
    page.get_by_label("答复内容").fill(REPLY)
    page.get_by_role("button", name="发布答复").click()
    expect(page.get_by_text(f"留言 {number} 已答复。")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    # The citizen reads the reply with the query code and rates it.
    page.goto("/column/messages")
    page.get_by_role("link", name="留言查询与评价").click()
    assert axe_violations(page) == []
    page.get_by_label("留言编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(page.get_by_text("您的评价：满意")).to_be_visible()

    # The message is on the public board, the name masked, no phone.
    page.get_by_role("navigation", name="网站栏目").get_by_role("link", name="市民留言").click()
    card = page.get_by_role("article", name=SUBJECT)
    expect(card).to_contain_text("欧阳**")
    expect(card).to_contain_text("县教育局")
    expect(card).to_contain_text("已答复")
    assert "欧阳娜娜" not in page.content() and "13912345678" not in page.content()
    assert axe_violations(page) == []
    card.get_by_role("link", name=SUBJECT, exact=True).click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    assert axe_violations(page) == []


def test_the_form_shows_errors_accessibly_and_works_on_a_phone(page, make_unit):
    make_unit(UnitKind.department, name="县教育局")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/messages/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("联系电话").fill("12345")
    page.get_by_role("button", name="提交留言").click()
    expect(page.get_by_text("请填写留言标题。")).to_be_visible()
    expect(page.get_by_label("联系电话")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("联系电话格式不正确")).to_be_visible()
    # The honeypot is out of sight.
    assert not page.get_by_label("请勿填写此项").is_visible() or \
        page.get_by_label("请勿填写此项").bounding_box()["x"] < 0
    assert axe_violations(page) == []


def test_the_staff_pages_have_no_serious_accessibility_violations(page, make_unit, make_user):
    from portal.extensions import db
    from portal.messages import services

    edu = make_unit(UnitKind.department, name="县教育局")
    reviewer, officer = make_user(Role.reviewer), make_user(Role.officer, unit=edu)
    fields = dict(category="consult", subject="学区咨询", body="请问新城小区属于哪个学区？",
                  name="张三", phone="13912345678", publish_allowed=True)
    new, _ = services.submit(unit=edu, **fields)
    taken, _ = services.submit(unit=edu, **fields)
    services.accept(reviewer, taken, edu)
    db.session.commit()
    log_in(page, reviewer.username, PASSWORD)
    for url in ("/desk/messages", f"/desk/messages/{new.id}", f"/desk/messages/{taken.id}"):
        page.goto(url)
        assert axe_violations(page) == [], url
    page.get_by_role("button", name="退出").click()
    log_in(page, officer.username, PASSWORD)
    for url in ("/desk/messages/inbox", f"/desk/messages/{taken.id}"):
        page.goto(url)
        assert axe_violations(page) == [], url


def test_a_unit_asks_for_more_time_and_the_center_approves(browser, live_server, make_unit,
                                                          make_user, center):
    from portal.extensions import db
    from portal.messages import services

    edu = make_unit(UnitKind.department, name="县教育局")
    reviewer = make_user(Role.reviewer, name="李审核")
    officer = make_user(Role.officer, unit=edu, name="王信息")
    message, _ = services.submit(category="consult", unit=edu, subject=SUBJECT,
                                 body="孩子明年上小学，新城小区属于哪个学校的招生范围？",
                                 name="赵六", phone="13900002222", publish_allowed=False)
    services.accept(reviewer, message, edu)
    db.session.commit()
    due = message.due_day

    unit = browser.new_context(base_url=live_server, locale="zh-CN").new_page()
    log_in(unit, officer.username, PASSWORD)
    unit.goto(f"/desk/messages/{message.id}")
    panel = unit.get_by_role("region", name="申请延期")
    panel.get_by_label("延长工作日数").fill("3")
    panel.get_by_label("延期理由").fill("需与县住建局核实小区归属")
    panel.get_by_role("button", name="提交延期申请").click()
    expect(unit.get_by_text("延期申请已提交，等待网络信息中心审批")).to_be_visible()
    expect(unit.get_by_role("cell", name="待中心审批")).to_be_visible()

    desk = browser.new_context(base_url=live_server, locale="zh-CN").new_page()
    log_in(desk, reviewer.username, PASSWORD)
    desk.goto("/desk/messages")
    desk.get_by_role("link", name=message.number).first.click()
    desk.get_by_label("同意", exact=True).check()
    desk.get_by_role("button", name="提交审批").click()
    expect(desk.get_by_text("已同意县教育局的延期申请")).to_be_visible()
    db.session.refresh(message)
    assert message.due_day > due and message.extension_days == 3

    unit.reload()
    expect(unit.get_by_role("cell", name="中心已同意")).to_be_visible()
    expect(unit.get_by_text("已延长 3 个工作日")).to_be_visible()


def test_the_inbox_reads_on_a_phone_with_each_deadline_on_one_line(browser, live_server,
                                                                   make_unit, make_user):
    from portal.extensions import db
    from portal.messages import services

    edu = make_unit(UnitKind.department, name="县教育局")
    reviewer = make_user(Role.reviewer)
    officer = make_user(Role.officer, unit=edu)
    for n in range(3):
        message, _ = services.submit(category="consult", unit=edu, subject=f"{SUBJECT}{n}",
                                     body="孩子明年上小学，新城小区属于哪个学校的招生范围？",
                                     name="赵六", phone="13900002222", publish_allowed=False)
        services.accept(reviewer, message, edu)
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, officer.username, PASSWORD)
    page.goto("/desk/messages/inbox")
    lines = page.evaluate("""() => [...document.querySelectorAll('.due-cell .due')].map(e => {
        const lh = parseFloat(getComputedStyle(e).lineHeight);
        return e.getBoundingClientRect().height / lh; })""")
    assert len(lines) == 3 and all(n < 1.5 for n in lines), lines
    assert not page.evaluate(
        "() => document.documentElement.scrollWidth > window.innerWidth")
    context.close()


def test_the_message_form_counts_characters_as_the_citizen_types(page):
    page.goto("/messages/new")
    body = page.get_by_label("留言内容")
    body.fill("我家小区门口的路灯坏了")
    expect(page.locator(".char-count")).to_contain_text("已输入 11 字，还可输入")
