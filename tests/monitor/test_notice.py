"""The month's notice as an official document: drafted by the run, edited by the center,
signed off (审签) by a center leader, published, revised with a reason; printed and
exported to Word."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from sqlalchemy import func, select

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.monitor import adoptions, notices, services
from portal.submissions.models import Item, ItemStatus


@pytest.fixture
def october(make_unit, make_item, center, today):
    units = {c: make_unit(UnitKind.township, code=c, name=n) for c, n in
             [("T1", "城关镇"), ("T2", "柳河镇")]}
    units["D1"] = make_unit(UnitKind.department, code="D1", name="县教育局")
    for _ in range(4):
        make_item(units["T1"], published="2026-10-20 09:00")
    make_item(units["T2"])
    today("2026-11-03 10:00")
    services.run_month(2026, 10)
    return units


BLOCKS = {"number": "县信息〔2026〕10号", "recipients": "各乡镇人民政府，县政府各部门：",
          "opening": "", "problems": "一是数量不足。\n二是质量不高。",
          "requirements": "请各单位加强信息工作。", "signature": "示范县人民政府办公室"}


def test_the_center_edits_the_blocks_around_the_figures(october, make_user, login, client):
    login(make_user(Role.reviewer))
    page = client.get("/monitor/notices/2026-10").get_data(as_text=True)
    assert "拟稿" in page and "柳河镇：报送 1 条（应报 4 条）" in page
    assert "审签</button>" not in page  # a reviewer drafts; a leader signs
    r = client.post("/monitor/notices/2026-10/edit", data=dict(BLOCKS))
    assert r.status_code == 302
    html = notices.render(notices.get(2026, 10), None)
    assert '<p class="doc-number">县信息〔2026〕10号</p>' in html
    assert "<p>一是数量不足。</p>\n<p>二是质量不高。</p>" in html
    assert re.search(r"<h2>八、存在问题</h2>", html) and re.search(r"<h2>九、下步要求</h2>", html)
    assert '<p class="doc-signature">示范县人民政府办公室<br>　年　月　日</p>' in html
    r = client.post("/monitor/notices/2026-10/edit", data={**BLOCKS, "signature": ""})
    assert r.status_code == 400 and "请填写落款单位" in r.get_data(as_text=True)
    r = client.post("/monitor/notices/2026-10/edit", data={**BLOCKS, "problems": "长" * 5001})
    assert r.status_code == 400
    assert notices.get(2026, 10).signature == "示范县人民政府办公室"


def test_typed_markup_stays_text(october, make_user):
    notice = notices.get(2026, 10)
    notices.edit(make_user(Role.reviewer), notice,
                 **{**BLOCKS, "problems": '<script>alert(1)</script><a href="x">链接</a>'})
    html = notices.render(notice, None)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_only_a_center_leader_or_an_admin_signs_and_only_a_signed_notice_is_published(
        october, center, make_user, login, client, today):
    reviewer = make_user(Role.reviewer)
    township_leader = make_user(Role.leader, unit=october["T1"])
    center_leader = make_user(Role.leader, unit=center)
    login(reviewer)
    assert client.post("/monitor/notices/2026-10/sign").status_code == 403
    r = client.post("/monitor/notices/2026-10/publish")
    assert r.status_code == 409 and "须经审签后才能发布" in r.get_data(as_text=True)
    login(township_leader)
    assert client.post("/monitor/notices/2026-10/sign").status_code == 403
    assert client.get("/monitor/notices/2026-10").status_code == 403

    login(center_leader)
    page = client.get("/monitor/notices").get_data(as_text=True)
    assert "通报审签" in page and "拟稿" in page
    today("2026-11-04 15:00")
    assert client.post("/monitor/notices/2026-10/sign").status_code == 302
    notice = notices.get(2026, 10)
    assert notice.status == "signed" and notice.signed_by_id == center_leader.id
    r = client.post("/monitor/notices/2026-10/sign")
    assert r.status_code == 409 and "已由" in r.get_data(as_text=True)

    login(reviewer)
    today("2026-11-05 09:00")
    assert client.post("/monitor/notices/2026-10/publish").status_code == 302
    item = notices.get(2026, 10).monitor_month.notice_item
    assert item.status == ItemStatus.published and item.column.slug == "notices"
    # the date of the signature, written without zero padding
    assert "<br>2026年11月4日</p>" in item.body_html
    public = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "doc-signature" in public and "2026年11月4日" in public
    r = client.post("/monitor/notices/2026-10/publish")
    assert r.status_code == 409 and "内容没有变化" in r.get_data(as_text=True)


def test_an_edit_after_signing_voids_the_signature(october, make_user):
    admin = make_user(Role.admin)
    notice = notices.get(2026, 10)
    notices.sign(admin, notice)
    assert not notices.edit(admin, notice, **{k: getattr(notice, k) for k in BLOCKS})
    assert notice.status == "signed"  # saving the same text changes nothing
    assert notices.edit(admin, notice, **{**BLOCKS})
    assert notice.status == "draft"


def test_a_new_run_with_the_same_figures_keeps_the_signature_and_makes_no_revision(
        october, make_user, today):
    admin = make_user(Role.admin)
    notices.sign(admin, notices.get(2026, 10))
    notices.publish(admin, notices.get(2026, 10))
    db.session.commit()
    today("2026-11-06 10:00")
    services.run_month(2026, 10, note="复核")
    notice = notices.get(2026, 10)
    assert notice.status == "published" and notice.published_revision == 1
    assert db.session.scalar(select(func.count()).select_from(Item).where(
        Item.title.like("关于2026年10月%"))) == 1


def test_a_revision_needs_a_reason_and_says_so_on_the_published_notice(october, make_user,
                                                                       make_item, today):
    admin = make_user(Role.admin)
    notices.sign(admin, notices.get(2026, 10))
    item = notices.publish(admin, notices.get(2026, 10))
    url_id = item.id
    notice = notices.get(2026, 10)
    notices.edit(admin, notice, **{**BLOCKS, "problems": "个别单位报送不及时。"})
    notices.sign(admin, notice)
    with pytest.raises(Exception, match="请填写修订原因"):
        notices.publish(admin, notice)
    item = notices.publish(admin, notice, "补充存在问题")
    assert item.id == url_id and "修订原因：补充存在问题" in item.body_html
    assert "个别单位报送不及时。" in item.body_html


def test_the_print_page_has_no_site_chrome_and_prints_on_a4(october, make_user, login, client,
                                                             app):
    login(make_user(Role.reviewer))
    page = client.get("/monitor/notices/2026-10/print").get_data(as_text=True)
    assert '<h1 class="doc-title">关于2026年10月全县政务信息报送情况的通报</h1>' in page
    assert "site-header" not in page and "<nav" not in page
    css = re.search(r'href="(/static/css/notice-print\.css[^"]*)"', page).group(1)
    with client.get(css) as response:
        sheet = response.get_data(as_text=True)
    assert "size: A4" in sheet and ".doc-signature { text-align: right" in sheet


def test_the_word_export_is_an_editable_document_with_the_table_and_the_signature(
        october, make_user, login, client, today):
    adoptions.apply_preset(None, "fanwen2", date(2026, 1, 1))
    db.session.commit()
    today("2026-11-03 11:00")
    services.run_month(2026, 10, note="按范文2计分")
    admin = make_user(Role.admin)
    notice = notices.get(2026, 10)
    notices.edit(admin, notice, **BLOCKS)
    notices.sign(admin, notice)
    db.session.commit()
    login(admin)
    r = client.get("/monitor/notices/2026-10/docx")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    doc = Document(io.BytesIO(r.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "关于2026年10月全县政务信息报送情况的通报"
    assert doc.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "县信息〔2026〕10号" in texts and "各乡镇人民政府，县政府各部门：" in texts
    signature = next(p for p in doc.paragraphs if p.text.startswith("示范县人民政府办公室"))
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT and "2026年11月3日" in signature.text
    townships, departments = doc.tables
    assert [c.text for c in townships.rows[0].cells][:2] == ["排名", "单位"]
    assert {row.cells[1].text for row in townships.rows[1:]} == {"城关镇", "柳河镇"}
    assert [row.cells[1].text for row in departments.rows[1:]] == ["县教育局"]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_the_cli_run_says_the_notice_waits_for_its_signature(october, runner, today):
    today("2026-11-07 10:00")
    result = runner.invoke(args=["monitor", "run", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "第 2 版" in result.output
    assert "通报《关于2026年10月全县政务信息报送情况的通报》：拟稿，待审签后发布。" in result.output
