"""The rules for units and accounts. Plain functions taking the acting user.

``actor`` is the admin doing it, or ``None`` for the command line (the only way
to create the first admin of a new installation). Services validate, change,
record an ``AccountEvent`` and flush; the caller commits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from .. import clock, mail
from ..errors import DomainError
from ..extensions import db
from ..urls import external_url
from . import passwords
from .models import (
    CENTER_ROLES,
    ROLE_LABELS,
    UNIT_KIND_LABELS,
    AccountEvent,
    PasswordToken,
    Role,
    Unit,
    UnitKind,
    User,
)

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
KIND_ALIASES = {**{k.value: k for k in UnitKind}, **{v: k for k, v in UNIT_KIND_LABELS.items()},
                "乡镇": UnitKind.township, "街道": UnitKind.township, "部门": UnitKind.department}


def _record(actor, action: str, *, unit=None, user=None, detail: str = "") -> None:
    db.session.add(AccountEvent(actor_id=actor.id if actor else None, action=action,
                                unit_id=unit.id if unit else None,
                                user_id=user.id if user else None, detail=detail[:500]))


# ---- units -----------------------------------------------------------------

def parse_kind(value) -> UnitKind:
    kind = KIND_ALIASES.get(str(value).strip())
    if kind is None:
        raise DomainError(f"单位类型无效：{value}（应为 township、department 或 center）")
    return kind


def _check_unit_fields(code: str, name: str, unit: Unit | None = None) -> None:
    if not CODE_RE.match(code):
        raise DomainError("单位代码只能包含字母、数字、下划线和连字符，最长 32 个字符。")
    if not name or len(name) > 100:
        raise DomainError("单位名称不能为空，且不超过 100 个字符。")
    others = select(Unit).where(Unit.id != (unit.id if unit else -1))
    if db.session.scalar(others.where(func.lower(Unit.code) == code.lower())):
        raise DomainError(f"单位代码「{code}」已被使用。")
    if db.session.scalar(others.where(Unit.name == name)):
        raise DomainError(f"单位名称「{name}」已存在。")


def parse_since(value) -> date | None:
    """A joining date typed as YYYY-MM-DD (or empty); not in the future."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        since = value
    else:
        try:
            since = date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(f"加入日期「{value}」应写成 YYYY-MM-DD，例如 2024-01-01。") from None
    if since > clock.today():
        raise DomainError(f"加入日期 {since:%Y-%m-%d} 不能晚于今天。")
    return since


def create_unit(actor, code: str, name: str, kind, *, counted: bool | None = None,
                skip_signoff: bool = False, email: str | None = None,
                since=None) -> Unit:
    """Create a unit; it joins the roster from ``since`` (default: today)."""
    code, name, kind = (code or "").strip(), (name or "").strip(), parse_kind(kind)
    _check_unit_fields(code, name)
    unit = Unit(code=code, name=name, kind=kind, skip_signoff=skip_signoff,
                email=normalise_email(email), joined_on=parse_since(since) or clock.today(),
                counted=(kind != UnitKind.center) if counted is None else counted)
    db.session.add(unit)
    db.session.flush()
    _record(actor, "unit.create", unit=unit, detail=f"{code} {name} {UNIT_KIND_LABELS[kind]}")
    return unit


def update_unit(actor, unit: Unit, *, code: str, name: str, kind, counted: bool,
                skip_signoff: bool, email: str | None) -> Unit:
    code, name, kind = (code or "").strip(), (name or "").strip(), parse_kind(kind)
    _check_unit_fields(code, name, unit)
    if unit.kind != kind and any(u.role in CENTER_ROLES for u in unit.users) \
            and kind != UnitKind.center:
        raise DomainError("该单位有审核员或管理员账号，不能改为非网络信息中心类型。")
    changes = [f"{k}: {getattr(unit, k)} → {v}" for k, v in
               dict(code=code, name=name, kind=kind, counted=counted, skip_signoff=skip_signoff,
                    email=normalise_email(email)).items() if getattr(unit, k) != v]
    unit.code, unit.name, unit.kind = code, name, kind
    unit.counted, unit.skip_signoff, unit.email = counted, skip_signoff, normalise_email(email)
    _record(actor, "unit.update", unit=unit, detail="; ".join(changes))
    db.session.flush()
    return unit


