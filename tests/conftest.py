"""Fixtures shared by every test: app, database, client with CSRF, users, login.

The database is real: a SQLite file per session, or PostgreSQL when
PORTAL_TEST_DATABASE_URL is set (each session works in a schema of its own and
drops it at the end, so the database is left clean). The schema is created
once; after each test every table is emptied.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal import clock, create_app
from portal.accounts import passwords
from portal.accounts.models import Role, Unit, UnitKind, User
from portal.extensions import db
from portal.site.models import Column, ensure_default_columns
from portal.submissions.models import Item, ItemKind, ItemStatus

PASSWORD = "Test-pass-2026"
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """(url, engine options) of a fresh, empty database for this test session."""
    if PG_URL:
        schema = f"test_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        yield PG_URL, {"connect_args": {"options": f"-csearch_path={schema}"},
                       "pool_pre_ping": True}
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}", {"connect_args": {"timeout": 15}}


@pytest.fixture(scope="session")
def _schema(database, tmp_path_factory):
    url, options = database
    app = create_app(_config(url, options, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return database


_HASH = None


def password_hash() -> str:
    """The hash of PASSWORD, computed once (scrypt is deliberately slow)."""
    global _HASH
    if _HASH is None:
        _HASH = passwords.hash_password(PASSWORD)
    return _HASH


def _config(url, options, instance: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + secrets.token_hex(8),
        "DATABASE_URL": url,
        "SQLALCHEMY_ENGINE_OPTIONS": options,
        "INSTANCE_PATH": str(instance),
        "BASE_URL": "http://portal.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra,
    }


@pytest.fixture
def app_config(_schema, tmp_path):
    url, options = _schema
    return _config(url, options, tmp_path / "instance")


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = CSRFClient
    with app.app_context():
        ensure_default_columns()
        db.session.commit()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form post.

    Pass ``csrf=False`` to post without one (to test the refusal), or a
    ``csrf_token`` of your own in ``data``.
    """

    def _token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.setdefault("data", {})
            if isinstance(data, dict) and "csrf_token" not in data:
                data["csrf_token"] = self._token()
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = itertools.count(1)


@pytest.fixture
def make_unit(app):
    def make(kind: str | UnitKind = UnitKind.township, name: str | None = None,
             code: str | None = None, **fields) -> Unit:
        n = next(_seq)
        kind = UnitKind(kind)
        unit = Unit(code=code or f"{kind.value[0].upper()}{n:03d}",
                    name=name or f"测试{kind.label}{n}", kind=kind,
                    **{"counted": kind != UnitKind.center, **fields})
        db.session.add(unit)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def center(make_unit) -> Unit:
    return make_unit(UnitKind.center, name="网络信息中心", code="center")


@pytest.fixture
def make_user(app, make_unit, center):
    def make(role: str | Role = Role.officer, unit: Unit | None = None,
             username: str | None = None, **fields) -> User:
        role = Role(role)
        if unit is None:
            unit = center if role in (Role.reviewer, Role.admin) else make_unit()
        user = User(username=username or f"{role.value}{next(_seq)}", unit=unit, role=role,
                    name=fields.pop("name", f"{role.label}{next(_seq)}"),
                    email=fields.pop("email", None) or f"u{next(_seq)}@example.gov.cn",
                    password_hash=fields.pop("password_hash", password_hash()), **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """``login(user)`` puts ``user``'s session on the client (no form round trip)."""

    def do(user: User, c: FlaskClient | None = None) -> FlaskClient:
        from flask import g

        # Test requests share the test's app context, where Flask-Login caches the user.
        g.pop("_login_user", None)
        c = c or client
        with c.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return c

    return do


@pytest.fixture
def outbox(app):
    """``outbox()`` -> the e-mails written so far, oldest first, as text."""
    from email import message_from_bytes, policy

    def read() -> list:
        folder = Path(app.instance_path) / "outbox"
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]

    return read


def link_in(message, pattern=r"https?://\S+/set-password/\S+") -> str:
    """The first URL matching ``pattern`` in an e-mail's body."""
    body = message.get_content()
    found = re.search(pattern, body)
    assert found, body
    return found.group(0)


@pytest.fixture
def make_item(app):
    """``make_item(unit, submitted="2026-10-31 23:30", ...)``: an item that reached the center
    at that China-time instant (and was published at ``published`` if given)."""
    news = db.session.scalar(select(Column).where(Column.slug == "news"))

    def at(text: str | None) -> datetime | None:
        return clock.from_local(datetime.fromisoformat(text)) if text else None

    def make(unit, submitted: str | None = "2026-10-15 10:00", published: str | None = None,
             status: ItemStatus | None = None, urgent: bool = False, late: bool = False,
             title: str = "测试信息") -> Item:
        item = Item(kind=ItemKind.text, title=title, column=news, unit=unit,
                    first_submitted_at=at(submitted), submitted_at=at(submitted),
                    published_at=at(published), urgent=urgent, late=late,
                    status=status or (ItemStatus.published if published else
                                      ItemStatus.submitted if submitted else ItemStatus.draft))
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def today(monkeypatch):
    """Pin the portal's clock: ``today("2026-11-20 10:00")`` (China time)."""

    def set_(text: str):
        fixed = clock.from_local(datetime.fromisoformat(text))
        monkeypatch.setattr(clock, "now", lambda: fixed)
        return fixed

    return set_
