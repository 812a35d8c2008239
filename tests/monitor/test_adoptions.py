"""Adoptions (采用): recorded by the center on an item, seen by its unit, pasted in bulk
with a preview, scored by the scheme in force in each month, ranked among units of a kind."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.accounts.models import Role, UnitKind
from portal.errors import DomainError
from portal.extensions import db
from portal.monitor import adoptions, figures, services
from portal.monitor.models import Adoption, Outlet, PointScheme
from portal.submissions.models import ItemEvent
from tests.monitor.helpers import notice_html


@pytest.fixture
def county(make_unit, make_item, center, today):
    today("2026-11-10 10:00")
    units = {c: make_unit(UnitKind.township, code=c, name=n) for c, n in
             [("T1", "城关镇"), ("T2", "柳河镇"), ("T3", "桃源镇")]}
    units |= {c: make_unit(UnitKind.department, code=c, name=n) for c, n in
              [("D1", "县教育局"), ("D2", "县水利局")]}
    adoptions.apply_preset(None, "fanwen2", date(2026, 1, 1))
    db.session.commit()
    return units


def outlet(code: str) -> Outlet:
    return db.session.scalar(select(Outlet).where(Outlet.code == code))


def adopt(item, code, kind="", on=date(2026, 10, 20), **kw):
    a = adoptions.record(None, item, outlet(code), adopted_on=on, kind=kind, **kw)
    db.session.commit()
    return a


def row(rows, code):
    return next(f for f in rows if f.unit_code == code)


# ---- recording ----------------------------------------------------------------------------

def test_reviewer_records_an_adoption_on_the_review_page_and_the_unit_sees_it(
        county, make_item, make_user, login, client):
    item = make_item(county["T1"], published="2026-10-16 09:00", title="城关镇秋粮收购进度过半")
    reviewer = make_user(Role.reviewer)
    login(reviewer)
    page = client.get(f"/review/items/{item.id}").get_data(as_text=True)
    assert "采用情况" in page and "登记采用" in page and "《专报信息》（县级）— 专题信息" in page
    target = f"{outlet('zbxx').id}:专题信息"
    r = client.post(f"/monitor/items/{item.id}/adoptions", data={
        "adopt-target": target, "adopt-adopted_on": "2026-10-22",
        "adopt-instruction_level": "county", "adopt-instructed_by": "张县长",
        "adopt-instructed_on": "2026-10-25", "next": f"/review/items/{item.id}"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/review/items/{item.id}")
    a = db.session.scalar(select(Adoption))
    assert (a.item_id, a.unit_id, a.kind, a.instruction_level, a.recorded_by_id) == (
        item.id, county["T1"].id, "专题信息", "county", reviewer.id)
    event = db.session.scalar(select(ItemEvent).where(ItemEvent.action == "adopt"))
    assert "《专报信息》采用（专题信息）" in event.comment
    assert "县领导批示（张县长）" in event.comment

    officer = make_user(Role.officer, unit=county["T1"])
    login(officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "采用情况" in page and "《专报信息》" in page and "登记采用" in page  # history label
    assert "adopt-target" not in page  # no form for the unit
    assert client.post(f"/monitor/items/{item.id}/adoptions",
                       data={"adopt-target": target}).status_code == 403


def test_an_officer_of_another_unit_sees_nothing_of_it(county, make_item, make_user, login,
                                                        client):
    item = make_item(county["T1"])
    adopt(item, "kx_zyhy")
    login(make_user(Role.officer, unit=county["T2"]))
    assert client.get(f"/desk/items/{item.id}").status_code == 404


@pytest.mark.parametrize(("change", "message"), [
    ({"on": date(2026, 11, 11)}, "不能晚于今天"),
    ({"on": date(2026, 10, 14)}, "不能早于这条信息报送到中心的日期"),
    ({"code": "zbxx", "kind": ""}, "请选择「《专报信息》」的信息类别"),
    ({"code": "gzjl", "kind": "综合信息"}, "不区分信息类别"),
    ({"instructed_by": "李县长"}, "请选择批示的级别"),
    ({"instruction_level": "mayor"}, "批示的级别无效"),
    ({"instruction_level": "county", "instructed_on": date(2026, 10, 1)}, "批示日期"),
])
def test_impossible_adoptions_are_refused(county, make_item, change, message):
    item = make_item(county["T1"], submitted="2026-10-15 10:00")
    kw = {"code": "gzjl", "kind": "", "on": date(2026, 10, 20), **change}
    with pytest.raises(DomainError, match=message):
        adoptions.record(None, item, outlet(kw.pop("code")), adopted_on=kw.pop("on"),
                         kind=kw.pop("kind"), **kw)


def test_a_draft_cannot_be_adopted_and_the_same_adoption_is_not_recorded_twice(
        county, make_item):
    draft = make_item(county["T1"], submitted=None)
    with pytest.raises(DomainError, match="尚未报送到中心"):
        adoptions.record(None, draft, outlet("gzjl"), adopted_on=date(2026, 10, 20))
    item = make_item(county["T1"])
    adopt(item, "gzjl")
    with pytest.raises(DomainError, match="已于 2026-10-20 登记过"):
        adopt(item, "gzjl", on=date(2026, 10, 21))


def test_revoking_needs_a_reason_keeps_the_record_and_takes_it_out_of_the_score(
        county, make_item, make_user, login, client, today):
    item = make_item(county["T1"])
    a = adopt(item, "gzjl")
    assert row(figures.compute(2026, 10, 4), "T1").score == 10
    login(make_user(Role.reviewer))
    client.post(f"/monitor/adoptions/{a.id}/revoke", data={"revoke-reason": ""})
    assert db.session.get(Adoption, a.id).revoked_at is None
    client.post(f"/monitor/adoptions/{a.id}/revoke", data={"revoke-reason": "登记错了刊物"})
    db.session.expire_all()
    assert db.session.get(Adoption, a.id).revoked_at is not None
    assert row(figures.compute(2026, 10, 4), "T1").score == 0
    assert "登记错了刊物" in db.session.scalar(
        select(ItemEvent.comment).where(ItemEvent.action == "adopt_revoke"))
    login(make_user(Role.officer, unit=county["T1"]))
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert 'id="h-adoptions"' not in page  # no valid adoption: no panel for the unit
    assert "撤销采用" in page  # while the item's history keeps both steps


# ---- bulk entry -------------------------------------------------------------------------------

def test_a_pasted_list_is_previewed_with_unmatched_lines_before_anything_is_saved(
        county, make_item, make_user, login, client):
    a = make_item(county["T1"], title="城关镇完成秋播")
    b = make_item(county["D1"], title="县教育局开展校园安全检查")
    login(make_user(Role.reviewer))
    text = "\n".join([
        "信息\t刊物\t类别\t日期",
        f"{a.id}\t《专报信息》\t专题信息\t2026-10-21",
        "县教育局开展校园安全检查\t工作交流",                # name without 《》, default date
        "不存在的标题\t《工作交流》",
        f"{b.id}\t《内部参考》",
        f"{b.id}\t《专报信息》\t随便写",
        "只有一列",
    ])
    r = client.post("/monitor/adoptions/bulk", data={"text": text, "adopted_on": "2026-10-25"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "可登记 2 条，未匹配 4 行" in page
    assert "找不到信息「不存在的标题」" in page and "找不到刊物或栏目「《内部参考》」" in page
    assert "类别应为：专题信息、综合信息" in page and "至少需要两列" in page
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == 0

    r = client.post("/monitor/adoptions/bulk", data={"text": text, "adopted_on": "2026-10-25",
                                                     "confirm": "1"})
    assert r.status_code == 200 and "已登记 2 条采用记录，4 行未登记" in r.get_data(as_text=True)
    saved = db.session.scalars(select(Adoption).order_by(Adoption.id)).all()
    assert [(x.item_id, x.outlet.code, x.kind, x.adopted_on) for x in saved] == [
        (a.id, "zbxx", "专题信息", date(2026, 10, 21)), (b.id, "gzjl", "", date(2026, 10, 25))]


def test_an_uploaded_spreadsheet_or_gbk_csv_is_read_like_a_paste(county, make_item, make_user,
                                                                 login, client):
    a = make_item(county["T2"], title="柳河镇防汛演练")
    login(make_user(Role.reviewer))
    book = Workbook()
    book.active.append(["编号", "刊物", "类别", "日期"])
    book.active.append([a.id, "《要情快报》", "简讯", date(2026, 10, 30)])
    data = io.BytesIO()
    book.save(data)
    r = client.post("/monitor/adoptions/bulk", data={
        "adopted_on": "2026-10-31", "upload": (io.BytesIO(data.getvalue()), "十月采用.xlsx")},
        content_type="multipart/form-data")
    assert "可登记 1 条，未匹配 0 行" in r.get_data(as_text=True)
    csv_bytes = "柳河镇防汛演练,《工作交流》\n".encode("gb18030")
    r = client.post("/monitor/adoptions/bulk", data={
        "adopted_on": "2026-10-31", "upload": (io.BytesIO(csv_bytes), "list.csv")},
        content_type="multipart/form-data")
    assert "可登记 1 条" in r.get_data(as_text=True)
    r = client.post("/monitor/adoptions/bulk", data={
        "adopted_on": "2026-10-31", "upload": (io.BytesIO(b"%PDF-1.4"), "list.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 400 and "请上传 .xlsx 或 .csv 文件" in r.get_data(as_text=True)
    r = client.post("/monitor/adoptions/bulk", data={
        "adopted_on": "2026-10-31", "upload": (io.BytesIO(b"not a zip"), "list.xlsx")},
        content_type="multipart/form-data")
    assert r.status_code == 400 and "无法读取这个 Excel 文件" in r.get_data(as_text=True)


# ---- scores in the month's figures ------------------------------------------------------------

def test_month_figures_score_adoptions_deductions_and_rank_units_of_a_kind(
        county, make_item, today):
    t1, t2, t3 = (make_item(county[c]) for c in ("T1", "T2", "T3"))
    adopt(t1, "zbxx", "专题信息")                                  # 7
    adopt(t1, "city_zbxx")                                        # + 10 (sum: counted both)
    adopt(t2, "gzjl", instruction_level="county")                # 10 + 10
    adopt(t3, "kx_gzjk", "简要信息")                                # 1
    adoptions.add_penalty(None, county["T3"], "missed", date(2026, 10, 5), "漏报山体滑坡")
    make_item(county["T3"], urgent=True, late=True)               # 迟报: -10 more
    d1 = make_item(county["D1"], submitted="2026-09-20 10:00")
    adopt(d1, "kx_zyhy", on=date(2026, 9, 30))                     # September: 3
    db.session.commit()
    rows = figures.compute(2026, 10, 4)
    t1r, t2r, t3r, d1r, d2r = (row(rows, c) for c in ("T1", "T2", "T3", "D1", "D2"))
    assert (t1r.adoptions, t1r.adopt_county, t1r.adopt_city, t1r.score) == (2, 1, 1, 17)
    assert (t2r.instructions, t2r.score) == (1, 20)
    assert (t3r.penalties, t3r.score) == (2, 1 - 20)
    assert (d1r.adoptions, d1r.score, d1r.score_year) == (0, 0, 3)
    assert [t2r.rank, t1r.rank, t3r.rank] == [1, 2, 3]
    assert (d1r.rank, d2r.rank) == (1, 2)
    # the notice lists the units with no adoption this month and the score table
    today("2026-11-03 10:00")
    run = services.run_month(2026, 10)
    html = notice_html(run)
    assert re.search(r"本月信息采用为零的单位：县教育局、县水利局。", html)
    assert "附件：2026年10月各单位信息采用及得分情况" in html
    assert run.totals["adoptions"] == 4 and run.totals["zero_adoptions"] == 2
    assert run.rules["scheme"]["rule"] == "sum"
    assert "　年　月　日" in html  # not signed yet: the date is left blank


def test_ties_share_a_rank(county, make_item):
    for code in ("T1", "T2"):
        adopt(make_item(county[code]), "gzjl")
    rows = figures.compute(2026, 10, 4)
    assert [row(rows, c).rank for c in ("T1", "T2", "T3")] == [1, 1, 3]


def test_each_month_is_scored_with_the_scheme_in_force_then(county, make_item):
    item_sep, item_oct = make_item(county["T1"], submitted="2026-09-10 10:00"), \
        make_item(county["T1"])
    adopt(item_sep, "gzjl", on=date(2026, 9, 12))
    adopt(item_oct, "gzjl", on=date(2026, 10, 20))
    current = adoptions.schemes()[0]
    points = {**current.points, "outlets": {**current.points["outlets"],
                                            "gzjl": {"base": 15, "kinds": {}}}}
    adoptions.save_scheme(None, name="2026年10月起调整", rule="sum",
                          valid_from=date(2026, 10, 1), points=points, note="工作交流调为15分")
    db.session.commit()
    t1 = row(figures.compute(2026, 10, 4), "T1")
    assert (t1.score, t1.score_year) == (15, 10 + 15)
    assert row(figures.compute(2026, 9, 4), "T1").score == 10


def test_without_a_scheme_adoptions_are_counted_but_not_scored(app, center, make_unit,
                                                               make_item, today):
    today("2026-11-10 10:00")
    unit = make_unit(UnitKind.township)
    adoptions.save_outlet(None, code="portal", name="门户网站", level="county", kinds=[])
    item = make_item(unit)
    adoptions.record(None, item, outlet("portal"), adopted_on=date(2026, 10, 20))
    db.session.commit()
    f = figures.compute(2026, 10, 4)[0]
    assert (f.adoptions, f.score, f.rank) == (1, 0, 1)


def test_the_statement_count_does_not_grow_with_units(county, make_unit, make_item, app):
    from sqlalchemy import event

    def count_for() -> int:
        n = 0

        def bump(*_):
            nonlocal n
            n += 1

        event.listen(db.engine, "before_cursor_execute", bump)
        try:
            figures.compute(2026, 10, 4)
        finally:
            event.remove(db.engine, "before_cursor_execute", bump)
        return n

    adopt(make_item(county["T1"]), "gzjl")
    count_for()
    before = count_for()
    for _ in range(10):
        unit = make_unit(UnitKind.township)
        adopt(make_item(unit), "gzjl")
    assert count_for() == before


# ---- the scheme and the outlets -----------------------------------------------------------------

def test_applying_a_preset_twice_adds_its_outlets_once(county):
    n = db.session.scalar(select(func.count()).select_from(Outlet))
    adoptions.apply_preset(None, "fanwen2", date(2026, 12, 1))
    adoptions.apply_preset(None, "fanwen6", date(2027, 1, 1))
    db.session.commit()
    codes = [o.code for o in adoptions.outlets()]
    assert len(codes) == len(set(codes)) == n + 15
    assert [s.rule for s in adoptions.schemes()[:2]] == ["highest", "sum"]


def test_the_center_edits_the_scheme_grid_and_bad_values_are_refused(
        county, make_user, login, client):
    login(make_user(Role.admin))
    page = client.get("/monitor/scheme").get_data(as_text=True)
    assert 'name="o-gzjl-base" value="10"' in page and 'name="o-zbxx-k0" value="7"' in page
    form = dict(re.findall(r'name="(o-[^"]+|instruction-\w+|commissioned-\w+|deductions-\w+)"'
                           r' value="([^"]*)"', page))
    base = {**form, "name": "本县2027年计分办法", "rule": "sum", "valid_from": "2027-01",
            "note": "工作交流提高到12分"}
    before = db.session.scalar(select(func.count()).select_from(PointScheme))
    r = client.post("/monitor/scheme", data={**base, "o-gzjl-base": "十二"})
    assert r.status_code == 400 and "应为整数" in r.get_data(as_text=True)
    r = client.post("/monitor/scheme", data={**base, "deductions-late": "5"})
    assert r.status_code == 400 and "扣分应为 0 或负数" in r.get_data(as_text=True)
    r = client.post("/monitor/scheme", data={**base, "valid_from": "2027-13"})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PointScheme)) == before
    r = client.post("/monitor/scheme", data={**base, "o-gzjl-base": "12"})
    assert r.status_code == 302
    new = adoptions.schemes()[0]
    assert new.valid_from == date(2027, 1, 1) and new.points["outlets"]["gzjl"]["base"] == 12
    assert new.points["outlets"]["gzjl"]["instruction"] == {"county": 10}
    assert new.points["outlets"]["zbxx"]["kinds"] == {"专题信息": 7, "综合信息": 3}
    assert new.points["deductions"]["late"] == -10


def test_outlets_are_added_and_renamed_with_unique_codes_and_names(county, make_user, login,
                                                                   client, make_item):
    login(make_user(Role.admin))
    r = client.post("/monitor/outlets", data={"code": "xxkb", "name": "县委《信息快报》",
                                              "level": "county", "kinds": "综合信息、简要信息",
                                              "active": "y"})
    assert r.status_code == 302
    assert outlet("xxkb").kinds == ["综合信息", "简要信息"]
    r = client.post("/monitor/outlets", data={"code": "gzjl", "name": "重复", "level": "county"})
    assert r.status_code == 400 and "已被「《工作交流》」使用" in r.get_data(as_text=True)
    r = client.post("/monitor/outlets", data={"code": "Bad Code", "name": "某刊",
                                              "level": "county"})
    assert r.status_code == 400 and "代码应以小写字母开头" in r.get_data(as_text=True)
    r = client.post(f"/monitor/outlets/{outlet('xxkb').id}", data={
        "code": "xxkb", "name": "县委办《信息快报》", "level": "county", "kinds": ""})
    assert r.status_code == 302 and not outlet("xxkb").active and outlet("xxkb").kinds == []
    with pytest.raises(DomainError, match="已停用"):
        adoptions.record(None, make_item(county["T1"]), outlet("xxkb"),
                         adopted_on=date(2026, 10, 20))


def test_a_deduction_is_recorded_with_a_reason_and_can_be_revoked(county, make_user, login,
                                                                  client):
    login(make_user(Role.reviewer))
    url = f"/monitor/units/{county['T1'].id}/penalties"
    client.post(url, data={"penalty-kind": "false", "penalty-occurred_on": "2026-10-08",
                           "penalty-note": ""})
    assert row(figures.compute(2026, 10, 4), "T1").penalties == 0
    r = client.post(url, data={"penalty-kind": "false", "penalty-occurred_on": "2026-10-08",
                               "penalty-note": "报送火情伤亡人数不实", "next": "/monitor/"})
    assert r.status_code == 302
    t1 = row(figures.compute(2026, 10, 4), "T1")
    assert (t1.penalties, t1.score) == (1, -10)
    page = client.get(f"/monitor/month/2026-10/unit/{county['T1'].id}").get_data(as_text=True)
    assert "报送火情伤亡人数不实" in page and "报送不实信息" in page
    from portal.monitor.models import Penalty
    p = db.session.scalar(select(Penalty))
    client.post(f"/monitor/penalties/{p.id}/revoke", data={"revoke-reason": "经核实属实"})
    db.session.expire_all()
    assert row(figures.compute(2026, 10, 4), "T1").score == 0
    assert "已撤销（经核实属实）" in client.get(
        f"/monitor/month/2026-10/unit/{county['T1'].id}").get_data(as_text=True)


# ---- bad input changes nothing ---------------------------------------------------------------

def test_an_item_of_a_unit_not_in_the_roster_cannot_be_adopted(county, make_item, center):
    from portal.accounts import services as accounts

    own = make_item(center)  # the center's own items are not assessed
    with pytest.raises(DomainError, match="不在考核名单中"):
        adopt(own, "gzjl")
    late = accounts.create_unit(None, "T8", "新设镇", "township", since="2026-11-01")
    item = make_item(late, submitted="2026-10-20 10:00")
    with pytest.raises(DomainError, match="「新设镇」2026年10月不在考核名单中"):
        adopt(item, "gzjl", on=date(2026, 10, 21))
    adopt(item, "gzjl", on=date(2026, 11, 2))  # it joined in November
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == 1


def test_a_scheme_never_gives_negative_points_for_an_adoption(county):
    current = adoptions.schemes()[0]
    bad = {**current.points, "outlets": {**current.points["outlets"],
                                         "gzjl": {"base": -5, "kinds": {}}}}
    with pytest.raises(DomainError, match="不能为负数"):
        adoptions.save_scheme(None, name="错误", rule="sum", valid_from=date(2027, 1, 1),
                              points=bad)
    assert len(adoptions.schemes()) == 1


def test_a_month_before_the_portals_first_records_is_not_run(county, make_item, today):
    make_item(county["T1"], submitted="2026-06-10 10:00")
    with pytest.raises(DomainError, match="早于本网站开始记录报送的时间（2026年6月）"):
        services.run_month(2026, 5)
    services.run_month(2026, 6)


def test_only_a_center_leader_or_an_admin_may_sign_the_notice(county, make_item, make_user,
                                                              today):
    from portal.errors import Forbidden
    from portal.monitor import notices

    make_item(county["T1"])
    services.run_month(2026, 10)
    for user in (make_user(Role.reviewer), make_user(Role.leader, unit=county["T1"])):
        with pytest.raises(Forbidden, match="须由网络信息中心的领导"):
            notices.sign(user, notices.get(2026, 10))
    assert notices.get(2026, 10).status == "draft"


def test_the_units_desk_shows_its_score_and_rank(county, make_item, make_user, login, client,
                                                  today):
    today("2026-11-20 10:00")
    adopt(make_item(county["T2"], submitted="2026-11-02 10:00"), "gzjl", on=date(2026, 11, 5))
    adopt(make_item(county["T1"], submitted="2026-10-02 10:00"), "kx_zyhy")
    login(make_user(Role.officer, unit=county["T1"]))
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert ("本单位2026年信息得分 3 分（含本月实时），在乡镇/街道中排第 2 位；"
            "本月信息被采用 0 条次。") in page
    login(make_user(Role.reviewer))
    assert "信息得分" not in client.get("/review/").get_data(as_text=True)


def test_without_outlets_the_panel_says_what_to_set_up_instead_of_an_empty_list(
        app, center, make_unit, make_item, make_user, login, client):
    item = make_item(make_unit())
    login(make_user(Role.reviewer))
    page = client.get(f"/review/items/{item.id}").get_data(as_text=True)
    assert "尚无采用刊物" in page and "adopt-target" not in page
