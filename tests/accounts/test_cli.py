"""``flask users create``, ``flask units create|import`` and ``flask demo``."""

from sqlalchemy import func, select

from portal.accounts.models import Role, Unit, User
from portal.extensions import db
from portal.search import service as search


def test_units_create_then_first_admin(runner, app):
    r = runner.invoke(args=["units", "create", "center", "示范县网络信息中心", "--kind", "center"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["users", "create", "chief", "--unit", "center", "--role", "admin",
                            "--password", "Strong-admin-2026"])
    assert r.exit_code == 0, r.output
    user = db.session.scalar(select(User).where(User.username == "chief"))
    assert user.role == Role.admin and user.password_hash.startswith("scrypt:")


def test_users_create_prompts_and_refuses_weak_passwords(runner, center):
    r = runner.invoke(args=["users", "create", "chief", "--unit", "center", "--role", "admin"],
                      input="weak\nweak\nStrong-admin-2026\nStrong-admin-2026\n")
    assert r.exit_code == 0, r.output
    assert "至少需要" in r.output
    assert db.session.scalar(select(User).where(User.username == "chief")) is not None


def test_users_create_refuses_weak_password_option_and_unknown_unit(runner, center):
    r = runner.invoke(args=["users", "create", "chief", "--unit", "center", "--role", "admin",
                            "--password", "123"])
    assert r.exit_code != 0 and "至少需要" in r.output
    r = runner.invoke(args=["users", "create", "chief", "--unit", "nope", "--role", "admin",
                            "--password", "Strong-admin-2026"])
    assert r.exit_code != 0 and "单位代码不存在" in r.output
    r = runner.invoke(args=["users", "create", "chief", "--unit", "center", "--role", "officer",
                            "--password", "Strong-admin-2026"])
    assert r.exit_code != 0 and "不能设在" in r.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_units_create_refuses_duplicates(runner, center):
    r = runner.invoke(args=["units", "create", "CENTER", "另一个中心", "--kind", "center"])
    assert r.exit_code != 0 and "已被使用" in r.output


def test_units_import_reports_bad_lines_and_is_idempotent(runner, app, tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("\ufeffcode,name,kind\nT01,城关镇,township\nD01,县教育局,department\n"
                 ",无代码,township\nT02,双河镇,planet\n", encoding="utf-8")
    r = runner.invoke(args=["units", "import", str(f)])
    assert r.exit_code == 1
    assert "第 4 行" in r.output and "第 5 行" in r.output and "新建 2 个" in r.output
    r = runner.invoke(args=["units", "import", str(f)])
    assert "新建 0 个" in r.output and "未变 2 个" in r.output
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 2


def test_units_import_reads_gb18030_from_chinese_excel(runner, app, tmp_path):
    f = tmp_path / "units.csv"
    f.write_bytes("code,name,kind\nT01,城关镇,乡镇\n".encode("gb18030"))
    r = runner.invoke(args=["units", "import", str(f)])
    assert r.exit_code == 0, r.output
    assert db.session.scalar(select(Unit.name).where(Unit.code == "T01")) == "城关镇"


def test_units_import_with_a_wrong_header(runner, app, tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("编号,名称\nT01,城关镇\n", encoding="utf-8")
    r = runner.invoke(args=["units", "import", str(f)])
    assert r.exit_code == 1 and "表头" in r.output


def test_users_import_from_the_command_line(runner, center, make_unit, tmp_path, outbox):
    make_unit(code="T01", name="城关镇")
    f = tmp_path / "accounts.csv"
    f.write_text("username,unit_code,role,name,email\nt01-o,T01,officer,徐燕,xy@example.gov.cn\n"
                 "t01-p,T01,officer,无邮箱,\n", encoding="utf-8")
    r = runner.invoke(args=["users", "import", str(f)])
    assert r.exit_code == 1
    assert "第 3 行：未设置密码的账号必须填写电子邮箱" in r.output
    assert "新建 1 个账号" in r.output and len(outbox()) == 1
    r = runner.invoke(args=["users", "import", str(f)])
    assert "新建 0 个账号" in r.output and "未变 1 个账号" in r.output and len(outbox()) == 1


def test_demo_is_idempotent_and_prints_logins(runner, app):
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    assert "admin" in r.output and "Demo-2026-county" in r.output
    # Search finds everything the example county shows, and the command says so.
    expected = search.expected_count()
    assert expected > 100 and search.get_index().doc_count() == expected
    assert f"检索索引已重建：{expected} 篇（应有 {expected} 篇）" in r.output
    units = db.session.scalar(select(func.count()).select_from(Unit))
    users = db.session.scalar(select(func.count()).select_from(User))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    kinds = dict(db.session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
    assert kinds["township"] >= 10 and kinds["department"] >= 20 and kinds["center"] == 1
    for unit in db.session.scalars(select(Unit).where(Unit.kind != "center")):
        assert {u.role for u in unit.users} == {Role.officer, Role.leader}


def test_demo_login_works(runner, client):
    runner.invoke(args=["demo"])
    r = client.post("/login", data={"username": "t01-officer", "password": "Demo-2026-county"})
    assert r.status_code == 302
