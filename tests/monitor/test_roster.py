"""The roster of a month: the units that were active and counted during that month. A unit
that joined later, or was deactivated before the month began, is not named in it (nor as
a unit that reported nothing); one deactivated during the month still is."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import Role, Unit, UnitKind
from portal.errors import DomainError
from portal.extensions import db
from portal.monitor import figures, services
from tests.monitor.helpers import notice_html


def codes(year, month) -> list[str]:
    return [u.code for u in figures.counted_units(year, month)]


@pytest.fixture
def county(make_unit, center):
    return {c: make_unit(UnitKind.township, code=c, name=n) for c, n in
            [("T1", "城关镇"), ("T2", "柳河镇"), ("T3", "桃源镇")]}


def test_a_unit_created_after_the_month_is_not_in_its_roster(county, today, make_user):
    today("2026-11-15 10:00")
    accounts.create_unit(None, "T9", "新设镇", "township")
    db.session.commit()
    assert codes(2026, 10) == ["T1", "T2", "T3"]
    assert codes(2026, 11) == ["T1", "T2", "T3", "T9"]
    today("2026-11-20 10:00")
    run = services.run_month(2026, 10)
    assert {f.unit_code for f in run.figures} == {"T1", "T2", "T3"}
    assert "新设镇" not in notice_html(run)


def test_a_unit_brought_in_with_its_history_counts_from_its_joining_date(county, today):
    today("2026-11-15 10:00")
    accounts.create_unit(None, "T8", "老镇", "township", since="2026-09-10")
    db.session.commit()
    assert "T8" not in codes(2026, 8)
    assert "T8" in codes(2026, 9) and "T8" in codes(2026, 10)


def test_deactivation_keeps_a_unit_in_the_months_it_was_active(county, today, make_user):
    admin = make_user(Role.admin)
    today("2026-10-12 10:00")
    accounts.set_unit_active(admin, county["T2"], False)
    db.session.commit()
    assert "T2" in codes(2026, 9) and "T2" in codes(2026, 10)  # active part of October
    assert "T2" not in codes(2026, 11)
    assert "T2" not in [u.code for u in figures.counted_units()]  # today's list
    today("2026-12-01 10:00")
    accounts.set_unit_active(admin, county["T2"], True)
    db.session.commit()
    assert county["T2"].deactivated_at is None and "T2" in codes(2026, 12)


def test_an_old_inactive_unit_without_a_date_stays_out(county, make_unit):
    make_unit(UnitKind.township, code="T7", name="旧镇", active=False)
    assert "T7" not in codes(2026, 10)


@pytest.mark.parametrize(("since", "message"), [
    ("2026/09/10", "YYYY-MM-DD"),
    ("明年", "YYYY-MM-DD"),
    ("2027-01-01", "不能晚于今天"),
])
def test_a_bad_joining_date_is_refused(county, today, since, message):
    today("2026-11-15 10:00")
    with pytest.raises(DomainError, match=message):
        accounts.create_unit(None, "T6", "某镇", "township", since=since)


def test_the_cli_takes_a_joining_date(runner, app, today, center):
    today("2026-11-15 10:00")
    r = runner.invoke(args=["units", "create", "T5", "历史镇", "--kind", "township",
                            "--since", "2025-03-01"])
    assert r.exit_code == 0, r.output
    assert db.session.query(Unit).filter_by(code="T5").one().joined_on == date(2025, 3, 1)
    r = runner.invoke(args=["units", "create", "T4", "未来镇", "--kind", "township",
                            "--since", "2030-01-01"])
    assert r.exit_code != 0 and "不能晚于今天" in r.output
    assert db.session.query(Unit).filter_by(code="T4").first() is None


def test_units_import_takes_an_optional_since_column(runner, app, today, tmp_path, center):
    today("2026-11-15 10:00")
    f = tmp_path / "units.csv"
    f.write_text("code,name,kind,since\nT1,城关镇,township,2024-01-01\n"
                 "T2,柳河镇,township,\nT3,桃源镇,township,2024-13-01\n", encoding="utf-8")
    r = runner.invoke(args=["units", "import", str(f)])
    assert "第 4 行" in r.output and "YYYY-MM-DD" in r.output
    joined = {u.code: u.joined_on for u in db.session.query(Unit).filter(Unit.code != "center")}
    assert joined == {"T1": date(2024, 1, 1), "T2": date(2026, 11, 15)}
