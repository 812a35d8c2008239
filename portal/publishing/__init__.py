"""Review and publishing: the reviewer's queue, the public site, search, feeds.

The center's reviewers publish, schedule, return, decline and withdraw items
(``services``); the public sees only what is published: the home page panels,
the column pages (plugged into ``site`` by column kind), item and unit pages,
search (kept in step with publishing by ``indexing``), Atom feeds and the
sitemap. ``flask publish-due`` and ``flask import-items`` are in ``cli``.
"""


def init_app(app):
    from ..site.nav import admin_link, desk_link
    from ..site.views import column_view, home_panel
    from . import cli, demo, indexing, models, permissions  # noqa: F401
    from .queries import first_media
    from .views import (
        COLUMN_VIEWS,
        bp,
        conditional,
        home_banners,
        home_featured,
        home_latest,
        page_url,
    )

    app.register_blueprint(bp)
    app.after_request(conditional)
    desk_link(app, "审核队列", "publishing.queue", "desk.review", order=30)
    admin_link(app, "错敏词", "publishing.words", order=50)
    admin_link(app, "页面编辑", "publishing.pages", order=55)
    for kind, view in COLUMN_VIEWS.items():
        column_view(app, kind.value, view)
    home_panel(app, 10, "publishing/panel_banners.html", home_banners)
    home_panel(app, 20, "publishing/panel_featured.html", home_featured)
    home_panel(app, 30, "publishing/panel_latest.html", home_latest)
    indexing.init_app(app)
    cli.init_app(app)
    from .queries import column_updated

    app.jinja_env.globals.update(media_src=media_src, first_media=first_media, page_url=page_url,
                                 column_updated=column_updated)
    # The monitor's scheduler runs due publishing every minute through this hook.
    app.extensions["publish_due"] = publish_due
    # Texts outside items (replies to citizens) get the same 错敏词 check.
    from .services import text_summaries

    app.extensions["word_check"] = text_summaries


def publish_due(now=None) -> str:
    """Run due publishing and withdrawals (the caller commits); a summary, or "" if none."""
    from .services import run_due

    result = run_due(now)
    if not (result.published or result.withdrawn):
        return ""
    return f"published {len(result.published)}, withdrawn {len(result.withdrawn)}"


def media_src(media, variant: str = "file") -> str:
    """The URL of a media file or one of its renditions (served by submissions)."""
    from flask import url_for

    return url_for("submissions.media", media_id=media.id, variant=variant)
