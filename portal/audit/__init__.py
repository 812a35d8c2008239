"""The audit trail (审计日志): every change the center and the admins make, append-only.

``models`` is shared ground: feature models opt in with ``__audit__ = Audited(...)``
and the session listener records them, without this package importing any of
them. ``views`` (the center's page and its export) sits on top, beside the
monitor, whose export helpers it uses.
"""


def init_app(app):
    from ..site.nav import admin_link, desk_link
    from . import permissions  # noqa: F401  (registers the rule)
    from .views import bp

    app.register_blueprint(bp)
    desk_link(app, "审计日志", "audit.index", "audit.view", order=90)
    admin_link(app, "审计日志", "audit.index", order=90)
