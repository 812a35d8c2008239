"""The monthly run: frozen revisions, one notice revised in place, concurrency, reminders."""

import re
import threading

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role, UnitKind
from portal.errors import Conflict, DomainError
from portal.extensions import db
from portal.monitor import notices, services
from portal.monitor.models import MonthlyRun, Notice, Reminder, SchedulerRun
from portal.submissions.models import Item, ItemStatus
from tests.monitor.helpers import notice_html


@pytest.fixture
def county(make_unit, make_item, center):
    """Four townships and two departments with October figures of every kind."""
    units = {c: make_unit(UnitKind.township, code=c, name=n) for c, n in
             [("T1", "城关镇"), ("T2", "柳河镇"), ("T3", "桃源镇"), ("T4", "青山镇")]}
    units |= {c: make_unit(UnitKind.department, code=c, name=n) for c, n in
              [("D1", "县教育局"), ("D2", "县水利局")]}
    for _ in range(5):
        make_item(units["T1"], published="2026-10-20 09:00")
    for _ in range(2):
        make_item(units["T2"])
    make_item(units["D1"])
    for _ in range(4):
        make_item(units["D2"])
    return units


notice_text = notice_html


def test_run_freezes_figures_and_prepares_the_notice_as_a_draft(county, today):
    today("2026-11-03 10:00")
    run = services.run_month(2026, 10)
    assert run.revision == 1 and run.totals["submitted"] == 12
    notice = notices.get(2026, 10)
    assert notice.status == "draft" and notice.run_id == run.id
    assert run.monitor_month.notice_item is None  # nothing published without 审签
    assert db.session.scalar(select(func.count()).select_from(Item)
                             .where(Item.title.like("关于2026年10月%"))) == 0
    statuses = {f.unit_code: f.status for f in run.figures}
    assert statuses == {"T1": "met", "T2": "below", "T3": "none", "T4": "none",
                        "D1": "below", "D2": "met"}


