"""The word check (错敏词) where people write: the officer's editor and item page show the
reviewer's findings, marked in place; the leader signs off past them only by confirming."""

from __future__ import annotations

import pytest

from portal.errors import DomainError
from portal.extensions import db
from portal.publishing.models import TermKind
from portal.publishing.services import save_term
from portal.submissions import corrections, services
from portal.submissions.models import ItemEvent, ItemStatus

from .factories import make_item, move

BODY = "县人名政府召开会议，部署冬季防火工作。"


@pytest.fixture
def terms(county):
    save_term(county.admin, "人名政府", TermKind.typo, "人民政府")
    db.session.commit()


def test_the_findings_name_term_kind_suggestion_and_place(county, terms):
    item = make_item(county.officer, title="人名政府召开会议", body=BODY)
    assert services.word_findings(services.item_texts(item)) == [
        "人名政府（易错词，建议：人民政府），见标题、正文"]


def test_the_officer_sees_the_findings_on_the_edit_page_and_marked_on_the_item_page(
        client, login, county, terms):
    item = make_item(county.officer, body=BODY)
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}/edit").get_data(as_text=True)
    assert "错敏词提示" in page and "建议：人民政府" in page
    page = client.get(f"/desk/items/{item.id}").get_data(as_text=True)
    assert "错敏词提示（1 个）" in page
    assert "<mark" in page and "人名政府</mark>" in page


def test_a_clean_item_shows_no_findings(client, login, county, terms):
    item = make_item(county.officer)
    login(county.officer)
    assert "错敏词提示" not in client.get(f"/desk/items/{item.id}").get_data(as_text=True)


def test_the_leader_signs_off_past_a_finding_only_by_confirming_it(county, actors, terms):
    item = move(make_item(county.officer, body=BODY), ItemStatus.awaiting_signoff, actors)
    with pytest.raises(DomainError, match="已核对错敏词"):
        services.act(item, "sign_off", county.leader)
    assert item.status == ItemStatus.awaiting_signoff
    services.act(item, "sign_off", county.leader, confirm_words=True)
    db.session.commit()
    assert item.status == ItemStatus.submitted
    confirmed = [e for e in item.events if e.action == "word_check"]
    assert len(confirmed) == 1 and confirmed[0].actor_id == county.leader.id
    assert "人名政府" in confirmed[0].comment


def test_a_clean_item_is_signed_off_without_confirmation(county, actors, terms):
    item = move(make_item(county.officer), ItemStatus.awaiting_signoff, actors)
    services.act(item, "sign_off", county.leader)
    assert item.status == ItemStatus.submitted
    assert db.session.scalar(db.select(ItemEvent).where(
        ItemEvent.item_id == item.id, ItemEvent.action == "word_check")) is None


def test_the_signoff_pages_ask_for_the_confirmation(client, login, county, actors, terms):
    item = move(make_item(county.officer, body=BODY), ItemStatus.awaiting_signoff, actors)
    login(county.leader)
    page = client.get("/desk/signoff").get_data(as_text=True)
    assert "错敏词提示" in page and 'name="confirm_words"' in page
    r = client.post(f"/desk/items/{item.id}/act", data={"action": "sign_off"})
    assert r.status_code == 400 and "已核对错敏词" in r.get_data(as_text=True)
    assert item.status == ItemStatus.awaiting_signoff
    r = client.post(f"/desk/items/{item.id}/act", data={"action": "sign_off",
                                                        "confirm_words": "y"})
    assert r.status_code == 302 and item.status == ItemStatus.submitted


def test_a_correction_with_findings_needs_the_leaders_confirmation(county, actors, terms):
    item = move(make_item(county.officer), ItemStatus.published, actors)
    c = corrections.propose(county.officer, item, title=item.title, summary="", body=BODY,
                            reason="补充内容")
    corrections.act(c, "submit", county.officer)
    with pytest.raises(DomainError, match="已核对错敏词"):
        corrections.act(c, "sign_off", county.leader)
    corrections.act(c, "sign_off", county.leader, confirm_words=True)
    assert c.status == "submitted"
