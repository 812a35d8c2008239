"""The meta tags of 政府网站发展指引 (国办发〔2017〕47号) on every kind of page, from the data."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.site.models import Column


def metas(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta name="([A-Za-z]+)" content="([^"]*)"', html))


SITE = {"SiteName", "SiteDomain", "SiteIDCode"}
COLUMN = {"ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"}
ARTICLE = {"ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
           "Url"}


@pytest.mark.parametrize("slug, kind_type", [
    ("news", "信息发布"), ("gallery", "信息发布"), ("video", "信息发布"),
    ("notices", "信息发布"), ("profile", "信息发布"), ("services", "办事服务"),
    ("units", "机构职能"), ("messages", "互动交流")])
def test_every_column_page_carries_the_column_tags(client, slug, kind_type):
    tags = metas(client.get(f"/column/{slug}").get_data(as_text=True))
    assert SITE | COLUMN <= set(tags), set(tags)
    assert tags["ColumnType"] == kind_type and all(tags[k] for k in COLUMN)


def test_column_keywords_and_type_come_from_the_data(client):
    col = db.session.scalar(db.select(Column).where(Column.slug == "news"))
    col.keywords, col.column_type = "政务动态,乡镇信息", "解读回应"
    db.session.commit()
    tags = metas(client.get("/column/news").get_data(as_text=True))
    assert tags["ColumnKeywords"] == "政务动态,乡镇信息" and tags["ColumnType"] == "解读回应"


def test_an_article_carries_every_article_tag(client, make_item):
    item = make_item("published", title="城关镇召开秋冬季森林防火工作会议",
                     body="<p>11月2日，城关镇召开秋冬季森林防火工作会议，部署防火工作。</p>")
    tags = metas(client.get(f"/items/{item.id}").get_data(as_text=True))
    assert SITE | COLUMN | ARTICLE <= set(tags), set(tags)
    assert tags["ArticleTitle"] == item.title
    assert tags["Description"].startswith("11月2日，城关镇召开")
    assert tags["Description"] != item.title
    assert "森林防火" in tags["Keywords"].split(",") or "森林" in tags["Keywords"]
    assert tags["Author"] == item.unit.name and tags["ContentSource"] == item.unit.name
    assert tags["Url"] == f"http://portal.test/items/{item.id}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", tags["PubDate"])


def test_an_articles_summary_is_its_description_and_its_first_photo_its_image(client,
                                                                            make_item):
    from tests.publishing.conftest import attach

    item = make_item("published", title="图片新闻", summary="金秋时节，稻田一片金黄。",
                     column_slug="gallery")
    attach(item)
    db.session.commit()
    tags = metas(client.get(f"/items/{item.id}").get_data(as_text=True))
    assert tags["Description"] == "金秋时节，稻田一片金黄。"
    assert re.fullmatch(rf"http://portal\.test/media/{item.media[0].id}/(page|file)",
                        tags["Image"])


def test_a_long_body_is_cut_for_the_description(client, make_item):
    item = make_item("published", title="长文", body="<p>" + "很长的正文。" * 100 + "</p>")
    tags = metas(client.get(f"/items/{item.id}").get_data(as_text=True))
    assert len(tags["Description"]) <= 121 and tags["Description"].endswith("…")


def test_unit_pages_and_the_home_page_carry_their_tags(app, client, unit):
    tags = metas(client.get(f"/units/{unit.code}").get_data(as_text=True))
    assert SITE | COLUMN <= set(tags) and tags["ColumnType"] == "机构职能"
    app.config["SITE_KEYWORDS"] = "某某县,政务公开"
    tags = metas(client.get("/").get_data(as_text=True))
    assert SITE <= set(tags) and tags["Keywords"] == "某某县,政务公开"
