"""Import items from an old portal: one JSON object a line (JSON Lines).

Each line: ``external_id``, ``title``, ``body`` (HTML), ``column`` (slug, or
the column's name as the site shows it), ``unit`` (code, or the unit's exact
name), ``kind``, ``submitted_at``, ``published_at`` (ISO 8601 with an
offset), optional ``summary`` and ``status`` (default ``published``; also
``withdrawn``, ``submitted`` or ``declined``). Items are matched by
``external_id``: one already in the portal is left as it is, so importing the
same file twice changes nothing. A bad line is reported with its number and
skipped; the good lines are kept. Bodies are sanitised like every other text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock, html
from ..accounts.models import Unit
from ..errors import DomainError
from ..extensions import db
from ..site.models import Column, ColumnKind
from ..submissions.models import Item, ItemEvent, ItemKind, ItemStatus

S = ItemStatus
IMPORTABLE_STATUSES = {S.published, S.withdrawn, S.submitted, S.declined}
# Column kinds whose pages list items (the others show a page, a directory or messages).
ITEM_COLUMN_KINDS = {ColumnKind.news, ColumnKind.notices, ColumnKind.gallery, ColumnKind.video}
KIND_ALIASES = {**{k.value: k for k in ItemKind}, **{k.label: k for k in ItemKind}}
REQUIRED = ("external_id", "title", "body", "column", "unit", "kind", "submitted_at")


@dataclass
class ImportReport:
    lines: int = 0
    created: list[int] = field(default_factory=list)
    existing: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (f"共读取 {self.lines} 行：导入 {len(self.created)} 条，"
                f"已存在跳过 {self.existing} 条，出错 {len(self.errors)} 行。")


class _Lookup:
    """Columns and units by every name a line may use, loaded once."""

    def __init__(self):
        columns = db.session.scalars(select(Column)).all()
        self.columns = {c.slug: c for c in columns} | {c.name: c for c in columns}
        units = db.session.scalars(select(Unit)).all()
        self.units = {u.code.lower(): u for u in units} | {u.name: u for u in units}

    def column(self, value: str) -> Column:
        col = self.columns.get(value)
        if col is None:
            raise DomainError(f"栏目不存在：{value}")
        if col.kind not in ITEM_COLUMN_KINDS:
            raise DomainError(f"栏目「{col.name}」不发布信息条目")
        return col

    def unit(self, value: str) -> Unit:
        unit = self.units.get(value.lower()) or self.units.get(value)
        if unit is None:
            raise DomainError(f"单位不存在：{value}")
        return unit


def _text(record: dict, key: str, limit: int, required: bool = True) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DomainError(f"字段 {key} 应为非空字符串")
    value = value.strip()
    if len(value) > limit:
        raise DomainError(f"字段 {key} 超过 {limit} 个字符")
    return value


def _instant(record: dict, key: str) -> datetime | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DomainError(f"字段 {key} 不是 ISO 8601 时间：{value}")
    if parsed.tzinfo is None:
        raise DomainError(f"字段 {key} 须带时区偏移，例如 2024-05-01T09:30:00+08:00")
    return parsed.astimezone(UTC)


def _parse(record, lookup: _Lookup) -> dict:
    if not isinstance(record, dict):
        raise DomainError("每行应为一个 JSON 对象")
    missing = [k for k in REQUIRED if record.get(k) in (None, "")]
    if missing:
        raise DomainError("缺少字段：" + "、".join(missing))
    kind = KIND_ALIASES.get(str(record["kind"]).strip())
    if kind is None:
        raise DomainError(f"类型无效：{record['kind']}（应为 text、image、video 或 audio）")
    try:
        status = S(str(record.get("status") or "published").strip())
    except ValueError:
        status = None
    if status not in IMPORTABLE_STATUSES:
        raise DomainError(f"状态无效：{record.get('status')}（可为 published、withdrawn、"
                          f"submitted、declined）")
    submitted_at, published_at = _instant(record, "submitted_at"), _instant(record, "published_at")
    if status in (S.published, S.withdrawn) and published_at is None:
        raise DomainError("已发布或已撤稿的信息须有 published_at")
    if published_at is not None and published_at < submitted_at:
        raise DomainError("published_at 早于 submitted_at")
    if not isinstance(record["body"], str):
        raise DomainError("字段 body 应为字符串")
    return {
        "external_id": _text(record, "external_id", 100),
        "title": _text(record, "title", 200),
        "summary": _text(record, "summary", 500, required=False),
        "body_html": html.sanitize(record["body"]),
        "column": lookup.column(_text(record, "column", 40)),
        "unit": lookup.unit(_text(record, "unit", 100)),
        "kind": kind,
        "status": status,
        "submitted_at": submitted_at,
        "published_at": published_at if status in (S.published, S.withdrawn) else None,
        "withdrawn_at": ((_instant(record, "withdrawn_at") or clock.now())
                         if status == S.withdrawn else None),
    }


def import_items(lines: Iterable[str]) -> ImportReport:
    """Create the items described by ``lines``; flush only (the caller commits).

    Each line is created in a savepoint, so a line the database refuses is
    reported without undoing the others.
    """
    report = ImportReport()
    lookup = _Lookup()
    for number, line in enumerate(lines, 1):
        report.lines = number
        if not line.strip():
            continue
        try:
            fields = _parse(json.loads(line), lookup)
        except json.JSONDecodeError as e:
            report.errors.append((number, f"不是有效的 JSON（第 {e.colno} 列：{e.msg}）"))
            continue
        except DomainError as e:
            report.errors.append((number, e.message))
            continue
        exists = db.session.scalar(select(func.count()).select_from(Item)
                                   .where(Item.external_id == fields["external_id"]))
        if exists:
            report.existing += 1
            continue
        item = Item(**fields, first_submitted_at=fields["submitted_at"],
                    created_at=fields["submitted_at"])
        item.events.append(ItemEvent(action="import", from_status=None, to_status=item.status,
                                     at=clock.now(),
                                     comment=f"从旧网站导入（原编号 {item.external_id}）"))
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except IntegrityError:
            report.errors.append((number, f"无法保存（external_id {fields['external_id']} 冲突）"))
            continue
        report.created.append(item.id)
        db.session.expunge(item)  # a large archive must not pile up in the session
    return report
