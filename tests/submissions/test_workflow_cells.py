"""Every cell of the item workflow: each state × each action × each kind of actor.

The expectations are written out here, independently of the table in
portal/submissions/workflow.py, so a wrong rule or target in the table fails.
Allowed actors move the item and leave an event; everyone else is refused
with Forbidden (the action exists in that state) or Conflict (it does not),
and through the desk's pages that is a 403/404/409 page, never a 500.
"""

import pytest

from portal.errors import Conflict, Forbidden
from portal.extensions import db
from portal.submissions import services, workflow
from portal.submissions.models import ItemEvent, ItemStatus
from portal.workflow import SYSTEM
from tests.submissions.factories import make_item, move

S = ItemStatus
ROLES = ["officer", "leader", "other_officer", "other_leader", "dept_officer", "reviewer",
         "admin", "system"]
CENTER = {"reviewer", "admin"}
# (state, action) -> (new state, who may) for a unit that needs sign-off.
EXPECTED = {
    (S.draft, "submit"): (S.awaiting_signoff, {"officer"}),
    (S.draft, "submit_direct"): (S.submitted, set()),
    (S.awaiting_signoff, "sign_off"): (S.submitted, {"leader"}),
    (S.awaiting_signoff, "send_back"): (S.draft, {"leader"}),
    (S.awaiting_signoff, "recall"): (S.draft, {"officer"}),
    (S.submitted, "publish"): (S.published, CENTER),
    (S.submitted, "schedule"): (S.scheduled, CENTER),
    (S.submitted, "return"): (S.returned, CENTER),
    (S.submitted, "decline"): (S.declined, CENTER),
    (S.scheduled, "publish_due"): (S.published, CENTER | {"system"}),
    (S.scheduled, "unschedule"): (S.submitted, CENTER),
    (S.returned, "resubmit"): (S.awaiting_signoff, {"officer"}),
    (S.returned, "resubmit_direct"): (S.submitted, set()),
    (S.published, "withdraw"): (S.withdrawn, CENTER),
    (S.published, "unpublish_due"): (S.withdrawn, {"system"}),
    # A withdrawn item is put back as it was by the center, or reworked by its unit.
    (S.withdrawn, "restore"): (S.published, CENTER),
    (S.withdrawn, "rework"): (S.draft, {"officer"}),
    # The monitor's monthly notice (工作通报) is posted by the system straight away.
    (S.draft, "post_notice"): (S.published, {"system"}),
}
# A unit configured to skip sign-off swaps who may submit.
SKIPPING = {
    (S.draft, "submit"): set(), (S.draft, "submit_direct"): {"officer"},
    (S.returned, "resubmit"): set(), (S.returned, "resubmit_direct"): {"officer"},
}
ACTIONS = sorted({action for _, action in EXPECTED})
CELLS = [(state, action, False) for state in S for action in ACTIONS] + \
    [(state, action, True) for state, action in SKIPPING]


def test_the_table_has_exactly_the_expected_cells():
    assert set(workflow.TRANSITIONS) == set(EXPECTED)
    assert {k: t.to for k, t in workflow.TRANSITIONS.items()} == \
        {k: to for k, (to, _) in EXPECTED.items()}


def _actor(county, role):
    return SYSTEM if role == "system" else getattr(county, role)


def _item_in(county, actors, state, skip=False):
    county.town.skip_signoff = False
    db.session.commit()
    item = move(make_item(county.officer), state, actors)
    county.town.skip_signoff = skip
    db.session.commit()
    return item


@pytest.mark.parametrize("state, action, skip", CELLS,
                         ids=[f"{s.value}-{a}{'-skip-signoff' * k}" for s, a, k in CELLS])
