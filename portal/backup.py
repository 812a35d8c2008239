"""Backups: one archive holding a consistent database snapshot, the media and a manifest.

``flask --app portal backup`` writes ``portal-backup-YYYYmmdd-HHMMSS.tar.gz``:

* ``database.sqlite3`` — SQLite's online backup API (a consistent copy while the
  portal keeps serving), or ``database.pgdump`` — ``pg_dump`` in custom format of
  the portal's schema, taken inside a REPEATABLE READ transaction whose snapshot
  is exported to ``pg_dump --snapshot`` so the row counts in the manifest and the
  dump describe the same instant;
* ``media/…`` — every uploaded file (read after the snapshot, so every file the
  snapshot refers to is there);
* ``manifest.json`` — format, time, the database's dialect, schema, migration
  revision and row count of every table, a SHA-256 of every other member, and
  ``"search": "rebuild"``: the index is derived data, rebuilt on restore.

The archive is written beside its final name and renamed into place, so a killed
backup never leaves a file that looks complete.

``flask --app portal restore ARCHIVE`` refuses an instance that already holds
data, checks every member against the manifest before touching anything (no
path outside the archive, no missing or extra file, every checksum), then loads
the database, brings it to the current migration, copies the media, compares
row counts and rebuilds the search index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA = "media"
PREFIX = "portal-backup-"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


@dataclass
class Result:
    path: Path
    tables: int
    rows: int
    files: int


# ---------------------------------------------------------------- helpers


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _media_root() -> Path:
    cfg = current_app.config
    return Path(cfg.get("MEDIA_ROOT") or Path(current_app.instance_path) / "media")


def _media_files(root: Path) -> Iterable[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _table_names() -> list[str]:
    return [t.name for t in db.metadata.sorted_tables] + ["alembic_version"]


def _counts(conn, names: Iterable[str]) -> dict[str, int]:
    present = set(sa.inspect(conn).get_table_names())
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names if name in present}


def _revision(conn) -> str | None:
    if "alembic_version" not in sa.inspect(conn).get_table_names():
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _pg_dsn(url: sa.URL) -> str:
    """A libpq connection string for pg_dump / pg_restore (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str], what: str) -> None:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise BackupError(f"找不到 {args[0]}，请安装 PostgreSQL 客户端工具。") from e
    if proc.returncode != 0:
        raise BackupError(f"{what}失败：{proc.stderr.strip()[-500:]}")


# ---------------------------------------------------------------- backup


def _snapshot_sqlite(engine: sa.Engine, dest: Path) -> dict:
    src = sqlite3.connect(engine.url.database)
    try:
        out = sqlite3.connect(dest)
        with out:
            src.backup(out)
        out.close()
    finally:
        src.close()
    # Facts are read from the copy itself: they describe exactly what was saved.
    snap = sa.create_engine(f"sqlite:///{dest}")
    try:
        with snap.connect() as conn:
            return {"dialect": "sqlite", "schema": None, "revision": _revision(conn),
                    "tables": _counts(conn, _table_names()), "member": SQLITE_MEMBER}
    finally:
        snap.dispose()


def _snapshot_postgres(engine: sa.Engine, dest: Path) -> dict:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
            facts = {"dialect": "postgresql", "schema": schema, "revision": _revision(conn),
                     "tables": _counts(conn, _table_names()), "member": PG_MEMBER}
            # pg_dump runs while this transaction holds the snapshot open.
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--schema={schema}", f"--snapshot={snapshot}", f"--file={dest}",
                  f"--dbname={_pg_dsn(engine.url)}"], "数据库导出")
    return facts


