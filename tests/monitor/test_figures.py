"""The month's figures: what counts, when, for whom; and the cost in queries."""

import pytest
from sqlalchemy import event

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.monitor import figures, services
from portal.submissions import workflow
from portal.submissions.models import ItemStatus


def by_unit(rows):
    return {r.unit_code: r for r in rows}


def test_item_submitted_at_2330_on_the_31st_counts_for_october(make_unit, make_item):
    unit = make_unit(code="T1")
    make_item(unit, submitted="2026-10-31 23:30")
    make_item(unit, submitted="2026-11-01 00:00")
    make_item(unit, submitted="2026-10-01 00:00")
    make_item(unit, submitted="2026-09-30 23:59")
    assert by_unit(figures.compute(2026, 10, 4))["T1"].submitted == 2
    assert by_unit(figures.compute(2026, 11, 4))["T1"].submitted == 1


def test_returned_then_resubmitted_item_counts_once_in_its_first_month(
        app, make_unit, make_user, today):
    unit = make_unit(code="T1", skip_signoff=True)
    officer, reviewer = make_user(Role.officer, unit=unit), make_user(Role.reviewer)
    from portal.site.models import Column
    from portal.submissions.models import Item

    item = Item(title="城关镇召开安全生产工作会议", unit=unit,
                column=db.session.query(Column).filter_by(slug="news").one())
    db.session.add(item)
    db.session.flush()
    today("2026-10-31 23:30")
    workflow.apply(item, "submit_direct", officer)
    workflow.apply(item, "return", reviewer, "请补充时间地点")
    today("2026-11-02 09:00")
    workflow.apply(item, "resubmit_direct", officer)
    workflow.apply(item, "publish", reviewer)
    db.session.commit()
    assert by_unit(figures.compute(2026, 10, 4))["T1"].submitted == 1
    nov = by_unit(figures.compute(2026, 11, 4))["T1"]
    assert nov.submitted == 0 and nov.published == 1


def test_status_quota_overrides_and_exemptions(app, make_unit, make_item, make_user):
    from datetime import date

    admin = make_user(Role.admin)
    met, below, none_, small, exempt = (make_unit(code=c) for c in ("A", "B", "C", "D", "E"))
    for _ in range(4):
        make_item(met)
    make_item(below)
    make_item(small)
    services.add_quota_rule(admin, small, exempt=False, quota=1, valid_from=date(2026, 10, 1),
                            valid_to=date(2026, 10, 1), reason="机构改革，人员不足")
    services.add_quota_rule(admin, exempt, exempt=True, quota=None,
                            valid_from=date(2026, 9, 1), valid_to=None, reason="新设单位")
    db.session.commit()
    rows = by_unit(figures.compute(2026, 10, 4))
    assert [rows[c].status for c in "ABCDE"] == ["met", "below", "none", "met", "exempt"]
    assert rows["D"].quota == 1 and rows["E"].exempt_reason == "新设单位"
    # The override was for October only.
    assert by_unit(figures.compute(2026, 11, 4))["D"].quota == 4


def test_revoked_rule_no_longer_applies(app, make_unit, make_user):
    from datetime import date

    unit = make_unit(code="A")
    rule = services.add_quota_rule(make_user(Role.admin), unit, exempt=True, quota=None,
                                   valid_from=date(2026, 1, 1), valid_to=None, reason="试点")
    services.revoke_quota_rule(None, rule)
    db.session.commit()
    assert by_unit(figures.compute(2026, 10, 4))["A"].status == "none"


def test_rules_refuse_bad_values(app, make_unit, make_user):
    from datetime import date

    from portal.errors import DomainError

    unit = make_unit()
    with pytest.raises(DomainError, match="理由"):
        services.add_quota_rule(None, unit, exempt=True, quota=None, valid_from=date(2026, 1, 1),
                                valid_to=None, reason=" ")
    with pytest.raises(DomainError, match="结束月份"):
        services.add_quota_rule(None, unit, exempt=False, quota=2, valid_from=date(2026, 5, 1),
                                valid_to=date(2026, 4, 1), reason="x")
    with pytest.raises(DomainError, match="0 到 100"):
        services.update_rules(None, quota=101, reminders=[], points=dict(services.DEFAULT_POINTS))
    with pytest.raises(DomainError, match="提醒日期"):
        services.update_rules(None, quota=4, reminders=[(25, 4), (20, 2)],
                              points=dict(services.DEFAULT_POINTS))


