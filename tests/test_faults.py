"""Faults: SQLite keeps its writers waiting rather than failing, and a database that goes
away gives a friendly 503 from which the portal recovers by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

PG = bool(os.environ.get("PORTAL_TEST_DATABASE_URL"))


@pytest.mark.skipif(PG, reason="SQLite's journal")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


WRITER = textwrap.dedent("""
    import sys
    from portal import create_app
    from portal.accounts.models import Unit, UnitKind
    from portal.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1],
                      "INSTANCE_PATH": sys.argv[2]})
    with app.app_context():
        for i in range(150):
            db.session.add(Unit(code=f"{sys.argv[3]}{i}", name=f"并发{sys.argv[3]}{i}",
                                kind=UnitKind.township))
            db.session.commit()
""")


@pytest.mark.skipif(PG, reason="SQLite's locking")
def test_concurrent_writers_on_sqlite_all_commit(app_config, tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    setup = create_app({**app_config, "DATABASE_URL": url})
    with setup.app_context():
        db.create_all()
        db.engine.dispose()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(tmp_path / f"i{n}"), f"W{n}"],
                              stderr=subprocess.PIPE, text=True) for n in range(3)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM unit")).scalar() == 450
    engine.dispose()


def test_a_database_that_goes_away_gives_a_503_and_the_portal_recovers(app_config, tmp_path):
    """SQLite: the database file is replaced by a directory (unopenable), then put back."""
    path = tmp_path / "down.db"
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    "poolclass": sa.pool.NullPool}})
    with app.app_context():
        db.create_all()
        from portal.site.models import ensure_default_columns
        ensure_default_columns()
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert client.get("/").status_code == 200

    aside = Path(str(path) + ".aside")
    path.rename(aside)
    path.mkdir()
    resp = client.get("/")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "30"
    assert "系统维护中" in resp.get_data(as_text=True)

    path.rmdir()
    aside.rename(path)
    assert client.get("/").status_code == 200


def test_an_unreachable_postgresql_gives_the_503_page(app_config):
    app = create_app({**app_config,
                      "DATABASE_URL": "postgresql+psycopg://portal@127.0.0.1:1/portal",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    "connect_args": {"connect_timeout": 2}}})
    resp = app.test_client().get("/column/news")
    assert resp.status_code == 503 and "系统维护中" in resp.get_data(as_text=True)
