"""Tests for portal.search: Chinese analysis and the SQLite FTS5 index."""

from __future__ import annotations

import ast
import random
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from portal.search import (
    RebuildInProgressError,
    SearchIndex,
    build_query,
    grams,
    phrase_grams,
    query_words,
)

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "portal" / "search"
CHINA = timezone(timedelta(hours=8))


def doc(doc_id, title, body="", **extra):
    """A search document with sensible defaults for the fields a test ignores."""
    values = {
        "id": doc_id,
        "type": doc_id.split(":")[0],
        "title": title,
        "body": body,
        "column": "xwdt",
        "column_name": "新闻动态",
        "unit": "xzf",
        "unit_name": "县政府办",
        "published_at": datetime(2026, 5, 1, 2, 0, tzinfo=UTC),
        "url": f"/{doc_id.replace(':', '/')}",
    }
    values.update(extra)
    return values


DOCS = [
    doc("item:1", "县政府召开安全生产工作会议",
        "10月31日，县政府召开安全生产工作会议，部署冬季安全生产工作。",
        published_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC)),  # 23:30 China time
    doc("item:2", "生产安全知识问答",
        "企业要重视生产安全，做好安全教育，抓好生产管理。",
        column="zcjd", column_name="政策解读",
        published_at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),  # 00:30 Nov 1 China
    doc("item:3", "2024年中考招生工作通知", "2024年中考招生报名将于6月开始，请考生及时报名。",
        column="tzgg", column_name="通知公告", unit="jyj", unit_name="县教体局",
        published_at=datetime(2024, 5, 20, 1, 0, tzinfo=UTC)),
    doc("message:1", "关于2026年低保申请的咨询", "请问2026年低保怎么申请？需要哪些材料？",
        column="", column_name="", unit="mzj", unit_name="县民政局",
        published_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC)),
    doc("item:4", "<script>alert(1)</script>防汛抗旱通知",
        "请各乡镇做好防汛抗旱工作。<script>alert('x')</script> A & B <b>加粗</b>",
        column="tzgg", column_name="通知公告",
        published_at=datetime(2026, 7, 1, 0, 0, tzinfo=UTC)),
    doc("item:5", "iPhone15手机以旧换新活动",
        "全县开展家电和iPhone15手机以旧换新，补贴2026年底截止。",
        published_at=datetime(2026, 1, 5, 0, 0, tzinfo=UTC)),
    doc("item:6", "安全教育进校园", "学校开展安全教育，同时推进生产实训。",
        published_at=datetime(2025, 9, 1, 0, 0, tzinfo=UTC)),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """A shared, read-only index holding DOCS (tests that write use fresh_index)."""
    ix = SearchIndex(tmp_path_factory.mktemp("search"))
    ix.upsert(DOCS)
    return ix


@pytest.fixture
def fresh_index(tmp_path):
    ix = SearchIndex(tmp_path / "search")
    ix.upsert(DOCS)
    return ix


def ids(page):
    return [hit.id for hit in page.hits]


def index_dirs(root: Path):
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("index-"))


# -- analysis ---------------------------------------------------------------


def test_grams_are_the_bigrams_of_each_run_and_its_last_character():
    assert grams("县政府召开") == "县政 政府 府召 召开 开"
    # Punctuation and spaces end a run; no gram spans them.
    assert grams("安全，生产 A") == "安全 全 生产 产 a"
    assert grams("县") == "县"
    assert grams("！？。") == ""


def test_grams_fold_width_and_case_and_keep_letters_digits_and_other_scripts():
    assert grams("ＡＢ２０") == grams("ab20") == "ab b2 20 0"
    assert grams("iPhone15手机") == "ip ph ho on ne e1 15 5手 手机 机"
    assert grams("😀𠮷字") == "𠮷字 字"  # an emoji is not a word character
    assert not any(ch in grams("a_b-c.d“政务”") for ch in "_-.“”")


def test_phrase_grams_match_consecutive_positions_and_mark_a_trailing_prefix():
    assert phrase_grams("安全生产") == (["安全", "全生", "生产"], False)
    assert phrase_grams("县") == (["县"], True)
    # A run before punctuation must end where a run of the text ends.
    assert phrase_grams("安全，生产") == (["安全", "全", "生产"], False)
    assert phrase_grams("安全，生") == (["安全", "全", "生"], True)
    assert phrase_grams("，。") == ([], False)


