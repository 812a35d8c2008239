"""Reporting in a real browser: the officer, the leader and a department at their desks."""

import re
from pathlib import Path

from playwright.sync_api import expect

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.submissions.models import DualReport, DualStatus, Item, ItemStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, fill_body, log_in
from tests.submissions.factories import jpeg


def log_out(page):
    page.get_by_role("button", name="退出").click()


def test_officer_writes_an_image_item_the_leader_returns_then_signs_it_off(
        page, make_unit, make_user, tmp_path):
    town = make_unit(UnitKind.township, name="桃源镇")
    officer = make_user(Role.officer, unit=town, name="陈信息")
    leader = make_user(Role.leader, unit=town, name="周领导")
    photos = []
    for n, colour in enumerate([(200, 60, 40), (40, 120, 200)], 1):
        path = tmp_path / f"现场{n}.jpg"
        path.write_bytes(jpeg((1200, 800), colour))
        photos.append(path)

    log_in(page, officer.username, PASSWORD)
    expect(page.get_by_role("heading", name="信息员工作台")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="撰写新信息").click()
    assert axe_violations(page) == []
    page.get_by_label("信息类型").select_option("image")
    page.get_by_label("报送栏目").select_option(label="图库")
    page.get_by_label("标题").fill("桃源镇举办中国农民丰收节庆祝活动")
    fill_body(page, "活动设置农产品展销、农耕技能比赛等环节。\n\n现场销售农产品十余万元。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("请在下方上传图片文件")).to_be_visible()
    for path, caption in zip(photos, ["农产品展销现场", "农耕技能比赛"], strict=True):
        page.get_by_label("选择文件").set_input_files(path)
        page.get_by_label("图片说明", exact=True).fill(caption)
        page.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_text("文件已上传。")).to_be_visible()
    expect(page.get_by_role("img", name="农耕技能比赛")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="保存并提交签发").click()
    expect(page.get_by_text("已保存并提交签发。")).to_be_visible()
    log_out(page)

    log_in(page, leader.username, PASSWORD)
    expect(page.get_by_role("heading", name="待签发信息")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_text("退回信息员").click()
    page.get_by_label("退回理由").fill("请在标题中写明活动日期。")
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.get_by_text("目前没有待签发的信息。")).to_be_visible()
    log_out(page)

    log_in(page, officer.username, PASSWORD)
    expect(page.get_by_text("被分管领导退回：请在标题中写明活动日期。")).to_be_visible()
    page.get_by_role("link", name="桃源镇举办中国农民丰收节庆祝活动").first.click()
    expect(page.get_by_text("分管领导退回理由")).to_be_visible()
    page.get_by_role("link", name="修改", exact=True).click()
    page.get_by_label("标题").fill("桃源镇9月23日举办中国农民丰收节庆祝活动")
    page.get_by_role("button", name="保存并提交签发").click()
    expect(page.get_by_text("已保存并提交签发。")).to_be_visible()
    log_out(page)

    log_in(page, leader.username, PASSWORD)
    item_row = page.get_by_role("listitem").filter(has_text="桃源镇9月23日举办")
    item_row.get_by_role("button", name=re.compile("^签发")).click()
    expect(page.get_by_text("已签发：桃源镇9月23日举办中国农民丰收节庆祝活动")).to_be_visible()
    page.get_by_role("link", name="桃源镇9月23日举办中国农民丰收节庆祝活动").first.click()
    history = page.get_by_role("table", name="时间为北京时间")
    # Sent back by the leader, the item was a draft again and went to sign-off a second time.
    # Saving the unchanged text with 保存并提交签发 is no edit; changing the title is.
    steps = history.get_by_role("rowheader")
    expect(steps).to_have_text(["创建", "上传附件", "上传附件", "提交签发", "退回信息员",
                                "修改", "提交签发", "签发"])
    assert axe_violations(page) == []

    db.session.expire_all()
    item = db.session.scalar(db.select(Item))
    assert item.status == ItemStatus.submitted and len(item.media) == 2
    assert [m.caption for m in item.media] == ["农产品展销现场", "农耕技能比赛"]


