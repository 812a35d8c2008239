"""The center closes a month in a real browser: the notice drafted, edited, signed off and
published; drill-down; Excel."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.accounts.models import Role, UnitKind
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in


def test_admin_runs_the_month_reads_the_notice_drills_down_and_exports(
        page, make_user, make_unit, make_item, center):
    towns = [make_unit(UnitKind.township, code=c, name=n)
             for c, n in [("T1", "城关镇"), ("T2", "柳河镇")]]
    for _ in range(4):
        make_item(towns[0], submitted="2026-10-12 10:00", published="2026-10-13 09:00")
    make_item(towns[1], submitted="2026-10-12 10:00")
    admin = make_user(Role.admin)
    log_in(page, admin.username, PASSWORD)

    page.get_by_role("link", name="报送考核").click()
    assert axe_violations(page) == []
    page.goto("/monitor/month/2026-10")
    page.get_by_role("button", name="统计并生成通报草稿").click()
    expect(page.get_by_text("2026年10月统计完成（第 1 版）。通报草稿已生成")).to_be_visible()
    title = "关于2026年10月全县政务信息报送情况的通报"
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("拟稿", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("文号").fill("县信息〔2026〕10号")
    page.get_by_label("存在问题（留空则不列此节）").fill("部分单位报送信息数量不足，综合信息偏少。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    preview = page.locator(".notice-document")
    expect(preview.get_by_text("县信息〔2026〕10号")).to_be_visible()
    expect(preview.get_by_text("部分单位报送信息数量不足，综合信息偏少。")).to_be_visible()

    page.get_by_role("button", name="审签").click()
    expect(page.get_by_text("已审签，可以发布。")).to_be_visible()
    page.get_by_role("button", name="发布到工作通报").click()
    expect(page.get_by_text("通报已发布到")).to_be_visible()

    page.get_by_role("link", name="查看网站上的通报").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("柳河镇：报送 1 条（应报 4 条）")).to_be_visible()
    expect(page.get_by_text("八、存在问题")).to_be_visible()
    signature = page.locator(".doc-signature")
    expect(signature).to_have_css("text-align", "right")

    page.goto("/monitor/month/2026-10")
    page.get_by_role("link", name="柳河镇").click()
    expect(page.get_by_role("heading", name="柳河镇 · 2026年10月")).to_be_visible()
    expect(page.get_by_text("未完成")).to_be_visible()

    page.goto("/monitor/month/2026-10")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    ws = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["柳河镇"][3] == 1 and rows["城关镇"][3] == 4


def test_the_center_records_adoptions_scores_the_month_signs_and_a_citizen_reads_it(
        page, make_user, make_unit, make_item, center):
    towns = [make_unit(UnitKind.township, code=c, name=n)
             for c, n in [("T1", "城关镇"), ("T2", "柳河镇")]]
    adopted = make_item(towns[0], submitted="2026-10-12 10:00", published="2026-10-13 09:00",
                        title="城关镇秋粮收购进度过半")
    make_item(towns[1], submitted="2026-10-12 10:00", title="柳河镇防汛演练")
    admin = make_user(Role.admin)
    log_in(page, admin.username, PASSWORD)

    # The scheme of 范文2, from October on.
    page.goto("/monitor/scheme")
    preset = "范文2：县政府办公室政务信息考核计分办法"
    page.get_by_label("预设", exact=True).select_option(label=preset)
    page.locator("#preset-valid_from").fill("2026-01")
    page.get_by_role("button", name="采用预设").click()
    expect(page.get_by_text("已采用「范文2：县政府办公室政务信息考核计分办法」")).to_be_visible()
    assert axe_violations(page) == []

    # One adoption on the item's page, one pasted with the month's list.
    page.goto(f"/review/items/{adopted.id}")
    page.get_by_label("采用刊物（栏目）及类别").select_option(
        label="《专报信息》（县级）— 专题信息")
    page.get_by_label("采用日期").fill("2026-10-20")
    page.get_by_label("领导批示").select_option(label="县领导批示")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("已登记：《专报信息》采用（专题信息）")).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/monitor/adoptions/bulk")
    page.get_by_label("采用清单").fill("柳河镇防汛演练\t《要情快报》\t简讯\t2026-10-25\n"
                                      "不存在的信息\t《工作交流》")
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_text("预览：可登记 1 条，未匹配 1 行")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="确认登记可登记的 1 条").click()
    expect(page.get_by_text("已登记 1 条采用记录，1 行未登记")).to_be_visible()

    page.goto("/monitor/month/2026-10")
    page.get_by_role("button", name="统计并生成通报草稿").click()
    expect(page.get_by_text("本月信息采用为零的单位：无。")).to_be_visible()
    page.goto("/monitor/year/2026")
    assert axe_violations(page) == []
    page.goto("/monitor/awards/2026")
    assert axe_violations(page) == []
    page.goto("/monitor/classes")
    assert axe_violations(page) == []
    page.goto("/monitor/notices/2026-10")
    page.get_by_label("文号").fill("县信息〔2026〕10号")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="审签").click()
    page.get_by_role("button", name="发布到工作通报").click()
    expect(page.get_by_text("通报已发布到")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    # A citizen, not signed in, finds it under 工作通报.
    page.goto("/column/notices")
    page.get_by_role("link", name="关于2026年10月全县政务信息报送情况的通报").click()
    expect(page.get_by_text("附件：2026年10月各单位信息采用及得分情况").first).to_be_visible()
    table = page.locator("table.notice-scores")
    expect(table.get_by_role("row", name="1 城关镇")).to_contain_text("12")  # 7 + 5 批示
    expect(table.get_by_role("row", name="2 柳河镇")).to_contain_text("1")
    assert axe_violations(page) == []
