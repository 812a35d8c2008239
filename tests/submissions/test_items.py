"""Writing items: the form, its checks, sanitised bodies, editing rights and history."""

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.errors import DomainError, Forbidden
from portal.extensions import db
from portal.submissions import services
from portal.submissions.models import Item, ItemEvent, ItemStatus
from tests.submissions.factories import column, make_item, move

S = ItemStatus


def form(**overrides):
    data = {"kind": "text", "title": "城关镇召开安全生产工作会议", "summary": "",
            "body": "会议传达了全县安全生产工作会议精神。\n\n会议要求各村开展隐患排查。",
            "column_id": str(column().id), "event_at": "", "event_place": "",
            "dual_department_id": "0"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_officer_writes_a_draft_from_the_desk(client, login, county):
    login(county.officer)
    desk = client.get("/desk/submissions").get_data(as_text=True)
    assert 'href="/desk/items/new"' in desk
    r = client.post("/desk/items/new", data=form())
    assert r.status_code == 302
    item = db.session.scalar(db.select(Item))
    assert r.headers["Location"] == f"/desk/items/{item.id}/edit"
    assert (item.status, item.unit_id, item.author_id) == (S.draft, county.town.id,
                                                           county.officer.id)
    assert item.body_html == ("<p>会议传达了全县安全生产工作会议精神。</p>\n"
                              "<p>会议要求各村开展隐患排查。</p>")
    assert [e.action for e in item.events] == ["create"]


def test_a_refused_form_is_shown_again_with_400_and_the_text_kept(client, login, county):
    login(county.officer)
    long_body = "很长的正文，" * 50
    r = client.post("/desk/items/new", data=form(title="", body=long_body,
                                                  summary="摘" * 501))
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "请填写标题" in page and "您填写的内容已保留" in page
    assert long_body in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"column_id": None}, "报送栏目"),
    ({"kind": "poem"}, "信息类型"),
    ({"urgent": "y"}, "紧急信息必须填写事件发生时间"),
    ({"event_at": "2999-01-01T08:00"}, "不能晚于当前时间"),
    ({"event_place": "地" * 101}, "100"),
])
def test_bad_input_is_refused_with_a_clear_message(client, login, county, overrides, message):
    login(county.officer)
    r = client.post("/desk/items/new", data=form(**overrides))
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 0


def test_a_column_closed_to_submissions_cannot_be_chosen(county):
    closed = column("profile")
    with pytest.raises(DomainError, match="目标栏目"):
        services.create_item(county.officer, services.ItemData(title="标题",
                                                               column_id=closed.id))


def test_the_body_is_sanitised_on_save_and_plain_text_comes_back_as_typed(county):
    item = make_item(county.officer, body='<p onclick="x()">正文<script>alert(1)</script>'
                     '<a href="javascript:alert(2)">链接</a><img src=x onerror=alert(3)>'
                     '<a href="https://www.gov.cn/">政府网</a><table><tr><th scope="col">项目'
                     '</th></tr></table><style>p{}</style></p>')
    body = item.body_html
    for bad in ("onclick", "<script", "alert", "javascript:", "<img", "onerror", "<style"):
        assert bad not in body
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer">政府网</a>' in body
    assert '<th scope="col">' in body
    typed = "第一段 1<2 & 3>2\n第一段第二行\n\n第二段"
    assert services.body_for_editing(services.body_from_input(typed)) == typed


def test_text_fields_are_length_checked_by_the_service_too(county):
    with pytest.raises(DomainError, match="标题不能超过 200 个字"):
        services.create_item(county.officer, services.ItemData(title="标" * 201,
                                                               column_id=column().id))


def test_only_officers_of_reporting_units_write_items(county, client, login):
    for user in (county.leader, county.reviewer):
        with pytest.raises(Forbidden):
            services.create_item(user, services.ItemData(title="标题", column_id=column().id))
    login(county.leader)
    assert client.get("/desk/items/new").status_code == 403


