"""Review and publishing: the reviewer's queue and decisions, the word check (错敏词),
scheduled publishing, the search index kept in step (``indexing``) and the admin's page
editor. The pages the public reads are in ``portal.public``. ``flask publish-due`` and
``flask import-items`` are in ``cli``.
"""


def init_app(app):
    from ..site.nav import admin_link, desk_link
    from . import cli, demo, indexing, models, permissions  # noqa: F401
    from .views import bp, page_url

    app.register_blueprint(bp)
    desk_link(app, "审核队列", "publishing.queue", "desk.review", order=30)
    admin_link(app, "错敏词", "publishing.words", order=50)
    admin_link(app, "页面编辑", "publishing.pages", order=55)
    indexing.init_app(app)
    cli.init_app(app)
    app.jinja_env.globals.update(media_src=media_src, page_url=page_url)
    # The monitor's scheduler runs due publishing every minute through this hook.
    app.extensions["publish_due"] = publish_due
    # Texts outside items (replies to citizens) get the same 错敏词 check.
    # Items are checked where they are written and signed off (submissions) the same way.
    from .services import mark_html, text_findings, text_summaries

    app.extensions["word_check"] = text_summaries
    app.extensions["word_check_texts"] = text_findings
    app.extensions["word_mark"] = mark_html


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
