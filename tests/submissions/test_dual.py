"""Dual reporting (条块双报): obligations, due dates in working days, fulfilment, contests."""

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.errors import DomainError, Forbidden
from portal.extensions import db
from portal.submissions import dual, services, workflow
from portal.submissions.models import DualReport, DualStatus, Item, ItemStatus
from tests.submissions.factories import make_item, move

S = ItemStatus


def township_item(county, actors, state=S.submitted, **fields):
    item = make_item(county.officer, title="城关镇中心小学开展消防安全演练",
                     dual_department_id=county.dept.id, **fields)
    return move(item, state, actors)


def obligation(item) -> DualReport:
    return db.session.scalar(db.select(DualReport).where(DualReport.source_item_id == item.id))


def test_reaching_the_center_creates_the_departments_obligation(county, actors):
    item = township_item(county, actors, S.awaiting_signoff)
    assert obligation(item) is None  # still inside the township
    services.act(item, "sign_off", county.leader)
    db.session.commit()
    found = obligation(item)
    assert (found.department_id, found.status) == (county.dept.id, DualStatus.pending)
    assert [e.action for e in item.events][-1] == "dual_open"
    assert county.dept.name in item.events[-1].comment


def test_due_date_counts_working_days_across_the_national_day_holiday(county, actors, at):
    at(datetime(2026, 9, 30, 7, 0, tzinfo=UTC))  # Wednesday 15:00, the day before the holiday
    item = township_item(county, actors)
    due = obligation(item).due_at
    # 1–7 October are holidays; 8, 9 and the make-up Saturday 10 October are working days.
    assert due == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)  # the end of 10 October, China time
    assert dual.due_text(obligation(item)) == "2026-10-10 23:59"