def test_editing_keeps_one_history_line_per_sitting(client, login, county):
    item = make_item(county.officer)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}/edit").get_data(as_text=True)
    assert "会议传达了全县安全生产工作会议精神。" in page and "&lt;p&gt;" not in page
    for title in ("城关镇召开安全生产工作会议（修改）", "城关镇召开安全生产工作会议（再改）"):
        r = client.post(f"/desk/items/{item.id}/edit", data=form(title=title))
        assert r.status_code == 302
    db.session.expire_all()
    assert item.title.endswith("（再改）")
    assert [e.action for e in item.events] == ["create", "edit"]


def test_save_and_submit_in_one_step_and_leader_edits_at_sign_off(client, login, county):
    item = make_item(county.officer)
    login(county.officer)
    r = client.post(f"/desk/items/{item.id}/edit", data=form(then="submit"))
    assert r.status_code == 302 and r.headers["Location"] == f"/desk/items/{item.id}"
    db.session.expire_all()
    assert item.status == S.awaiting_signoff
    # Waiting for sign-off: the officer can no longer change it (and is told why), the
    # leader can.
    r = client.get(f"/desk/items/{item.id}/edit")
    assert r.status_code == 302 and r.headers["Location"] == f"/desk/items/{item.id}"
    login(county.leader)
    r = client.post(f"/desk/items/{item.id}/edit", data=form(title="城关镇召开安全生产会议",
                                                             then="sign_off"))
    assert r.status_code == 302
    db.session.expire_all()
    assert (item.title, item.status) == ("城关镇召开安全生产会议", S.submitted)


def test_an_incomplete_item_cannot_go_to_sign_off_but_its_text_is_saved(client, login, county):
    item = make_item(county.officer, kind="image", column_slug="gallery")
    services.remove_media(county.officer, item.media[0])
    db.session.commit()
    login(county.officer)
    r = client.post(f"/desk/items/{item.id}/edit",
                    data=form(kind="image", title="新标题", column_id=str(column("gallery").id),
                              then="submit"))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "图片信息至少需要上传一张图片" in page
    db.session.expire_all()
    assert (item.title, item.status) == ("新标题", S.draft)
    r = client.post(f"/desk/items/{item.id}/act", data={"action": "submit"})
    assert r.status_code == 400 and "至少需要上传一张图片" in r.get_data(as_text=True)


def test_video_items_need_their_file_and_a_description(county):
    item = make_item(county.officer, kind="video", column_slug="video", body="")
    assert services.readiness_problems(item) == ["视频信息需要上传一个视频文件",
                                                 "请在摘要或正文中填写视频说明"]


def test_the_kind_cannot_change_to_one_its_files_do_not_fit(county):
    item = make_item(county.officer, kind="image", column_slug="gallery")
    with pytest.raises(DomainError, match="请先删除附件"):
        services.update_item(county.officer, item, services.ItemData(
            title=item.title, kind="video", column_id=column("video").id))


def test_a_unit_that_skips_sign_off_reports_straight_to_the_center(client, login, county):
    county.town.skip_signoff = True
    db.session.commit()
    item = make_item(county.officer)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "报送中心" in page and "提交签发" not in page
    assert client.post(f"/desk/items/{item.id}/act",
                       data={"action": "submit_direct"}).status_code == 302
    db.session.expire_all()
    assert item.status == S.submitted and item.first_submitted_at is not None


def test_history_page_shows_every_step_in_china_time(client, login, county, actors):
    item = move(make_item(county.officer), S.returned, actors)
    event = item.events[-1]
    event.at = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    db.session.commit()
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "2026-10-31 23:30:00" in page
    for label in ("创建", "提交签发", "签发", "退回修改", "待审核 → 退回修改", "理由：测试",
                  county.reviewer.display_name):
        assert label in page, label


def test_returned_item_goes_back_to_officer_with_reason_on_top_of_the_desk(
        client, login, county, actors):
    item = make_item(county.officer, title="柳河镇开展秋季森林防火宣传")
    move(item, S.submitted, actors)
    services.workflow.apply(item, "return", county.reviewer, "请补充参加人数。")
    db.session.commit()
    login(county.officer)
    page = client.get("/desk/submissions").get_data(as_text=True)
    returned = page.index("中心退回修改")
    assert returned < page.index("草稿（")
    assert "退回理由：请补充参加人数。" in page[returned:]
    # Revised and resubmitted: it goes to the leader again, and the history keeps it all.
    client.post(f"/desk/items/{item.id}/edit", data=form(title="柳河镇开展秋季森林防火宣传活动",
                                                         then="resubmit"))
    db.session.expire_all()
    assert item.status == S.awaiting_signoff
    actions = [e.action for e in db.session.scalars(
        db.select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id))]
    assert actions == ["create", "submit", "sign_off", "return", "edit", "resubmit"]


