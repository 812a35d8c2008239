"""Submissions: items, media, unit sign-off, dual reporting (条块双报), urgent items."""


def init_app(app):
    from . import models  # noqa: F401  (the models take part in migrations)

    app.config.setdefault("URGENT_REPORT_HOURS", 2)
    app.config.setdefault("DUAL_REPORT_WORKING_DAYS", 3)
