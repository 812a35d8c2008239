"""The public search page: Chinese queries, filters, highlights, pagination; the index follows
publishing (after the commit) and the rebuild lists every published item."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.search import service as search
from portal.submissions.workflow import apply


def text(response) -> str:
    return response.get_data(as_text=True)


def hit_titles(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", html)]


@pytest.fixture
def archive(make_item, make_unit, make_user):
    town = make_user(Role.officer, unit=make_unit(UnitKind.township, name="桃源镇", code="tyz",
                                                    skip_signoff=True))
    items = {
        "meeting": make_item("published", title="县政府召开安全生产工作会议",
                             body="<p>10月31日，县政府召开安全生产工作会议，部署冬季安全生产工作。</p>",
                             published_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC)),
        "reverse": make_item("published", title="生产安全知识问答",
                             body="<p>企业要重视生产安全，做好安全教育。</p>",
                             column_slug="documents",
                             published_at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),
        "exam": make_item("published", title="2024年中考招生工作通知",
                          body="<p>2024年中考招生报名将于6月开始。</p>", author=town,
                          published_at=datetime(2024, 5, 20, 1, 0, tzinfo=UTC)),
        "year": make_item("published", title="2026年春耕生产动员会",
                          body="<p>全镇2026年春耕备耕工作全面展开。</p>", author=town,
                          published_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)),
        "pending": make_item("submitted", title="待审核的安全生产检查通知"),
    }
    return items


def test_compound_word_is_found_inside_a_title(client, archive):
    html = text(client.get("/search", query_string={"q": "安全生产"}))
    assert hit_titles(html) == ["县政府召开安全生产工作会议"]
    assert "<mark>安全生产</mark>" in html  # highlighted in title and snippet
    assert "待审核的安全生产检查通知" not in html  # only published things are indexed


def test_quoted_phrase_finds_only_the_exact_phrase(client, archive):
    assert hit_titles(text(client.get("/search", query_string={"q": '"生产安全"'}))) == \
        ["生产安全知识问答"]
    unquoted = hit_titles(text(client.get("/search", query_string={"q": "生产 安全"})))
    assert sorted(unquoted) == ["县政府召开安全生产工作会议", "生产安全知识问答"]


def test_year_with_digits_is_searchable(client, archive):
    assert hit_titles(text(client.get("/search", query_string={"q": "2026年"}))) == \
        ["2026年春耕生产动员会"]
    assert hit_titles(text(client.get("/search", query_string={"q": "2024年中考"}))) == \
        ["2024年中考招生工作通知"]


def test_no_results_says_so(client, archive):
    html = text(client.get("/search", query_string={"q": "乡村振兴"}))
    assert "没有找到与「乡村振兴」相关的信息" in html and hit_titles(html) == []


def test_empty_query_shows_the_form_only(client, archive):
    r = client.get("/search")
    assert r.status_code == 200 and "搜索结果" not in text(r)


def test_filters_by_column_unit_and_china_time_dates(client, archive):
    def titles(**args):
        return sorted(hit_titles(text(client.get("/search", query_string={"q": "安全", **args}))))

    assert titles(column="documents") == ["生产安全知识问答"]
    assert titles(unit="yjj") == sorted(["生产安全知识问答", "县政府召开安全生产工作会议"])
    assert titles(unit="tyz") == []
    # 15:30 UTC is 23:30 on 31 October in China; 16:30 UTC is already 1 November.
    assert titles(date_from="2026-10-31", date_to="2026-10-31") == ["县政府召开安全生产工作会议"]
    assert titles(date_from="2026-11-01") == ["生产安全知识问答"]


@pytest.mark.parametrize("args, message", [
    ({"date_from": "2026-13-01"}, "不是有效的日期值"),
    ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "截止日期不能早于起始日期"),
    ({"column": "no-such-column"}, "不是有效的选择"),
])
def test_bad_filters_are_explained_with_400(client, archive, args, message):
    r = client.get("/search", query_string={"q": "安全", **args})
    assert r.status_code == 400 and message in text(r)


def test_search_pagination(client, app, make_item):
    app.config["PUBLISHING_SEARCH_PAGE_SIZE"] = 4
    for n in range(10):
        make_item("published", title=f"森林防火通知第{n}号",
                  published_at=clock.now() - timedelta(days=n))
    first = text(client.get("/search", query_string={"q": "森林防火"}))
    assert "找到约 10 条结果" in first and len(hit_titles(first)) == 4
    assert 'rel="next"' in first and "第 1 页，共 3 页" in first
    pages = [hit_titles(text(client.get("/search", query_string={"q": "森林防火", "page": p})))
             for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert len({t for p in pages for t in p}) == 10
    beyond = client.get("/search", query_string={"q": "森林防火", "page": 9})
    assert beyond.status_code == 200 and "没有更多结果了" in text(beyond)
    below = text(client.get("/search", query_string={"q": "森林防火", "page": 0}))
    assert hit_titles(below) == pages[0]


def test_index_changes_only_after_the_commit_and_not_on_rollback(app, make_item, reviewer):
    item = make_item("submitted", title="县政府召开安全生产工作会议")
    apply(item, "publish", reviewer)
    assert search.get_index().search("安全生产").total == 0  # not yet committed
    db.session.rollback()
    assert search.get_index().search("安全生产").total == 0
    item = make_item("submitted", title="县政府召开防汛抗旱工作会议")
    apply(item, "publish", reviewer)
    db.session.commit()
    assert search.get_index().search("防汛抗旱").total == 1


def test_rebuild_lists_every_published_item_and_nothing_else(app, runner, archive):
    search.get_index().delete([f"item:{i.id}" for i in archive.values()])
    assert search.get_index().search("安全").total == 0
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "4 篇" in result.output
    assert search.get_index().search("安全生产").total == 1
    hit = search.get_index().search("中考").hits[0]
    assert hit.unit == "tyz" and hit.unit_name == "桃源镇" and hit.url == \
        f"/items/{archive['exam'].id}"
    assert hit.published_at == datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
    assert search.get_index().search("检查通知").total == 0


def test_search_rate_limit_is_configurable(client, app, archive):
    assert app.config["PUBLISHING_SEARCH_LIMIT"]
    app.config["PUBLISHING_SEARCH_LIMIT"] = "2 per minute"
    assert [client.get("/search?q=安全").status_code for _ in range(3)] == [200, 200, 429]


def test_dates_typed_in_the_form_are_china_days(client, make_item):
    make_item("published", title="新年第一天的信息",
              published_at=datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 1 Jan China
    titles = hit_titles(text(client.get("/search", query_string={
        "q": "新年", "date_from": date(2026, 1, 1).isoformat(),
        "date_to": date(2026, 1, 1).isoformat()})))
    assert titles == ["新年第一天的信息"]
