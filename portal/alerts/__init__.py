"""Alerts (提醒): a desk list with a count in the header, and e-mail, per user and kind.

The packages that know what happened (submissions: urgent items at sign-off, returns,
publications, corrections, dual-report obligations) call ``services.notify``; each user
chooses per kind whether it reaches the desk list and whether it is mailed. Kinds are
registered by those packages with ``register_kind``; alerts knows none of them itself.
"""


def init_app(app):
    from . import models  # noqa: F401
    from .services import unread_count
    from .views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals.update(unread_alerts=unread_count)
    app.extensions.setdefault("alert_kinds", {})


def register_kind(app, kind: str, label: str, mail: bool = True) -> None:
    """A kind of alert users can switch on and off; ``mail``: mailed unless switched off."""
    app.extensions.setdefault("alert_kinds", {})[kind] = (label, mail)
