"""Revisions: every save of title, summary, body or media list is kept; any two compare
word by word."""

from __future__ import annotations

import io

from portal.extensions import db
from portal.submissions import revisions, services
from portal.submissions.models import ItemStatus

from .factories import jpeg, make_item, move


def _data(item, **changes):
    fields = dict(title=item.title, kind=item.kind.value, summary=item.summary,
                  body=services.body_for_editing(item.body_html), column_id=item.column_id)
    fields.update(changes)
    return services.ItemData(**fields)


def test_each_changing_save_is_a_revision_with_who_and_what(county):
    item = make_item(county.officer, body="第一段。\n\n第二段。")
    services.update_item(county.officer, item, _data(item, title="城关镇召开安全生产专题会议"))
    services.update_item(county.officer, item, _data(item))  # unchanged: no revision
    db.session.commit()
    rows = revisions.of(item)
    assert [(r.number, r.source, r.actor_id) for r in rows] == [
        (1, "create", county.officer.id), (2, "edit", county.officer.id)]
    assert rows[0].title == "城关镇召开安全生产工作会议"
    assert rows[1].title == "城关镇召开安全生产专题会议"
    assert rows[1].body_html == "<p>第一段。</p>\n<p>第二段。</p>"


def test_the_leader_editing_at_signoff_leaves_a_revision_in_their_name(county, actors):
    item = move(make_item(county.officer), ItemStatus.awaiting_signoff, actors)
    services.update_item(county.leader, item, _data(item, summary="会议部署了冬季防火工作。"))
    db.session.commit()
    last = revisions.of(item)[-1]
    assert (last.source, last.actor_id, last.summary) == ("edit", county.leader.id,
                                                          "会议部署了冬季防火工作。")


def test_media_added_captioned_and_removed_are_revisions(county):
    item = make_item(county.officer, kind="image")
    row = item.media[0]
    services.update_caption(county.officer, row, "会议现场全景")
    services.remove_media(county.officer, row)
    db.session.commit()
    lists = [r.media_list for r in revisions.of(item)]
    assert lists == ["", "photo.jpg：会议现场", "photo.jpg：会议现场全景", ""]


def test_an_item_from_before_revisions_gets_its_old_text_kept_before_the_first_change(
        county):
    item = make_item(county.officer)
    for row in revisions.of(item):  # as if written before revisions were kept
        db.session.delete(row)
    db.session.commit()
    services.update_item(county.officer, item, _data(item, title="新标题"))
    db.session.commit()
    rows = revisions.of(item)
    assert [(r.source, r.title, r.actor_id) for r in rows] == [
        ("baseline", "城关镇召开安全生产工作会议", None), ("edit", "新标题", county.officer.id)]


def test_a_deleted_draft_takes_its_revisions_along(county):
    item = make_item(county.officer)
    services.attach_media(county.officer, item, io.BytesIO(jpeg()), "p.jpg", "图")
    services.delete_draft(county.officer, item)
    db.session.commit()
    assert revisions.of(item) == []


def test_words_split_chinese_into_words_and_keep_latin_words_and_line_breaks():
    assert revisions.words("城关镇召开会议\nCOVID-19 防控") == [
        "城关镇", "召开", "会议", "\n", "COVID-19", " ", "防控"]


def test_the_diff_marks_whole_words_deleted_and_inserted():
    html = str(revisions.diff("全县共有学校12所。\n第二段不变。",
                              "全县共有中小学15所。\n第二段不变。"))
    # Whole words change (学校 → 中小学 shares no "学"); neighbouring changes join.
    assert "共有<del>学校12</del><ins>中小学15</ins>所。" in html
    assert "第二段不变。" in html and "<del>第二段" not in html


def test_the_diff_escapes_the_text():
    html = str(revisions.diff("a <b>", "a <script>"))
    assert "<script" not in html and "&lt;<del>b</del><ins>script</ins>&gt;" in html


def test_compare_names_each_field_and_whether_it_changed(county):
    item = make_item(county.officer, body="旧的正文。")
    services.update_item(county.officer, item, _data(item, body="新的正文。"))
    db.session.commit()
    old, new = revisions.of(item)
    diffs = revisions.compare(revisions.version_of(old), revisions.version_of(new))
    assert [(d.label, d.changed) for d in diffs] == [
        ("标题", False), ("摘要", False), ("正文", True), ("附件", False)]
    assert "<del>旧</del><ins>新</ins>" in str(diffs[2].html)


def test_the_revisions_page_compares_any_two_versions(client, login, county):
    item = make_item(county.officer, body="第一版正文。")
    services.update_item(county.officer, item, _data(item, body="第二版正文。"))
    services.update_item(county.officer, item, _data(item, body="第三版正文。"))
    db.session.commit()
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}/revisions").get_data(as_text=True)
    assert "第 2 版与第 3 版的差异" in page and "<del>第二版</del><ins>第三版</ins>" in page
    page = client.get(f"/desk/items/{item.id}/revisions?a=1&b=3").get_data(as_text=True)
    assert "第 1 版与第 3 版的差异" in page and "<del>第一版</del><ins>第三版</ins>" in page
    assert client.get(f"/desk/items/{item.id}/revisions?a=1&b=9").status_code == 404
    assert f"/desk/items/{item.id}/revisions" in client.get(
        f"/desk/items/{item.id}").get_data(as_text=True)


def test_the_revisions_page_is_closed_to_other_units(client, login, county):
    item = make_item(county.officer)
    login(county.other_officer)
    assert client.get(f"/desk/items/{item.id}/revisions").status_code == 404