def set_unit_active(actor, unit: Unit, active: bool) -> None:
    if unit.active == active:
        return
    if not active and actor is not None and actor.unit_id == unit.id:
        raise DomainError("不能停用自己所在的单位。")
    unit.active = active
    unit.deactivated_at = None if active else clock.now()
    if not active:
        for user in unit.users:
            user.end_sessions()
    _record(actor, "unit.activate" if active else "unit.deactivate", unit=unit)
    db.session.flush()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def import_units(actor, text: str) -> ImportReport:
    """Load units from CSV text with a ``code,name,kind`` header and an optional ``since``
    column (YYYY-MM-DD: when the unit joined, for bringing in history).

    Idempotent by code: an existing code is updated, not duplicated. Each bad
    row is reported with its line number and skipped; good rows are kept.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not {"code", "name", "kind"} <= set(header):
        report.errors.append((1, "第一行必须是表头 code,name,kind"))
        return report
    reader.fieldnames = header
    rows = [(reader.line_num, row) for row in reader]
    repeated = _repeated(rows, "code")
    for line, row in rows:
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if code.lower() in repeated:
            report.errors.append((line, _repeated_message("单位代码", code,
                                                          repeated[code.lower()])))
            continue
        try:
            with db.session.begin_nested():
                existing = (db.session.scalar(select(Unit).where(Unit.code == code))
                            if code else None)
                if existing is None:
                    create_unit(actor, code, name, row.get("kind") or "",
                                since=row.get("since"))
                    report.created.append(code)
                elif existing.name == name and existing.kind == parse_kind(row.get("kind") or ""):
                    report.unchanged.append(code)
                else:
                    update_unit(actor, existing, code=code, name=name, kind=row.get("kind") or "",
                                counted=existing.counted, skip_signoff=existing.skip_signoff,
                                email=existing.email)
                    report.updated.append(code)
        except DomainError as e:
            report.errors.append((line, e.message))
    return report


def decode_csv(raw: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM), or GBK/GB18030 as saved
    by Excel and WPS on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("无法识别文件编码，请另存为 UTF-8 编码的 CSV。")


def _repeated(rows: list[tuple[int, dict]], key: str) -> dict[str, list[int]]:
    """Values of ``key`` that appear on more than one line (case-insensitive), with the
    lines: a file that names the same unit or account twice is reported, never merged."""
    lines: dict[str, list[int]] = {}
    for line, row in rows:
        value = (row.get(key) or "").strip().lower()
        if value:
            lines.setdefault(value, []).append(line)
    return {value: found for value, found in lines.items() if len(found) > 1}


def _repeated_message(label: str, value: str, lines: list[int]) -> str:
    return f"{label}「{value}」在文件中出现多次（第 {'、'.join(map(str, lines))} 行），均未导入。"


# ---- accounts --------------------------------------------------------------

# Header names of the accounts import, in English or Chinese.
USER_COLUMNS = {"username": "username", "用户名": "username", "账号": "username",
                "帐号": "username", "unit_code": "unit_code", "单位代码": "unit_code",
                "role": "role", "角色": "role", "name": "name", "姓名": "name",
                "email": "email", "电子邮箱": "email", "邮箱": "email"}
ROLE_NAMES = {label: role.value for role, label in ROLE_LABELS.items()}


def import_users(actor, text: str) -> ImportReport:
    """Create accounts from CSV text (``username,unit_code,role,name,email``, or the same in
    Chinese: 用户名,单位代码,角色,姓名,电子邮箱). Each new account's holder is e-mailed a
    set-password link (范文8: 帐号将通过电子邮件的方式下发).

    Idempotent by username: an existing account is updated (name, e-mail, unit, role) or
    left as it is, and gets no new link. Bad rows are reported by line and skipped; a
    username given twice in the file is reported on each of its lines, not merged.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [USER_COLUMNS.get(h.strip().lower(), h.strip().lower())
              for h in (reader.fieldnames or [])]
    if not {"username", "unit_code", "role"} <= set(header):
        report.errors.append((1, "第一行必须是表头 username,unit_code,role,name,email"
                                 "（或 用户名,单位代码,角色,姓名,电子邮箱）"))
        return report
    reader.fieldnames = header
    rows = [(reader.line_num, row) for row in reader]
    repeated = _repeated(rows, "username")
    units = {u.code.lower(): u for u in db.session.scalars(select(Unit))}
    for line, row in rows:
        username = (row.get("username") or "").strip()
        if username.lower() in repeated:
            report.errors.append((line, _repeated_message("用户名", username,
                                                          repeated[username.lower()])))
            continue
        code = (row.get("unit_code") or "").strip()
        unit = units.get(code.lower())
        role = (row.get("role") or "").strip()
        role = ROLE_NAMES.get(role, role)
        name, email = (row.get("name") or "").strip(), (row.get("email") or "").strip()
        try:
            if unit is None:
                raise DomainError(f"找不到单位代码「{code}」。")
            with db.session.begin_nested():
                existing = db.session.scalar(select(User).where(
                    func.lower(User.username) == username.lower())) if username else None
                if existing is None:
                    create_user(actor, username, unit, role, name=name, email=email)
                    report.created.append(username)
                elif (existing.unit_id, existing.role.value, existing.name or "",
                      existing.email or "") == (unit.id, parse_role(role).value, name,
                                                normalise_email(email) or ""):
                    report.unchanged.append(username)
                else:
                    update_user(actor, existing, name=name, email=email, unit=unit, role=role)
                    report.updated.append(username)
        except DomainError as e:
            report.errors.append((line, e.message))
    return report

