"""The public reading pages: home, columns, items, unit pages, search, feeds, sitemap.

Anonymous readers only ever see published items here. Every page answers
conditional GETs (``conditional``), and the anonymous responses of the pages
in ``CACHED_ENDPOINTS`` are kept in the page cache (``cache``) until the
published content changes.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Unit
from ..extensions import db, limiter
from ..forms import choices
from ..html import mark_terms
from ..permissions import get_or_404
from ..publishing.forms import SearchForm
from ..search import service as search
from ..site.models import Column, ColumnKind
from ..site.views import COLUMN_VIEWS, HOME_PANELS
from ..submissions.models import Item
from . import feeds, queries
from .meta import article_meta

bp = Blueprint("public", __name__)


def _page() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/")
def home():
    panels = [(template, context()) for _, template, context
              in current_app.extensions.get(HOME_PANELS, [])]
    return render_template("public/home.html", panels=panels)


@bp.get("/column/<slug>")
def column(slug: str):
    col = db.session.scalar(select(Column).where(Column.slug == slug))
    if col is None:
        abort(404)
    view = current_app.extensions.get(COLUMN_VIEWS, {}).get(col.kind.value)
    if view is not None:
        return view(col)
    return render_template("public/column_empty.html", column=col)


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    found = get_or_404(Item, item_id, view="publishing.public_item")
    return render_template("public/item.html", item=found, title_html=found.title,
                           body_html=mark_terms(found.body_html, None),
                           meta=article_meta(found))


@bp.get("/units/<code>")
def unit(code: str):
    found = db.session.scalar(select(Unit).where(Unit.code == code))
    if found is None:
        abort(404)
    pagination = queries.paginate(queries.of_unit(found), _page())
    return render_template("public/unit.html", unit=found, pagination=pagination,
                           units_column=_column_of_kind(ColumnKind.units))


def _column_of_kind(kind: ColumnKind) -> Column | None:
    return db.session.scalar(select(Column).where(Column.kind == kind)
                             .order_by(Column.position).limit(1))


@bp.get("/search")
@limiter.limit(lambda: current_app.config["PUBLISHING_SEARCH_LIMIT"])
def search_page():
    form = SearchForm(formdata=request.args)
    form.column.choices = choices([("", "全部栏目")] + [
        (c.slug, c.name) for c in db.session.scalars(
            select(Column).where(Column.kind.in_(queries.LIST_KINDS))
            .order_by(Column.position))])
    form.unit.choices = choices([("", "全部单位")] + [
        (u.code, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.kind, Unit.code))])
    results = None
    status = 200
    if request.args and not form.validate():
        status = 400
    elif (form.q.data or "").strip():
        results = search.get_index().search(
            form.q.data, column=form.column.data or None, unit=form.unit.data or None,
            date_from=form.date_from.data, date_to=form.date_to.data, page=_page(),
            pagelen=current_app.config["PUBLISHING_SEARCH_PAGE_SIZE"])
    return render_template("public/search.html", form=form, results=results), status


@bp.get("/feed.atom")
def feed():
    return feeds.atom_response(None)


@bp.get("/column/<slug>/feed.atom")
def column_feed(slug: str):
    column = db.session.scalar(select(Column).where(Column.slug == slug,
                                                    Column.kind.in_(queries.LIST_KINDS)))
    if column is None:
        abort(404)
    return feeds.atom_response(column)


@bp.get("/sitemap.xml")
def sitemap():
    return feeds.sitemap_response()


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    return feeds.sitemap_response(part) or abort(404)


# ---- column kinds, dispatched by ``column`` -----------------------------------------------

def column_list(column: Column):
    pagination = queries.paginate(queries.in_column(column), _page())
    return render_template("public/column_list.html", column=column, pagination=pagination)


def column_gallery(column: Column):
    pagination = queries.paginate(queries.with_media(queries.in_column(column)), _page(),
                                  current_app.config["PUBLISHING_GALLERY_PAGE_SIZE"])
    return render_template("public/column_gallery.html", column=column,
                           pagination=pagination, first_media=queries.first_media)


def column_video(column: Column):
    pagination = queries.paginate(queries.with_media(queries.in_column(column)), _page())
    return render_template("public/column_video.html", column=column,
                           pagination=pagination, first_media=queries.first_media)


def column_page(column: Column):
    return render_template("public/column_page.html", column=column)


def column_units(column: Column):
    return render_template("public/column_units.html", column=column,
                           directory=queries.directory())


ITEM_COLUMN_VIEWS = {
    ColumnKind.news: column_list,
    ColumnKind.notices: column_list,
    ColumnKind.gallery: column_gallery,
    ColumnKind.video: column_video,
    ColumnKind.page: column_page,
    ColumnKind.units: column_units,
}


# ---- home page panels -------------------------------------------------------------------

def home_banners() -> dict:
    cfg = current_app.config
    return {"urgent": queries.urgent(cfg["PUBLISHING_URGENT_BANNER_HOURS"]),
            "notice": queries.latest_notice()}


def home_featured() -> dict:
    return {"featured": queries.featured_images(current_app.config["PUBLISHING_FEATURED"])}


def home_latest() -> dict:
    return {"columns": queries.latest_by_column(current_app.config["PUBLISHING_HOME_ITEMS"])}


# ---- conditional GET ----------------------------------------------------------------------

# Public pages whose responses carry an ETag (a hash of the body) and answer
# If-None-Match with 304. The hash is of what was rendered, so a withdrawal
# changes it at once; "no-cache" makes browsers and proxies ask every time.
CONDITIONAL_ENDPOINTS = {"public.home", "public.column", "public.item", "public.unit",
                         "public.search_page", "public.feed", "public.column_feed",
                         "public.sitemap", "public.sitemap_part"}


def conditional(response):
    if (request.endpoint in CONDITIONAL_ENDPOINTS and request.method in ("GET", "HEAD")
            and response.status_code == 200 and not response.direct_passthrough):
        response.cache_control.no_cache = True
        if current_user.is_authenticated:
            response.cache_control.private = True
        response.add_etag()
        response.make_conditional(request)
    return response
