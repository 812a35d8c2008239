"""HTTP security headers (Flask-Talisman) and what staff pages may leave in caches.

* Content-Security-Policy: everything from this site only; no inline script or
  style (the templates have none: confirmations and charts are static files), no
  plugins, no framing by other sites, forms post only here.
* ``X-Frame-Options: SAMEORIGIN``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin`` on every response.
* HSTS only on requests that arrived over HTTPS (behind nginx: ``PROXY_FIX_HOPS``
  makes ``X-Forwarded-Proto`` count); ``FORCE_HTTPS`` redirects plain HTTP.
* ``Cache-Control: no-store`` on every page a signed-in user gets, and on the login
  and set-password pages: nothing of the desks stays in a browser or proxy cache.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "media-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}

# Pages with the rich-text editor (Jodit), which positions its toolbar and dialogs with
# style attributes: those pages allow inline styles, never inline scripts. Whatever the
# editor posts is sanitised on the server, styles included.
EDITOR_CSP = {**CSP, "style-src": "'self' 'unsafe-inline'"}

# Pages that carry a secret or a login form even for anonymous visitors.
ALWAYS_NO_STORE = {"accounts.login", "accounts.set_password"}
# Files with a caching rule of their own.
OWN_CACHE_RULES = {"static", "submissions.media"}

talisman = Talisman()


def editor_page(view):
    """A view whose page holds the rich-text editor (see ``EDITOR_CSP``)."""
    return talisman(content_security_policy=EDITOR_CSP)(view)


def init_app(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="SAMEORIGIN",
        referrer_policy="same-origin",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.after_request
    def staff_pages_not_stored(response):
        if request.endpoint in OWN_CACHE_RULES:
            return response
        if request.endpoint in ALWAYS_NO_STORE or current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("ETag", None)
        return response