def test_a_township_item_naming_a_department_is_fulfilled_from_the_departments_desk(
        page, make_unit, make_user):
    town = make_unit(UnitKind.township, name="青山镇")
    dept = make_unit(UnitKind.department, name="县应急管理局")
    officer = make_user(Role.officer, unit=town)
    leader = make_user(Role.leader, unit=town)
    dept_officer = make_user(Role.officer, unit=dept)
    dept_leader = make_user(Role.leader, unit=dept)

    log_in(page, officer.username, PASSWORD)
    page.get_by_role("link", name="撰写新信息").click()
    page.get_by_label("报送栏目").select_option(label="政务信息")
    page.get_by_label("标题").fill("青山镇开展地质灾害隐患点排查")
    fill_body(page, "镇里组织对辖区五处地质灾害隐患点逐一排查，落实监测责任人。")
    page.get_by_label("双报部门").select_option(label="县应急管理局")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="保存并提交签发").click()
    log_out(page)
    log_in(page, leader.username, PASSWORD)
    page.get_by_role("button", name=re.compile("^签发")).click()
    log_out(page)

    log_in(page, dept_officer.username, PASSWORD)
    tasks = page.get_by_role("region", name=re.compile("待完成的双报任务"))
    source_link = tasks.get_by_role("link", name="青山镇开展地质灾害隐患点排查", exact=True)
    expect(source_link).to_be_visible()
    expect(tasks.get_by_text("待报送")).to_be_visible()
    assert axe_violations(page) == []
    tasks.get_by_role("button", name=re.compile("报送本部门信息")).click()
    expect(page.get_by_label("标题")).to_have_value("青山镇开展地质灾害隐患点排查")
    page.get_by_label("标题").fill("县应急管理局指导青山镇开展地质灾害隐患排查")
    page.get_by_role("button", name="保存并提交签发").click()
    log_out(page)
    log_in(page, dept_leader.username, PASSWORD)
    page.get_by_role("button", name=re.compile("^签发")).click()
    expect(page.get_by_text("已签发：县应急管理局指导青山镇开展地质灾害隐患排查")).to_be_visible()
    log_out(page)

    log_in(page, officer.username, PASSWORD)
    named = page.get_by_role("region", name="本单位信息的双报情况")
    expect(named.get_by_text("已报送")).to_be_visible()
    db.session.expire_all()
    found = db.session.scalar(db.select(DualReport))
    assert found.status == DualStatus.fulfilled
    assert found.response_item.title == "县应急管理局指导青山镇开展地质灾害隐患排查"


def test_the_desk_and_the_item_form_work_on_a_phone(page, make_unit, make_user):
    officer = make_user(Role.officer, unit=make_unit(UnitKind.township))
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, officer.username, PASSWORD)
    for path in ("/desk/submissions", "/desk/items/new"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert axe_violations(page) == [], path


def test_a_published_item_is_corrected_under_the_same_url_with_the_update_time(
        page, live_server, make_unit, make_user, center):
    from portal.submissions import services, workflow
    from tests.submissions.factories import column

    town = make_unit(UnitKind.township, name="清溪镇")
    officer = make_user(Role.officer, unit=town, name="吴信息")
    leader = make_user(Role.leader, unit=town, name="郑领导")
    reviewer = make_user(Role.reviewer, name="钱审核")
    item = services.create_item(officer, services.ItemData(
        title="清溪镇完成秋季造林", column_id=column().id,
        body="全镇完成秋季造林3200亩。\n\n栽植苗木以杉木为主。"))
    for action, who in (("submit", officer), ("sign_off", leader), ("publish", reviewer)):
        workflow.apply(item, action, who)
    db.session.commit()
    url = f"{live_server}/items/{item.id}"
    page.goto(url)
    published_text = page.locator(".article-meta").inner_text()

    log_in(page, officer.username, PASSWORD)
    page.goto(f"{live_server}/desk/items/{item.id}")
    page.get_by_role("link", name="提出更正").click()
    assert axe_violations(page) == []
    page.get_by_label("更正理由").fill("造林面积有误，应为2300亩。")
    fill_body(page, "全镇完成秋季造林2300亩。\n\n栽植苗木以杉木为主。")
    page.get_by_role("button", name="保存并提交签发").click()
    expect(page.get_by_text("更正稿已保存并提交签发。")).to_be_visible()
    expect(page.locator(".diff del")).to_have_text(["3200"])
    expect(page.locator(".diff ins")).to_have_text(["2300"])
    assert axe_violations(page) == []
    log_out(page)

    page.goto(url)  # the published text stays online meanwhile
    expect(page.locator(".article-body")).to_contain_text("3200亩")

    log_in(page, leader.username, PASSWORD)
    expect(page.get_by_role("heading", name="待签发的更正")).to_be_visible()
    page.get_by_role("link", name=re.compile("查看差异并签发")).click()
    page.get_by_role("button", name="签发", exact=True).click()
    expect(page.get_by_text("已签发：清溪镇完成秋季造林（更正）")).to_be_visible()
    log_out(page)

    log_in(page, reviewer.username, PASSWORD)
    page.goto(f"{live_server}/review/")
    page.get_by_role("link", name="待审核的更正（1）").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="清溪镇完成秋季造林").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="发布更正").click()
    expect(page.get_by_text(re.compile("^更正已发布："))).to_be_visible()
    log_out(page)

    page.goto(url)  # same URL: the corrected text, first publication time kept, 更新于
    expect(page.locator(".article-body")).to_contain_text("2300亩")
    meta = page.locator(".article-meta").inner_text()
    assert published_text.split("发布时间：")[1][:16] in meta and "更新于" in meta
    assert axe_violations(page) == []

    log_in(page, officer.username, PASSWORD)
    page.goto(f"{live_server}/desk/items/{item.id}")
    page.get_by_role("link", name=re.compile("修订记录")).click()
    expect(page.get_by_role("heading", name=re.compile("第 1 版与第 2 版的差异"))).to_be_visible()
    expect(page.locator(".diff ins")).to_have_text(["2300"])
    assert axe_violations(page) == []


