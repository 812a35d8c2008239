"""What the public site reads: published items by column, unit and kind.

Only published items ever leave this module; every list is newest first.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..accounts.models import Unit, UnitKind
from ..extensions import db
from ..site.models import Column, ColumnKind
from ..submissions.models import Item, ItemKind, ItemStatus, Media

# Column kinds whose pages list items; the home page shows their latest.
LIST_KINDS = (ColumnKind.news, ColumnKind.notices, ColumnKind.gallery, ColumnKind.video)


def published() -> Select:
    """Published items, newest first, with what a list shows loaded along."""
    return (select(Item).where(Item.status == ItemStatus.published)
            .options(joinedload(Item.column), joinedload(Item.unit))
            .order_by(Item.published_at.desc(), Item.id.desc()))


def with_media(query: Select) -> Select:
    return query.options(selectinload(Item.media))


def paginate(query: Select, page: int, per_page: int | None = None):
    """A page of ``query``; 404 below page 1 or past the last page (page 1 may be empty)."""
    return db.paginate(query, page=page,
                       per_page=per_page or current_app.config["PUBLISHING_PAGE_SIZE"],
                       error_out=True)


def in_column(column: Column) -> Select:
    return published().where(Item.column_id == column.id)


def of_unit(unit: Unit) -> Select:
    return published().where(Item.unit_id == unit.id)


def latest_by_column(limit: int) -> list[tuple[Column, list[Item]]]:
    """The newest items of each listed column shown in the navigation."""
    columns = db.session.scalars(select(Column).where(Column.in_nav, Column.kind.in_(LIST_KINDS))
                                 .order_by(Column.position, Column.id)).all()
    return [(c, db.session.scalars(in_column(c).limit(limit)).all()) for c in columns]


def urgent(hours: int) -> list[Item]:
    """Urgent items published in the last ``hours`` hours (the home page's banner)."""
    since = clock.now() - timedelta(hours=hours)
    return db.session.scalars(published().where(Item.urgent, Item.published_at >= since)
                              .limit(3)).all()


def latest_notice() -> Item | None:
    """The newest item of a notices column (工作通报)."""
    return db.session.scalar(published().join(Item.column)
                             .where(Column.kind == ColumnKind.notices).limit(1))


def featured_images(limit: int) -> list[tuple[Item, Media]]:
    """The newest image items, each with its first image."""
    items = db.session.scalars(with_media(published().where(Item.kind == ItemKind.image))
                               .where(Item.media.any(Media.kind == "image"))
                               .limit(limit)).all()
    return [(item, first_media(item, "image")) for item in items]


def first_media(item: Item, kind: str) -> Media | None:
    return next((m for m in item.media if m.kind == kind), None)


def directory() -> dict[UnitKind, list[tuple[Unit, int]]]:
    """Active departments and townships with their number of published items."""
    counts = dict(db.session.execute(
        select(Item.unit_id, func.count()).where(Item.status == ItemStatus.published)
        .group_by(Item.unit_id)).all())
    units = db.session.scalars(select(Unit).where(Unit.active, Unit.kind != UnitKind.center)
                               .order_by(Unit.code)).all()
    out: dict[UnitKind, list[tuple[Unit, int]]] = {UnitKind.department: [],
                                                   UnitKind.township: []}
    for unit in units:
        out[unit.kind].append((unit, counts.get(unit.id, 0)))
    return out


def column_updated(column: Column):
    """When a column's page last changed (更新时间): its text for a page column, else the
    newest publication or withdrawal in it."""
    from ..publishing.models import PageRevision

    if column.kind == ColumnKind.page:
        return db.session.scalar(select(func.max(PageRevision.saved_at))
                                 .where(PageRevision.column_id == column.id))
    if column.kind == ColumnKind.units:
        return last_change()
    return last_change(column)


def last_change(column: Column | None = None):
    """When the published set (of a column) last changed: newest publication or withdrawal."""
    filters = [Item.column_id == column.id] if column is not None else []
    newest = db.session.execute(
        select(func.max(Item.published_at), func.max(Item.withdrawn_at)).where(*filters)).one()
    moments = [m for m in newest if m is not None]
    return max(moments) if moments else None
