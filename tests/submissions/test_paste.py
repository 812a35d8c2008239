"""What Word and WPS put on the clipboard, as the editor posts it: the server keeps the
structure (headings, paragraphs, bold, lists, tables, links) and drops the rest (styles,
fonts, Office tags, scripts, foreign images, javascript: links). Without the editor the
textarea is plain text with paragraphs at blank lines. Images may show only the item's own
photos."""

from __future__ import annotations

import io
import re
from pathlib import Path

from portal.extensions import db
from portal.submissions import services

from .factories import jpeg, make_item

SAMPLES = Path(__file__).parent / "samples"


def clean(name: str) -> str:
    return services.body_from_input((SAMPLES / name).read_text(encoding="utf-8"))


def test_word_keeps_heading_paragraphs_bold_table_and_link():
    body = clean("word_paste.html")
    assert "<h2>城关镇扎实推进秋冬季森林防火工作</h2>" in body
    assert "<strong>森林防火工作部署会</strong>" in body or "<b>森林防火工作部署会</b>" in body
    assert "一、" in body and "压实责任，签订责任书45份。" in body
    assert re.search(r"<table>\s*<tbody>\s*<tr>\s*<td>", body)
    assert "东风村" in body and "18" in body
    assert '<a href="http://www.example.gov.cn/fire.html" rel="noopener noreferrer">' in body


def test_word_drops_styles_office_markup_scripts_and_local_images():
    body = clean("word_paste.html")
    for gone in ("style=", "class=", "<span", "o:p", "mso-", "font-family", "<script",
                 "alert(", "onclick", "<img", "file:///", "StartFragment", "<xml",
                 "width=", "<head", "@font-face"):
        assert gone not in body, gone


def test_wps_keeps_bold_lists_table_and_drops_fonts_colours_and_javascript():
    body = clean("wps_paste.html")
    assert "<strong>大排查</strong>" in body
    assert "<ol>" in body and "<li>" in body and "<i>23</i>" in body
    assert "<table>" in body and "九小场所" in body and 'colspan="1"' in body
    assert "86" in body and "<font" not in body
    assert "javascript:" not in body and "url(" not in body and "style=" not in body
    assert "点击查看" in body and "附件" in body


def test_without_the_editor_blank_lines_make_paragraphs():
    assert services.body_from_input("第一段\n第二行\n\n第二段 <不是标签") == \
        "<p>第一段<br>第二行</p>\n<p>第二段 &lt;不是标签</p>"


def test_only_the_items_own_photos_may_appear_in_the_text(county):
    item = make_item(county.officer, kind="image")
    photo = item.media[0]
    other = make_item(county.other_officer, kind="image").media[0]
    body = services.body_from_input(
        f'<p>现场</p><img src="/media/{photo.id}/thumb" alt="x" onerror="alert(1)">'
        f'<img src="/media/{other.id}/page"><img src="https://evil.example/a.png">',
        item.media)
    assert body == (f'<p>现场</p>\n<img src="/media/{photo.id}/page" alt="会议现场" '
                    f'width="{photo.width}" height="{photo.height}">')


def test_a_removed_photo_leaves_the_text_too(county):
    item = make_item(county.officer, kind="image")
    services.attach_media(county.officer, item, io.BytesIO(jpeg()), "b.jpg", "第二张")
    first, second = item.media
    services.update_item(county.officer, item, services.ItemData(
        title=item.title, kind="image", column_id=item.column_id,
        body=f'<p>文</p><img src="/media/{first.id}/page"><img src="/media/{second.id}/page">'))
    services.remove_media(county.officer, first)
    db.session.commit()
    assert f"/media/{first.id}/" not in item.body_html
    assert f"/media/{second.id}/page" in item.body_html