def test_notice_names_exactly_the_units_below_quota(county, today):
    today("2026-11-03 10:00")
    html = notice_text(services.run_month(2026, 10))
    below = re.search(r'<ul class="notice-below">(.*?)</ul>', html, re.S).group(1)
    none_ = re.search(r'<ul class="notice-none">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.+?)：", below) == ["柳河镇", "县教育局"]
    assert re.findall(r"<li>(.+?)</li>", none_) == ["桃源镇", "青山镇"]
    assert "柳河镇：报送 2 条（应报 4 条）" in below
    assert "城关镇" in html.split("七、表扬")[1]  # best performer praised


def test_rerun_writes_a_new_revision_and_the_published_notice_waits_for_a_new_signature(
        county, make_item, make_user, today):
    admin = make_user(Role.admin)
    today("2026-11-03 10:00")
    first = services.run_month(2026, 10)
    notices.sign(admin, notices.get(2026, 10))
    item = notices.publish(admin, notices.get(2026, 10))
    db.session.commit()
    assert item.status == ItemStatus.published and item.column.slug == "notices"
    assert item.unit.kind == UnitKind.center
    assert item.title == "关于2026年10月全县政务信息报送情况的通报"
    published = item.body_html
    make_item(county["T3"], submitted="2026-10-30 10:00")  # a late correction of the data
    today("2026-11-05 10:00")
    second = services.run_month(2026, 10, note="补录桃源镇一条信息")
    notice = notices.get(2026, 10)
    assert second.revision == 2 and notice.status == "draft" and notice.run_id == second.id
    assert item.body_html == published  # still online as signed
    with pytest.raises(Conflict, match="须经审签"):
        notices.publish(admin, notice)
    notices.sign(admin, notice)
    with pytest.raises(DomainError, match="请填写修订原因"):
        notices.publish(admin, notice)
    again = notices.publish(admin, notice, "补录桃源镇10月30日报送的信息")
    db.session.commit()
    assert again.id == item.id and notice.published_revision == 2
    assert db.session.scalar(select(func.count()).select_from(Item)
                             .where(Item.title.like("关于2026年10月%"))) == 1
    assert "第 2 版。修订原因：补录桃源镇10月30日报送的信息" in again.body_html
    assert [e.action for e in again.events][-1] == "revise"
    # The first revision still says what it said.
    assert {f.unit_code: f.submitted for f in first.figures}["T3"] == 0
    assert {f.unit_code: f.submitted for f in second.figures}["T3"] == 1


def test_frozen_snapshot_survives_later_edits(county, today):
    today("2026-11-03 10:00")
    run = services.run_month(2026, 10)
    before = {f.unit_code: (f.submitted, f.published) for f in run.figures}
    for item in db.session.scalars(select(Item).where(Item.unit_id == county["T1"].id)):
        item.status = ItemStatus.withdrawn
        item.first_submitted_at = None
    county["T1"].name = "城关镇（改名）"
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(MonthlyRun, run.id)
    assert {f.unit_code: (f.submitted, f.published) for f in again.figures} == before
    assert next(f for f in again.figures if f.unit_code == "T1").unit_name == "城关镇"


def test_a_month_not_yet_ended_cannot_be_run(app, today):
    today("2026-11-20 10:00")
    with pytest.raises(DomainError, match="尚未结束"):
        services.run_month(2026, 11)


def test_publishing_the_notice_needs_the_center_unit(app, center, make_unit, make_item,
                                                     make_user, today):
    admin = make_user(Role.admin)
    make_item(make_unit())
    today("2026-11-03 10:00")
    services.run_month(2026, 10)
    notices.sign(admin, notices.get(2026, 10))
    center.active = False  # no active center unit to publish the notice under
    with pytest.raises(DomainError, match="网络信息中心"):
        notices.publish(admin, notices.get(2026, 10))
    db.session.rollback()


def test_empty_county_runs_without_crashing(app, center, today):
    today("2026-11-03 10:00")
    run = services.run_month(2026, 10)
    assert run.totals["counted"] == 0 and "无。" in notice_text(run)


def test_two_runs_at_the_same_moment_produce_one_result(county, app, today):
    today("2026-11-03 10:00")
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                run = services.run_month(2026, 10)
                results.append((run.id, run.revision))
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2 and results[0] == results[1]
    assert db.session.scalar(select(func.count()).select_from(MonthlyRun)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1


def test_cli_run_defaults_to_last_month_and_reports_bad_input(county, runner, today):
    today("2026-11-03 10:00")
    result = runner.invoke(args=["monitor", "run"])
    assert result.exit_code == 0, result.output
    assert "2026年10月：第 1 版" in result.output
    result = runner.invoke(args=["monitor", "run", "--month", "2026-13"])
    assert result.exit_code != 0 and "YYYY-MM" in result.output
    result = runner.invoke(args=["monitor", "run", "--month", "2030-01"])
    assert result.exit_code != 0 and "尚未结束" in result.output


def test_reminders_go_once_per_threshold_to_units_behind_pace(county, make_user, outbox, today):
    officer = make_user(Role.officer, unit=county["T3"], email="t3@example.gov.cn")
    today("2026-10-19 10:00")
    assert services.remind().sent == []  # nobody is due before the 20th
    today("2026-10-20 10:00")
    leader = make_user(Role.leader, unit=county["T3"], email="t3-lead@example.gov.cn")
    county["D1"].email = "d1@example.gov.cn"  # a unit address reaches it too
    result = services.remind()
    db.session.commit()
    # T2 has 2 by the 20th; T1 and D2 more. T4 has nobody to write to: listed, not marked.
    assert {b.unit.code for b in result.sent} == {"T3", "D1"}
    assert [b.unit.code for b in result.unreachable] == ["T4"]
    again = services.remind()
    assert again.sent == [] and [b.unit.code for b in again.unreachable] == ["T4"]
    db.session.commit()
    today("2026-10-25 10:00")
    make_user(Role.officer, unit=county["T4"], email="t4@example.gov.cn")
    later = services.remind()
    assert {b.unit.code for b in later.sent} == {"T3", "T4", "D1"}
    assert [b.unit.code for b in later.unreachable] == ["T2"]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 5
    mails = [m for m in outbox() if officer.email in m["To"]]
    assert len(mails) == 2 and "报送信息 0 条" in mails[0].get_content()
    assert leader.email in mails[0]["To"]  # officers and leaders alike


def test_desk_shows_the_pace_notice(county, make_user, login, client, today):
    today("2026-10-26 10:00")
    login(make_user(Role.officer, unit=county["T2"]))
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert "本单位已报送 2 条" in page and "25 日前应不少于 4 条" in page


def test_scheduler_closes_the_month_once_even_with_two_schedulers(county, app, today):
    from portal.monitor.scheduler import tick

    today("2026-11-01 00:30")
    assert not any(line.startswith("close") for line in tick())
    today("2026-11-01 01:00")
    assert any("close 2026-10: revision 1 (notice drafted" in line for line in tick())
    assert not any(line.startswith("close") for line in tick())  # the second scheduler
    assert db.session.scalar(select(func.count()).select_from(MonthlyRun)) == 1
    assert db.session.scalar(select(func.count()).select_from(SchedulerRun).where(
        SchedulerRun.job == "close")) == 1


def test_scheduler_reminds_after_nine_on_reminder_days(county, app, today, outbox, make_user):
    from portal.monitor.scheduler import tick

    make_user(Role.officer, unit=county["T3"], email="t3@example.gov.cn")
    today("2026-10-20 08:59")
    assert not any(line.startswith("remind") for line in tick())
    today("2026-10-20 09:00")
    assert "remind 2026-10-20: 1 units, 2 unreachable: T4, D1" in tick()
    assert not any(line.startswith("remind") for line in tick())


def test_the_center_sees_who_could_not_be_reminded(county, make_user, login, client, runner,
                                                   today):
    today("2026-10-20 10:00")
    login(make_user(Role.reviewer))
    page = client.get("/monitor/").get_data(as_text=True)
    assert "桃源镇：已报送 0 条" in page and "无法提醒" in page
    result = runner.invoke(args=["monitor", "remind"])
    assert "未能提醒 桃源镇" in result.output and "3 个单位无法提醒" in result.output
