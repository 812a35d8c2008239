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
    """The newest item of a notices column (工作通报): each column's newest from its
    index, so the notices are never sorted together."""
    columns = db.session.scalars(select(Column.id).where(Column.kind == ColumnKind.notices))
    newest = [db.session.scalar(published().where(Item.column_id == column_id).limit(1))
              for column_id in columns]
    newest = [item for item in newest if item is not None]
    return max(newest, key=lambda i: (i.published_at, i.id)) if newest else None


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
    """When the published set (of a column) last changed: newest publication or withdrawal.

    The newest publication is that of a published item (a withdrawn item's withdrawal is
    later than its publication); both maxima are read from an index's end."""
    return latest(*db.session.execute(select(*(q.scalar_subquery()
                                               for q in last_change_queries(column)))).one())


def last_change_queries(column: Column | None = None) -> tuple[Select, Select]:
    """The newest publication and the newest withdrawal (of a column)."""
    return last_change_selects(column.id if column is not None else None)


def last_change_selects(column_id=None) -> tuple[Select, Select]:
    """The newest publication and the newest withdrawal of the items whose column is
    ``column_id``: an id, or ``Column.id`` for subqueries correlated to columns."""
    published_at = select(func.max(Item.published_at)).where(
        Item.status == ItemStatus.published)
    withdrawn_at = select(func.max(Item.withdrawn_at))
    if column_id is not None:
        published_at = published_at.where(Item.column_id == column_id)
        withdrawn_at = withdrawn_at.where(Item.column_id == column_id)
    return published_at, withdrawn_at


def latest(*moments):
    """The latest of these moments that are known, or None."""
    return max((m for m in moments if m is not None), default=None)
