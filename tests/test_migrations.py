"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal import create_app
from portal.extensions import db, render_item

ROOT = Path(__file__).parent.parent
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}", {}
        return
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield PG_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_upgrade_builds_exactly_the_models(empty_database, tmp_path):
    from flask_migrate import downgrade, upgrade

    url, options = empty_database
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_ENGINE_OPTIONS": options})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_item": render_item})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_flask_db_upgrade_command_works_on_a_fresh_instance(tmp_path):
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path / "inst")}
    env.pop("PORTAL_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "inst" / "portal.db").exists()


def test_every_migration_is_in_one_linear_history():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1, "several migration heads: merge them"
