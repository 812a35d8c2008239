"""Absolute URLs for e-mails, feeds and commands, also outside a request."""

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
