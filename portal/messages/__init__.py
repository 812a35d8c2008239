"""Citizen messages (市民留言): the public form and query code, the center's
moderation and dispatch, the unit inbox with working-day deadlines, the public
board with personal data masked, and the figures the monitor reads.

Depends on accounts and site (and the shared services: clock, mail, search);
nothing here imports submissions or publishing.
"""


def init_app(app):
    from ..search.service import register_source
    from ..site.nav import desk_link, desk_notice
    from ..site.views import column_view, home_panel, sitemap_source
    from . import demo, models, permissions  # noqa: F401  (seeder, tables, rules)
    from .cli import messages_cli
    from .public import all_search_docs, count_public, sitemap_urls
    from .views import (
        board,
        bp,
        desk_notices,
        highlight_masks,
        home_panel_context,
        scrub_filter,
    )

    app.register_blueprint(bp)
    app.jinja_env.filters["message_scrub"] = scrub_filter
    app.jinja_env.filters["highlight_masks"] = highlight_masks
    column_view(app, "messages", board)
    home_panel(app, 40, "messages/_home_panel.html", home_panel_context)
    desk_link(app, "留言办理", "messages.inbox", "messages.inbox", order=25)
    desk_link(app, "留言受理", "messages.moderation", "center.access", order=32)
    desk_notice(app, desk_notices)
    register_source(app, "message", all_search_docs, count_public)
    sitemap_source(app, sitemap_urls)
    from .. import clock
    from .services import recompute_deadlines

    clock.calendar_changed.connect(recompute_deadlines, weak=False)

    app.cli.add_command(messages_cli)