PASTE = Path(__file__).parent.parent / "submissions" / "samples" / "word_paste.html"


def paste_html(page, html: str) -> None:
    """Paste ``html`` into the focused rich-text editor, as the clipboard of Word gives it."""
    page.locator(".jodit-wysiwyg").click()
    page.evaluate("""html => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', 'Word');
        document.querySelector('.jodit-wysiwyg').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", html)


def test_pasted_word_text_with_a_table_is_signed_off_and_published_with_its_structure(
        page, live_server, make_unit, make_user, center):
    town = make_unit(UnitKind.township, name="城关镇")
    officer = make_user(Role.officer, unit=town)
    leader = make_user(Role.leader, unit=town)
    reviewer = make_user(Role.reviewer)

    log_in(page, officer.username, PASSWORD)
    page.goto(f"{live_server}/desk/items/new")
    expect(page.locator(".jodit-toolbar__box")).to_be_visible()
    page.get_by_label("标题").fill("城关镇扎实推进秋冬季森林防火工作")
    paste_html(page, PASTE.read_text(encoding="utf-8"))
    expect(page.locator(".jodit-wysiwyg table")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    item = db.session.scalar(db.select(Item).where(Item.unit_id == town.id))
    db.session.refresh(item)
    assert "<table>" in item.body_html and "<strong>森林防火工作部署会</strong>" in \
        item.body_html.replace("<b>", "<strong>").replace("</b>", "</strong>")
    assert "mso-" not in item.body_html and "<script" not in item.body_html
    # Opening it again shows the same structure in the editor.
    page.goto(f"{live_server}/desk/items/{item.id}/edit")
    expect(page.locator(".jodit-wysiwyg td").first).to_have_text("村（社区）")
    page.get_by_role("button", name="保存并提交签发").click()
    expect(page.get_by_text("已保存并提交签发。")).to_be_visible()
    log_out(page)

    log_in(page, leader.username, PASSWORD)
    page.get_by_role("button", name=re.compile("^签发")).click()
    expect(page.get_by_text(re.compile("^已签发："))).to_be_visible()
    log_out(page)

    log_in(page, reviewer.username, PASSWORD)
    page.goto(f"{live_server}/review/items/{item.id}")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text(re.compile("」已发布。$"))).to_be_visible()
    log_out(page)

    page.goto(f"{live_server}/items/{item.id}")
    expect(page.locator(".article-body table td").first).to_have_text("村（社区）")
    expect(page.locator(".article-body h2")).to_have_text("城关镇扎实推进秋冬季森林防火工作")
    assert axe_violations(page) == []


def test_without_javascript_the_body_is_plain_text_with_paragraphs(browser, live_server,
                                                                   make_unit, make_user):
    town = make_unit(UnitKind.township, name="城关镇")
    officer = make_user(Role.officer, unit=town)
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  java_script_enabled=False)
    page = context.new_page()
    log_in(page, officer.username, PASSWORD)
    page.goto("/desk/items/new")
    page.get_by_label("标题").fill("无脚本也能写")
    page.get_by_label("正文").fill("第一段。\n\n第二段。")
    page.get_by_role("button", name="保存草稿").click()
    item = db.session.scalar(db.select(Item).where(Item.unit_id == town.id))
    db.session.refresh(item)
    assert item.body_html == "<p>第一段。</p>\n<p>第二段。</p>"
    context.close()
