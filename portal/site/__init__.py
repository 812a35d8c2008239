"""The site frame: columns, navigation, the home page, the hooks feature packages plug into."""


def init_app(app):
    from . import demo, permissions, settings  # noqa: F401  (seeder, rules, table)
    from .nav import admin_link
    from .views import bp

    app.register_blueprint(bp)
    admin_link(app, "网站信息", "site.settings", order=5)
