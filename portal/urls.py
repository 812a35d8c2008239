"""Absolute URLs for e-mails, feeds and commands, also outside a request."""

from collections.abc import Callable
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """The path of ``endpoint``, also outside a request (a command, the scheduler)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def external_url(endpoint: str, **values) -> str:
    """``BASE_URL`` + the path of ``endpoint`` (the configured public address, not
    whatever Host header a request came with)."""
    return current_app.config["BASE_URL"].rstrip("/") + path_for(endpoint, **values)


def external_url_maker(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """``external_url(endpoint, key=value, **values)`` for many values at once (a sitemap
    of 100,000 items): the URL is built once around a marker, and each value is put in
    its place, percent-quoted as ``url_for`` quotes a path segment."""
    marker = "987654321987654321"
    template = external_url(endpoint, **{key: int(marker)}, **values)
    if template.count(marker) != 1:
        raise ValueError(f"{endpoint}: {key} is not one path segment")
    head, tail = template.split(marker)
    return lambda value: f"{head}{quote(str(value), safe='')}{tail}"


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
