"""Backups: ``flask backup`` writes one verified archive; ``flask restore`` reproduces the portal.

Real databases throughout: on PostgreSQL the restore goes into a second database
created for the test (with the same schema name), on SQLite into a new file.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import stamp

from portal import backup, create_app
from portal.demo import run_seeders
from portal.extensions import db
from portal.search.service import get_index
from portal.submissions.models import Item, ItemStatus

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(query)]
    return out


def checksums(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): backup._sha256(p)
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def migrated(app):
    """The test schema, stamped as migrated to head (as ``make setup`` leaves a real one)."""
    stamp()
    yield app
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_target(app_config, tmp_path):
    """A second, empty instance with an empty database: config for ``create_app``."""
    instance = tmp_path / "restored"
    if not PG_URL:
        yield {**app_config, "INSTANCE_PATH": str(instance),
               "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}"}
        return
    options = app_config["SQLALCHEMY_ENGINE_OPTIONS"]
    schema = options["connect_args"]["options"].removeprefix("-csearch_path=")
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_URL).set(database=name)
    target = sa.create_engine(url)
    with target.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    target.dispose()
    yield {**app_config, "INSTANCE_PATH": str(instance),
           "DATABASE_URL": url.render_as_string(hide_password=False)}
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_demo_county_backed_up_and_restored_is_the_same_portal(migrated, empty_target,
                                                                 tmp_path):
    app = migrated
    run_seeders()
    db.session.commit()
    published = db.session.scalars(
        db.select(Item).where(Item.status == ItemStatus.published)).first()
    media_root = Path(app.instance_path) / "media"
    before_rows, before_files = rows(db.engine), checksums(media_root)
    assert before_files, "the demo county has media"

    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    archive, = (tmp_path / "bk").glob("portal-backup-*.tar.gz")
    assert not list((tmp_path / "bk").glob("*.part"))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["search"] == "rebuild"
    assert manifest["database"]["tables"]["item"] == len(before_rows["item"])
    assert manifest["database"]["revision"]
    assert len(manifest["files"]) == len(before_files) + 1  # the media and the database

    restored = create_app(empty_target)
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "恢复完成" in result.output
        assert rows(db.engine) == before_rows
        assert checksums(Path(restored.instance_path) / "media") == before_files
        hits = get_index(restored).search(published.title[:6])
        assert published.id in {h.id for h in hits.hits} or any(
            str(published.id) in str(h.id) for h in hits.hits)
        # A second restore into what is now a full instance is refused.
        again = restored.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "只能恢复到空的实例" in again.output
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_an_instance_that_holds_data(migrated, make_unit, tmp_path):
    archive = backup.backup(tmp_path).path
    make_unit()
    with pytest.raises(backup.BackupError, match="只能恢复到空的实例"):
        backup.restore(archive)


def _rewrite(archive: Path, out: Path, change) -> Path:
    """Copy ``archive`` to ``out``, letting ``change(name, data)`` alter or drop members."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            result = change(member.name, data)
            if result is None:
                continue
            name, data = result
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def _media_archive(app, tmp_path) -> Path:
    media = Path(app.instance_path) / "media" / "2026" / "12"
    media.mkdir(parents=True)
    (media / "a.jpg").write_bytes(b"\xff\xd8 photo")
    path = backup.backup(tmp_path / "bk").path
    for f in media.iterdir():
        f.unlink()
    _empty_database()
    return path


def _empty_database():
    """As a fresh installation (TRUNCATE on PostgreSQL: the audit trail refuses DELETE)."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)))
        else:
            for table in tables:
                conn.execute(table.delete())


def test_a_damaged_file_fails_the_checksum_and_restores_nothing(migrated, tmp_path):
    archive = _media_archive(migrated, tmp_path)
    bad = _rewrite(archive, tmp_path / "bad.tar.gz",
                   lambda n, d: (n, b"tampered" if n.endswith("a.jpg") else d))
    with pytest.raises(backup.BackupError, match="校验失败"):
        backup.restore(bad)
    assert not list((Path(migrated.instance_path) / "media").rglob("*.jpg"))


def test_a_member_outside_the_archive_is_refused(migrated, tmp_path):
    archive = _media_archive(migrated, tmp_path)

    def escape(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["../evil.txt"] = manifest["files"].pop("media/2026/12/a.jpg")
            return name, json.dumps(manifest).encode()
        return ("../evil.txt" if name.endswith("a.jpg") else name), data

    bad = _rewrite(archive, tmp_path / "evil.tar.gz", escape)
    with pytest.raises(backup.BackupError, match="不安全的路径"):
        backup.restore(bad)
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("drop", ["manifest.json", "a.jpg"])
def test_a_missing_manifest_or_file_is_refused(migrated, tmp_path, drop):
    archive = _media_archive(migrated, tmp_path)
    bad = _rewrite(archive, tmp_path / "short.tar.gz",
                   lambda n, d: None if n.endswith(drop) else (n, d))
    with pytest.raises(backup.BackupError, match="清单"):
        backup.restore(bad)


def test_not_an_archive_is_refused(migrated, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    _empty_database()
    with pytest.raises(backup.BackupError, match="已损坏"):
        backup.restore(junk)


def test_keep_prunes_all_but_the_newest_archives(migrated, tmp_path):
    folder = tmp_path / "bk"
    folder.mkdir()
    for stamp_ in ("20261101-010000", "20261102-010000", "20261103-010000"):
        (folder / f"portal-backup-{stamp_}.tar.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("kept")
    result = migrated.test_cli_runner().invoke(
        args=["backup", "--output", str(folder), "--keep", "2"])
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 3 and "notes.txt" in left
    assert "portal-backup-20261103-010000.tar.gz" in left