def test_cell_allows_exactly_the_expected_actors(county, actors, state, action, skip):
    item = _item_in(county, actors, state, skip)
    expected = EXPECTED.get((state, action))
    for role in ROLES:
        actor = _actor(county, role)
        if expected is None:
            with pytest.raises(Conflict, match="不能执行"):
                workflow.apply(item, action, actor, "理由")
            continue
        to, allowed = expected
        if skip:
            allowed = SKIPPING[(state, action)]
        if role not in allowed:
            with pytest.raises(Forbidden, match="没有权限"):
                workflow.apply(item, action, actor, "理由")
            assert item.status == state
            continue
        events_before = len(item.events)
        workflow.apply(item, action, actor, "理由：测试")
        db.session.refresh(item)
        assert item.status == to
        event = db.session.scalars(db.select(ItemEvent).where(ItemEvent.item_id == item.id)
                                   .order_by(ItemEvent.id.desc())).first()
        assert (event.action, event.from_status, event.to_status) == (action, state, to)
        assert event.actor_id == (None if role == "system" else actor.id)
        assert len(item.events) > events_before
        db.session.rollback()  # undo, so the next actor finds the item in ``state`` again
        db.session.refresh(item)
        assert item.status == state


def test_actions_that_need_a_reason_refuse_an_empty_one(county, actors):
    for state, action in [(S.awaiting_signoff, "send_back"), (S.submitted, "return"),
                          (S.submitted, "decline"), (S.published, "withdraw")]:
        item = _item_in(county, actors, state)
        who = county.leader if action == "send_back" else county.reviewer
        with pytest.raises(Exception, match="必须填写理由"):
            workflow.apply(item, action, who, "  ")
        db.session.rollback()
        assert db.session.get(type(item), item.id).status == state


# ---- the same cells through the desk's pages ---------------------------------------

UNIT_CELLS = [(state, action) for state in S for action in workflow.UNIT_ACTIONS]
PAGE_ROLES = ["officer", "leader", "other_officer", "dept_officer", "reviewer", "admin"]


@pytest.mark.parametrize("state, action", UNIT_CELLS,
                         ids=[f"{s.value}-{a}" for s, a in UNIT_CELLS])
def test_unit_actions_through_the_pages_never_fail_with_a_500(client, login, county, actors,
                                                              state, action):
    item = _item_in(county, actors, state)
    expected = EXPECTED.get((state, action))
    for role in PAGE_ROLES:
        login(_actor(county, role))
        r = client.post(f"/desk/items/{item.id}/act", data={"action": action,
                                                            "comment": "请核实数据"})
        db.session.expire_all()
        if role in ("other_officer", "dept_officer"):
            assert r.status_code == 404, role  # another unit's unpublished item does not exist
        elif expected is None:
            assert r.status_code == 409 and "不能执行" in r.get_data(as_text=True), role
        elif role in expected[1]:
            assert r.status_code == 302, (role, r.get_data(as_text=True)[:300])
            assert db.session.get(type(item), item.id).status == expected[0]
            item = _item_in(county, actors, state)  # a fresh one for the next actor
        else:
            assert r.status_code == 403 and "没有权限" in r.get_data(as_text=True), role
            assert db.session.get(type(item), item.id).status == state


@pytest.mark.parametrize("action", ["publish", "return", "decline", "withdraw", "schedule"])
def test_center_actions_are_not_taken_at_the_unit_desk(client, login, county, actors, action):
    item = _item_in(county, actors, S.submitted)
    login(county.reviewer)
    r = client.post(f"/desk/items/{item.id}/act", data={"action": action, "comment": "x"})
    assert r.status_code == 400 and "此操作不能在这里办理" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(item), item.id).status == S.submitted


def test_a_step_needing_a_reason_reshows_the_page_with_400_and_changes_nothing(
        client, login, county, actors):
    item = _item_in(county, actors, S.awaiting_signoff)
    login(county.leader)
    r = client.post(f"/desk/items/{item.id}/act", data={"action": "send_back", "comment": ""})
    assert r.status_code == 400 and "必须填写理由" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(item), item.id).status == S.awaiting_signoff


def test_two_leaders_signing_off_at_once_only_one_succeeds(county, actors, make_user):
    item = _item_in(county, actors, S.awaiting_signoff)
    second = make_user("leader", unit=county.town)
    services.act(item, "sign_off", county.leader)
    db.session.commit()
    stale = db.session.get(type(item), item.id)
    db.session.expire(stale)
    with pytest.raises(Conflict):
        services.act(stale, "sign_off", second)
