"""The hooks the public pages are built from (home panels, column kinds, sitemap sources),
the site's identity page for admins, robots.txt, the favicon and the 关怀版 switch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ..extensions import db
from ..permissions import require_login_and
from ..urls import safe_next
from .models import Column

bp = Blueprint("site", __name__)

HOME_PANELS = "home_panels"
COLUMN_VIEWS = "column_views"


def column_view(app, kind: str, view: Callable[[Column], object]) -> None:
    """Let a feature package render columns of ``kind`` at ``/column/<slug>``."""
    app.extensions.setdefault(COLUMN_VIEWS, {})[kind] = view


def home_panel(app, order: int, template: str, context: Callable[[], dict]) -> None:
    """Let a feature package add a panel (a template and its context) to the home page."""
    panels = app.extensions.setdefault(HOME_PANELS, [])
    panels.append((order, template, context))
    panels.sort(key=lambda p: p[0])


ITEM_PANELS = "item_panels"


def item_panel(app, order: int, template: str, context: Callable[[object], dict | None]) -> None:
    """Let a feature package add a panel to the staff's item pages (the unit's and the
    reviewer's): ``context(item)`` returns the template's context, or None to show nothing."""
    panels = app.extensions.setdefault(ITEM_PANELS, [])
    panels.append((order, template, context))
    panels.sort(key=lambda p: p[0])


@bp.app_template_global("item_panels")
def item_panels(item) -> list[tuple[str, dict]]:
    """The panels feature packages show on ``item``'s staff pages, as (template, context)."""
    found = []
    for _, template, context in current_app.extensions.get(ITEM_PANELS, []):
        values = context(item)
        if values is not None:
            found.append((template, values))
    return found


SITEMAP_SOURCES = "sitemap_sources"


def sitemap_source(app, urls: Callable[[], Iterable[tuple[str, datetime]]]) -> None:
    """Let a feature package list public pages of its own in the sitemap: ``urls()`` yields
    ``(absolute url, last changed)``."""
    app.extensions.setdefault(SITEMAP_SOURCES, []).append(urls)


def sitemap_sources() -> list[Callable[[], Iterable[tuple[str, datetime]]]]:
    return current_app.extensions.get(SITEMAP_SOURCES, [])


def nav_columns() -> list[Column]:
    return db.session.scalars(
        db.select(Column).where(Column.in_nav).order_by(Column.position, Column.id)).all()


@bp.route("/admin/site", methods=["GET", "POST"])
@require_login_and("admin.access")
def settings():
    """The admin's page for the site's identity (footer and meta tags of every page)."""
    from ..errors import DomainError
    from . import settings as site_settings

    current = site_settings.site_values()
    status = 200
    if request.method == "POST":
        if not validate_csrf_form():
            abort(400)
        try:
            changed = site_settings.save(request.form.to_dict())
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            status = 400
        else:
            db.session.commit()
            flash(f"网站信息已保存（修改 {changed} 项）。" if changed else "没有修改。", "success")
            return redirect(url_for("site.settings"))
    values = request.form.to_dict() if status == 400 else current
    return render_template("site/settings.html", fields=site_settings.FIELDS,
                           values=values), status


def validate_csrf_form() -> bool:
    from flask_wtf.csrf import ValidationError, validate_csrf

    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


# Desks and forms: nothing for a crawler there (they answer 302/403 anyway).
ROBOTS_DISALLOW = ["/desk/", "/review/", "/admin/", "/monitor/", "/audit/", "/login",
                   "/account/", "/messages/query", "/messages/sent", "/care-mode/"]


@bp.get("/robots.txt")
def robots():
    from ..urls import external_url

    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "",
             f"Sitemap: {external_url('public.sitemap')}", ""]
    return "\n".join(lines), 200, {"Content-Type": "text/plain; charset=utf-8",
                                   "Cache-Control": "public, max-age=86400"}


@bp.get("/favicon.ico")
def favicon():
    # Sent from memory, not as a file stream: browsers often drop this request half-way,
    # and a dropped stream leaves the file open until the garbage collector finds it.
    icon = current_app.extensions.get("favicon")
    if icon is None:
        icon = current_app.extensions["favicon"] = (
            Path(current_app.static_folder) / "favicon.ico").read_bytes()
    response = current_app.response_class(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/care-mode/<mode>")
def care_mode(mode: str):
    """Switch the elder-friendly 关怀版 (larger text, higher contrast), kept in a cookie."""
    if mode not in ("on", "off"):
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or "/")
    if mode == "on":
        response.set_cookie("care", "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie("care")
    return response
