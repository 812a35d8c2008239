"""The monitor's figures: per unit and China-time month, from aggregate queries."""

import pytest
from sqlalchemy import event

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.messages import services
from portal.messages.figures import UnitMessageFigures, monthly_figures, oldest_unanswered
from tests.messages.helpers import local, write


@pytest.fixture
def october(make_unit, make_user):
    """A month of messages for a department A and a township B (all times China time)."""
    a = make_unit(UnitKind.department, name="县教育局")
    b = make_unit(UnitKind.township, name="城关镇")
    reviewer, officer = make_user(Role.reviewer), make_user(Role.officer, unit=a)

    def taken(unit, accepted_at, answered_at=None):
        m, _ = write(unit, at=accepted_at, commit=False)
        services.accept(reviewer, m, unit, at=accepted_at)
        if answered_at:
            services.reply(officer, m, "您好！您反映的问题已经办理完毕。", at=answered_at)
        return m

    # A: answered on time in 2 working days (Sat 10 Oct is a make-up day) and rated.
    m1 = taken(a, local(2026, 10, 9, 10), local(2026, 10, 12, 15))
    services.rate(m1, "satisfied", at=local(2026, 10, 13, 9))
    # A: accepted in September, due 10 October, answered late on 16 October (10 working days).
    taken(a, local(2026, 9, 28, 10), local(2026, 10, 16, 11))
    # A: due 27 October, never answered: overdue in October.
    taken(a, local(2026, 10, 20, 10))
    # A: accepted 30 October, due in November: not overdue in October.
    taken(a, local(2026, 10, 30, 10))
    # A: answered the same day (0 working days).
    taken(a, local(2026, 10, 21, 9), local(2026, 10, 21, 16))
    # B: one refused, one waiting since 23:30 on the 31st (still October in China).
    refused, _ = write(b, at=local(2026, 10, 15, 9), commit=False)
    services.refuse(reviewer, refused, "advertising", at=local(2026, 10, 15, 11))
    write(b, at=local(2026, 10, 31, 23, 30), commit=False)
    write(b, at=local(2026, 11, 1, 0, 10), commit=False)   # November
    # Not sure which unit: the center has not dispatched it yet.
    write(None, at=local(2026, 10, 8, 9), commit=False)
    db.session.commit()
    return a, b


def test_figures_per_unit_for_a_china_time_month(october):
    a, b = october
    figures = monthly_figures(2026, 10, as_of=local(2026, 11, 5))
    assert figures[a.id] == UnitMessageFigures(
        unit_id=a.id, received=4, accepted=4, refused=0, answered=3, answered_on_time=2,
        overdue=2, median_working_days=2.0, satisfied=1, basically_satisfied=0,
        dissatisfied=0)
    assert (figures[b.id].received, figures[b.id].refused, figures[b.id].accepted) == (2, 1, 0)
    assert figures[None].received == 1  # 不确定, waiting for dispatch
    assert set(figures) == {a.id, b.id, None}


def test_overdue_is_judged_as_of_a_moment(october):
    a, _ = october
    # On 20 October only the message due on 10 October had passed its deadline.
    assert monthly_figures(2026, 10, as_of=local(2026, 10, 20))[a.id].overdue == 1


def test_other_months_are_counted_apart(october):
    a, b = october
    september = monthly_figures(2026, 9, as_of=local(2026, 11, 5))
    assert september[a.id].received == 1 and september[a.id].answered == 0
    assert september[a.id].overdue == 0  # its deadline fell in October
    november = monthly_figures(2026, 11, as_of=local(2026, 11, 30))
    assert november[a.id].overdue == 1  # the one due 6 November, never answered
    assert november[b.id].received == 1


def test_the_number_of_queries_does_not_grow_with_the_units(october, make_unit, make_user):
    def queries() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            monthly_figures(2026, 10, as_of=local(2026, 11, 5))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = queries()
    reviewer = make_user(Role.reviewer)
    for _ in range(8):
        unit = make_unit(UnitKind.township)
        m, _ = write(unit, at=local(2026, 10, 12, 9), commit=False)
        services.accept(reviewer, m, unit, at=local(2026, 10, 12, 10))
    db.session.commit()
    assert len(monthly_figures(2026, 10, as_of=local(2026, 11, 5))) == 11
    assert queries() == few <= 3


def test_oldest_unanswered_counts_from_arrival(october):
    # The oldest still waiting: the September message was answered; the oldest open one
    # is the unsorted message of 8 October.
    assert oldest_unanswered() == local(2026, 10, 8, 9)


def test_oldest_unanswered_is_none_when_nothing_waits(app):
    assert oldest_unanswered() is None
