"""The audit trail: who changed what in the center's records, from where, before and after.

A model opts in with ``__audit__ = Audited(...)``; one session listener then
writes an :class:`AuditEntry` for every row of it inserted, changed or deleted,
in the same transaction as the change (a rolled-back change leaves no entry, a
committed one always has its entry). Secrets are recorded as changed, never
their values. Entries are append-only: the ORM refuses to change or delete
them, and on PostgreSQL a trigger refuses it in the database too.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import JSON, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from .. import clock
from ..extensions import db
from .spec import Audited

MASK = "******"


class AuditAction(enum.StrEnum):
    create = "create"
    update = "update"
    delete = "delete"

    @property
    def label(self) -> str:
        return {"create": "新增", "update": "修改", "delete": "删除"}[self.value]


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=lambda: clock.now(), index=True)
    # Who: the account (kept as text too, so the entry outlives a renamed account).
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    # Where from: the client address of a web request, or the command that ran.
    origin: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(10))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    # {column: [before, after]}; a creation has before null, a deletion after null.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)

    @property
    def action_label(self) -> str:
        return AuditAction(self.action).label


# Append-only in the database too (PostgreSQL; SQLite relies on the ORM guard below).
_PG_GUARD = sa.DDL("""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
""")
event.listen(AuditEntry.__table__, "after_create", _PG_GUARD.execute_if(dialect="postgresql"))


class AuditTrailError(RuntimeError):
    pass


# ------------------------------------------------------------------ recording


def _plain(value):
    """A JSON-safe form of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} 字节>"
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _who() -> dict:
    """The acting account and where the change came from."""
    import click
    from flask_login import current_user

    if has_request_context():
        user = current_user if getattr(current_user, "is_authenticated", False) else None
        origin = request.remote_addr or ""
        if user is not None:
            return {"actor_id": user.id, "actor": f"{user.username}（{user.display_name}）",
                    "actor_role": str(getattr(user, "role", "")), "origin": origin}
        return {"actor_id": None, "actor": "匿名访问", "actor_role": "", "origin": origin}
    ctx = click.get_current_context(silent=True)
    command = ctx.command_path if ctx is not None else "后台任务"
    return {"actor_id": None, "actor": "系统", "actor_role": "", "origin": f"命令 {command}"}


def _is_center(who: dict) -> bool:
    """The center's staff, or a command run on the server."""
    return who["actor_role"] in ("reviewer", "admin") or who["actor"] == "系统"


def _columns(obj, spec: Audited):
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        key = attr.key
        if spec.columns is not None and key not in spec.columns:
            continue
        if key in spec.ignore:
            continue
        yield key


def _shown(key, value, spec: Audited):
    return MASK if key in spec.secret and value is not None else _plain(value)


# The column that names a row on the audit page, the first one a table has.
_LABEL_ATTRS = ("number", "title", "username", "name", "term", "day", "slug")


def _entry(obj, action: AuditAction, changes: dict, who: dict) -> dict:
    state = inspect(obj)
    ident = state.identity or state.mapper.primary_key_from_instance(obj)
    label = next((str(v) for key in _LABEL_ATTRS
                  if key in state.mapper.column_attrs
                  and (v := state.attrs[key].loaded_value) not in (None, sa.orm.base.NO_VALUE)),
                 "")
    return {"at": clock.now(), "action": action.value,
            "object_type": state.mapper.local_table.name,
            "object_id": ",".join(str(i) for i in ident if i is not None),
            "label": label[:200], "changes": changes, **who}


def _audited(session: Session):
    """(object, action, spec) for every audited row in this flush, in a stable order."""
    for objs, action in ((session.new, AuditAction.create), (session.dirty, AuditAction.update),
                         (session.deleted, AuditAction.delete)):
        for obj in objs:
            spec = getattr(type(obj), "__audit__", None)
            if isinstance(spec, Audited):
                yield obj, action, spec


def _stored_values(session: Session, obj, keys: list[str]) -> dict:
    """The committed values of ``keys`` (read before the flush writes over them)."""
    state = inspect(obj)
    mapper = state.mapper
    cols = [mapper.column_attrs[k].columns[0] for k in keys]
    pk = mapper.primary_key
    row = session.connection().execute(
        sa.select(*cols).where(*[c == v for c, v in zip(pk, state.identity, strict=True)])
    ).first()
    return dict(zip(keys, row, strict=True)) if row is not None else {}


def _before_values(session: Session, who: dict) -> dict:
    """Old values the session did not load (expired after a commit), keyed by object."""
    found = {}
    for obj, action, spec in _audited(session):
        if action is AuditAction.create or (spec.center_only and not _is_center(who)):
            continue
        state = inspect(obj)
        missing = [key for key in _columns(obj, spec)
                   if not state.attrs[key].history.deleted
                   and (action is AuditAction.delete or state.attrs[key].history.added)]
        if missing and state.identity is not None:
            found[id(obj)] = _stored_values(session, obj, missing)
    return found


def _collect(session: Session, who: dict, before_values: dict) -> list[dict]:
    rows = []
    for obj, action, spec in _audited(session):
        if spec.center_only and not _is_center(who):
            continue
        state = inspect(obj)
        stored = before_values.get(id(obj), {})
        changes = {}
        for key in _columns(obj, spec):
            hist = state.attrs[key].history
            if action is AuditAction.update:
                if not hist.has_changes():
                    continue
                before = hist.deleted[0] if hist.deleted else stored.get(key)
                after = hist.added[0] if hist.added else None
                if before == after:
                    continue
            elif action is AuditAction.create:
                before, after = None, state.attrs[key].value
                if after is None:
                    continue
            else:
                value = state.attrs[key].loaded_value
                before = stored.get(key) if value is sa.orm.base.NO_VALUE else value
                after = None
            changes[key] = [_shown(key, before, spec), _shown(key, after, spec)]
        if action is AuditAction.update and not changes:
            continue
        rows.append(_entry(obj, action, changes, who))
    return rows


@event.listens_for(Session, "before_flush")
def _guard(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted
                                            or session.is_modified(obj)):
            raise AuditTrailError("审计记录只能追加，不能修改或删除。")
    session.info.pop("audit", None)
    if any(True for _ in _audited(session)):
        who = _who()
        session.info["audit"] = (who, _before_values(session, who))


@event.listens_for(Session, "after_flush")
def _write(session: Session, flush_context) -> None:
    # Here new rows have their ids and defaults, and history still shows what changed.
    pending = session.info.pop("audit", None)
    if pending is None:
        return
    entries = _collect(session, *pending)
    if entries:
        session.connection().execute(sa.insert(AuditEntry.__table__), entries)