def test_leader_sends_back_with_a_reason_the_officer_sees(client, login, county, actors):
    item = move(make_item(county.officer), S.awaiting_signoff, actors)
    login(county.leader)
    r = client.post(f"/desk/items/{item.id}/act", data={"action": "send_back",
                                                        "comment": "请核实参会人数。"})
    assert r.status_code == 302 and r.headers["Location"] == "/desk/signoff"
    login(county.officer)
    assert "被分管领导退回：请核实参会人数。" in client.get("/desk/submissions").get_data(
        as_text=True)
    assert "分管领导退回理由" in client.get(f"/desk/items/{item.id}").get_data(as_text=True)


def test_sign_off_list_shows_only_the_leaders_own_unit(client, login, county, actors):
    mine = move(make_item(county.officer, title="城关镇待签发信息"), S.awaiting_signoff, actors)
    other = make_item(county.other_officer, title="柳河镇待签发信息")
    move(other, S.awaiting_signoff, {"officer": county.other_officer})
    login(county.leader)
    page = client.get("/desk/signoff").get_data(as_text=True)
    assert "城关镇待签发信息" in page and "柳河镇待签发信息" not in page
    assert client.post(f"/desk/items/{other.id}/act", data={"action": "sign_off"}).status_code \
        == 404
    assert client.post(f"/desk/items/{mine.id}/act", data={"action": "sign_off"}).status_code \
        == 302
    db.session.expire_all()
    assert (mine.status, other.status) == (S.submitted, S.awaiting_signoff)


def test_another_unit_cannot_see_edit_sign_off_or_fetch_media_of_unpublished_items(
        client, login, county, actors):
    item = move(make_item(county.officer, kind="image", column_slug="gallery"),
                S.awaiting_signoff, actors)
    media = item.media[0]
    for user in (county.other_officer, county.other_leader):
        login(user)
        for url in (f"/desk/items/{item.id}", f"/desk/items/{item.id}/edit",
                    f"/media/{media.id}/file", f"/media/{media.id}/thumb"):
            assert client.get(url).status_code == 404, url
        for url, data in ((f"/desk/items/{item.id}/act", {"action": "sign_off"}),
                          (f"/desk/items/{item.id}/edit", form()),
                          (f"/desk/media/{media.id}/remove", {})):
            assert client.post(url, data=data).status_code == 404, url
        assert item.title not in client.get("/desk/submissions/items").get_data(as_text=True)
    db.session.expire_all()
    assert item.status == S.awaiting_signoff and len(item.media) == 1