def test_the_working_day_count_is_configurable(app, county, actors, at):
    app.config["DUAL_REPORT_WORKING_DAYS"] = 1
    at(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # a Friday
    item = township_item(county, actors)
    assert dual.due_text(obligation(item)) == "2026-11-30 23:59"  # the Monday after


def test_department_sees_the_obligation_and_fulfils_it_with_its_own_report(
        client, login, county, actors):
    source = township_item(county, actors)
    found = obligation(source)
    login(county.dept_officer)
    desk = client.get("/desk/submissions").get_data(as_text=True)
    assert "待完成的双报任务" in desk and source.title in desk and dual.due_text(found) in desk
    # The department reads the township's item.
    assert client.get(f"/desk/items/{source.id}").status_code == 200
    r = client.post(f"/desk/dual/{found.id}/respond")
    assert r.status_code == 302
    db.session.expire_all()
    response = found.response_item
    assert r.headers["Location"] == f"/desk/items/{response.id}/edit"
    assert (response.unit_id, response.status, response.title, response.body_html) == \
        (county.dept.id, S.draft, source.title, source.body_html)
    # Asking again opens the same draft rather than a second one.
    assert client.post(f"/desk/dual/{found.id}/respond").headers["Location"] == \
        r.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 2
    # Edited, signed off by the department's leader: the obligation is met.
    services.update_item(county.dept_officer, response, services.ItemData(
        title="县教育局部署校园消防安全工作", body="县教育局要求各校开展消防演练。",
        column_id=response.column_id))
    services.act(response, "submit", county.dept_officer)
    db.session.commit()
    assert found.status == DualStatus.pending  # not yet at the center
    services.act(response, "sign_off", county.dept_leader)
    db.session.commit()
    db.session.refresh(found)
    assert found.status == DualStatus.fulfilled
    assert found.fulfilled_at == response.first_submitted_at and not found.fulfilled_late
    # Both items link to each other, and each counts for its own unit.
    login(county.officer)
    page = client.get(f"/desk/items/{source.id}").get_data(as_text=True)
    assert "已报送" in page and "县教育局部署校园消防安全工作" in page
    login(county.dept_officer)
    page = client.get(f"/desk/items/{response.id}").get_data(as_text=True)
    assert f"/desk/items/{source.id}" in page and "的双报" in page
    now = clock.now()
    assert services.month_count(county.town.id, *clock.month_of(now)) == 1
    assert services.month_count(county.dept.id, *clock.month_of(now)) == 1


def test_a_department_can_never_edit_the_township_item(client, login, county, actors):
    source = township_item(county, actors, S.submitted)
    services.workflow.apply(source, "return", county.reviewer, "请补充内容")
    db.session.commit()
    assert source.status == S.returned  # editable again by the township
    login(county.dept_officer)
    assert client.get(f"/desk/items/{source.id}/edit").status_code == 403
    r = client.post(f"/desk/items/{source.id}/edit", data={"title": "改了", "kind": "text"})
    assert r.status_code == 403
    assert client.post(f"/desk/items/{source.id}/act",
                       data={"action": "resubmit"}).status_code == 403
    with pytest.raises(Forbidden):
        services.update_item(county.dept_officer, source, services.ItemData(
            title="改了", column_id=source.column_id))
    db.session.expire_all()
    assert source.title == "城关镇中心小学开展消防安全演练" and source.status == S.returned


def test_contest_needs_a_reason_and_the_center_rules(client, login, county, actors):
    source = township_item(county, actors)
    found = obligation(source)
    login(county.dept_officer)
    r = client.post(f"/desk/dual/{found.id}/contest", data={"reason": ""})
    assert r.status_code == 400 and "请填写异议理由" in r.get_data(as_text=True)
    r = client.post(f"/desk/dual/{found.id}/contest",
                    data={"reason": "校园消防演练由学校自行组织，不属于本局报送范围。"})
    assert r.status_code == 302
    db.session.refresh(found)
    assert found.status == DualStatus.contested and "不属于本局" in found.contest_reason
    # The center sees it and rules; a ruling needs a reason.
    login(county.reviewer)
    page = client.get("/desk/dual-reports").get_data(as_text=True)
    assert "不属于本局报送范围" in page and county.dept.name in page
    r = client.post(f"/desk/dual/{found.id}/rule", data={"decision": "uphold", "comment": ""})
    assert r.status_code == 400 and "请填写裁定理由" in r.get_data(as_text=True)
    r = client.post(f"/desk/dual/{found.id}/rule",
                    data={"decision": "uphold", "comment": "消防安全属教育局监管，须报送。"})
    assert r.status_code == 302
    db.session.refresh(found)
    assert found.status == DualStatus.pending and found.ruled_by_id == county.reviewer.id
    assert found.due_at == dual.due_from(found.ruled_at)  # a new due date from the ruling
    # Contested again and this time waived.
    dual.contest(county.dept_leader, found, "仍有异议。")
    dual.rule(county.reviewer, found, "waive", "异议成立，免报。")
    db.session.commit()
    assert found.status == DualStatus.waived and not found.is_overdue(found.due_at + timedelta(1))
    history = [e.action for e in source.events]
    assert history[-5:] == ["dual_open", "dual_contest", "dual_uphold", "dual_contest",
                            "dual_waive"]
    # A ruled obligation cannot be ruled again.
    assert client.post(f"/desk/dual/{found.id}/rule", data={
        "decision": "uphold", "comment": "x"}).status_code == 409


def test_the_township_cannot_contest_and_the_department_cannot_rule(county, actors):
    found = obligation(township_item(county, actors))
    with pytest.raises(Forbidden):
        dual.contest(county.officer, found, "理由")
    dual.contest(county.dept_officer, found, "理由")
    with pytest.raises(Forbidden):
        dual.rule(county.dept_leader, found, "waive", "自己裁定")


def test_a_contested_obligation_is_still_met_by_a_report(county, actors):
    found = obligation(township_item(county, actors))
    response = dual.start_response(county.dept_officer, found)
    dual.contest(county.dept_officer, found, "可能不属于本部门")
    services.act(response, "submit", county.dept_officer)
    services.act(response, "sign_off", county.dept_leader)
    db.session.commit()
    assert found.status == DualStatus.fulfilled


def test_pending_obligations_past_due_are_overdue(client, login, county, actors, at):
    submitted = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 China time
    at(submitted)
    found = obligation(township_item(county, actors))
    assert dual.due_text(found) == "2026-11-05 23:59"
    assert not found.is_overdue(datetime(2026, 11, 5, 15, 59, tzinfo=UTC))
    assert found.is_overdue(datetime(2026, 11, 5, 16, 0, tzinfo=UTC))
    at(datetime(2026, 11, 6, 1, 0, tzinfo=UTC))
    assert dual.overdue() == [found]
    login(county.dept_officer)
    assert "已逾期" in client.get("/desk/submissions").get_data(as_text=True)
    login(county.reviewer)
    page = client.get("/desk/dual-reports").get_data(as_text=True)
    assert "逾期未报（1）" in page and county.dept.name in page
    # Reported late: fulfilled, but marked as late.
    response = dual.start_response(county.dept_officer, found)
    services.act(response, "submit", county.dept_officer)
    services.act(response, "sign_off", county.dept_leader)
    db.session.commit()
    assert found.status == DualStatus.fulfilled and found.fulfilled_late
    assert dual.overdue() == []


def test_only_townships_name_a_department_and_it_is_fixed_once_owed(county, actors):
    with pytest.raises(DomainError, match="只有乡镇/街道"):
        make_item(county.dept_officer, dual_department_id=county.dept.id)
    with pytest.raises(DomainError, match="有效的县直部门"):
        make_item(county.officer, dual_department_id=county.other.id)
    item = township_item(county, actors, S.submitted)
    services.workflow.apply(item, "return", county.reviewer, "请修改")
    db.session.commit()
    with pytest.raises(DomainError, match="不能再更改双报部门"):
        services.update_item(county.officer, item, services.ItemData(
            title=item.title, body="正文", column_id=item.column_id, dual_department_id=None))
    services.update_item(county.officer, item, services.ItemData(
        title="新标题", body="正文", column_id=item.column_id,
        dual_department_id=county.dept.id))


def test_resubmission_does_not_open_a_second_obligation(county, actors):
    item = township_item(county, actors)
    services.workflow.apply(item, "return", county.reviewer, "请修改")
    services.act(item, "resubmit", county.officer)
    services.act(item, "sign_off", county.leader)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(DualReport)) == 1


