"""The two point schemes of the seed notices, as data the center can apply and then edit.

范文2 is a county office's scheme (《快讯》 columns, 《专报信息》, 《要情快报》,
《工作交流》, 《政务调研》, what the city office adopts, 批示 by county and city
leaders, 10 points off for each 迟报/漏报/误报/不实), scoring every adoption (累计算分).
范文6 is a city office's scheme (city, province and State Council publications,
调研 and 约稿 bonuses, 批示 by level), scoring an item adopted several times once, at its
highest (就高不就低). Each outlet is ``(code, name, level, kinds)``.
"""

from __future__ import annotations

ZH = "综合信息"
JY = "简要信息"
DY = "调研信息"

FANWEN2_OUTLETS = [
    ("kx_gzjk", "《快讯》“工作简况”", "county", [ZH, JY]),
    ("kx_zyhy", "《快讯》“重要会议”", "county", []),
    ("kx_qktb", "《快讯》“情况通报”", "county", [ZH, JY]),
    ("kx_sqdt", "《快讯》“上情动态”", "county", ["网摘信息"]),
    ("zbxx", "《专报信息》", "county", ["专题信息", ZH]),
    ("yqkb", "《要情快报》", "county", [ZH, "简讯"]),
    ("gzjl", "《工作交流》", "county", []),
    ("zwdy", "《政务调研》", "county", []),
    ("city_zb", "转报市政府办公厅", "city", []),
    ("city_gzdt", "市政府办公厅采用工作动态", "city", []),
    ("city_gzjl", "市政府办公厅《工作交流》", "city", []),
    ("city_zbxx", "市政府办公厅《专报信息》", "city", []),
    ("city_jyxx", "市政府办公厅采用简要信息", "city", []),
]

FANWEN2 = {
    "name": "范文2：县政府办公室政务信息考核计分办法",
    "rule": "sum",
    "points": {
        "outlets": {
            # 二(二)1: 综合 3, 简要 1; 重要会议 3; 上情动态 3, 网摘 1; 约稿 3 in these columns.
            "kx_gzjk": {"base": 3, "kinds": {ZH: 3, JY: 1}, "commissioned": 3},
            "kx_zyhy": {"base": 3, "kinds": {}, "commissioned": 3},
            "kx_qktb": {"base": 3, "kinds": {ZH: 3, JY: 1}, "commissioned": 3},
            "kx_sqdt": {"base": 3, "kinds": {"网摘信息": 1}, "commissioned": 3},
            # 二(二)2-5
            "zbxx": {"base": 3, "kinds": {"专题信息": 7, ZH: 3}},
            "yqkb": {"base": 3, "kinds": {ZH: 3, "简讯": 1}},
            # 二(二)6: 批示 by a county leader adds 10 here instead of 5.
            "gzjl": {"base": 10, "kinds": {}, "instruction": {"county": 10}},
            "zwdy": {"base": 10, "kinds": {}, "instruction": {"county": 10}},
            # 二(二)6: forwarded to the city office 1; adopted there 5 / 20 / 10 / 3.
            "city_zb": {"base": 1, "kinds": {}},
            "city_gzdt": {"base": 5, "kinds": {}},
            "city_gzjl": {"base": 20, "kinds": {}},
            "city_zbxx": {"base": 10, "kinds": {}},
            "city_jyxx": {"base": 3, "kinds": {}},
        },
        # 二(二)6: 县领导批示 5, 市政府领导批示 10.
        "instruction": {"county": 5, "city": 10, "province": 0, "state": 0},
        "commissioned": {"county": 0, "city": 0, "province": 0, "state": 0},
        # 二(二)8: each 漏报, 误报, 迟报 10 off; 不实 10 off.
        "deductions": {"late": -10, "missed": -10, "wrong": -10, "false": -10},
    },
}

FANWEN6_OUTLETS = [
    ("c_qk", "市政府办公室《情况》", "city", [DY]),
    ("c_xxck", "市政府办公室《信息参考》", "city", [DY]),
    ("c_xxkb", "市政府办公室《信息快报》", "city", [DY]),
    ("c_xxzb", "市政府办公室《信息摘报》", "city", []),
    ("p_xxjb", "省政府办公厅《信息简报》", "province", []),
    ("p_gxxx", "省政府办公厅《共享信息》", "province", []),
    ("p_zbxx", "省政府办公厅《专报信息》", "province", [DY]),
    ("p_ldps", "省政府办公厅《领导批示与反馈》", "province", []),
    ("p_xxzb", "省政府办公厅《信息摘报》", "province", []),
    ("s_gbyq", "国务院办公厅《国办要情》", "state", []),
    ("s_gbzh", "国务院办公厅《国办综合》", "state", []),
    ("s_gbsy", "国务院办公厅《国办送阅》", "state", []),
    ("s_zbxx", "国务院办公厅《专报信息》", "state", []),
    ("s_xxck", "国务院办公厅《信息参考》", "state", []),
    ("s_zwqk", "国务院办公厅《政务情况交流》", "state", []),
]

FANWEN6 = {
    "name": "范文6：市政府办公室政务信息考核评分标准",
    "rule": "highest",
    "points": {
        "outlets": {
            # 二(一): 《情况》《信息参考》 5, 调研 +20; 《信息快报》 10, 调研 +20; 《信息摘报》 5.
            "c_qk": {"base": 5, "kinds": {DY: 25}},
            "c_xxck": {"base": 5, "kinds": {DY: 25}},
            "c_xxkb": {"base": 10, "kinds": {DY: 30}},
            "c_xxzb": {"base": 5, "kinds": {}},
            # 二(二)
            "p_xxjb": {"base": 10, "kinds": {}},
            "p_gxxx": {"base": 6, "kinds": {}},
            "p_zbxx": {"base": 30, "kinds": {DY: 50}},
            "p_ldps": {"base": 10, "kinds": {}},
            "p_xxzb": {"base": 10, "kinds": {}},
            # 二(三)
            "s_gbyq": {"base": 40, "kinds": {}},
            "s_gbzh": {"base": 40, "kinds": {}},
            "s_gbsy": {"base": 40, "kinds": {}},
            "s_zbxx": {"base": 80, "kinds": {}},
            "s_xxck": {"base": 120, "kinds": {}},
            "s_zwqk": {"base": 200, "kinds": {}},
        },
        # 二(四): 批示 by city 20, province 40, State Council 80.
        "instruction": {"county": 0, "city": 20, "province": 40, "state": 80},
        # 二(五): 约稿 adopted by the city office 5, province 10, State Council 15.
        "commissioned": {"county": 0, "city": 5, "province": 10, "state": 15},
        "deductions": {"late": 0, "missed": 0, "wrong": 0, "false": 0},
    },
}

PRESETS = {"fanwen2": (FANWEN2, FANWEN2_OUTLETS), "fanwen6": (FANWEN6, FANWEN6_OUTLETS)}
PRESET_LABELS = {key: scheme["name"] for key, (scheme, _) in PRESETS.items()}
