"""Absolute URLs for e-mails, feeds and commands, also outside a request."""

from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """``BASE_URL`` + the path of ``endpoint`` (the configured public address, not
    whatever Host header a request came with)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: the one check for every ``next``.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so ``/\t/evil``
    and ``/\\evil`` are other sites; so is anything with a scheme or a host. Checked
    as given and once percent-decoded.
    """
    if not target:
        return None
    for text in (target, unquote(target)):
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text) or "\\" in text:
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
            return None
    return target