def test_other_units_cannot_act_on_an_obligation(client, login, county, actors):
    found = obligation(township_item(county, actors))
    login(county.other_officer)
    assert client.post(f"/desk/dual/{found.id}/respond").status_code == 404
    assert client.get(f"/desk/dual/{found.id}/contest").status_code == 404
    login(county.dept_leader)  # a leader signs off; writing the report is the officer's
    assert client.post(f"/desk/dual/{found.id}/respond").status_code == 403
    assert client.get(f"/desk/dual/{found.id}/contest").status_code == 200


def test_a_ruling_must_be_waive_or_uphold(client, login, county, actors):
    found = obligation(township_item(county, actors))
    dual.contest(county.dept_officer, found, "不属于本部门")
    db.session.commit()
    login(county.reviewer)
    r = client.post(f"/desk/dual/{found.id}/rule", data={"decision": "maybe", "comment": "嗯"})
    assert r.status_code == 400 and "请选择裁定结果" in r.get_data(as_text=True)
    db.session.refresh(found)
    assert found.status == DualStatus.contested and found.ruled_at is None


def test_the_departments_copy_brings_the_townships_photos_as_its_own_files(county, actors,
                                                                          app):
    from pathlib import Path

    source = township_item(county, actors, kind="image", column_slug="gallery")
    found = obligation(source)
    response = dual.start_response(county.dept_officer, found)
    db.session.commit()
    assert response.kind == source.kind
    assert [(m.caption, m.sha256) for m in response.media] == \
        [(m.caption, m.sha256) for m in source.media]
    root = services.media_root()
    for mine, theirs in zip(response.media, source.media, strict=True):
        assert mine.path != theirs.path and Path(root / mine.path).read_bytes() == \
            Path(root / theirs.path).read_bytes()
    # The department drops the photo from its copy: the township's stays.
    services.remove_media(county.dept_officer, response.media[0])
    db.session.commit()
    assert (root / source.media[0].path).exists() and len(source.media) == 1


def test_the_review_queue_marks_dual_reports_and_links_the_pair(client, login, county,
                                                                actors):
    source = township_item(county, actors)
    found = obligation(source)
    response = dual.start_response(county.dept_officer, found)
    response.title = "县教育局指导城关镇中心小学开展消防安全演练"
    db.session.commit()
    workflow.apply(response, "submit", county.dept_officer)
    workflow.apply(response, "sign_off", county.dept_leader)
    db.session.commit()
    login(county.reviewer)
    page = client.get("/review/").get_data(as_text=True)
    assert page.count("条块双报</span>") == 2
    assert f'href="/review/items/{response.id}">部门信息：{response.title}' in page
    assert f'对 <a href="/review/items/{source.id}">城关镇「{source.title}」' in page


def test_the_department_says_it_has_the_matter_in_hand_with_a_note(client, login, county,
                                                                    actors):
    item = township_item(county, actors)
    d = obligation(item)
    login(county.dept_officer)
    assert "已掌握" in client.get("/desk/submissions").get_data(as_text=True)
    r = client.post(f"/desk/dual/{d.id}/acknowledge", data={"note": "已派员核实，3日内报送。"})
    assert r.status_code == 302
    assert d.acknowledged_by_id == county.dept_officer.id and d.acknowledged_at is not None
    # It is a message, not a report: the obligation stays until the department reports.
    assert d.status == DualStatus.pending
    login(county.officer)  # the township sees it on its item, in the history too
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "部门已掌握" in page and "已派员核实，3日内报送。" in page


def test_acknowledging_needs_a_note_and_the_department(client, login, county, actors):
    d = obligation(township_item(county, actors))
    with pytest.raises(DomainError):
        dual.acknowledge(county.dept_officer, d, "  ")
    with pytest.raises(Forbidden):
        dual.acknowledge(county.officer, d, "township")
    login(county.dept_officer)
    r = client.post(f"/desk/dual/{d.id}/acknowledge", data={"note": ""})
    assert r.status_code == 303 and d.acknowledged_at is None
    login(county.other_officer)
    assert client.post(f"/desk/dual/{d.id}/acknowledge",
                       data={"note": "x"}).status_code == 404


def test_a_met_obligation_needs_no_acknowledgement(county, actors):
    from portal.errors import Conflict

    d = obligation(township_item(county, actors))
    response = dual.start_response(county.dept_officer, d)
    move(response, S.submitted, {"officer": county.dept_officer, "leader": county.dept_leader,
                                 "reviewer": county.reviewer})
    assert d.status == DualStatus.fulfilled
    with pytest.raises(Conflict):
        dual.acknowledge(county.dept_officer, d, "已掌握")
