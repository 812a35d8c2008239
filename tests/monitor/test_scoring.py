"""The two seed schemes score the worked cases of their text exactly (范文2, 范文6)."""

from __future__ import annotations

import pytest

from portal.monitor.presets import FANWEN2, FANWEN6
from portal.monitor.scoring import Adopted, adoption_points, item_points, rank, score

P2, P6 = FANWEN2["points"], FANWEN6["points"]


def a(outlet, level, kind="", item=1, commissioned=False, instruction=""):
    return Adopted(item, outlet, level, kind, commissioned, instruction)


@pytest.mark.parametrize(("case", "expected"), [
    # 二(二)1 《快讯》: 工作简况 综合 3, 简要 1; 重要会议 3; 情况通报 综合 3, 简要 1;
    # 上情动态 3, 网摘 1; 约稿 in these columns 3.
    (a("kx_gzjk", "county", "综合信息"), 3),
    (a("kx_gzjk", "county", "简要信息"), 1),
    (a("kx_zyhy", "county"), 3),
    (a("kx_qktb", "county", "综合信息"), 3),
    (a("kx_qktb", "county", "简要信息"), 1),
    (a("kx_sqdt", "county"), 3),
    (a("kx_sqdt", "county", "网摘信息"), 1),
    (a("kx_gzjk", "county", "简要信息", commissioned=True), 3),
    # 二(二)2 《专报信息》 专题 7, 综合 3; 3 《要情快报》 综合 3, 简讯 1; 4, 5: 10 each.
    (a("zbxx", "county", "专题信息"), 7),
    (a("zbxx", "county", "综合信息"), 3),
    (a("yqkb", "county", "综合信息"), 3),
    (a("yqkb", "county", "简讯"), 1),
    (a("gzjl", "county"), 10),
    (a("zwdy", "county"), 10),
    # 二(二)6: 县领导批示 +5, on 《工作交流》《政务调研》 +10; forwarded to the city 1;
    # adopted by the city office: 工作动态 5, 《工作交流》 20, 《专报信息》 10, 简要信息 3;
    # 市政府领导批示 +10.
    (a("zbxx", "county", "专题信息", instruction="county"), 12),
    (a("gzjl", "county", instruction="county"), 20),
    (a("zwdy", "county", instruction="county"), 20),
    (a("city_zb", "city"), 1),
    (a("city_gzdt", "city"), 5),
    (a("city_gzjl", "city"), 20),
    (a("city_zbxx", "city"), 10),
    (a("city_jyxx", "city"), 3),
    (a("city_zbxx", "city", instruction="city"), 20),
])
def test_fanwen2_points_of_one_adoption(case, expected):
    assert adoption_points(P2, case) == expected


def test_fanwen2_an_item_adopted_by_county_and_city_scores_each_adoption():
    # 二(二)7: 被县政府办公室和市政府办公厅同时采用的信息，分别计分，累计算分.
    adoptions = [a("zbxx", "county", "综合信息"), a("city_zb", "city"), a("city_zbxx", "city")]
    assert FANWEN2["rule"] == "sum"
    assert item_points(P2, "sum", adoptions) == 3 + 1 + 10


def test_fanwen2_deducts_ten_for_each_late_missed_wrong_or_false_report():
    # 二(二)8: 漏报、误报、迟报的，每项每次倒扣10分；报送不实信息…每条扣10分.
    adoptions = [a("gzjl", "county", item=1), a("kx_gzjk", "county", "综合信息", item=2)]
    assert score(P2, "sum", adoptions, {"late": 1, "missed": 1}) == 13 - 20
    assert score(P2, "sum", [], {"false": 1, "wrong": 2}) == -30


@pytest.mark.parametrize(("case", "expected"), [
    # 二(一): 《情况》《信息参考》 5, 调研 +20; 《信息快报》 10, 调研 +20; 《信息摘报》 5.
    (a("c_qk", "city"), 5), (a("c_qk", "city", "调研信息"), 25),
    (a("c_xxck", "city", "调研信息"), 25), (a("c_xxkb", "city"), 10),
    (a("c_xxkb", "city", "调研信息"), 30), (a("c_xxzb", "city"), 5),
    # 二(二): 《信息简报》 10, 《共享信息》 6, 《专报信息》 30 (调研 +20), 《领导批示与反馈》 10,
    # 《信息摘报》 10.
    (a("p_xxjb", "province"), 10), (a("p_gxxx", "province"), 6), (a("p_zbxx", "province"), 30),
    (a("p_zbxx", "province", "调研信息"), 50), (a("p_ldps", "province"), 10),
    (a("p_xxzb", "province"), 10),
    # 二(三): 国办 要情/综合/送阅 40, 专报信息 80, 信息参考 120, 政务情况交流 200.
    (a("s_gbyq", "state"), 40), (a("s_gbzh", "state"), 40), (a("s_gbsy", "state"), 40),
    (a("s_zbxx", "state"), 80), (a("s_xxck", "state"), 120), (a("s_zwqk", "state"), 200),
    # 二(四): 批示 by a city leader +20, province +40, State Council +80.
    (a("c_qk", "city", instruction="city"), 25),
    (a("p_xxjb", "province", instruction="province"), 50),
    (a("s_gbyq", "state", instruction="state"), 120),
    # 二(五): 约稿 adopted by the city office +5, the province +10, the State Council +15.
    (a("c_xxkb", "city", commissioned=True), 15),
    (a("p_xxjb", "province", commissioned=True), 20),
    (a("s_zbxx", "state", commissioned=True), 95),
])
def test_fanwen6_points_of_one_adoption(case, expected):
    assert adoption_points(P6, case) == expected


def test_fanwen6_scores_an_item_adopted_several_times_once_at_its_highest():
    # 二(七): 就高不就低 — 同条信息被多级多种刊物采用，以分值高的计分，不重复计算.
    adoptions = [a("c_xxkb", "city"), a("p_xxjb", "province"), a("p_zbxx", "province")]
    assert FANWEN6["rule"] == "highest"
    assert item_points(P6, "highest", adoptions) == 30
    assert item_points(P6, "sum", adoptions) == 50
    # two different items are two scores
    other = [a("c_qk", "city", item=2)]
    assert score(P6, "highest", adoptions + other) == 35


def test_an_outlet_the_scheme_does_not_know_scores_nothing():
    assert adoption_points(P2, a("unknown", "county")) == 0


def test_ranks_are_shared_by_ties_and_skip_after_them():
    assert rank({1: 30, 2: 50, 3: 30, 4: 0}) == {2: 1, 1: 2, 3: 2, 4: 4}
    assert rank({}) == {}