def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError(f"电子邮箱地址格式不正确：{email}") from None


def _check_role(unit: Unit, role: Role) -> None:
    if (role in CENTER_ROLES) != (unit.kind == UnitKind.center):
        raise DomainError(f"「{ROLE_LABELS[role]}」不能设在{UNIT_KIND_LABELS[unit.kind]}"
                          f"「{unit.name}」。审核员和管理员属于网络信息中心，信息员和分管领导属于乡镇或部门。")


def parse_role(value) -> Role:
    try:
        return Role(str(value).strip())
    except ValueError:
        raise DomainError(f"角色无效：{value}（应为 officer、leader、reviewer 或 admin）") from None


def create_user(actor, username: str, unit: Unit, role, *, name: str = "",
                email: str | None = None, password: str | None = None,
                send_link: bool = True) -> User:
    """Create an account. Without a password, its holder is e-mailed a set-password link."""
    username, name, role = (username or "").strip(), (name or "").strip(), parse_role(role)
    if not USERNAME_RE.match(username):
        raise DomainError("用户名须为 3–64 个字母、数字、点、下划线或连字符。")
    if db.session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise DomainError(f"用户名「{username}」已被使用。")
    if len(name) > 50:
        raise DomainError("姓名不能超过 50 个字符。")
    if not unit.active:
        raise DomainError(f"单位「{unit.name}」已停用，不能新建账号。")
    _check_role(unit, role)
    email = normalise_email(email)
    if password is not None:
        _check_password(password, username)
    elif send_link and not email:
        raise DomainError("未设置密码的账号必须填写电子邮箱，以便发送设置密码链接。")
    user = User(username=username, name=name, email=email, unit=unit, role=role,
                password_hash=passwords.hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    _record(actor, "user.create", unit=unit, user=user, detail=f"{username} {ROLE_LABELS[role]}")
    if password is None and send_link:
        send_set_password_link(actor, user)
    return user


def update_user(actor, user: User, *, name: str, email: str | None, unit: Unit, role) -> User:
    role, name = parse_role(role), (name or "").strip()
    if len(name) > 50:
        raise DomainError("姓名不能超过 50 个字符。")
    _check_role(unit, role)
    if actor is not None and actor.id == user.id and role != user.role:
        raise DomainError("不能修改自己的角色。")
    email = normalise_email(email)
    changes = [f"{k}: {getattr(user, k)} → {v}" for k, v in
               dict(name=name, email=email, unit_id=unit.id, role=role).items()
               if getattr(user, k) != v]
    if user.unit_id != unit.id or user.role != role:
        user.end_sessions()  # a moved account starts fresh with its new rights
    user.name, user.email, user.unit, user.role = name, email, unit, role
    _record(actor, "user.update", unit=unit, user=user, detail="; ".join(changes))
    db.session.flush()
    return user


def set_user_active(actor, user: User, active: bool) -> None:
    if user.active == active:
        return
    if actor is not None and actor.id == user.id:
        raise DomainError("不能停用自己的账号。")
    user.active = active
    user.end_sessions()
    _record(actor, "user.activate" if active else "user.deactivate", unit=user.unit, user=user)
    db.session.flush()


def _check_password(password: str, username: str) -> None:
    found = passwords.problems(password, username)
    if found:
        raise DomainError(" ".join(found))


def set_password(actor, user: User, password: str) -> None:
    _check_password(password, user.username)
    user.password_hash = passwords.hash_password(password)
    user.end_sessions()
    _record(actor, "user.password", unit=user.unit, user=user)
    db.session.flush()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def send_set_password_link(actor, user: User) -> str:
    """Issue a fresh one-time link (older ones stop working) and e-mail it."""
    if not user.email:
        raise DomainError("该账号没有电子邮箱，无法发送设置密码链接。")
    now = clock.now()
    for old in db.session.scalars(select(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None),
            PasswordToken.revoked_at.is_(None))):
        old.revoked_at = now
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    db.session.add(PasswordToken(user=user, token_hash=_hash_token(raw), created_at=now,
                                 expires_at=now + timedelta(hours=hours)))
    _record(actor, "user.link", unit=user.unit, user=user)
    db.session.flush()
    link = external_url("accounts.set_password", token=raw)
    mail.send(user.email, f"{current_app.config['SITE_NAME']}：请设置您的账号密码",
              "accounts/mail/set_password.txt", user=user, link=link, hours=hours,
              expires_at=now + timedelta(hours=hours))
    return raw


