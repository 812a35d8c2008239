"""A small county for the submissions tests: two townships, a department, the center."""

from types import SimpleNamespace

import pytest

from portal import clock
from portal.accounts.models import Role, UnitKind


@pytest.fixture
def county(make_unit, make_user):
    town = make_unit(UnitKind.township, name="城关镇")
    other = make_unit(UnitKind.township, name="柳河镇")
    dept = make_unit(UnitKind.department, name="县教育局")
    return SimpleNamespace(
        town=town, other=other, dept=dept,
        officer=make_user(Role.officer, unit=town), leader=make_user(Role.leader, unit=town),
        other_officer=make_user(Role.officer, unit=other),
        other_leader=make_user(Role.leader, unit=other),
        dept_officer=make_user(Role.officer, unit=dept),
        dept_leader=make_user(Role.leader, unit=dept),
        reviewer=make_user(Role.reviewer), admin=make_user(Role.admin),
    )


@pytest.fixture
def actors(county):
    return {"officer": county.officer, "leader": county.leader, "reviewer": county.reviewer}


@pytest.fixture
def at(monkeypatch):
    """``at(datetime)`` sets the portal's clock (``clock.now``) for the rest of the test."""

    def set_clock(when):
        monkeypatch.setattr(clock, "now", lambda: when)

    return set_clock
