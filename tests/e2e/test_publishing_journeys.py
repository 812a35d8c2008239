"""Publishing in a real browser: the reviewer publishes a video item, a citizen finds and plays
it; the reviewer withdraws it and it is gone everywhere. Accessibility and phone width of the
public pages, in normal and 关怀版 mode."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.submissions.models import ItemKind
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.publishing import conftest as publishing_fixtures
from tests.publishing.media_files import make_mp4

# Items walked through the real workflow, as in tests/publishing.
make_item, officer, reviewer, unit = (publishing_fixtures.make_item, publishing_fixtures.officer,
                                      publishing_fixtures.reviewer, publishing_fixtures.unit)

TITLE = "柳河防汛应急演练视频"


def citizen(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_reviewer_publishes_a_video_a_citizen_finds_and_plays_it_then_it_is_withdrawn(
        page, browser, live_server, reviewer, make_item):
    item = make_item("submitted", title=TITLE, kind=ItemKind.video, column_slug="video",
                     body="<p>县应急管理局在柳河开展防汛应急演练，检验抢险队伍快速反应能力。</p>",
                     media=[{"kind": "video", "data": make_mp4(6), "filename": "drill.mp4",
                             "caption": "防汛演练现场"}])
    media_id = item.media[0].id

    # The reviewer finds the item in the queue and publishes it.
    log_in(page, reviewer.username, PASSWORD)
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="预览（与公众看到的页面一致）")).to_be_visible()
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text(f"「{TITLE}」已发布。")).to_be_visible()

    # A citizen finds it on the home page, in its column and in search.
    context, visitor = citizen(browser, live_server)
    visitor.goto("/")
    expect(visitor.get_by_role("link", name=TITLE).first).to_be_visible()
    visitor.get_by_role("navigation", name="网站栏目").get_by_role("link", name="视频信息").click()
    expect(visitor.get_by_role("heading", name="视频信息", level=1)).to_be_visible()
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
    visitor.goto("/")
    visitor.get_by_role("searchbox", name="站内搜索").fill("防汛演练")
    visitor.get_by_role("search", name="站内搜索").get_by_role("button", name="搜索").click()
    expect(visitor.get_by_text("找到约 1 条结果")).to_be_visible()
    expect(visitor.locator(".hits mark").first).to_be_visible()

    # ... and plays its video, seeking inside it over HTTP range requests.
    ranges = []
    visitor.on("response", lambda r: ranges.append(r.status)
               if f"/media/{media_id}/file" in r.url else None)
    visitor.locator(".hits").get_by_role("link").first.click()
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    video = visitor.locator("video")
    assert video.get_attribute("preload") == "metadata"
    assert video.get_attribute("poster") == f"/media/{media_id}/poster"
    state = visitor.evaluate("""async () => {
        const v = document.querySelector('video');
        const once = (name) => new Promise(r => v.addEventListener(name, r, {once: true}));
        if (v.readyState < 1) await once('loadedmetadata');
        v.muted = true;
        v.currentTime = 3;
        await once('seeked');
        await v.play();
        await new Promise(r => setTimeout(r, 700));
        return {ready: v.readyState, time: v.currentTime, duration: v.duration, paused: v.paused,
                error: v.error && v.error.code};
    }""")
    assert state["error"] is None and not state["paused"], state
    assert state["ready"] >= 2 and 3 < state["time"] < state["duration"], state
    assert 206 in ranges, ranges
    poster = visitor.request.get(f"/media/{media_id}/poster")
    assert poster.status == 200 and poster.headers["content-type"] == "image/jpeg"

    # The reviewer withdraws it; it is gone from every public place at once.
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name="已发布（1）").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("撤稿理由").fill("视频画面需重新剪辑")
    page.get_by_role("button", name="撤稿").click()
    expect(page.get_by_text(f"「{TITLE}」已撤稿，公众已无法访问。")).to_be_visible()

    visitor.goto("/")
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)
    visitor.goto("/column/video")
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)
    visitor.goto("/search?q=防汛演练")
    expect(visitor.get_by_text("没有找到与「防汛演练」相关的信息")).to_be_visible()
    assert TITLE not in visitor.request.get("/feed.atom").text()
    assert TITLE not in visitor.request.get("/column/video/feed.atom").text()
    assert f"/items/{item.id}<" not in visitor.request.get("/sitemap.xml").text()
    assert visitor.request.get(f"/items/{item.id}").status == 404
    assert visitor.request.get(f"/media/{media_id}/file").status == 404
    assert visitor.request.get(f"/media/{media_id}/poster").status == 404
    context.close()


@pytest.fixture
def site_with_content(make_item, unit):
    make_item("published", title="县政府召开安全生产工作会议",
              body="<p>会议部署冬季安全生产工作。</p>")
    make_item("published", title="紧急：柳河水位超警戒", urgent=True)
    make_item("published", title="关于2026年10月全县政务信息报送情况的通报", column_slug="notices")
    picture = make_item("published", title="金秋稻田图集", kind=ItemKind.image,
                        column_slug="gallery",
                        media=[{"caption": "金色稻田"}, {"caption": "收割现场"}])
    video = make_item("published", title="防汛演练视频", kind=ItemKind.video,
                      column_slug="video", media=[{"kind": "video", "data": make_mp4(),
                                                   "filename": "v.mp4", "caption": "演练"}])
    return {"picture": picture, "video": video, "unit": unit}


def public_pages(content) -> list[str]:
    return ["/", "/column/news", "/column/gallery", "/column/video", "/column/units",
            "/column/profile", f"/items/{content['picture'].id}",
            f"/items/{content['video'].id}", "/search?q=安全生产",
            f"/units/{content['unit'].code}"]


def test_public_pages_have_no_serious_accessibility_violations(page, site_with_content):
    for care in (False, True):
        page.goto("/care-mode/on?next=/" if care else "/care-mode/off?next=/")
        for url in public_pages(site_with_content):
            page.goto(url)
            assert ("care" in (page.locator("body").get_attribute("class") or "")) == care
            assert axe_violations(page) == [], (url, care)


def test_public_pages_fit_a_360_px_phone(page, site_with_content):
    page.set_viewport_size({"width": 360, "height": 740})
    for care in (False, True):
        page.goto("/care-mode/on?next=/" if care else "/care-mode/off?next=/")
        for url in public_pages(site_with_content):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (url, care, width)


def test_review_page_has_no_serious_accessibility_violations(page, reviewer, make_item):
    item = make_item("submitted", title="县人名政府召开会议", kind=ItemKind.image,
                     column_slug="gallery", media=[{"caption": "会场"}])
    from portal.extensions import db
    from portal.publishing.models import TermKind, WordTerm

    db.session.add(WordTerm(term="人名政府", kind=TermKind.typo, suggestion="人民政府"))
    db.session.commit()
    log_in(page, reviewer.username, PASSWORD)
    for url in ("/review/", f"/review/items/{item.id}"):
        page.goto(url)
        assert axe_violations(page) == [], url
    expect(page.locator("mark.word-hit").first).to_have_text(re.compile("人名政府"))