def test_urgent_late_dual_and_points(app, make_unit, make_item, make_user):
    from datetime import datetime, timedelta

    from portal import clock
    from portal.submissions.models import DualReport, DualStatus

    town, dept = make_unit(code="T1"), make_unit(UnitKind.department, code="D1")
    make_item(town, urgent=True, late=True, published="2026-10-16 10:00")
    make_item(town, urgent=True, published="2026-10-16 11:00")
    src = make_item(town)
    due = clock.from_local(datetime(2026, 10, 20, 0, 0))
    db.session.add_all([
        DualReport(source_item=src, department=dept, due_at=due, status=DualStatus.pending),
        DualReport(source_item=make_item(town), department=dept, due_at=due,
                   status=DualStatus.fulfilled, fulfilled_at=due + timedelta(days=2)),
        DualReport(source_item=make_item(town), department=dept, due_at=due,
                   status=DualStatus.fulfilled, fulfilled_at=due - timedelta(days=1)),
        DualReport(source_item=make_item(town), department=dept, due_at=due,
                   status=DualStatus.waived),
    ])
    db.session.commit()
    rows = by_unit(figures.compute(2026, 10, 4))
    t, d = rows["T1"], rows["D1"]
    assert (t.urgent, t.urgent_late, t.published) == (2, 1, 2)
    assert (d.dual_due, d.dual_unmet) == (3, 2)
    p = services.DEFAULT_POINTS
    assert t.points == 2 * p["published"] + p["urgent_on_time"] + p["urgent_late"]
    assert d.points == 2 * p["dual_unmet"]


def test_units_not_counted_or_inactive_are_left_out(app, make_unit, center):
    make_unit(code="IN")
    make_unit(code="OFF", active=False)
    make_unit(code="NC", counted=False)
    assert set(by_unit(figures.compute(2026, 10, 4))) == {"IN"}


def _queries(fn) -> int:
    count = 0

    def before(*args, **kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count


def test_query_count_does_not_grow_with_the_number_of_units(app, make_unit, make_item):
    from portal.accounts.models import Unit

    def add_units(n, prefix):
        for i in range(n):
            db.session.add(Unit(code=f"{prefix}{i}", name=f"单位{prefix}{i}",
                                kind=UnitKind.township if i % 2 else UnitKind.department))
        db.session.commit()
        for unit in db.session.query(Unit).filter(Unit.code.like(f"{prefix}%")).limit(5):
            make_item(unit)

    add_units(10, "S")
    figures.compute(2026, 10, 4)  # warm the per-request caches (the working calendar)
    db.session.expire_all()
    small = _queries(lambda: figures.compute(2026, 10, 4))
    add_units(190, "L")
    db.session.expire_all()
    large = _queries(lambda: figures.compute(2026, 10, 4))
    assert len(figures.compute(2026, 10, 4)) == 200
    assert small == large, (small, large)


def test_withdrawn_items_still_count_as_published_that_month(app, make_unit, make_item):
    unit = make_unit(code="W")
    make_item(unit, published="2026-10-20 10:00", status=ItemStatus.withdrawn)
    assert by_unit(figures.compute(2026, 10, 4))["W"].published == 1


def test_the_whole_run_costs_the_same_statements_for_10_and_60_units(app, center, today):
    from portal.accounts.models import Unit

    def run_with(n, year, month):
        for i in range(n):
            db.session.add(Unit(code=f"R{year}{month}{i}", name=f"单位{year}{month}-{i}",
                                kind=UnitKind.township))
        db.session.commit()
        db.session.expire_all()
        return _queries(lambda: services.run_month(year, month))

    today("2026-11-03 10:00")
    services.run_month(2026, 8)  # warm the caches and create the notices column's state
    small = run_with(10, 2026, 9)
    large = run_with(50, 2026, 10)
    assert small == large, (small, large)


def test_a_dual_report_not_yet_due_is_not_counted_against_the_month(app, make_unit, make_item,
                                                                    today):
    from datetime import datetime

    from portal import clock
    from portal.submissions.models import DualReport, DualStatus

    town, dept = make_unit(code="T1"), make_unit(UnitKind.department, code="D1")
    today("2026-10-18 10:00")
    for day in (15, 25):  # one already due, one due later this month
        db.session.add(DualReport(source_item=make_item(town), department=dept,
                                  due_at=clock.from_local(datetime(2026, 10, day)),
                                  status=DualStatus.pending))
    db.session.commit()
    d = by_unit(figures.compute(2026, 10, 4))["D1"]
    assert (d.dual_due, d.dual_unmet) == (1, 1)
    today("2026-11-02 10:00")
    d = by_unit(figures.compute(2026, 10, 4))["D1"]
    assert (d.dual_due, d.dual_unmet) == (2, 2)


def test_the_desk_shows_the_units_own_quota_from_its_class(app, make_unit, make_user, login,
                                                            client, today):
    from portal.monitor import classes

    town = make_unit(code="T1")
    classes.assign(town, classes.save_class(None, unit_kind="township", code="A",
                                            yearly_target=50, monthly_quota=6))
    db.session.commit()
    today("2026-10-26 10:00")
    login(make_user(Role.officer, unit=town))
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert "月底前须达到 6 条" in page  # the pace notice
    assert "/ 6 条" in page             # and the quota panel: one and the same quota
