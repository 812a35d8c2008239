"""The site frame: columns, navigation, the home page, the hooks feature packages plug into."""


def init_app(app):
    from . import demo, permissions  # noqa: F401
    from .views import bp

    app.register_blueprint(bp)
