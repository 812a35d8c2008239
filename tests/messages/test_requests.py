"""Deadlines nobody can reset (issue 10): units ask, the center decides, and a deadline a
unit let pass stays counted against it whatever happens to the message afterwards."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, UnitKind
from portal.errors import Conflict, DomainError, Forbidden
from portal.extensions import db
from portal.messages import services
from portal.messages.figures import monthly_figures
from portal.messages.models import MessageLapse, RequestStatus
from tests.messages.helpers import accepted, local


@pytest.fixture
def county(make_unit, make_user, center):
    a = make_unit(UnitKind.township, name="城关镇")
    b = make_unit(UnitKind.department, name="县水利局")
    return {"a": a, "b": b, "reviewer": make_user(Role.reviewer),
            "officer_a": make_user(Role.officer, unit=a),
            "officer_b": make_user(Role.officer, unit=b)}


def move(county, message, to_unit, asker, at):
    request = services.request_transfer(asker, message, to_unit, "不属本单位职责", at=at)
    services.decide(county["reviewer"], request, True, at=at)
    db.session.commit()


def test_transferring_an_overdue_message_away_and_straight_back_resets_nothing(county):
    """Accepted 2 Nov, due 9 Nov (5 working days); moved on the 16th to B and back."""
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    assert services.working_days_left(message, local(2026, 11, 16, 9)) < 0
    move(county, message, county["b"], county["officer_a"], local(2026, 11, 16, 9))
    move(county, message, county["a"], county["officer_b"], local(2026, 11, 16, 10))
    db.session.refresh(message)
    assert message.unit_id == county["a"].id
    # The message is back with a fresh period, but A's lapse is on record for good ...
    lapses = db.session.scalars(db.select(MessageLapse)).all()
    assert [(x.unit_id, x.due_at) for x in lapses] == [(county["a"].id, local(2026, 11, 10))]
    # ... so November's figures (live, and what the monitor freezes) count A overdue,
    # even when A now answers within the new period.
    services.reply(county["officer_a"], message, "您好！问题已处理完毕，感谢您的反映。",
                   at=local(2026, 11, 18, 9))
    db.session.commit()
    november = monthly_figures(2026, 11, as_of=local(2026, 12, 1, 0))
    assert november[county["a"].id].overdue == 1
    assert county["b"].id not in november or november[county["b"].id].overdue == 0


def test_a_transfer_before_the_deadline_is_no_lapse_and_keeps_a_full_period(county):
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    move(county, message, county["b"], county["officer_a"], local(2026, 11, 3, 9))
    db.session.refresh(message)
    assert db.session.scalar(db.select(MessageLapse)) is None
    assert message.due_day.isoformat() == "2026-11-10"  # 5 working days from the 3rd


def test_extending_an_overdue_message_keeps_the_lapse(county):
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    request = services.request_extension(county["officer_a"], message, 5, "需多部门会商",
                                         at=local(2026, 11, 12, 9))
    services.decide(county["reviewer"], request, True, at=local(2026, 11, 12, 10))
    db.session.commit()
    assert request.status == RequestStatus.approved and message.extension_days == 5
    assert db.session.scalar(db.select(MessageLapse)).unit_id == county["a"].id
    services.reply(county["officer_a"], message, "您好！问题已处理完毕，感谢您的反映。",
                   at=local(2026, 11, 13, 9))  # within the extended period ...
    db.session.commit()
    november = monthly_figures(2026, 11, as_of=local(2026, 12, 1, 0))
    assert november[county["a"].id].overdue == 1  # ... still late


def test_extensions_have_a_cap_per_message(app, county):
    app.config["MESSAGE_MAX_EXTENSION_TOTAL_WORKING_DAYS"] = 8
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    services.extend(county["reviewer"], message, 5, "需要核实", at=local(2026, 11, 3, 9))
    with pytest.raises(DomainError, match="累计最多延长 8 个工作日"):
        services.request_extension(county["officer_a"], message, 4, "还需要核实")
    with pytest.raises(DomainError, match="累计最多延长 8 个工作日"):
        services.extend(county["reviewer"], message, 4, "还需要核实")


def test_who_may_ask_and_who_may_decide(county):
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    with pytest.raises(Forbidden):
        services.request_extension(county["officer_b"], message, 2, "别的单位")
    with pytest.raises(Forbidden):
        services.transfer(county["officer_a"], message, county["b"], "自己转走")
    request = services.request_extension(county["officer_a"], message, 2, "需要核实")
    with pytest.raises(Conflict, match="已有一项申请"):
        services.request_transfer(county["officer_a"], message, county["b"], "再申请一项")
    with pytest.raises(Forbidden):
        services.decide(county["officer_a"], request, True)
    services.decide(county["reviewer"], request, False, "可以按期答复")
    with pytest.raises(Conflict, match="已处理"):
        services.decide(county["reviewer"], request, True)


def test_a_request_overtaken_by_events_cannot_be_approved(county):
    message, _ = accepted(county["reviewer"], county["a"], at=local(2026, 11, 2, 10))
    request = services.request_extension(county["officer_a"], message, 2, "需要核实")
    services.reply(county["officer_a"], message, "您好！问题已处理完毕，感谢您的反映。")
    with pytest.raises(Conflict, match="不再适用"):
        services.decide(county["reviewer"], request, True)