def test_query_words_are_whole_words_lowercased():
    assert query_words("县政府召开安全生产工作会议") == [
        "县政府", "召开", "安全生产", "工作", "会议"]
    assert query_words("Hello, World! ABC-123") == ["hello", "world", "abc", "123"]


def test_query_words_keep_a_year_whole():
    assert query_words("2026年") == ["2026年"]
    assert query_words("２０２６年") == ["2026年"]  # full-width digits
    assert query_words("2026") == ["2026"]
    # 年度 is kept as its own word when the unit starts a longer word.
    assert query_words("2026年度预算") == ["2026年", "年度预算"]


def test_user_dictionary_fixes_known_segmentation_gaps():
    assert "中考" in query_words("2024年中考招生")
    for term in ["安全生产", "条块双报", "政务信息", "乡村振兴", "河长制", "网络信息中心",
                 "县人民政府", "人居环境", "营商环境", "防汛抗旱", "森林防火", "退役军人"]:
        assert query_words(f"关于做好{term}工作的通知").count(term) == 1, term


def test_user_dictionary_frequencies_do_not_break_ordinary_words():
    assert query_words("集中考察") == ["集中", "考察"]
    assert query_words("提高考核标准") == ["提高", "考核", "标准"]
    assert query_words("来信访问") == ["来信", "访问"]
    assert query_words("黄河长制度") == ["黄河", "长", "制度"]