def backup(output: Path | None = None) -> Result:
    """Write one archive; ``output`` is a directory (default ``instance/backups``) or a file."""
    output = output or Path(current_app.instance_path) / "backups"
    if output.name.endswith(".tar.gz"):
        target = output
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = output / f"{PREFIX}{stamp}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        tmp = Path(tmp)
        if engine.dialect.name == "sqlite":
            database = _snapshot_sqlite(engine, tmp / SQLITE_MEMBER)
        elif engine.dialect.name == "postgresql":
            database = _snapshot_postgres(engine, tmp / PG_MEMBER)
        else:
            raise BackupError(f"不支持的数据库：{engine.dialect.name}")
        members = {database["member"]: tmp / database["member"]}
        root = _media_root()
        for path in _media_files(root):
            members[f"{MEDIA}/{path.relative_to(root).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database,
            "search": "rebuild",
            "files": {name: _sha256(path) for name, path in members.items()},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        part = target.with_name(target.name + ".part")
        with tarfile.open(part, "w:gz") as tar:
            tar.add(tmp / MANIFEST, arcname=MANIFEST)
            for name, path in members.items():
                tar.add(path, arcname=name)
        with part.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(part, target)
    return Result(target, len(database["tables"]), sum(database["tables"].values()),
                  len(members) - 1)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``folder``; returns what was deleted."""
    archives = sorted(folder.glob(f"{PREFIX}*.tar.gz"))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


# ---------------------------------------------------------------- restore


def _instance_holds_data() -> str | None:
    """Why this instance is not empty, or None."""
    with db.engine.connect() as conn:
        counts = _counts(conn, _table_names())
    full = sorted(name for name, n in counts.items() if n and name != "alembic_version")
    if full:
        return "数据库已有数据（" + "、".join(full[:5]) + "）"
    if any(True for _ in _media_files(_media_root())):
        return f"媒体目录不为空（{_media_root()}）"
    return None


def _unpack(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = {m.name for m in tar.getmembers() if not m.isdir()}
            if MANIFEST not in names:
                raise BackupError("备份文件缺少清单（manifest.json），无法确认其完整性。")
            manifest = json.load(tar.extractfile(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
            expected = set(manifest["files"]) | {MANIFEST}
            if names != expected:
                missing, extra = sorted(expected - names), sorted(names - expected)
                raise BackupError(f"备份文件与清单不符：缺少 {missing[:5]}，多出 {extra[:5]}。")
            try:
                tar.extractall(into, filter="data")
            except tarfile.FilterError as e:
                raise BackupError(f"备份文件含不安全的路径：{e}") from e
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError, KeyError) as e:
        raise BackupError(f"备份文件已损坏或无法读取：{e}") from e
    bad = [name for name, digest in manifest["files"].items()
           if _sha256(into / name) != digest]
    if bad:
        raise BackupError(f"备份文件校验失败：{bad[:5]}")
    return manifest


def _load_sqlite(source: Path) -> None:
    engine = db.engine
    engine.dispose()
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(engine.url.database)
        with dst:
            src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        dst.close()
    finally:
        src.close()
    if check != "ok":
        raise BackupError(f"恢复后的数据库完整性检查未通过：{check}")


def _is_schema_entry(line: str) -> bool:
    """A ``pg_restore --list`` line creating or commenting the schema itself.

    Lines read ``<id>; <oid> <oid> <TYPE> <namespace> <name…> <owner>``.
    """
    parts = line.split()
    if line.startswith(";") or len(parts) < 6:
        return False
    return parts[3] == "SCHEMA" or (parts[3] == "COMMENT" and parts[5] == "SCHEMA")


def _load_postgres(source: Path, facts: dict) -> None:
    engine = db.engine
    with engine.begin() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        if schema != facts["schema"]:
            raise BackupError(f"备份来自模式 {facts['schema']}，当前数据库使用 {schema}。")
        # Empty tables of a fresh installation (e.g. after ``flask db upgrade``) go first.
        present = sa.inspect(conn).get_table_names(schema=schema)
        for name in present:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{schema}"."{name}" CASCADE'))
        for (name,) in conn.execute(sa.text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                " WHERE n.nspname = :s AND t.typtype = 'e'"), {"s": schema}):
            conn.execute(sa.text(f'DROP TYPE IF EXISTS "{schema}"."{name}" CASCADE'))
    engine.dispose()
    dsn = _pg_dsn(engine.url)
    # The schema itself already exists here: restore everything but its CREATE SCHEMA.
    listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True,
                             text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"数据库备份无法读取：{listing.stderr.strip()[-500:]}")
    entries = [line for line in listing.stdout.splitlines() if not _is_schema_entry(line)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as f:
        f.write("\n".join(entries) + "\n")
    try:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--use-list={f.name}", f"--dbname={dsn}", str(source)],
             "数据库恢复")
    finally:
        os.unlink(f.name)


def restore(archive: Path, *, progress=None) -> Result:
    from flask_migrate import upgrade

    from .search.service import all_documents, get_index

    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    reason = _instance_holds_data()
    if reason:
        raise BackupError(f"只能恢复到空的实例：{reason}。请先换用新的实例目录和空数据库。")
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        tmp = Path(tmp)
        manifest = _unpack(archive, tmp)
        facts = manifest["database"]
        if facts["dialect"] != db.engine.dialect.name:
            raise BackupError(f"备份来自 {facts['dialect']}，当前数据库是 "
                              f"{db.engine.dialect.name}；请恢复到同类数据库。")
        if facts["dialect"] == "sqlite":
            _load_sqlite(tmp / SQLITE_MEMBER)
        else:
            _load_postgres(tmp / PG_MEMBER, facts)
        db.session.remove()
        with db.engine.connect() as conn:
            counts = _counts(conn, facts["tables"])
        if counts != facts["tables"]:
            wrong = sorted(k for k in facts["tables"] if counts.get(k) != facts["tables"][k])
            raise BackupError(f"恢复后的行数与清单不符：{wrong[:5]}")
        upgrade()
        media = _media_root()
        files = 0
        for name in manifest["files"]:
            if name.startswith(MEDIA + "/"):
                dest = media / name[len(MEDIA) + 1:]
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(tmp / name, dest)
                files += 1
    docs, total = all_documents()
    get_index().rebuild(docs, total=total, progress=progress)
    return Result(archive, len(facts["tables"]), sum(facts["tables"].values()), files)


# ---------------------------------------------------------------- commands


@click.command("backup")
@click.option("--output", type=click.Path(path_type=Path),
              help="备份目录（默认 instance/backups）或 .tar.gz 文件名。")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="只保留该目录中最新的 N 份备份。")
@with_appcontext
def backup_command(output: Path | None, keep: int | None):
    """Back up the database, media and a manifest of checksums into one archive."""
    try:
        result = backup(output)
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"备份完成：{result.path}（{result.tables} 张表，{result.rows} 行，"
               f"{result.files} 个媒体文件）")
    if keep:
        for path in prune(result.path.parent, keep):
            click.echo(f"已删除旧备份：{path.name}")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(archive: Path):
    """Restore an archive made by ``backup`` into this (empty) instance."""
    try:
        result = restore(archive)
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"恢复完成：{result.tables} 张表，{result.rows} 行，{result.files} 个媒体文件；"
               "检索索引已重建。")


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
