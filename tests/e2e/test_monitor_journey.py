"""The center closes a month in a real browser: notice, drill-down, Excel."""

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
    page.get_by_role("button", name="统计并发布通报").click()
    expect(page.get_by_text("2026年10月统计完成（第 1 版），通报已发布。")).to_be_visible()

    page.get_by_role("link", name="查看通报").click()
    title = "关于2026年10月全县政务信息报送情况的通报"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("柳河镇：报送 1 条（应报 4 条）")).to_be_visible()

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
