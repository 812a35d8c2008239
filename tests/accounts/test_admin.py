"""The center admin manages units, accounts and the working calendar."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import AccountEvent, PasswordToken, Role, Unit, UnitKind, User
from portal.extensions import db
from tests.conftest import link_in


@pytest.fixture
def admin(make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_admin_creates_a_unit(client, admin):
    r = client.post("/admin/units/new", data={"code": "T99", "name": "新建镇", "kind": "township",
                                              "counted": "y"})
    assert r.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "T99"))
    assert unit.name == "新建镇" and unit.kind == UnitKind.township and unit.counted
    assert "新建镇" in client.get("/admin/units").get_data(as_text=True)
    event = db.session.scalar(select(AccountEvent).where(AccountEvent.unit_id == unit.id))
    assert event.actor_id == admin.id and event.action == "unit.create"


@pytest.mark.parametrize("data, message", [
    ({"code": "T01", "name": "另一个镇", "kind": "township"}, "已被使用"),
    ({"code": "t01", "name": "另一个镇", "kind": "township"}, "已被使用"),
    ({"code": "T02", "name": "已有镇", "kind": "township"}, "已存在"),
    ({"code": "bad code!", "name": "空格镇", "kind": "township"}, "单位代码只能包含"),
    ({"code": "T03", "name": "长" * 101, "kind": "township"}, "100"),
    ({"code": "", "name": "无代码镇", "kind": "township"}, "此项必填"),
    ({"code": "T04", "name": "邮箱镇", "kind": "township", "email": "not-an-email"}, "格式不正确"),
    ({"code": "T05", "name": "类型镇", "kind": "castle"}, "不是有效的选择"),
])
def test_bad_unit_input_is_refused_and_changes_nothing(client, admin, make_unit, data, message):
    make_unit(code="T01", name="已有镇")
    before = count(Unit)
    r = client.post("/admin/units/new", data=data)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    assert count(Unit) == before


def test_admin_edits_and_deactivates_a_unit(client, admin, make_unit, make_user):
    unit = make_unit(name="旧名镇")
    officer = make_user(Role.officer, unit=unit)
    r = client.post(f"/admin/units/{unit.id}/edit", data={
        "code": unit.code, "name": "新名镇", "kind": "township", "skip_signoff": "y"})
    assert r.status_code == 302
    db.session.refresh(unit)
    assert unit.name == "新名镇" and unit.skip_signoff and not unit.counted
    nonce = officer.session_nonce
    assert client.post(f"/admin/units/{unit.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(unit)
    db.session.refresh(officer)
    assert not unit.active and not officer.is_active and officer.session_nonce != nonce


def test_admin_cannot_deactivate_own_unit(client, admin):
    r = client.post(f"/admin/units/{admin.unit_id}/active", data={"active": "0"})
    assert r.status_code == 400 and "不能停用自己所在的单位" in r.get_data(as_text=True)
    assert db.session.get(Unit, admin.unit_id).active


def test_new_account_gets_a_one_time_link_by_mail(client, admin, make_unit, outbox, app):
    unit = make_unit(name="柳河镇")
    r = client.post("/admin/users/new", data={
        "username": "liuhe-xx", "name": "张三", "email": "zhangsan@example.gov.cn",
        "unit_id": unit.id, "role": "officer"})
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "liuhe-xx"))
    assert user.password_hash is None
    [mail] = outbox()
    assert mail["To"] == "zhangsan@example.gov.cn"
    assert "liuhe-xx" in mail.get_content() and "72 小时" in mail.get_content()
    link = link_in(mail)
    assert link.startswith("http://portal.test/set-password/")
    # Only the hash of the token is stored.
    token = link.rsplit("/", 1)[1]
    assert token not in {t.token_hash for t in db.session.scalars(select(PasswordToken))}


@pytest.mark.parametrize("data, message", [
    ({"username": "dup-user", "email": "a@example.gov.cn", "role": "officer"}, "已被使用"),
    ({"username": "DUP-USER", "email": "a@example.gov.cn", "role": "officer"}, "已被使用"),
    ({"username": "x", "email": "a@example.gov.cn", "role": "officer"}, "3–64"),
    ({"username": "mail-bad", "email": "bad@", "role": "officer"}, "格式不正确"),
    ({"username": "no-mail", "email": "", "role": "officer"}, "必须填写电子邮箱"),
    ({"username": "wrong-role", "email": "a@example.gov.cn", "role": "reviewer"}, "不能设在"),
    ({"username": "long-name", "email": "a@example.gov.cn", "role": "officer",
      "name": "名" * 51}, "50"),
])
def test_bad_account_input_is_refused_and_changes_nothing(client, admin, make_unit, make_user,
                                                          outbox, data, message):
    unit = make_unit()
    make_user(Role.officer, unit=unit, username="dup-user")
    before = count(User)
    r = client.post("/admin/users/new", data={"unit_id": unit.id, **data})
    assert r.status_code == 400, r.get_data(as_text=True)
    assert message in r.get_data(as_text=True)
    assert count(User) == before and outbox() == []


def test_admin_deactivates_an_account_but_not_their_own(client, admin, make_user):
    officer = make_user()
    assert client.post(f"/admin/users/{officer.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(officer)
    assert not officer.active
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 403
    db.session.refresh(admin)
    assert admin.active


def test_admin_moves_an_account_and_its_sessions_end(client, admin, make_user, make_unit):
    officer = make_user()
    nonce = officer.session_nonce
    other = make_unit()
    r = client.post(f"/admin/users/{officer.id}/edit", data={
        "username": officer.username, "name": "改名", "email": officer.email,
        "unit_id": other.id, "role": "leader"})
    assert r.status_code == 302
    db.session.refresh(officer)
    assert officer.unit_id == other.id and officer.role == Role.leader
    assert officer.session_nonce != nonce


def test_fresh_link_replaces_the_old_one(client, admin, make_user, outbox):
    user = make_user(password_hash=None)
    client.post(f"/admin/users/{user.id}/send-link")
    client.post(f"/admin/users/{user.id}/send-link")
    first, second = (link_in(m) for m in outbox())
    r = client.get(first.replace("http://portal.test", ""))
    assert r.status_code == 410 and "已失效" in r.get_data(as_text=True)
    assert client.get(second.replace("http://portal.test", "")).status_code == 200


def test_link_sets_the_password_once(client, make_user, outbox, app):
    from portal.accounts import services

    user = make_user(password_hash=None)
    services.send_set_password_link(None, user)
    db.session.commit()
    path = link_in(outbox()[0]).replace("http://portal.test", "")
    page = client.get(path).get_data(as_text=True)
    assert user.username in page
    r = client.post(path, data={"password": "weak", "confirm": "weak"})
    assert "至少需要" in r.get_data(as_text=True)
    r = client.post(path, data={"password": "Liuhe-town-2026", "confirm": "Liuhe-town-2026x"})
    assert "两次输入的密码不一致" in r.get_data(as_text=True)
    r = client.post(path, data={"password": "Liuhe-town-2026", "confirm": "Liuhe-town-2026"})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    r = client.post("/login", data={"username": user.username, "password": "Liuhe-town-2026"})
    assert r.status_code == 302
    # Used: a second visit gets a clear message, and cannot set a password again.
    r = client.get(path)
    assert r.status_code == 410 and "已使用过" in r.get_data(as_text=True)
    r = client.post(path, data={"password": "Another-2026-pw", "confirm": "Another-2026-pw"})
    assert r.status_code == 410


def test_expired_link_gives_a_clear_message(client, make_user, outbox):
    from portal.accounts import services

    user = make_user(password_hash=None)
    services.send_set_password_link(None, user)
    db.session.commit()
    token = db.session.scalar(select(PasswordToken))
    token.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    r = client.get(link_in(outbox()[0]).replace("http://portal.test", ""))
    assert r.status_code == 410 and "已过期" in r.get_data(as_text=True)


def test_link_expires_after_72_hours(make_user, app):
    from portal.accounts import services

    user = make_user(password_hash=None)
    services.send_set_password_link(None, user)
    db.session.commit()
    token = db.session.scalar(select(PasswordToken))
    assert token.expires_at - token.created_at == timedelta(hours=72)


def test_unknown_link_is_refused(client):
    r = client.get("/set-password/not-a-token")
    assert r.status_code == 410 and "链接无效" in r.get_data(as_text=True)


def test_mail_is_not_sent_when_the_transaction_rolls_back(app, make_unit, outbox):
    from portal.accounts import services

    services.create_user(None, "rolled-back", make_unit(), "officer", email="x@example.gov.cn")
    db.session.rollback()
    assert outbox() == []


def test_units_import_keeps_good_rows_and_reports_bad_ones(client, admin, make_unit):
    from io import BytesIO

    make_unit(code="T01", name="城关镇")
    csv = ("code,name,kind\nT01,城关镇,township\nT02,柳河镇,乡镇\nD01,县教育局,department\n"
           "bad code,坏代码,township\nT03,,township\nT04,某镇,castle\n"
           "D01,县教育局（改名）,department\n")
    r = client.post("/admin/units/import", data={"file": (BytesIO(csv.encode()), "units.csv")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "第 5 行" in html and "第 6 行" in html and "第 7 行" in html
    # a code given twice in one file is reported on both lines, not merged
    assert "单位代码「D01」在文件中出现多次（第 4、8 行），均未导入。" in html
    codes = set(db.session.scalars(select(Unit.code)))
    assert {"T01", "T02"} <= codes and "T04" not in codes and "D01" not in codes


def test_admin_configures_a_holiday_for_an_unknown_year(client, admin):
    from datetime import date

    from portal.clock import CalendarDay

    r = client.post("/admin/calendar", data={"day": "2027-02-08", "is_workday": "0",
                                             "note": "2027年春节"})
    assert r.status_code == 302
    assert db.session.get(CalendarDay, date(2027, 2, 8)).note == "2027年春节"
    assert client.post("/admin/calendar", data={"day": "not a date",
                                                "is_workday": "0"}).status_code == 400
    assert client.post("/admin/calendar/2027-02-08/delete").status_code == 302
    assert db.session.get(CalendarDay, date(2027, 2, 8)) is None


def test_users_import_creates_accounts_mails_links_and_reports_bad_rows(client, admin,
                                                                         make_unit, outbox):
    from io import BytesIO

    make_unit(code="T01", name="城关镇")
    make_unit(code="D01", name="县教育局", kind="department")
    csv = ("用户名,单位代码,角色,姓名,电子邮箱\n"
           "t01-xy,T01,信息员,徐燕,xuyan@example.gov.cn\n"
           "t01-ld,t01,leader,陈立,chenli@example.gov.cn\n"
           "d01-a,D01,officer,王安,not-an-email\n"
           "d01-b,D99,officer,李四,lisi@example.gov.cn\n"
           "d01-c,D01,reviewer,周五,zhouwu@example.gov.cn\n"
           "dup,D01,officer,甲,jia@example.gov.cn\n"
           "DUP,D01,officer,乙,yi@example.gov.cn\n")
    r = client.post("/admin/users/import", data={"file": (BytesIO(csv.encode("gb18030")),
                                                          "accounts.csv")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "账号导入结果" in html and "新建 2 个" in html
    assert "第 4 行：电子邮箱地址格式不正确" in html
    assert "第 5 行：找不到单位代码「D99」" in html and "第 6 行：「审核员」不能设在" in html
    assert "用户名「dup」在文件中出现多次（第 7、8 行），均未导入。" in html
    assert "第 8 行：用户名「DUP」在文件中出现多次" in html
    made = {u.username: u for u in db.session.scalars(select(User).where(
        User.username.in_(["t01-xy", "t01-ld", "dup", "DUP"])))}
    assert set(made) == {"t01-xy", "t01-ld"} and made["t01-ld"].role == Role.leader
    sent = outbox()
    assert sorted(m["To"] for m in sent) == ["chenli@example.gov.cn",
                                                     "xuyan@example.gov.cn"]
    # Again: nothing new, no second link; a changed name is an update.
    again = csv.replace("陈立", "陈立新")
    r = client.post("/admin/users/import", data={"file": (BytesIO(again.encode()), "a.csv")},
                    content_type="multipart/form-data")
    assert "新建 0 个，更新 1 个，未变 1 个" in r.get_data(as_text=True)
    assert len(outbox()) == 2


def test_users_import_needs_its_header(client, admin):
    from io import BytesIO

    r = client.post("/admin/users/import", data={"file": (BytesIO(b"a,b\n1,2\n"), "x.csv")},
                    content_type="multipart/form-data")
    assert "第一行必须是表头 username,unit_code,role,name,email" in r.get_data(as_text=True)