def token_user(raw: str) -> PasswordToken:
    """The token behind a link; DomainError with a clear message if it cannot be used."""
    token = db.session.scalar(select(PasswordToken).where(
        PasswordToken.token_hash == _hash_token(raw or "")))
    if token is None:
        raise DomainError("该链接无效。请检查链接是否完整，或联系网络信息中心重新发送。")
    if token.used_at is not None:
        raise DomainError("该链接已使用过。如需重新设置密码，请联系网络信息中心重新发送链接。")
    if token.revoked_at is not None:
        raise DomainError("该链接已失效（已发送了更新的链接）。请使用最新收到的邮件中的链接。")
    if token.expires_at <= clock.now():
        raise DomainError("该链接已过期（有效期 72 小时）。请联系网络信息中心重新发送链接。")
    if not token.user.is_active:
        raise DomainError("该账号已停用。")
    return token


def use_token(raw: str, password: str) -> User:
    token = token_user(raw)
    set_password(None, token.user, password)
    # Mark it used with a conditional update: a double submit cannot use it twice.
    result = db.session.execute(
        db.update(PasswordToken).where(PasswordToken.id == token.id,
                                       PasswordToken.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError("该链接已使用过。")
    return token.user


def unit_addresses(unit: Unit) -> list[str]:
    """Where mail for a unit goes: its own address, else its active officers' and leaders'."""
    if unit.email:
        return [unit.email]
    return list(db.session.scalars(
        select(User.email).where(User.unit_id == unit.id, User.active, User.email.is_not(None),
                                 User.role.in_([Role.officer, Role.leader]))
        .order_by(User.username)))


def unit_people_addresses(unit: Unit) -> list[str]:
    """Everyone who works a unit's reporting: its active officers and leaders, and the
    unit's own address if it has one (each address once)."""
    people = db.session.scalars(
        select(User.email).where(User.unit_id == unit.id, User.active, User.email.is_not(None),
                                 User.role.in_([Role.officer, Role.leader]))
        .order_by(User.username))
    return list(dict.fromkeys([*([unit.email] if unit.email else []), *people]))


def reachable_units(unit_ids: list[int]) -> set[int]:
    """The units among ``unit_ids`` that mail can reach (an address of their own, or an
    active officer or leader with one). Two queries."""
    own = set(db.session.scalars(select(Unit.id).where(
        Unit.id.in_(unit_ids), Unit.email.is_not(None), Unit.email != "")))
    people = set(db.session.scalars(select(User.unit_id).where(
        User.unit_id.in_(unit_ids), User.active, User.email.is_not(None),
        User.role.in_([Role.officer, Role.leader])).distinct()))
    return own | people


def authenticate(username: str, password: str) -> User | None:
    """The user if the credentials are right and the account may log in, else None."""
    user = db.session.scalar(select(User).where(func.lower(User.username) ==
                                                (username or "").strip().lower()))
    ok = passwords.verify(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        return None
    user.last_login_at = clock.now()
    return user


def record_calendar_year(actor, year: int, days: int) -> None:
    """Record that a year's official schedule was entered."""
    _record(actor, "calendar.year", detail=f"{year}年全年节假日安排（{days} 天）")


def record_calendar(actor, day, removed: bool = False) -> None:
    """Record a change to the working calendar in the admin's audit trail."""
    kind = "调休上班日" if day.is_workday else "节假日"
    _record(actor, "calendar.remove" if removed else "calendar.set",
            detail=f"{day.day.isoformat()} {kind} {day.note}")
