"""The officer's desk: the month's count against the quota, urgent items and their time."""

from datetime import UTC, datetime, timedelta

from portal import clock
from portal.extensions import db
from portal.submissions import services, workflow
from portal.submissions.models import Item, ItemStatus
from tests.submissions.factories import make_item, move

S = ItemStatus


def test_an_item_reaching_the_center_at_half_past_eleven_on_31_october_counts_for_october(
        county, actors, at):
    at(datetime(2026, 10, 31, 15, 30, tzinfo=UTC))  # 23:30 China time
    october = move(make_item(county.officer), S.submitted, actors)
    at(datetime(2026, 10, 31, 16, 0, tzinfo=UTC))   # 00:00 on 1 November China time
    november = move(make_item(county.officer), S.submitted, actors)
    assert october.first_submitted_at.month == 10 and november.first_submitted_at.day == 31
    assert services.month_count(county.town.id, 2026, 10) == 1
    assert services.month_count(county.town.id, 2026, 11) == 1


def test_a_returned_and_resubmitted_item_counts_once_in_its_first_month(county, actors, at):
    at(datetime(2026, 10, 30, 2, 0, tzinfo=UTC))
    item = move(make_item(county.officer), S.returned, actors)
    at(datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    services.act(item, "resubmit", county.officer)
    services.act(item, "sign_off", county.leader)
    db.session.commit()
    assert item.submitted_at.month == 11
    assert (services.month_count(county.town.id, 2026, 10),
            services.month_count(county.town.id, 2026, 11)) == (1, 0)


def test_drafts_and_items_waiting_for_sign_off_do_not_count(county, actors):
    move(make_item(county.officer), S.awaiting_signoff, actors)
    make_item(county.officer)
    assert services.month_count(county.town.id, *clock.month_of(clock.now())) == 0


def test_the_desk_shows_this_months_count_against_the_quota(client, login, county, actors, at):
    at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    for _ in range(3):
        move(make_item(county.officer), S.published, actors)
    move(make_item(county.other_officer), S.submitted,
         {"officer": county.other_officer, "leader": county.other_leader})
    login(county.officer)
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert "2026年11月报送情况" in page
    assert '<span class="num">3</span> / 4 条' in page and "还需报送 1 条" in page
    move(make_item(county.officer), S.submitted, actors)
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert "本月任务已完成" in page


def urgent_item(county, event_at, title="青山镇突发山洪灾害 群众已安全转移"):
    return make_item(county.officer, title=title, urgent=True, event_at=event_at,
                     event_place="青山镇")


def test_an_urgent_item_reaching_the_center_more_than_two_hours_late_is_recorded_late(
        client, login, county, actors, at):
    event = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    at(event + timedelta(minutes=30))
    late = urgent_item(county, event)
    on_time = urgent_item(county, event, title="柳河镇发生道路交通事故")
    move(on_time, S.submitted, actors)
    at(event + timedelta(hours=2, minutes=5))
    move(late, S.submitted, actors)
    assert (late.late, on_time.late) == (True, False)
    login(county.officer)
    page = client.get(f"/desk/items/{late.id}").get_data(as_text=True)
    assert "迟报" in page and "事件发生 2 小时 5 分钟后才报送到中心" in page
    assert "迟报：" not in client.get(f"/desk/items/{on_time.id}").get_data(as_text=True)


def test_the_late_limit_is_configurable(app, county, actors, at):
    app.config["URGENT_REPORT_HOURS"] = 1
    event = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    at(event + timedelta(minutes=10))
    item = urgent_item(county, event)
    at(event + timedelta(minutes=75))
    move(item, S.submitted, actors)
    assert item.late and "要求 1 小时内" in item.events[-1].comment


def test_the_desk_says_how_long_an_urgent_item_has_left(client, login, county, actors, at):
    event = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    at(event + timedelta(minutes=40))
    urgent_item(county, event)
    overdue = urgent_item(county, event - timedelta(hours=3), title="龙泉镇民房火灾")
    login(county.officer)
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert "紧急信息报送时限" in page
    assert "剩余 1 小时 20 分钟" in page
    assert "已超时 1 小时 40 分钟，报送后将记为迟报" in page
    # Once at the center, the clock stops showing.
    move(overdue, S.submitted, actors)
    assert "已超时" not in client.get("/desk/submissions").get_data(as_text=True)


def test_urgent_items_come_first_for_the_leader_and_the_center(client, login, county, actors):
    ordinary = move(make_item(county.officer, title="普通信息"), S.awaiting_signoff, actors)
    urgent = move(urgent_item(county, clock.now() - timedelta(minutes=20)), S.awaiting_signoff,
                  actors)
    login(county.leader)
    page = client.get("/desk/signoff").get_data(as_text=True)
    assert page.index(urgent.title) < page.index(ordinary.title)
    assert "距报送时限剩余" in page
    for item in (ordinary, urgent):
        services.act(item, "sign_off", county.leader)
    db.session.commit()
    queue = db.session.scalars(db.select(Item).where(Item.status == S.submitted)
                               .order_by(*services.queue_order())).all()
    assert queue == [urgent, ordinary]


def test_the_officer_desk_lists_the_units_items_by_state(client, login, county, actors):
    titles = {}
    for state in (S.draft, S.awaiting_signoff, S.submitted, S.published, S.declined):
        titles[state] = move(make_item(county.officer, title=f"{state.label}的信息"), state,
                             actors).title
    login(county.officer)
    page = client.get("/desk/submissions").get_data(as_text=True)
    for heading in ("草稿（1）", "待签发（1）", "待中心审核（1）", "已发布（1）",
                    "不予采用或已撤稿（1）"):
        assert heading in page
    positions = [page.index(t) for t in titles.values()]
    assert positions == sorted(positions)
    assert workflow.ITEM_FLOW.state_labels["declined"] in page
