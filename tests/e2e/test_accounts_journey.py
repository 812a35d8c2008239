"""Journeys of the foundation in a real browser, and accessibility of the first pages."""

import re

from playwright.sync_api import expect

from portal.accounts.models import Role
from tests.conftest import PASSWORD, link_in
from tests.e2e.conftest import axe_violations, log_in


def test_admin_creates_a_unit_and_an_account_that_sets_its_password(page, make_user, outbox):
    admin = make_user(Role.admin)
    log_in(page, admin.username, PASSWORD)
    page.get_by_role("link", name="系统管理").click()
    page.get_by_role("navigation", name="系统管理").get_by_role("link", name="单位").click()
    page.get_by_role("link", name="新建单位").click()
    page.get_by_label("单位代码").fill("T88")
    page.get_by_label("单位名称").fill("红星镇")
    page.get_by_label("单位类型").select_option("township")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("单位「红星镇」已保存。")).to_be_visible()

    row = page.get_by_role("row", name=re.compile("红星镇"))
    row.get_by_role("link", name=re.compile("账号")).click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("hongxing-xxy")
    page.get_by_label("姓名").fill("刘芳")
    page.get_by_label("电子邮箱").fill("liufang@example.gov.cn")
    page.get_by_label("所属单位").select_option(label="红星镇（乡镇/街道）")
    page.get_by_label("角色").select_option("officer")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("设置密码的链接已发送到 liufang@example.gov.cn")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    [mail] = outbox()
    path = link_in(mail).replace("http://portal.test", "")
    page.goto(path)
    expect(page.get_by_text("hongxing-xxy")).to_be_visible()
    page.get_by_label("新密码", exact=True).fill("Hongxing-2026!")
    page.get_by_label("再次输入新密码").fill("Hongxing-2026!")
    page.get_by_role("button", name="设置密码").click()
    expect(page.get_by_text("密码已设置，请使用新密码登录。")).to_be_visible()

    # A wrong password is refused; the right one opens the officer's desk.
    log_in(page, "hongxing-xxy", "Not-the-password-1")
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
    log_in(page, "hongxing-xxy", "Hongxing-2026!")
    expect(page.get_by_role("heading", name="信息员工作台")).to_be_visible()
    expect(page.get_by_text("红星镇 · 刘芳（信息员）")).to_be_visible()

    # The link works once only.
    page.goto(path)
    expect(page.get_by_text("该链接已使用过")).to_be_visible()


def test_home_and_login_pages_have_no_serious_accessibility_violations(page):
    for url in ("/", "/login", "/column/news"):
        page.goto(url)
        assert axe_violations(page) == [], url
    page.goto("/care-mode/on?next=/")
    assert "care" in page.locator("body").get_attribute("class")
    assert axe_violations(page) == []


def test_home_page_works_on_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    expect(page.get_by_role("navigation", name="网站栏目")).to_be_visible()
