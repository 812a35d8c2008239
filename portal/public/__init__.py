"""The public site: every page an anonymous reader sees (home, columns, items, unit pages,
search, feeds, sitemap), with the page cache at its edge.

It sits on top (beside ``monitor``): it reads what ``publishing`` published and what
``messages`` made public, and lower packages add to it only through the hooks in
``site.views`` (home panels, column kinds, sitemap sources).
"""


def init_app(app):
    from ..site.views import column_view, home_panel
    from . import cache
    from .queries import column_updated, first_media
    from .views import (
        ITEM_COLUMN_VIEWS,
        bp,
        conditional,
        home_banners,
        home_featured,
        home_latest,
    )

    app.register_blueprint(bp)
    app.after_request(conditional)
    for kind, view in ITEM_COLUMN_VIEWS.items():
        column_view(app, kind.value, view)
    home_panel(app, 10, "public/panel_banners.html", home_banners)
    home_panel(app, 20, "public/panel_featured.html", home_featured)
    home_panel(app, 30, "public/panel_latest.html", home_latest)
    app.jinja_env.globals.update(first_media=first_media, column_updated=column_updated)
    cache.init_app(app)