def test_user_dictionary_file_is_well_formed():
    lines = [line.split() for line in
             (PACKAGE_DIR / "userdict.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) >= 100
    assert all(len(parts) == 2 and int(parts[1]) >= 1000 for parts in lines)
    words = [parts[0] for parts in lines]
    assert len(words) == len(set(words))


def test_engine_imports_nothing_else_from_portal():
    # analysis.py and index.py work on paths alone; service.py is the Flask glue.
    for path in (PACKAGE_DIR / "analysis.py", PACKAGE_DIR / "index.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("portal"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("portal") for a in node.names), path


# -- queries ----------------------------------------------------------------


def test_search_finds_compound_word_inside_title(index):
    page = index.search("安全生产")
    assert ids(page) == ["item:1"]
    hit = page.hits[0]
    assert hit.title == "县政府召开安全生产工作会议"
    assert hit.type == "item" and hit.url == "/item/1"
    assert hit.column == "xwdt" and hit.column_name == "新闻动态"
    assert hit.unit == "xzf" and hit.unit_name == "县政府办"


def test_search_subword_finds_compound(index):
    assert "item:1" in ids(index.search("安全"))
    assert "item:1" in ids(index.search("政府"))


def test_search_county_government_is_one_phrase(index):
    # Not widened to 县政 or 政府 anywhere: the bigrams must stand side by side.
    assert build_query("县政府").match == '"县政 政府"'
    assert build_query("县").match == '"县" *'
    assert ids(index.search("县政府")) == ["item:1"]


def test_search_words_may_be_in_title_and_body_separately(index):
    # 县政府 is in the title and the body; 冬季 only in the body.
    assert ids(index.search("县政府冬季")) == ["item:1"]


def test_quoted_phrase_matches_exact_phrase(index):
    assert ids(index.search('"安全生产"')) == ["item:1"]
    assert ids(index.search("“安全生产”")) == ["item:1"]  # Chinese quotation marks
    assert ids(index.search('"政府召开"')) == ["item:1"]  # sub-word + next word


def test_quoted_phrase_does_not_match_words_apart(index):
    assert "item:2" in ids(index.search("安全 生产"))  # unquoted: both words anywhere
    assert "item:6" in ids(index.search("安全 生产"))
    phrase = ids(index.search('"安全生产"'))
    assert "item:2" not in phrase and "item:6" not in phrase
    assert ids(index.search('"生产安全"')) == ["item:2"]
    assert ids(index.search('"召开政府"')) == []


def test_year_query_finds_year_and_number_query_finds_it_too(index):
    assert sorted(ids(index.search("2026年"))) == ["item:5", "message:1"]
    assert sorted(ids(index.search("2026"))) == ["item:5", "message:1"]
    assert ids(index.search("2026年低保")) == ["message:1"]
    assert ids(index.search("2024年")) == ["item:3"]
    assert ids(index.search("iphone15")) == ["item:5"]
    assert ids(index.search("iPhone")) == ["item:5"]


def test_exam_term_found_in_unsegmented_text(index):
    assert ids(index.search("中考")) == ["item:3"]
    assert ids(index.search("中考招生")) == ["item:3"]


def test_no_results(index):
    page = index.search("乡村振兴")
    assert page.hits == [] and page.total == 0 and page.pages == 0
    assert not page.has_prev and not page.has_next


@pytest.mark.parametrize("q", ["", "   ", "\t\n", None])
def test_empty_query_gives_empty_page(index, q):
    page = index.search(q)
    assert page.hits == [] and page.total == 0


@pytest.mark.parametrize("q", [
    '"安全生产', '安全生产"', '"""', 'AND OR', "AND", "OR 安全", "安全 AND", "NOT", "*", "?",
    "安全*", "((安全", "安全))", "title:安全", "body:", "a^2", "[a TO b]", "{}", "~", "'",
    "http://www.gov.cn/a?b=1&c=2", "\\", "安全 \"生产", "！？。，", "<script>", "\x00",
    "中" * 5000, "安全 " * 2000, "🙂", "NOT 安全",
])
def test_garbage_queries_do_not_raise(index, q):
    page = index.search(q)
    assert page.total >= 0


def test_unbalanced_quote_still_searches_words(index):
    assert ids(index.search('"安全生产')) == ["item:1"]


def test_operators_work(index):
    assert sorted(ids(index.search("中考 OR 低保"))) == ["item:3", "message:1"]
    assert ids(index.search("2026年 NOT 低保")) == ["item:5"]


# -- filters ----------------------------------------------------------------


def test_filter_by_column(index):
    assert ids(index.search("安全", column="zcjd")) == ["item:2"]
    assert index.search("安全", column="nope").total == 0


def test_filter_by_unit(index):
    assert ids(index.search("2026年", unit="mzj")) == ["message:1"]
    assert ids(index.search("中考", unit="xzf")) == []


def test_filter_by_type(index):
    assert ids(index.search("2026年", type="message")) == ["message:1"]
    assert ids(index.search("2026年", type="item")) == ["item:5"]


def test_filter_by_china_date_range(index):
    # item:1 was published 2026-10-31 15:30 UTC = 23:30 China time, item:2 at
    # 16:30 UTC = 00:30 on 1 November China time.
    assert ids(index.search("安全", date_from=date(2026, 10, 31),
                            date_to=date(2026, 10, 31))) == ["item:1"]
    assert ids(index.search("安全", date_from=date(2026, 11, 1),
                            date_to=date(2026, 11, 1))) == ["item:2"]
    assert sorted(ids(index.search("安全", date_from=date(2026, 10, 31)))) == ["item:1", "item:2"]
    assert ids(index.search("安全", date_to=date(2025, 12, 31))) == ["item:6"]
    assert ids(index.search("安全", date_from=date(2026, 11, 2))) == []


def test_filters_combine(index):
    assert ids(index.search("通知", column="tzgg", unit="jyj", type="item",
                            date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))) == ["item:3"]


def test_sort_by_date_newest_first(index):
    page = index.search("安全", sort="date")
    dates = [hit.published_at for hit in page.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3


def test_hit_published_at_is_aware_utc(index):
    hit = index.search("中考").hits[0]
    assert hit.published_at == datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
    assert hit.published_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_taken_as_utc_and_aware_ones_converted(tmp_path):
    ix = SearchIndex(tmp_path)
    ix.upsert([doc("item:1", "营商环境", published_at=datetime(2026, 1, 1, 12, 0)),
               doc("item:2", "营商环境", published_at=datetime(2026, 1, 2, 20, 0, tzinfo=CHINA)),
               doc("item:3", "营商环境", published_at=None)])
    got = {hit.id: hit.published_at for hit in ix.search("营商环境").hits}
    assert got == {"item:1": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
                   "item:2": datetime(2026, 1, 2, 12, 0, tzinfo=UTC),
                   "item:3": None}
    # Undated documents come last when sorting newest first.
    assert ids(ix.search("营商环境", sort="date")) == ["item:2", "item:1", "item:3"]


def test_upsert_rejects_unknown_fields_and_missing_id(tmp_path):
    ix = SearchIndex(tmp_path)
    with pytest.raises(ValueError):
        ix.upsert([doc("item:1", "x", titel="typo")])
    with pytest.raises(ValueError):
        ix.upsert([doc("item:1", "x", id="")])


# -- pagination -------------------------------------------------------------


@pytest.fixture(scope="module")
def paged_index(tmp_path_factory):
    ix = SearchIndex(tmp_path_factory.mktemp("paged"))
    ix.upsert(doc(f"item:{n}", f"森林防火通知第{n}号", "森林防火",
                  column="odd" if n % 2 else "even",
                  published_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n))
              for n in range(25))
    return ix


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_total_counts_only_filtered_matches(paged_index, sort):
    page = paged_index.search("森林防火", column="odd", pagelen=5, sort=sort)
    assert (page.total, page.pages, len(page.hits)) == (12, 3, 5)
    assert {hit.column for hit in page.hits} == {"odd"}


def test_total_is_exact_for_many_matches_with_and_without_filters(tmp_path):
    # Totals are counted apart from the page of hits; compare with a brute-force count.
    rnd = random.Random(7)
    words = ["安全", "生产", "会议", "防汛", "医保", "中考"]
    docs = [doc(f"item:{n}", rnd.choice(words),
                "，".join(rnd.choice(words) for _ in range(rnd.randint(1, 30))),
                column=f"c{n % 3}") for n in range(400)]
    ix = SearchIndex(tmp_path)
    ix.upsert(docs)
    for q in ("安全", "安全 医保", "安全 OR 医保"):
        for column in (None, "c1"):
            expected = sum(
                1 for d in docs if (column is None or d["column"] == column) and (
                    any(w in d["title"] + d["body"] for w in q.split(" OR "))
                    if " OR " in q else all(w in d["title"] + d["body"] for w in q.split())))
            for sort in ("relevance", "date"):
                assert ix.search(q, column=column, sort=sort).total == expected, (q, column, sort)


def test_pagination_pages_and_flags(paged_index):
    first = paged_index.search("森林防火", pagelen=10)
    assert (first.total, first.pages, len(first.hits)) == (25, 3, 10)
    assert not first.has_prev and first.has_next
    last = paged_index.search("森林防火", page=3, pagelen=10)
    assert len(last.hits) == 5 and last.has_prev and not last.has_next
    seen = [i for p in (1, 2, 3) for i in ids(paged_index.search("森林防火", page=p))]
    assert len(seen) == len(set(seen)) == 25


def test_page_past_the_end_is_empty_with_correct_total(paged_index):
    page = paged_index.search("森林防火", page=4, pagelen=10)
    assert page.hits == [] and page.total == 25 and page.pages == 3 and page.page == 4
    assert page.has_prev and not page.has_next


@pytest.mark.parametrize("page_number", [0, -3])
def test_page_below_one_is_page_one(paged_index, page_number):
    page = paged_index.search("森林防火", page=page_number)
    assert page.page == 1 and len(page.hits) == 10
    assert ids(page) == ids(paged_index.search("森林防火", page=1))


# -- writing ----------------------------------------------------------------


def test_missing_index_searches_empty_and_first_upsert_creates_it(tmp_path):
    ix = SearchIndex(tmp_path / "does" / "not" / "exist")
    assert ix.search("安全").total == 0
    assert ix.doc_count() == 0
    ix.delete(["item:1"])  # nothing to delete, no error
    ix.upsert([doc("item:1", "便民服务")])
    assert ids(ix.search("便民服务")) == ["item:1"]
    assert len(index_dirs(tmp_path / "does" / "not" / "exist")) == 1


def test_upsert_replaces_document(fresh_index):
    before = fresh_index.doc_count()
    fresh_index.upsert([doc("item:1", "县政府召开森林防火工作会议", "森林防火")])
    assert fresh_index.doc_count() == before
    assert ids(fresh_index.search("森林防火")) == ["item:1"]
    assert ids(fresh_index.search("安全生产")) == []


def test_delete_removes_from_results_immediately(fresh_index):
    fresh_index.delete(["item:1", "item:404"])
    assert ids(fresh_index.search("安全生产")) == []
    assert fresh_index.doc_count() == len(DOCS) - 1


def test_other_instances_see_writes(fresh_index):
    other = SearchIndex(fresh_index.root)
    assert ids(other.search("中考")) == ["item:3"]
    fresh_index.delete(["item:3"])
    assert ids(other.search("中考")) == []


def test_concurrent_writers_wait_for_the_lock(tmp_path):
    errors = []

    def write(n):
        try:
            ix = SearchIndex(tmp_path)
            for k in range(5):
                ix.upsert([doc(f"item:{n}-{k}", "防汛抗旱")])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert SearchIndex(tmp_path).search("防汛抗旱").total == 20


# -- rebuild ----------------------------------------------------------------


def test_rebuild_swaps_to_new_directory_and_reports_progress(fresh_index):
    root = fresh_index.root
    (old_dir,) = index_dirs(root)
    calls = []
    new_docs = [doc(f"item:{n}", f"乡村振兴第{n}期", "人居环境") for n in range(250)]
    count = fresh_index.rebuild(iter(new_docs), total=250, progress=calls.append)
    assert count == 250
    (new_dir,) = index_dirs(root)
    assert new_dir != old_dir
    assert (root / "CURRENT").read_text(encoding="utf-8").strip() == new_dir
    assert calls and calls[-1] == 250 and calls == sorted(calls)
    assert fresh_index.doc_count() == 250
    assert ids(fresh_index.search("安全生产")) == []
    assert fresh_index.search("乡村振兴").total == 250
    assert sorted(p.name for p in root.iterdir() if not p.is_dir() and
                  not p.name.endswith(".lock")) == ["CURRENT"]


def test_searches_work_during_rebuild_and_writes_are_not_lost(fresh_index):
    seen_during = []

    def source():
        for n in range(5):
            if n == 2:
                # Another request searches and publishes mid-rebuild.
                seen_during.append(ids(fresh_index.search("中考")))
                fresh_index.upsert([doc("item:100", "河长制巡河通知", "河长制")])
                fresh_index.delete(["item:3"])
            yield DOCS[n]

    fresh_index.rebuild(source())
    assert seen_during == [["item:3"]]
    assert ids(fresh_index.search("河长制")) == ["item:100"]
    assert ids(fresh_index.search("中考")) == []
    assert fresh_index.doc_count() == 5  # 5 rebuilt - item:3 + item:100


def test_second_rebuild_while_one_runs_is_refused(fresh_index):
    def source():
        with pytest.raises(RebuildInProgressError):
            SearchIndex(fresh_index.root).rebuild([])
        yield from DOCS

    assert fresh_index.rebuild(source()) == len(DOCS)


def test_failed_rebuild_keeps_live_index(fresh_index):
    root = fresh_index.root
    before = index_dirs(root)

    def source():
        yield DOCS[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        fresh_index.rebuild(source())
    assert index_dirs(root) == before
    assert not (root / "REBUILDING").exists()
    assert fresh_index.doc_count() == len(DOCS)
    fresh_index.upsert([doc("item:9", "高考")])
    assert ids(fresh_index.search("高考")) == ["item:9"]


def test_rebuild_cleans_up_after_a_crashed_rebuild(fresh_index):
    root = fresh_index.root
    (root / "index-20260101T000000-deadbeef").mkdir()
    (root / "index-20260101T000000-deadbeef.journal").write_text("", encoding="utf-8")
    (root / "REBUILDING").write_text("index-20260101T000000-deadbeef", encoding="utf-8")
    fresh_index.rebuild(DOCS)
    assert len(index_dirs(root)) == 1
    assert not (root / "REBUILDING").exists()
    assert not list(root.glob("*.journal"))


def test_rebuild_on_empty_root_creates_index(tmp_path):
    ix = SearchIndex(tmp_path / "new")
    assert ix.rebuild([doc("item:1", "信访")]) == 1
    assert ids(ix.search("信访")) == ["item:1"]
    assert len(index_dirs(tmp_path / "new")) == 1


def test_first_rebuild_keeps_writes_made_while_it_runs(tmp_path):
    ix = SearchIndex(tmp_path)

    def source():
        yield doc("item:1", "信访")
        ix.delete(["item:1"])  # no live index yet: only the journal has it
        ix.upsert([doc("item:2", "信访")])
        yield doc("item:3", "信访")

    ix.rebuild(source())
    assert sorted(ids(ix.search("信访"))) == ["item:2", "item:3"]
    assert len(index_dirs(tmp_path)) == 1


# -- highlighting -------------------------------------------------------------


def test_highlighting_escapes_html_and_marks_hits(index):
    (hit,) = index.search("防汛抗旱").hits
    assert hit.title_html == ("&lt;script&gt;alert(1)&lt;/script&gt;"
                              "<mark>防汛抗旱</mark>通知")
    assert "<mark>防汛抗旱</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html and "<b>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "&amp;" in hit.snippet_html


def test_highlighting_marks_subword_inside_compound(index):
    hits = {hit.id: hit for hit in index.search("安全").hits}
    assert hits["item:1"].title_html == "县政府召开<mark>安全</mark>生产工作会议"
    assert hits["item:1"].snippet_html.count("<mark>安全</mark>生产") == 2


def test_title_without_match_is_escaped_and_snippet_falls_back_to_lead(tmp_path):
    ix = SearchIndex(tmp_path)
    ix.upsert([doc("item:1", "<i>通知</i>", "正文" * 200 + "<b>")])
    (hit,) = ix.search("正文").hits
    assert hit.title_html == "&lt;i&gt;通知&lt;/i&gt;"
    ix.upsert([doc("item:2", "医保<>", "<b>正文</b>")])
    (hit,) = ix.search("医保").hits
    assert hit.title_html == "<mark>医保</mark>&lt;&gt;"
    assert hit.snippet_html == "&lt;b&gt;正文&lt;/b&gt;"


def test_snippet_length_is_bounded_and_cut_text_is_marked(tmp_path):
    ix = SearchIndex(tmp_path)
    body = "会议强调，要统筹发展和安全，" * 60 + "压实安全生产责任。" + "各部门要落实责任。" * 40
    ix.upsert([doc("item:1", "会议", body)])
    for q in ("安全", "安全生产", "责任"):
        (hit,) = ix.search(q).hits
        visible = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert len(visible) <= 2 * 70 + 3, q
        assert "<mark>" in hit.snippet_html
    (hit,) = ix.search("安全生产").hits
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")


# -- upgrading from the earlier engine ----------------------------------------


def test_an_index_of_the_earlier_engine_is_outdated_and_a_write_starts_a_new_one(tmp_path):
    # The Whoosh engine left a live directory without search.db.
    old = tmp_path / "index-20260101T000000-0badc0de"
    old.mkdir()
    (old / "_MAIN_1.toc").write_bytes(b"whoosh")
    (tmp_path / "CURRENT").write_text(old.name, encoding="utf-8")
    ix = SearchIndex(tmp_path)
    assert ix.state() == ("outdated", 0)
    assert ix.search("安全").total == 0 and ix.doc_count() == 0
    ix.upsert([doc("item:1", "安全生产")])
    assert ix.state() == ("ok", 1)
    assert ids(ix.search("安全")) == ["item:1"]
    ix.rebuild([doc("item:2", "安全生产")])
    assert index_dirs(tmp_path) == [(tmp_path / "CURRENT").read_text(encoding="utf-8")]


def test_an_index_of_another_format_is_outdated(fresh_index):
    import sqlite3

    live = fresh_index.root / (fresh_index.root / "CURRENT").read_text(encoding="utf-8")
    with sqlite3.connect(live / "search.db") as conn:
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    assert fresh_index.state() == ("outdated", 0)
