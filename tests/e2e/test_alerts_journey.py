"""Alerts in a real browser: the leader sees the count in the header, opens the urgent item
from the list, and chooses what is mailed."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.submissions import services
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.submissions.factories import column


def test_the_leader_is_alerted_to_an_urgent_item_and_opens_it(page, live_server, make_unit,
                                                              make_user):
    town = make_unit(UnitKind.township, name="石桥镇")
    officer = make_user(Role.officer, unit=town)
    leader = make_user(Role.leader, unit=town, name="孙领导")
    item = services.create_item(officer, services.ItemData(
        title="石桥镇一民房失火无人员伤亡", column_id=column().id, body="火已扑灭。",
        urgent=True, event_at=clock.now() - timedelta(minutes=20)))
    services.act(item, "submit", officer)
    db.session.commit()

    log_in(page, leader.username, PASSWORD)
    link = page.get_by_role("link", name="提醒 1 条未读")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="我的提醒")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="【未读】紧急信息待签发：石桥镇一民房失火无人员伤亡").click()
    expect(page.get_by_role("heading", name="石桥镇一民房失火无人员伤亡")).to_be_visible()
    expect(page.get_by_role("link", name="提醒", exact=True)).to_be_visible()  # read now

    page.goto(f"{live_server}/account/alerts")
    assert axe_violations(page) == []
    page.get_by_label("信息已发布：邮件").check()
    page.get_by_role("button", name="保存设置").click()
    expect(page.get_by_text("提醒设置已保存。")).to_be_visible()
    expect(page.get_by_label("信息已发布：邮件")).to_be_checked()
