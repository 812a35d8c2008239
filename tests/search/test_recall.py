"""Search finds every document that contains what was typed: recall against plain
substring containment is 100% for Chinese strings of 2–6 characters, whether they are
words, parts of compounds or spans across word boundaries; a quoted phrase finds exactly
the documents that contain it."""

from __future__ import annotations

import random
import re

import pytest

from portal.search import SearchIndex

TEXTS = [
    ("县政府召开常务会议研究部署安全生产工作",
     "会议强调，各乡镇各部门要压实安全生产责任，深入开展隐患排查整治。"),
    ("城关镇开展秋季森林防火专项检查",
     "检查组深入林区，对防火通道、瞭望塔和物资储备情况逐一核查。"),
    ("县医保局解读城乡居民医疗保险缴费政策",
     "2026年度城乡居民医保个人缴费标准为每人每年400元，可通过线上渠道缴纳。"),
    ("桃源镇推进人居环境整治提升村容村貌",
     "全镇共清理垃圾三百余吨，拆除危旧房屋十二处，新建公厕六座。"),
    ("县教育局发布2026年中考招生工作通知",
     "中考招生录取工作坚持公开公平公正原则，严禁违规招生。"),
    ("县水利局部署防汛抗旱工作",
     "汛期来临前，各水库管理单位要落实防汛责任人，完善应急预案。"),
    ("县市场监管局开展食品安全抽检",
     "共抽检粮食加工品、食用油、乳制品等样品一百二十批次，合格率百分之九十八。"),
    ("青山镇召开乡村振兴工作推进会",
     "会议要求，以产业振兴为重点，发展特色种植养殖，带动群众增收致富。"),
    ("县人社局举办就业援助月专场招聘会",
     "现场提供岗位八百余个，达成就业意向二百三十人。"),
    ("县退役军人事务局走访慰问困难退役军人",
     "为困难退役军人送去慰问金和生活物资，详细了解家庭生活情况。"),
    ("县政务服务中心推行一网通办",
     "企业开办时间压缩至一个工作日以内，群众办事更加便捷高效。"),
    ("县住建局开展城镇燃气安全排查整治",
     "对全县燃气经营企业和餐饮场所开展拉网式排查，发现隐患当场整改。"),
    ("石桥镇加强河长制工作",
     "镇村两级河长定期巡河，及时清理河道垃圾，保持水清岸绿。"),
    ("县民政局开展低保审核专项清理",
     "对不符合条件的低保对象依法依规予以退出，做到应保尽保。"),
    ("县卫健委开展家庭医生签约服务",
     "家庭医生团队为重点人群提供健康管理、慢病随访等服务。"),
    ("县交通运输局推进农村公路建设",
     "今年新改建农村公路一百二十公里，完成危桥改造八座。"),
    ("白沙镇组织开展防溺水安全教育",
     "镇中心学校组织学生观看防溺水警示教育片，签订安全承诺书。"),
    ("县财政局下达惠民惠农补贴资金",
     "通过一卡通发放耕地地力保护补贴等资金共计三千二百万元。"),
    ("县自然资源局开展耕地保护督察",
     "严格落实耕地保护制度，坚决遏制耕地非农化、防止非粮化。"),
    ("县政府办公室关于2026年节假日值班安排的通知",
     "各单位要严格执行二十四小时值班和领导带班制度，确保信息畅通。"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix = SearchIndex(tmp_path_factory.mktemp("recall"))
    ix.upsert([{"id": f"item:{n}", "type": "item", "title": title, "body": body}
               for n, (title, body) in enumerate(TEXTS)])
    return ix


def _samples(count: int = 200) -> list[str]:
    rnd = random.Random(2026)
    runs = [run for title, body in TEXTS for run in re.findall(r"[\u4e00-\u9fff0-9]+",
                                                               title + "。" + body)]
    out = set()
    while len(out) < count:
        run = rnd.choice(runs)
        size = rnd.randint(2, min(6, len(run)))
        if len(run) < 2:
            continue
        start = rnd.randrange(len(run) - size + 1)
        out.add(run[start:start + size])
    return sorted(out)


def _containing(text: str) -> set[str]:
    return {f"item:{n}" for n, (title, body) in enumerate(TEXTS) if text in title or text in body}


def _found(index, query: str) -> set[str]:
    return {hit.id for hit in index.search(query, pagelen=100).hits}


def test_every_document_containing_the_typed_text_is_found(index):
    missed = {s: sorted(_containing(s) - _found(index, s)) for s in _samples()}
    assert {s: m for s, m in missed.items() if m} == {}


def test_a_quoted_phrase_finds_exactly_the_documents_containing_it(index):
    wrong = {s: (sorted(_found(index, f'"{s}"')), sorted(_containing(s)))
             for s in _samples()}
    assert {s: w for s, w in wrong.items() if w[0] != w[1]} == {}


@pytest.mark.parametrize(("typed", "expected"), [
    ("考招", {"item:4"}),          # inside 中考招生, segmented 中考/招生
    ("府召开常", {"item:0"}),      # a span across three words
    ("防火", {"item:1"}),
    ("年度城乡", {"item:2"}),
])
def test_parts_of_compounds_and_spans_across_words(index, typed, expected):
    assert _found(index, typed) >= expected
    assert _found(index, f'"{typed}"') == expected


def test_two_typed_strings_must_both_be_there(index):
    assert _found(index, "安全生产 隐患排查") == {"item:0"}
    assert _found(index, "安全 NOT 生产") >= {"item:6", "item:11", "item:16"}
    assert "item:0" not in _found(index, "安全 NOT 生产")
