"""Classes of units with yearly targets and quotas, the quarterly assessment, the year's
ranks by score, and the year-end award candidates with the criteria each met or missed."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import Role, UnitKind
from portal.errors import DomainError
from portal.extensions import db
from portal.monitor import adoptions, awards, classes, figures, reports, services
from portal.monitor.models import Outlet


@pytest.fixture
def county(make_unit, center, today):
    today("2027-01-05 10:00")
    units = {c: make_unit(UnitKind.township, code=c, name=n) for c, n in
             [("T1", "城关镇"), ("T2", "柳河镇"), ("T3", "桃源镇")]}
    units["D1"] = make_unit(UnitKind.department, code="D1", name="县教育局")
    adoptions.apply_preset(None, "fanwen2", date(2026, 1, 1))
    a = classes.save_class(None, unit_kind="township", code="a", yearly_target=40,
                           monthly_quota=6)
    b = classes.save_class(None, unit_kind="department", code="B", yearly_target=20,
                           monthly_quota=None)
    for code in ("T1", "T2", "T3"):
        classes.assign(units[code], a)
    classes.assign(units["D1"], b)
    db.session.commit()
    return units


def outlet(code):
    return db.session.scalar(db.select(Outlet).where(Outlet.code == code))


def adopt(make_item, unit, code, month, kind="", author=None, **kw):
    item = make_item(unit, submitted=f"2026-{month:02d}-03 10:00")
    if author is not None:
        item.author_id = author.id
    adoptions.record(None, item, outlet(code), adopted_on=date(2026, month, 10), kind=kind,
                     **kw)
    db.session.commit()
    return item


def test_a_class_sets_the_quota_and_target_and_a_unit_only_joins_a_class_of_its_kind(
        county, make_user):
    assert classes.all_classes()[0].code == "A"  # codes are upper-cased
    rows = {f.unit_code: f for f in figures.compute(2026, 10, 4)}
    assert (rows["T1"].quota, rows["T1"].unit_class, rows["T1"].target) == (6, "A", 40)
    assert (rows["D1"].quota, rows["D1"].target) == (4, 20)  # class B keeps the rules' quota
    assert services.effective_quota(county["T1"], 2026, 10) == 6
    with pytest.raises(DomainError, match="不能归入"):
        classes.assign(county["D1"], classes.all_classes()[0])
    with pytest.raises(DomainError, match="已有 A 类"):
        classes.save_class(None, unit_kind="township", code="A", yearly_target=1,
                           monthly_quota=None)
    with pytest.raises(DomainError, match="0 到 100000"):
        classes.save_class(None, unit_kind="township", code="C", yearly_target=-1,
                           monthly_quota=None)


def test_the_center_sets_classes_and_assigns_units_on_one_page(county, make_user, login,
                                                               client):
    login(make_user(Role.admin))
    r = client.post("/monitor/classes", data={"unit_kind": "township", "code": "B",
                                              "yearly_target": "30", "monthly_quota": ""})
    assert r.status_code == 302
    b = next(c for c in classes.all_classes() if c.unit_kind == "township" and c.code == "B")
    r = client.post("/monitor/classes/assign", data={f"unit-{county['T2'].id}": str(b.id),
                                                     f"unit-{county['T3'].id}": ""})
    assert r.status_code == 302
    found = classes.classes_of([county["T2"].id, county["T3"].id])
    assert found[county["T2"].id].code == "B" and county["T3"].id not in found
    dept_class = next(c for c in classes.all_classes() if c.unit_kind == "department")
    r = client.post("/monitor/classes/assign",
                    data={f"unit-{county['T1'].id}": str(dept_class.id)})
    assert r.status_code == 400 and "不能归入" in r.get_data(as_text=True)
    page = client.get("/monitor/classes").get_data(as_text=True)
    assert "每季度目标" in page and ">10<" in page  # 40 a year: 10 a quarter


def _close_year(today):
    for month in range(1, 13):
        today(f"{2027 if month == 12 else 2026}-{(month % 12) + 1:02d}-01 02:00")
        services.run_month(2026, month)


def test_the_year_table_ranks_by_score_within_each_kind_with_quarters_and_progress(
        county, make_item, today):
    for month in range(1, 13):
        adopt(make_item, county["T1"], "kx_zyhy", month)            # 3 a month: 36
    adopt(make_item, county["T2"], "gzjl", 2)                        # 10 in Q1
    adopt(make_item, county["T2"], "city_gzjl", 5)                   # 20 in Q2
    adopt(make_item, county["T2"], "city_zbxx", 8, instruction_level="city")  # 20 in Q3
    adopt(make_item, county["D1"], "gzjl", 3)
    _close_year(today)
    rows = {r.unit_name: r for r in reports.year_table(2026)}
    t1, t2, t3, d1 = rows["城关镇"], rows["柳河镇"], rows["桃源镇"], rows["县教育局"]
    assert (t2.score, t2.rank, t2.progress, t2.target_met) == (50, 1, "125%", True)
    assert (t1.score, t1.rank, t1.target_met) == (36, 2, False)
    assert (t3.score, t3.rank) == (0, 3) and t3.q1 == "零分（0）"
    assert (d1.rank, d1.target_met) == (1, False)
    assert t1.q1 == "未完成（9/10）" and t2.q1 == "完成（10/10）" and t2.q4 == "零分（0）"
    assert t2.adopt_city_up == 2 and t2.instructions == 1 and t1.zero_months == 0


def test_award_candidates_show_every_criterion_met_or_missed(county, make_item, make_user,
                                                             today):
    officer = make_user(Role.officer, unit=county["T2"])
    other = make_user(Role.officer, unit=county["T1"])
    for month in range(1, 13):
        adopt(make_item, county["T2"], "kx_zyhy", month, author=officer)   # every month
        adopt(make_item, county["T1"], "kx_zyhy", month, author=other)
    adopt(make_item, county["T2"], "zbxx", 4, kind="专题信息", author=officer)
    adopt(make_item, county["T2"], "city_zbxx", 6, author=officer)      # above the county
    adopt(make_item, county["T1"], "gzjl", 6, author=other, instruction_level="county")
    _close_year(today)
    found = {c.row.unit_name: c for c in awards.collectives(2026)}
    t2, t1 = found["柳河镇"], found["城关镇"]
    assert t2.eligible, [(k.label, k.met, k.detail) for k in t2.criteria]
    missed = {k.label for k in t1.criteria if not k.met}
    assert missed == {"全年至少 1 条被市级及以上采用或获市领导批示"}
    assert not found["桃源镇"].eligible
    # the progress award excludes a 先进集体, and needs a rank a year before
    chosen = {c.row.unit_id for c in found.values() if c.eligible}
    progress = {c.row.unit_name: c for c in awards.progress(2026, chosen)}
    assert not progress["柳河镇"].eligible
    assert any("2025年无排名" == k.detail for k in progress["城关镇"].criteria)
    people = {(p.user.id, p.reason) for p in awards.individuals(2026, chosen)}
    assert (officer.id, "所在单位为先进集体，本单位采用最多") in people
    assert (other.id, "获县政府领导批示") in people


def test_the_awards_page_lists_candidates_for_the_center(county, make_user, login, client,
                                                         today):
    _close_year(today)
    login(make_user(Role.reviewer))
    page = client.get("/monitor/awards/2026?top_townships=2").get_data(as_text=True)
    assert "全县政务信息工作先进集体" in page and "得分在乡镇中名列前 2 位" in page
    assert "信息报送进步奖" in page and "先进个人" in page


def test_the_trend_draws_each_months_score_as_bars(county, make_item, today, make_user, login,
                                                   client):
    make_item(county["T3"], submitted="2026-01-05 10:00")  # the portal's first record
    adopt(make_item, county["T1"], "gzjl", 3)
    adopt(make_item, county["T2"], "kx_zyhy", 3)
    _close_year(today)
    adopt(make_item, county["T1"], "kx_zyhy", 12)  # recorded after December was closed
    data = reports.trend()
    march = data.labels.index("2026年3月")
    assert data.score[march] == 13 and data.score[march + 1] == 0
    assert data.score[-1] == 0  # January 2027, live
    assert reports.trend(county["T2"].id).score[march] == 3
    login(make_user(Role.reviewer))
    page = client.get("/monitor/trend").get_data(as_text=True)
    assert 'id="score-chart"' in page and "&#34;type&#34;: &#34;bar&#34;" in page
