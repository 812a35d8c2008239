"""The public site: home panels, column pages by kind, item and unit pages, conditional GET."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.submissions.models import ItemKind
from tests.publishing.conftest import column


def text(response) -> str:
    return response.get_data(as_text=True)


# ---- item pages ----------------------------------------------------------------------------

def test_item_page_carries_the_government_meta_tags(client, make_item, app):
    item = make_item("published", title="县政府召开安全生产工作会议",
                     published_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC))
    html = text(client.get(f"/items/{item.id}"))
    for name, value in [("SiteName", app.config["SITE_NAME"]),
                        ("SiteDomain", app.config["SITE_DOMAIN"]),
                        ("SiteIDCode", app.config["SITE_ID_CODE"]),
                        ("ColumnName", "政务信息"),
                        ("ArticleTitle", "县政府召开安全生产工作会议"),
                        ("PubDate", "2026-10-31 23:30"),  # China time
                        ("ContentSource", "县应急管理局")]:
        assert f'<meta name="{name}" content="{value}">' in html, name
    assert "2026-10-31 23:30" in html and "来源：" in html
    assert 'aria-label="当前位置"' in html and 'href="/column/news"' in html


@pytest.mark.parametrize("state", ["draft", "submitted", "scheduled", "returned", "declined",
                                   "withdrawn"])
def test_item_page_is_404_unless_published(client, make_item, state, login, reviewer):
    item = make_item(state)
    assert client.get(f"/items/{item.id}").status_code == 404
    login(reviewer)  # not even the center sees it on the public site
    assert client.get(f"/items/{item.id}").status_code == 404


def test_item_page_escapes_titles(client, make_item):
    item = make_item("published", title="<script>alert(1)</script>通知")
    html = text(client.get(f"/items/{item.id}"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_item_page_shows_images_with_page_rendition_and_caption_as_alt(client, make_item):
    item = make_item("published", kind=ItemKind.image, column_slug="gallery",
                     media=[{"caption": "会议现场"}, {"caption": "与会人员合影"}])
    html = text(client.get(f"/items/{item.id}"))
    first, second = item.media
    assert f'src="/media/{first.id}/page"' in html and 'alt="会议现场"' in html
    assert f'src="/media/{second.id}/page"' in html and 'alt="与会人员合影"' in html
    assert "<figcaption>会议现场</figcaption>" in html


def test_item_page_plays_video_with_poster_and_audio(client, make_item, app):
    from portal.submissions.media import ffmpeg_available
    from tests.publishing.media_files import make_mp3, make_mp4

    if not ffmpeg_available():
        pytest.fail("ffmpeg is needed (make test installs it)")
    item = make_item("published", kind=ItemKind.video, column_slug="video",
                     media=[{"kind": "video", "data": make_mp4(), "filename": "v.mp4",
                             "caption": "汛期巡查视频"},
                            {"kind": "audio", "data": make_mp3(), "filename": "a.mp3",
                             "caption": "广播稿"}])
    video, audio = item.media
    html = text(client.get(f"/items/{item.id}"))
    tag = re.search(r"<video[^>]*>", html).group()
    assert 'preload="metadata"' in tag and "controls" in tag
    assert f'poster="/media/{video.id}/poster"' in tag
    assert f'<source src="/media/{video.id}/file" type="video/mp4">' in html
    assert f'<source src="/media/{audio.id}/file" type="audio/mpeg">' in html
    assert "<audio controls" in html


# ---- column pages --------------------------------------------------------------------------

def test_news_column_lists_published_items_newest_first(client, make_item):
    old = make_item("published", title="较早的信息",
                    published_at=clock.now() - timedelta(days=3))
    new = make_item("published", title="最新的信息")
    make_item("submitted", title="待审核的信息")
    make_item("withdrawn", title="已撤稿的信息")
    html = text(client.get("/column/news"))
    assert html.index(new.title) < html.index(old.title)
    assert "待审核的信息" not in html and "已撤稿的信息" not in html
    assert '<meta name="ColumnName" content="政务信息">' in html
    assert 'type="application/atom+xml"' in html


def test_column_pagination_edges(client, make_item, app):
    app.config["PUBLISHING_PAGE_SIZE"] = 3
    for n in range(7):
        make_item("published", title=f"分页信息{n:02d}",
                  published_at=clock.now() - timedelta(hours=n))
    first = text(client.get("/column/news"))
    assert "分页信息00" in first and "分页信息03" not in first
    assert "第 1 页，共 3 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = text(client.get("/column/news?page=3"))
    assert "分页信息06" in last and "分页信息05" not in last and 'rel="next"' not in last
    assert client.get("/column/news?page=4").status_code == 404
    assert client.get("/column/news?page=0").status_code == 404
    assert client.get("/column/news?page=-1").status_code == 404
    assert client.get("/column/news?page=abc").status_code == 200  # taken as page 1
    seen = [t for p in (1, 2, 3) for t in re.findall(r"分页信息\d\d",
                                                     text(client.get(f"/column/news?page={p}")))]
    assert sorted(seen) == [f"分页信息{n:02d}" for n in range(7)]


def test_empty_column_page_one_says_so(client):
    r = client.get("/column/documents")
    assert r.status_code == 200 and "本栏目暂无内容" in text(r)


def test_gallery_is_a_grid_of_thumbnails(client, make_item):
    item = make_item("published", title="秋收图集", kind=ItemKind.image, column_slug="gallery",
                     media=[{"caption": "金色稻田"}])
    html = text(client.get("/column/gallery"))
    assert 'class="gallery-grid"' in html
    assert f'src="/media/{item.media[0].id}/thumb"' in html and 'alt="金色稻田"' in html


def test_video_column_lists_videos_with_posters(client, make_item):
    from tests.publishing.media_files import make_mp4

    item = make_item("published", title="防汛演练视频", kind=ItemKind.video, column_slug="video",
                     media=[{"kind": "video", "data": make_mp4(), "filename": "v.mp4",
                             "caption": "演练"}])
    html = text(client.get("/column/video"))
    assert 'class="video-list"' in html and "防汛演练视频" in html
    assert f'src="/media/{item.media[0].id}/poster"' in html


def test_page_column_shows_the_admin_text(client, app):
    from portal.publishing.services import save_page

    save_page(None, column("profile"), "<h2>县情概况</h2><p>示范县位于省境中部。</p>")
    db.session.commit()
    html = text(client.get("/column/profile"))
    assert "<h2>县情概况</h2><p>示范县位于省境中部。</p>" in html


def test_units_directory_separates_departments_and_townships(client, make_item, make_unit,
                                                             unit):
    town = make_unit(UnitKind.township, name="桃源镇", code="tyz")
    make_item("published", title="应急局的信息")
    html = text(client.get("/column/units"))
    departments, townships = html.index("县直部门</h2>"), html.index("乡镇（街道）</h2>")
    assert departments < html.index("县应急管理局") < townships
    assert html.index("乡镇（街道）</h2>") < html.index("桃源镇")
    assert "已发布 1 条" in html
    assert f'href="/units/{unit.code}"' in html and f'href="/units/{town.code}"' in html
    main = html[html.index("<main"):html.index("</main>")]
    assert "网络信息中心" not in main  # the center is not a reporting unit


def test_unit_page_lists_only_its_published_items(client, make_item, make_unit, make_user, unit):
    other = make_user(Role.officer, unit=make_unit(UnitKind.township, skip_signoff=True))
    make_item("published", title="应急局已发布")
    make_item("submitted", title="应急局待审核")
    make_item("published", title="别的单位的信息", author=other)
    html = text(client.get(f"/units/{unit.code}"))
    assert "应急局已发布" in html
    assert "应急局待审核" not in html and "别的单位的信息" not in html
    assert client.get("/units/NOPE").status_code == 404


# ---- home page -----------------------------------------------------------------------------

def test_home_shows_latest_items_per_column_and_banners(client, make_item):
    make_item("published", title="全县防汛抗旱工作会议召开")
    make_item("published", title="县政府常务会议研究部署重点工作", column_slug="documents")
    make_item("published", title="紧急：柳河水位超警戒", urgent=True)
    make_item("published", title="关于2026年10月全县政务信息报送情况的通报",
              column_slug="notices")
    make_item("published", title="金秋图集", kind=ItemKind.image, column_slug="gallery",
              media=[{"caption": "稻田"}])
    make_item("submitted", title="尚未发布")
    html = text(client.get("/"))
    banner = html[html.index('class="banner banner-urgent"'):]
    assert "紧急：柳河水位超警戒" in banner[:2000]
    notice = html[html.index('class="banner banner-notice"'):]
    assert "关于2026年10月全县政务信息报送情况的通报" in notice[:1000]
    assert 'class="panel featured"' in html and 'alt="稻田"' in html
    for title in ("全县防汛抗旱工作会议召开", "县政府常务会议研究部署重点工作"):
        assert title in html
    assert "尚未发布" not in html
    assert 'role="search"' in html


def test_urgent_banner_ends_after_the_configured_hours(client, make_item, app):
    make_item("published", title="紧急：旧的预警", urgent=True,
              published_at=clock.now() - timedelta(hours=app.config[
                  "PUBLISHING_URGENT_BANNER_HOURS"] + 1))
    assert "banner-urgent" not in text(client.get("/"))


def test_care_mode_pages_render(client, make_item):
    item = make_item("published")
    client.get("/care-mode/on")
    for url in ("/", "/column/news", f"/items/{item.id}", "/search?q=测试"):
        assert 'class="care' in text(client.get(url)), url


# ---- conditional GET -----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/column/news", "/items/{id}", "/units/yjj",
                                 "/search?q=会议", "/feed.atom", "/column/news/feed.atom",
                                 "/sitemap.xml"])
def test_public_pages_answer_conditional_get_with_304(client, make_item, url):
    item = make_item("published", title="县政府召开安全生产工作会议")
    url = url.format(id=item.id)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_etag_changes_when_an_item_is_withdrawn(client, reviewer, make_item):
    from portal.publishing.services import withdraw_item

    item = make_item("published", title="将被撤稿的信息")
    etags = {url: client.get(url).headers["ETag"] for url in ("/", "/column/news", "/feed.atom")}
    withdraw_item(item, reviewer, "数据有误")
    db.session.commit()
    for url, etag in etags.items():
        r = client.get(url, headers={"If-None-Match": etag})
        assert r.status_code == 200 and "将被撤稿的信息" not in text(r), url


def test_feeds_send_last_modified_and_honour_if_modified_since(client, make_item):
    make_item("published", published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    first = client.get("/feed.atom")
    assert first.headers["Last-Modified"] == "Sun, 01 Mar 2026 08:00:00 GMT"
    again = client.get("/feed.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304
