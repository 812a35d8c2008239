"""The audit trail: the center's changes recorded with actor, address, before and after;
append-only; the center's page filters and exports it; units neither see nor feed it."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal import clock
from portal.accounts.models import Role
from portal.audit.models import MASK, AuditEntry, AuditTrailError
from portal.extensions import db
from portal.submissions.models import ItemStatus

PG = bool(os.environ.get("PORTAL_TEST_DATABASE_URL"))


def entries(**where) -> list[AuditEntry]:
    query = db.select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return db.session.scalars(query).all()


def test_an_admin_editing_a_unit_is_recorded_with_actor_address_before_and_after(
        client, login, make_user, make_unit):
    unit = make_unit(name="东城镇")
    admin = make_user(Role.admin, username="zhang")
    login(admin)
    resp = client.post(f"/admin/units/{unit.id}/edit", data={
        "code": unit.code, "name": "东城街道", "kind": unit.kind.value, "email": "",
        "counted": "y"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert resp.status_code == 302
    entry, = entries(object_type="unit", action="update")
    assert entry.actor_id == admin.id and entry.actor.startswith("zhang")
    assert entry.actor_role == "admin" and entry.origin == "10.1.2.3"
    assert entry.object_id == str(unit.id) and entry.label == "东城街道"
    assert entry.changes["name"] == ["东城镇", "东城街道"]
    assert clock.now() - entry.at < timedelta(minutes=1)


def test_a_new_account_is_recorded_and_its_password_never_is(app, make_user):
    user = make_user(Role.officer, username="li")
    created, = entries(object_type="user", action="create")
    assert created.object_id == str(user.id) and created.changes["username"] == [None, "li"]
    assert created.changes["password_hash"] == [None, MASK]
    user.password_hash = "scrypt:new-secret-hash"
    user.last_login_at = clock.now()
    db.session.commit()
    changed, = entries(object_type="user", action="update")
    assert changed.changes == {"password_hash": [MASK, MASK]}
    assert "secret" not in str([e.changes for e in entries()])
    # A command (no web request) is recorded as the system, with the command.
    assert created.actor == "系统" and created.origin


def test_units_everyday_work_is_not_recorded_but_the_centers_withdrawal_is(
        app, make_user, make_item):
    officer = make_user(Role.officer)
    reviewer = make_user(Role.reviewer)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        from flask_login import login_user
        login_user(officer)
        item = make_item(officer.unit, submitted=None, title="春耕")
        item.status = ItemStatus.awaiting_signoff
        db.session.commit()
    assert entries(object_type="item") == []
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.1"}):
        from flask_login import login_user
        login_user(reviewer)
        item.status = ItemStatus.withdrawn
        db.session.commit()
    entry, = entries(object_type="item")
    assert entry.actor_id == reviewer.id and entry.origin == "10.0.0.1"
    assert entry.changes == {"status": ["awaiting_signoff", "withdrawn"]}


def test_a_change_rolled_back_leaves_no_entry(app, make_unit):
    unit = make_unit()
    before = len(entries())
    unit.name = "改了又撤回"
    db.session.flush()
    db.session.rollback()
    assert len(entries()) == before


def test_entries_cannot_be_changed_or_deleted(app, make_unit):
    make_unit()
    entry = entries()[0]
    entry.actor = "someone else"
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entries()[0])
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    if PG:  # the database itself refuses, whatever the client
        for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
    assert entries()[0].actor == "系统"


@pytest.fixture
def trail(app, make_unit, make_user):
    a = make_unit(name="甲单位")
    make_unit(name="乙单位")
    a.name = "甲单位（改）"
    db.session.commit()
    return a


@pytest.mark.parametrize("role", [Role.reviewer, Role.admin])
def test_the_center_reads_and_filters_the_trail(client, login, make_user, trail, role):
    login(make_user(role))
    page = client.get("/audit/").get_data(as_text=True)
    assert "甲单位（改）" in page and "乙单位" in page and "name：甲单位 → 甲单位（改）" in page
    page = client.get("/audit/?type=unit&action=update").get_data(as_text=True)
    assert "甲单位（改）" in page and "乙单位" not in page
    page = client.get(f"/audit/?object={trail.id}&type=unit").get_data(as_text=True)
    assert "乙单位" not in page
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    page = client.get(f"/audit/?from={tomorrow}").get_data(as_text=True)
    assert "没有符合条件的记录" in page
    page = client.get("/audit/?actor=nobody-like-this").get_data(as_text=True)
    assert "没有符合条件的记录" in page
    # Nonsense filters are ignored, never a 500.
    assert client.get("/audit/?from=2026-13-45&type=x&page=99999").status_code == 200


def test_the_trail_exports_to_excel_and_csv(client, login, make_user, trail):
    login(make_user(Role.reviewer))
    resp = client.get("/audit/?format=xlsx&type=unit")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:5] == ["时间", "操作人", "角色", "来源", "操作"]
    assert any(row[7] == "甲单位（改）" and "甲单位 → 甲单位（改）" in row[8] for row in values)
    text = client.get("/audit/?format=csv").data.decode("utf-8-sig")
    assert "乙单位" in text


def test_units_and_the_public_cannot_read_it(client, login, make_user, trail):
    assert client.get("/audit/").status_code == 302  # to the login page
    for role in (Role.officer, Role.leader):
        login(make_user(role))
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/?format=csv").status_code == 403


def test_no_route_changes_the_trail(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
