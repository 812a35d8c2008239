"""The center's reports: month table, drill-down, trend, year points, exports, health."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.monitor import health, reports, services
from tests.monitor.helpers import notice_html


@pytest.fixture
def closed_october(make_unit, make_item, center, today):
    units = {c: make_unit(kind, code=c, name=n) for c, n, kind in [
        ("T1", "城关镇", UnitKind.township), ("T2", "柳河镇", UnitKind.township),
        ("D1", "县教育局", UnitKind.department)]}
    for _ in range(5):
        make_item(units["T1"], published="2026-10-20 09:00")
    make_item(units["T2"])
    today("2026-11-03 10:00")
    services.run_month(2026, 10)
    return units


@pytest.fixture
def reviewer(make_user, login):
    user = make_user(Role.reviewer)
    login(user)
    return user


def cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                   row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_month_table_shows_the_frozen_figures_colour_coded(closed_october, client, reviewer):
    html = client.get("/monitor/month/2026-10").get_data(as_text=True)
    assert "第 1 版统计" in html
    rows = cells(html)
    assert [r[0] for r in rows] == ["城关镇", "柳河镇", "县教育局"]
    assert rows[0][3] == "5" and rows[0][9].startswith("已完成")
    foot = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html.split("<tfoot>")[1], re.S)
    assert foot[0] == "合计" and foot[3] == str(sum(int(r[3]) for r in rows))
    assert 'class="status-none"' in html and 'class="badge badge-below"' in html


def test_month_table_filters_by_kind_and_sorts(closed_october, client, reviewer):
    html = client.get("/monitor/month/2026-10?kind=township&sort=submitted&desc=1").get_data(
        as_text=True)
    assert [r[0] for r in cells(html)] == ["城关镇", "柳河镇"]
    assert 'aria-sort="descending"' in html
    html = client.get("/monitor/month/2026-10?sort=submitted").get_data(as_text=True)
    assert [r[0] for r in cells(html)] == ["县教育局", "柳河镇", "城关镇"]


def test_xlsx_export_matches_the_figures_on_screen(closed_october, client, reviewer):
    screen = cells(client.get("/monitor/month/2026-10").get_data(as_text=True))
    r = client.get("/monitor/month/2026-10?format=xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''2026" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value.startswith("2026年10月政务信息报送及采用情况（第 1 版统计，")
    assert ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["单位", "类型", "应报条数", "报送条数"]
    *rows, total = list(ws.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [s[0] for s in screen]
    # the total row: sums as values (no formulas), nothing summed under rank
    assert total[0] == "合计" and total[3] == sum(row[3] for row in rows)
    assert total[headers.index("同类排名")] in ("", None)
    assert not any(isinstance(v, str) and v.startswith("=") for v in total)
    for row, s in zip(rows, screen, strict=True):
        assert isinstance(row[3], int) and str(row[3]) == s[3]   # numbers as numbers
        assert str(row[headers.index("报送得分")]) == s[8]
        assert str(row[headers.index("累计信息得分")]) == s[12]
        assert str(row[headers.index("同类排名")]) == s[13]
    assert ws.column_dimensions["A"].width >= 8


def test_csv_export_has_a_bom_for_excel_and_wps(closed_october, client, reviewer):
    r = client.get("/monitor/month/2026-10?format=csv")
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][0] == "单位" and rows[1][0] == "城关镇"


def test_drill_down_lists_the_units_items(closed_october, client, reviewer):
    unit = closed_october["T2"]
    html = client.get(f"/monitor/month/2026-10/unit/{unit.id}").get_data(as_text=True)
    assert "柳河镇 · 2026年10月" in html and "测试信息" in html
    assert client.get("/monitor/month/2026-10/unit/999999").status_code == 404


def test_live_figures_for_the_month_in_progress(closed_october, make_item, client, reviewer,
                                               today):
    make_item(closed_october["T2"], submitted="2026-11-02 09:00")
    html = client.get("/monitor/month/2026-11").get_data(as_text=True)
    assert "实时数据" in html
    assert client.get("/monitor/month/2026-99").status_code == 404


def test_trend_counts_frozen_months_and_the_current_one(closed_october, make_item, app):
    make_item(closed_october["T1"], submitted="2026-11-02 09:00")
    county = reports.trend()
    assert len(county.labels) == 12 and county.labels[-1] == "2026年11月"
    assert county.submitted[-2] == 6 and county.submitted[-1] == 1
    assert county.submitted[0] is None  # never run
    unit = reports.trend(closed_october["T1"].id)
    assert unit.submitted[-2] == 5 and unit.published[-2] == 5


def test_trend_page_draws_a_chart_with_a_data_table(closed_october, client, reviewer):
    html = client.get(f"/monitor/trend?unit={closed_october['T1'].id}").get_data(as_text=True)
    assert "vendor/chart.umd.min.js" in html and "data-chart=" in html
    assert "<caption>逐月数据</caption>" in html


def test_year_points_and_ranking(closed_october, client, reviewer):
    rows = reports.year_table(2026)
    assert [(r.rank, r.unit_name) for r in rows][0] == (1, "城关镇")
    assert rows[0].points == 5 * services.DEFAULT_POINTS["published"]
    r = client.get("/monitor/year/2026?format=xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value == "2026年度政务信息考核得分及排名（已统计 1 个月）"
    assert [c.value for c in ws[2]][:2] == ["同类排名", "单位"]
    assert ws["B3"].value == "城关镇" and ws["A3"].value == 1


def test_rules_change_is_recorded(client, make_user, login):
    admin = make_user(Role.admin)
    login(admin)
    data = {"basis": "submitted", "quota": "5", "day1": "15", "count1": "2", "day2": "25",
            "count2": "4",
            "note": "县政府办公室要求提高报送数量",
            **{f"points_{k}": str(v) for k, v in services.DEFAULT_POINTS.items()}}
    assert client.post("/monitor/rules", data=data).status_code == 302
    assert services.current_rules().quota == 5
    assert services.current_rules().created_by_id == admin.id
    html = client.get("/monitor/rules").get_data(as_text=True)
    assert "县政府办公室要求提高报送数量" in html
    bad = {**data, "quota": "-1"}
    assert client.post("/monitor/rules", data=bad).status_code == 400
    assert services.current_rules().quota == 5


def test_exemption_form_refuses_bad_months(client, make_user, make_unit, login):
    login(make_user(Role.admin))
    unit = make_unit()
    r = client.post("/monitor/quota-rules", data={"q-unit_id": unit.id, "q-kind": "exempt",
                                                  "q-valid_from": "2026/10", "q-reason": "x"})
    assert r.status_code == 400 and "YYYY-MM" in r.get_data(as_text=True)
    r = client.post("/monitor/quota-rules", data={"q-unit_id": unit.id, "q-kind": "exempt",
                                                  "q-valid_from": "2026-10", "q-reason": "新设"})
    assert r.status_code == 302


def test_health_checks_say_when_they_turn_red(app, make_unit, make_item, today):
    unit = make_unit()
    make_item(unit, published="2026-11-01 10:00")
    now = today("2026-11-05 10:00")
    checks = {c.name: c for c in health.run_checks(now)}
    home = checks["首页"]
    assert home.status == "ok"
    assert home.red_on == clock.from_local(datetime(2026, 11, 15, 10, 0))
    assert {c.name: c for c in health.run_checks(now + timedelta(days=5))}["首页"].status == "warn"
    assert {c.name: c for c in health.run_checks(now + timedelta(days=10))}["首页"].status == "red"
    assert checks["栏目「图库」"].detail == "空白栏目"


def test_trend_exports_as_a_spreadsheet(closed_october, client, reviewer):
    r = client.get(f"/monitor/trend?unit={closed_october['T1'].id}&format=xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value == "城关镇近12个月政务信息报送及得分"
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["2026年10月"][1:3] == (5, 5) and rows["2025年12月"][1] is None
    assert client.get("/monitor/trend?format=csv").data.startswith("\ufeff".encode())


def test_rules_can_count_published_items_instead(closed_october, make_item, client,
                                                 make_user, login, today):
    login(make_user(Role.admin))
    data = {"basis": "published", "quota": "4", "day1": "20", "count1": "2", "note": "按发布计",
            **{f"points_{k}": str(v) for k, v in services.DEFAULT_POINTS.items()}}
    assert client.post("/monitor/rules", data=data).status_code == 302
    make_item(closed_october["T2"])
    make_item(closed_october["T2"])
    make_item(closed_october["T2"])  # 4 submitted, none published
    today("2026-11-04 10:00")
    run = services.run_month(2026, 10, note="按发布条数重新统计")
    status = {f.unit_code: (f.status, f.submitted, f.published) for f in run.figures}
    assert status["T1"] == ("met", 5, 5) and status["T2"] == ("none", 4, 0), status
    assert "在网站发布" in notice_html(run)
    assert client.post("/monitor/rules", data={**data, "basis": "votes"}).status_code == 400