def test_items_list_pages_through_the_units_items(client, login, county):
    for n in range(32):
        make_item(county.officer, title=f"第{n}条信息")
    login(county.officer)
    first = client.get("/desk/submissions/items?status=draft").get_data(as_text=True)
    assert "共 32 条" in first and "下一页" in first
    second = client.get("/desk/submissions/items?status=draft&page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second
    assert "查看全部 32 条草稿" in client.get("/desk/submissions").get_data(as_text=True)


def test_the_event_time_is_read_as_china_time(client, login, county):
    login(county.officer)
    client.post("/desk/items/new", data=form(event_at="2026-01-05T08:30", urgent="y"))
    item = db.session.scalar(db.select(Item))
    assert item.event_at == datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
    assert clock.local(item.event_at).hour == 8
    page = client.get(f"/desk/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="2026-01-05T08:30"' in page
    assert timedelta(0) < clock.now() - item.event_at


def test_tampered_choices_get_chinese_messages_not_english_ones(client, login, county):
    login(county.officer)
    for overrides in ({"column_id": "abc"}, {"column_id": "999999"},
                      {"dual_department_id": "x"}, {"dual_department_id": str(county.other.id)},
                      {"kind": "<b>"}):
        r = client.post("/desk/items/new", data=form(**overrides))
        page = r.get_data(as_text=True)
        assert r.status_code in (302, 400), overrides
        assert "Not a valid" not in page and "Invalid Choice" not in page, overrides
    # A garbage department id means "none"; a real unit that is not a department is refused.
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 1
    assert db.session.scalar(db.select(Item)).dual_department_id is None


def test_the_decline_reason_is_shown_at_the_top_like_a_return_reason(client, login, county):
    actors = {"officer": county.officer, "leader": county.leader, "reviewer": county.reviewer}
    item = move(make_item(county.officer), ItemStatus.declined, actors)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    top = page.split('id="h-history"')[0]
    assert "中心不予采用的理由：</strong>理由：测试" in top
    assert county.reviewer.display_name in top.split("中心不予采用的理由")[1]


def test_no_decline_notice_on_an_item_that_was_not_declined(client, login, county):
    actors = {"officer": county.officer, "leader": county.leader, "reviewer": county.reviewer}
    item = move(make_item(county.officer), ItemStatus.published, actors)
    login(county.officer)
    assert "不予采用的理由" not in client.get(f"/desk/items/{item.id}").get_data(as_text=True)


def test_a_draft_is_deleted_with_its_files(client, login, county, app):
    from pathlib import Path

    from portal.submissions.models import Media
    from portal.submissions.services import media_root

    item = make_item(county.officer, kind="image", column_slug="gallery")
    files = [media_root() / p for m in item.media for p in (m.path, m.thumb) if p]
    assert files and all(Path(f).exists() for f in files)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "删除草稿" in page and "data-confirm" in page
    r = client.post(f"/desk/items/{item.id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith("/desk/submissions")
    assert db.session.get(Item, item.id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Media)) == 0
    assert not any(Path(f).exists() for f in files)


def test_an_item_ever_submitted_is_never_deleted(client, login, county):
    actors = {"officer": county.officer, "leader": county.leader, "reviewer": county.reviewer}
    sent_back = move(make_item(county.officer), ItemStatus.awaiting_signoff, actors)
    services.act(sent_back, "send_back", county.leader, "请补充数据")
    db.session.commit()
    assert sent_back.status == ItemStatus.draft
    login(county.officer)
    assert "删除草稿" not in client.get(f"/desk/items/{sent_back.id}").get_data(as_text=True)
    assert client.post(f"/desk/items/{sent_back.id}/delete").status_code == 409
    assert db.session.get(Item, sent_back.id) is not None
    with pytest.raises(Forbidden):
        services.delete_draft(county.other_officer, make_item(county.officer))


def test_back_after_submitting_says_what_happened_instead_of_no_access(client, login, county):
    actors = {"officer": county.officer, "leader": county.leader, "reviewer": county.reviewer}
    item = move(make_item(county.officer), ItemStatus.awaiting_signoff, actors)
    login(county.officer)
    r = client.post(f"/desk/items/{item.id}/edit", data=form(title="改了标题"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/desk/items/{item.id}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "该信息已提交签发，如需修改请先撤回。" in page and "撤回</button>" in page
    assert db.session.get(Item, item.id).title != "改了标题"
    login(county.other_officer)
    assert client.get(f"/desk/items/{item.id}/edit").status_code == 404


def test_saving_the_same_new_draft_twice_within_seconds_makes_one_item(client, login, county,
                                                                       today):
    login(county.officer)
    today("2026-10-20 10:00:00")
    first = client.post("/desk/items/new", data=form(title="城关镇开展秋季防火检查"))
    today("2026-10-20 10:00:05")
    again = client.post("/desk/items/new", data=form(title="城关镇开展秋季防火检查"))
    assert first.headers["Location"] == again.headers["Location"]
    titles = db.session.scalars(db.select(Item.title).where(
        Item.title == "城关镇开展秋季防火检查")).all()
    assert len(titles) == 1
    # a minute later, or with another text, it is a new draft
    today("2026-10-20 10:01:10")
    r1 = client.post("/desk/items/new", data=form(title="城关镇开展秋季防火检查"))
    r2 = client.post("/desk/items/new", data=form(title="城关镇开展冬季防火检查"))
    assert (r1.status_code, r2.status_code) == (302, 302)
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 3
