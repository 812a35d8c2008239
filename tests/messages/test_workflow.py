"""The message workflow table, cell by cell: who may take each step, in which state,
and that every step is recorded."""

import pytest

from portal.accounts.models import Role, UnitKind
from portal.errors import Conflict, DomainError, Forbidden
from portal.extensions import db
from portal.messages import services, workflow
from portal.messages.models import Message, MessageStatus
from portal.workflow import SYSTEM
from tests.messages.helpers import write

S = MessageStatus


@pytest.fixture
def cast(make_unit, make_user):
    unit, other = make_unit(UnitKind.department), make_unit(UnitKind.township)
    return {
        "reviewer": make_user(Role.reviewer), "admin": make_user(Role.admin),
        "officer": make_user(Role.officer, unit=unit), "leader": make_user(Role.leader, unit=unit),
        "stranger": make_user(Role.officer, unit=other), "unit": unit, "other": other,
    }


def _in_state(cast, state: MessageStatus) -> Message:
    message, _ = write(cast["unit"])
    if state == S.new:
        return message
    if state == S.refused:
        services.refuse(cast["reviewer"], message, "advertising")
        return message
    services.accept(cast["reviewer"], message, cast["unit"])
    if state in (S.answered, S.rated):
        services.reply(cast["officer"], message, "您好！问题已经处理完毕，感谢监督。")
    if state == S.rated:
        services.rate(message, "satisfied")
    db.session.commit()
    assert message.status == state
    return message


# Who may take each step of the table; everybody else is refused.
ALLOWED = {
    (S.new, "accept"): {"reviewer", "admin"},
    (S.new, "refuse"): {"reviewer", "admin"},
    (S.accepted, "reply"): {"officer", "leader"},
    (S.accepted, "transfer"): {"reviewer", "admin"},  # units ask (request_transfer)
    (S.accepted, "extend"): {"reviewer", "admin"},
    (S.answered, "rate"): {"citizen"},
}
ACTORS = ["reviewer", "admin", "officer", "leader", "stranger", "citizen", "other_citizen",
          "system"]


def test_the_expectations_cover_the_whole_table():
    assert set(ALLOWED) == set(workflow.TRANSITIONS)


@pytest.mark.parametrize("state, action", list(ALLOWED))
def test_each_step_is_open_exactly_to_its_actors(cast, state, action):
    message = _in_state(cast, state)
    actors = {**{k: cast[k] for k in ACTORS[:5]}, "citizen": workflow.Citizen(message.id),
              "other_citizen": workflow.Citizen(message.id + 1000), "system": SYSTEM}
    allowed = {name for name, actor in actors.items() if workflow.can(message, action, actor)}
    assert allowed == ALLOWED[(state, action)]


@pytest.mark.parametrize("state, action", list(ALLOWED))
def test_each_step_moves_the_message_and_records_who_when_from_and_to(cast, state, action):
    message = _in_state(cast, state)
    who = next(k for k in ("reviewer", "officer", "citizen") if k in ALLOWED[(state, action)])
    actor = workflow.Citizen(message.id) if who == "citizen" else cast[who]
    before = len(message.events)
    t = workflow.apply(message, action, actor, "理由")
    db.session.commit()
    assert message.status == t.to == workflow.TRANSITIONS[(state, action)].to
    event = message.events[-1]
    assert len(message.events) == before + 1
    assert (event.action, event.from_status, event.to_status) == (action, state.value, t.to.value)
    assert event.actor_id == getattr(actor, "id", None) and event.at is not None


def test_every_message_starts_with_a_recorded_submission(cast):
    message, _ = write(cast["unit"])
    [event] = message.events
    assert (event.action, event.from_status, event.to_status) == ("submit", None, "new")
    assert event.actor_label == "留言人" and message.addressed_unit.name in event.comment


def test_steps_outside_the_table_are_conflicts_with_a_clear_message(cast):
    message = _in_state(cast, S.new)
    with pytest.raises(Conflict, match="当前状态为「待受理」，不能执行「答复」"):
        services.reply(cast["officer"], message, "您好！问题已经处理完毕，感谢监督。")
    db.session.rollback()
    answered = _in_state(cast, S.answered)
    with pytest.raises(Conflict, match="不能执行「转办」"):
        services.transfer(cast["reviewer"], answered, cast["other"], "不属本单位")


def test_a_stranger_is_forbidden_and_nothing_changes(cast):
    message = _in_state(cast, S.accepted)
    with pytest.raises(Forbidden, match="答复"):
        services.reply(cast["stranger"], message, "您好！问题已经处理完毕，感谢监督。")
    db.session.rollback()
    assert db.session.get(Message, message.id).status == S.accepted
    assert not message.replies


def test_refusal_and_transfer_need_a_reason(cast):
    message = _in_state(cast, S.new)
    with pytest.raises(DomainError, match="理由"):
        services.refuse(cast["reviewer"], message, "")
    with pytest.raises(DomainError, match="渠道"):
        services.refuse(cast["reviewer"], message, "other_channel", channel="  ")
    db.session.rollback()
    accepted = _in_state(cast, S.accepted)
    with pytest.raises(DomainError, match="转办理由"):
        services.transfer(cast["reviewer"], accepted, cast["other"], " ")


def test_the_second_of_two_simultaneous_transfers_is_told(cast, make_unit):
    third = make_unit(UnitKind.department)
    message = _in_state(cast, S.accepted)
    assert message.unit_id == cast["unit"].id  # loaded: this copy is now stale
    other = db.session.session_factory()
    other.get(Message, message.id).unit_id = cast["other"].id
    other.commit()
    other.close()
    with pytest.raises(Conflict, match="已被转办"):
        services.transfer(cast["reviewer"], message, third, "转错了")
    db.session.rollback()
    assert db.session.get(Message, message.id).unit_id == cast["other"].id


def test_the_second_of_two_simultaneous_acceptances_is_told_who_won(cast):
    message = _in_state(cast, S.new)
    assert message.status == S.new
    other = db.session.session_factory()
    services_message = other.get(Message, message.id)
    services_message.status = S.refused
    other.commit()
    other.close()
    with pytest.raises(Conflict, match="不予受理"):
        services.accept(cast["admin"], message, cast["unit"])
