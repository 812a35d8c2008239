"""Faults: SQLite keeps its writers waiting rather than failing, and a database that goes
away gives a friendly 503 from which the portal recovers by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import Role
from portal.extensions import db
from portal.submissions.models import ItemKind

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
    # A page the cache holds is still served to readers while the database is away…
    assert client.get("/").status_code == 200
    # …any other page is the maintenance page.
    resp = client.get("/column/news")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "30"
    assert "系统维护中" in resp.get_data(as_text=True)

    path.rmdir()
    aside.rename(path)
    assert client.get("/column/news").status_code == 200


def test_an_unreachable_postgresql_gives_the_503_page(app_config):
    app = create_app({**app_config,
                      "DATABASE_URL": "postgresql+psycopg://portal@127.0.0.1:1/portal",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    "connect_args": {"connect_timeout": 2}}})
    resp = app.test_client().get("/column/news")
    assert resp.status_code == 503 and "系统维护中" in resp.get_data(as_text=True)


# ---------------------------------------------------------------- SIGKILL mid-operation

# Runs one operation in a real process of its own and kills that process (SIGKILL: no
# cleanup, no rollback, no atexit) at the worst moment the operation has. The parent then
# checks what a restarted portal finds.
KILLED = textwrap.dedent("""
    import io, json, os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from portal import create_app
    from portal.extensions import db

    config, op, args = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    app = create_app(config)

    def die(*_):
        os.kill(os.getpid(), signal.SIGKILL)

    def die_on_flush_of(model):
        def check(session, ctx):
            if any(isinstance(o, model) for o in session.new):
                die()
        event.listen(Session, "after_flush", check)

    with app.app_context():
        from portal.accounts.models import User
        from portal.submissions.models import Item
        actor = db.session.get(User, args["actor"])
        if op in ("upload-stored", "upload-spooling"):
            from PIL import Image
            from portal.submissions import media, services
            if op == "upload-stored":  # every file in place, the row not yet committed
                commit = media._Scratch.commit
                def commit_then_die(self, paths, dest):
                    commit(self, paths, dest)
                    die()
                media._Scratch.commit = commit_then_die
            else:  # half the upload on disk
                def spool_half(stream, destination, max_bytes, kind):
                    destination.write_bytes(stream.read()[:1000])
                    die()
                media._spool = spool_half
            buf = io.BytesIO()
            Image.new("RGB", (800, 600), (20, 120, 60)).save(buf, "PNG")
            buf.seek(0)
            services.attach_media(actor, db.session.get(Item, args["item"]), buf, "现场.png",
                                  "现场照片")
            db.session.commit()
        elif op == "publish":
            from portal.publishing.services import publish
            from portal.submissions.models import ItemEvent
            die_on_flush_of(ItemEvent)
            publish(db.session.get(Item, args["item"]), actor)
            db.session.commit()
        elif op == "monitor-run":
            from portal.monitor.models import MonthlyRun
            from portal.monitor.services import run_month
            die_on_flush_of(MonthlyRun)
            run_month(*args["month"], actor)
    sys.exit(3)  # not reached: the process was killed
""")


def run_killed(app_config, op: str, **args) -> None:
    import json
    import signal

    proc = subprocess.run([sys.executable, "-c", KILLED, json.dumps(app_config), op,
                           json.dumps(args)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]


@pytest.fixture
def township(make_unit, make_user):
    unit = make_unit(skip_signoff=True)
    return make_user(unit=unit), make_user(Role.reviewer)


@pytest.mark.parametrize("moment", ["upload-stored", "upload-spooling"])
def test_an_upload_killed_leaves_no_row_and_nothing_the_sweep_does_not_remove(
        app, app_config, township, make_item, moment):
    from portal.submissions import media as media_files
    from portal.submissions import services
    from portal.submissions.models import Media

    officer, _ = township
    item = make_item(officer.unit, submitted=None, title="现场图片")
    item.kind, item.author = ItemKind.image, officer
    db.session.commit()
    run_killed(app_config, moment, actor=officer.id, item=item.id)
    db.session.expire_all()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 0
    root = services.media_root()
    placed = sorted(p.relative_to(root).as_posix() for p in root.glob("[0-9]*/*/*"))
    if moment == "upload-spooling":
        assert placed == []  # a half file never leaves the scratch folder
    else:  # whole files, re-encoded and complete, but not referred to: the sweep's job
        assert placed and all((root / p).stat().st_size > 0 for p in placed)
    swept = media_files.sweep(root, services.referenced_paths(), dry_run=False,
                              older_than=timedelta(0))
    assert set(placed) <= set(swept)
    assert not list(root.glob("[0-9]*/*/*")) and not list(root.glob(".tmp/*"))


def test_a_publish_killed_before_its_commit_leaves_the_item_submitted(
        app, app_config, township, make_item):
    from portal.submissions.models import Item, ItemEvent, ItemStatus

    officer, reviewer = township
    item = make_item(officer.unit, title="待发布")
    events = len(item.events)
    run_killed(app_config, "publish", actor=reviewer.id, item=item.id)
    db.session.expire_all()
    item = db.session.get(Item, item.id)
    assert item.status == ItemStatus.submitted and item.published_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemEvent)
                             .where(ItemEvent.item_id == item.id)) == events
    from portal.search.service import get_index
    assert get_index().doc_count() == 0


def test_a_monitor_run_killed_posts_no_half_notice(app, app_config, center, township,
                                                   make_item, today):
    from portal.monitor.models import MonthlyRun, UnitFigures
    from portal.submissions.models import Item

    today("2026-12-02 10:00")
    officer, reviewer = township
    make_item(officer.unit, submitted="2026-11-10 10:00")
    items = db.session.scalar(sa.select(sa.func.count()).select_from(Item))
    run_killed(app_config, "monitor-run", actor=reviewer.id, month=[2026, 11])
    db.session.expire_all()
    for model in (MonthlyRun, UnitFigures):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Item)) == items
    # And the month can be run afterwards as if nothing happened.
    from portal.monitor.services import run_month
    assert run_month(2026, 11, reviewer).revision == 1
