"""``flask users …`` and ``flask units …``: bootstrapping and scripting accounts."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from . import passwords, services
from .models import Unit

users_cli = AppGroup("users", help="账号管理（创建首个管理员等）")
units_cli = AppGroup("units", help="单位管理（新建、从 CSV 导入）")


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


@users_cli.command("create")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="单位代码")
@click.option("--role", required=True,
              type=click.Choice(["officer", "leader", "reviewer", "admin"]))
@click.option("--email", default=None)
@click.option("--name", default="", help="姓名")
@click.option("--password", default=None, help="不提供时交互输入")
def create_user(username, unit_code, role, email, name, password):
    """Create an account (the only way to create the first admin)."""
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        _fail(f"单位代码不存在：{unit_code}")
    if password is None:
        while True:
            password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
            found = passwords.problems(password, username)
            if not found:
                break
            click.echo(" ".join(found), err=True)
    try:
        user = services.create_user(None, username, unit, role, name=name, email=email,
                                    password=password)
    except DomainError as e:
        _fail(e.message)
    db.session.commit()
    click.echo(f"已创建账号 {user.username}（{user.role.label}，{unit.name}）")


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["township", "department", "center"]))
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="加入报送考核的日期（导入历史数据时用；默认今天）")
def create_unit(code, name, kind, since):
    """Create a unit."""
    try:
        unit = services.create_unit(None, code, name, kind, since=since)
    except DomainError as e:
        _fail(e.message)
    db.session.commit()
    click.echo(f"已创建单位 {unit.code} {unit.name}（{unit.kind.label}）")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(file: Path):
    """Import units from a CSV file with the header code,name,kind[,since]."""
    _import(file, services.import_units, "个")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(file: Path):
    """Create accounts from a CSV file with the header username,unit_code,role,name,email
    (or 用户名,单位代码,角色,姓名,电子邮箱); each new account is e-mailed a set-password link."""
    _import(file, services.import_users, "个账号")


def _import(file: Path, load, noun: str) -> None:
    try:
        text = services.decode_csv(file.read_bytes())
    except DomainError as e:
        _fail(e.message)
    report = load(None, text)
    db.session.commit()
    for line, message in report.errors:
        click.echo(f"第 {line} 行：{message}", err=True)
    click.echo(f"新建 {len(report.created)} {noun}，更新 {len(report.updated)} {noun}，"
               f"未变 {len(report.unchanged)} {noun}，错误 {len(report.errors)} 行。")
    if report.errors:
        raise SystemExit(1)
