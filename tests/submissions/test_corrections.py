"""Corrections of published items: proposed by the unit, signed off and reviewed like a new
item while the published text stays online; published under the same URL with 更新于 and
the first publication time kept. Withdrawn items come back; reviewers fix small errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.errors import Conflict, DomainError, Forbidden
from portal.extensions import db
from portal.publishing import services as publishing
from portal.submissions import corrections, revisions
from portal.submissions.models import CorrectionStatus, ItemStatus

from .factories import make_item, move

TEXT = dict(title="城关镇召开安全生产工作会议", summary="",
            body="会议传达了全县安全生产工作会议精神，共有120人参加。",
            reason="参会人数有误，应为102人。")


def published(county, actors):
    return move(make_item(county.officer, body=TEXT["body"]), ItemStatus.published, actors)


def propose(county, item, **changes):
    fields = {**TEXT, "body": TEXT["body"].replace("120", "102"), **changes}
    c = corrections.propose(county.officer, item, **fields)
    db.session.commit()
    return c


def test_a_correction_goes_through_signoff_and_review_while_the_old_text_stays_online(
        client, county, actors):
    item = published(county, actors)
    first_published = item.published_at
    c = propose(county, item)
    assert "120人" in client.get(f"/items/{item.id}").get_data(as_text=True)

    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    db.session.commit()
    assert c.status == CorrectionStatus.submitted and c.submitted_at is not None
    assert "120人" in client.get(f"/items/{item.id}").get_data(as_text=True)

    publishing.publish_correction(c, county.reviewer)
    db.session.commit()
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "102人" in page and "120人" not in page
    assert "更新于" in page
    assert item.published_at == first_published  # never rewritten
    assert item.corrected_at is not None and item.status == ItemStatus.published
    last = revisions.of(item)[-1]
    assert (last.source, last.actor_id) == ("correction", county.officer.id)
    assert "参会人数有误" in last.reason and county.reviewer.display_name in last.reason
    actions = [e.action for e in item.events]
    assert actions[-4:] == ["correction_open", "correction_submit", "correction_sign_off",
                            "correction_publish"]


def test_a_published_correction_is_what_search_finds(client, county, actors):
    item = published(county, actors)
    c = propose(county, item, title="城关镇召开冬季防火工作会议")
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    publishing.publish_correction(c, county.reviewer)
    db.session.commit()
    page = client.get("/search", query_string={"q": "冬季防火"}).get_data(as_text=True)
    assert f'href="/items/{item.id}"' in page


def test_only_the_units_officer_proposes_and_only_for_a_published_item(county, actors):
    item = published(county, actors)
    for someone in (county.other_officer, county.leader, county.reviewer):
        with pytest.raises(Forbidden):
            corrections.propose(someone, item, **TEXT)
    draft = make_item(county.officer)
    with pytest.raises(Conflict):
        corrections.propose(county.officer, draft, **TEXT)


def test_one_correction_at_a_time(county, actors):
    item = published(county, actors)
    propose(county, item)
    assert not corrections.can_propose(county.officer, item)
    with pytest.raises(Conflict):
        corrections.propose(county.officer, item, **TEXT)


def test_a_correction_needs_a_reason_and_a_change(county, actors):
    item = published(county, actors)
    with pytest.raises(DomainError, match="更正理由"):
        corrections.propose(county.officer, item, **{**TEXT, "reason": " "})
    c = corrections.propose(county.officer, item, **TEXT)  # same text as published
    with pytest.raises(DomainError, match="相同"):
        corrections.act(c, "submit", county.officer)


def test_who_may_act_on_a_correction(county, actors):
    item = published(county, actors)
    c = propose(county, item)
    with pytest.raises(Forbidden):
        corrections.act(c, "submit", county.other_officer)
    corrections.act(c, "submit", county.officer)
    with pytest.raises(Forbidden):
        corrections.act(c, "sign_off", county.other_leader)
    with pytest.raises(Forbidden):
        corrections.act(c, "sign_off", county.officer)
    corrections.act(c, "sign_off", county.leader)
    with pytest.raises(Forbidden):
        publishing.publish_correction(c, county.officer)
    with pytest.raises(DomainError):
        corrections.act(c, "publish", county.reviewer)  # not a unit's step


def test_returned_and_declined_corrections_keep_the_published_text(county, actors):
    item = published(county, actors)
    c = propose(county, item)
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    publishing.return_correction(c, county.reviewer, "请同时更正摘要")
    db.session.commit()
    assert c.status == CorrectionStatus.draft
    assert corrections.can_propose(county.officer, item) is False  # still open, editable
    corrections.update(county.officer, c, **{**TEXT, "body": "共有102人参加。",
                                            "summary": "102人参会"})
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    publishing.decline_correction(c, county.reviewer, "原文无误")
    db.session.commit()
    assert c.status == CorrectionStatus.declined
    assert "120人" in item.body_html and item.corrected_at is None
    assert corrections.can_propose(county.officer, item)


def test_a_correction_of_an_item_withdrawn_meanwhile_is_refused(county, actors):
    item = published(county, actors)
    c = propose(county, item)
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader)
    publishing.withdraw_item(item, county.reviewer, "撤稿")
    with pytest.raises(Conflict):
        publishing.publish_correction(c, county.reviewer)


def test_publishing_a_correction_with_flagged_words_needs_confirmation(county, actors):
    from portal.publishing.models import TermKind

    publishing.save_term(county.admin, "人名政府", TermKind.typo, "人民政府")
    item = published(county, actors)
    c = propose(county, item, body="县人名政府召开会议，共有102人参加。")
    corrections.act(c, "submit", county.officer)
    corrections.act(c, "sign_off", county.leader, confirm_words=True)
    with pytest.raises(DomainError, match="错敏词"):
        publishing.publish_correction(c, county.reviewer)
    publishing.publish_correction(c, county.reviewer, confirm_words=True)
    assert c.status == CorrectionStatus.published


def test_the_officer_leader_and_reviewer_pages_of_a_correction(client, login, county, actors):
    item = published(county, actors)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "提出更正" in page
    r = client.post(f"/desk/items/{item.id}/correction",
                    data={**TEXT, "body": "共有102人参加。", "then": "submit"})
    assert r.status_code == 302
    c = corrections.open_correction(item)
    assert c.status == CorrectionStatus.awaiting_signoff
    page = client.get(f"/desk/corrections/{c.id}").get_data(as_text=True)
    assert "<del>" in page and "<ins>" in page and "参会人数有误" in page

    login(county.leader)
    assert "更正：" + item.title in client.get("/desk/signoff").get_data(as_text=True)
    r = client.post(f"/desk/corrections/{c.id}/act", data={"action": "sign_off"})
    assert r.status_code == 302 and c.status == CorrectionStatus.submitted

    login(county.reviewer)
    assert "待审核的更正（1）" in client.get("/review/").get_data(as_text=True)
    page = client.get(f"/review/corrections/{c.id}").get_data(as_text=True)
    assert "与网上现行内容的差异" in page
    r = client.post(f"/review/corrections/{c.id}/publish", data={})
    assert r.status_code == 302 and c.status == CorrectionStatus.published
    assert "102人" in client.get(f"/items/{item.id}").get_data(as_text=True)


def test_correction_pages_are_closed_to_others(client, login, county, actors):
    item = published(county, actors)
    c = propose(county, item)
    login(county.other_officer)
    assert client.get(f"/desk/corrections/{c.id}").status_code == 404
    assert client.post(f"/desk/corrections/{c.id}/act",
                       data={"action": "submit"}).status_code == 404
    assert client.get(f"/desk/items/{item.id}/correction").status_code == 404
    login(county.leader)  # sees the item, but corrections are written by officers
    assert client.get(f"/desk/items/{item.id}/correction").status_code == 302  # open one
    login(county.reviewer)  # not yet at the center
    assert client.get(f"/review/corrections/{c.id}").status_code == 404
    login(county.officer)
    assert client.post(f"/review/corrections/{c.id}/publish").status_code == 403


def test_back_on_a_published_item_points_to_the_correction(client, login, county, actors):
    item = published(county, actors)
    login(county.officer)
    r = client.get(f"/desk/items/{item.id}/edit", follow_redirects=True)
    assert "提出更正" in r.get_data(as_text=True)


# ---- withdrawn items come back -------------------------------------------------------------

def test_a_withdrawn_item_is_restored_with_its_first_publication_time(client, county, actors):
    item = published(county, actors)
    first = item.published_at
    publishing.withdraw_item(item, county.reviewer, "核实中")
    db.session.commit()
    assert client.get(f"/items/{item.id}").status_code == 404
    with pytest.raises(DomainError):
        publishing.restore_item(item, county.reviewer, "")
    publishing.restore_item(item, county.reviewer, "核实无误")
    db.session.commit()
    assert client.get(f"/items/{item.id}").status_code == 200
    assert item.published_at == first and item.corrected_at is None


def test_a_withdrawn_item_is_reworked_and_published_again_as_updated(county, actors):
    from portal.submissions import services, workflow

    item = published(county, actors)
    first = item.published_at
    publishing.withdraw_item(item, county.reviewer, "数字有误")
    with pytest.raises(Forbidden):
        services.act(item, "rework", county.other_officer)
    services.act(item, "rework", county.officer)
    assert item.status == ItemStatus.draft and workflow.can_edit(county.officer, item)
    assert not services.can_delete_draft(county.officer, item)
    services.act(item, "submit", county.officer)
    services.act(item, "sign_off", county.leader)
    publishing.publish(item, county.reviewer)
    db.session.commit()
    assert item.published_at == first and item.corrected_at is not None


# ---- the reviewer's small edits ------------------------------------------------------------

def test_the_reviewer_fixes_a_typo_directly_with_a_reason(client, login, county, actors):
    item = published(county, actors)
    first = item.published_at
    login(county.reviewer)
    r = client.post(f"/review/items/{item.id}/edit", data={
        "edit_title": item.title, "edit_summary": "", "edit_body": "共有102人参加。",
        "edit_reason": "更正人数"})
    assert r.status_code == 302
    assert "102人" in client.get(f"/items/{item.id}").get_data(as_text=True)
    last = revisions.of(item)[-1]
    assert (last.source, last.actor_id, last.reason) == ("reviewer", county.reviewer.id,
                                                         "更正人数")
    assert item.published_at == first and item.corrected_at is not None
    r = client.post(f"/review/items/{item.id}/edit", data={
        "edit_title": item.title, "edit_body": "x", "edit_reason": ""})
    assert r.status_code == 400


def test_only_reviewers_edit_directly_and_not_drafts(county, actors):
    item = make_item(county.officer)
    with pytest.raises(Conflict):
        publishing.edit_item(item, county.reviewer, title="x", summary="", body="y",
                             reason="z")
    move(item, ItemStatus.submitted, actors)
    with pytest.raises(Forbidden):
        publishing.edit_item(item, county.officer, title="x", summary="", body="y",
                             reason="z")
    assert publishing.edit_item(item, county.reviewer, title="城关镇召开安全会议",
                                summary="", body="会议传达了全县安全生产工作会议精神。",
                                reason="标题精简") is True
    assert item.corrected_at is None  # not yet public: nothing was "updated"


def test_corrections_never_touch_the_first_publication_time_shown(client, county, actors,
                                                                  monkeypatch):
    item = published(county, actors)
    later = clock.now() + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    publishing.edit_item(item, county.reviewer, title=item.title, summary="",
                         body="改过的正文。", reason="错字")
    db.session.commit()
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert clock.format_local(item.published_at) in page
    assert clock.format_local(later) in page
