"""Named permission rules, asked the same way by views, templates and services.

Each feature package registers its rules with ``@rule("item.edit")``; anyone
asks ``can(user, "item.edit", item)``. Templates get ``can`` as a global, so a
button is shown exactly when the view behind it would allow the action.

``get_or_404`` loads and checks together: 404 for what the user may not know
exists (the ``view`` rule), 403 for what they may see but not do (``need``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from .extensions import db

_RULES: dict[str, Callable[..., bool]] = {}


def rule(name: str):
    """Register ``fn(user, obj=None) -> bool`` as the rule called ``name``."""

    def register(fn):
        if name in _RULES and _RULES[name] is not fn:
            raise RuntimeError(f"permission rule {name!r} registered twice")
        _RULES[name] = fn
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    """Whether ``user`` (possibly anonymous) may do ``action`` (on ``obj``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        user = None
    return bool(_RULES[action](user, obj))


def require(action: str, obj=None, user=None) -> None:
    """Abort with 403 unless the (current) user may do ``action``."""
    if not can(user if user is not None else current_user, action, obj):
        abort(403)


def require_login_and(action: str):
    """View decorator: anonymous users go to the login page; others need ``action``."""
    from functools import wraps

    from flask_login import login_required

    def deco(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require(action)
            return view(*args, **kwargs)

        return wrapped

    return deco


def get_or_404(model, ident, view: str, need: str | None = None, user=None):
    """Load ``model`` by primary key, 404 unless ``view`` allows, 403 unless ``need`` allows."""
    user = user if user is not None else current_user
    if isinstance(ident, int) and not 0 < ident < 2**63:
        abort(404)  # no such row; and beyond 64 bits the database would overflow
    obj = db.session.get(model, ident)
    if obj is None or not can(user, view, obj):
        abort(404)
    if need and not can(user, need, obj):
        abort(403)
    return obj


def registered() -> list[str]:
    return sorted(_RULES)
