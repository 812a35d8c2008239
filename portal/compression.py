"""Compressed text responses (Flask-Compress): brotli, else gzip, for what anonymous
readers and every browser's static files fetch.

* Pages, feeds, the sitemap, CSS, JavaScript, JSON and SVG of 500 bytes or more are
  compressed when the browser accepts it; ``Vary: Accept-Encoding`` tells caches.
* Only complete 200 responses: a 206 (a Range request) or a 304 is sent as it is.
  Media (images, video, audio) are not text and are never touched, so their Range
  requests keep working.
* Never for a signed-in user. Staff pages carry CSRF tokens and personal data next to
  text a user typed; compressing them would let a network observer guess those
  secrets from response sizes (BREACH). Anonymous pages carry nothing of the kind
  worth the attack.
* The page cache keeps the uncompressed page (compression runs after it), so one
  cached page serves every encoding; its compressed copies are kept in this process
  under the same key, so a cached page is compressed once per encoding, not per
  request. Static files likewise, by URL: their URLs are fingerprinted, so a changed
  file has a new URL.
* A strong ETag gets the encoding appended (``"abc:br"``), and If-None-Match is
  answered with 304 for the compressed variant as well.

Registered before every other ``after_request`` hook, so it runs last.
``COMPRESS_ENABLED = False`` turns it off (e.g. behind an nginx that compresses).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_compress import Compress
from flask_login import current_user

TEXT_MIMETYPES = ["text/html", "text/css", "text/plain", "text/xml", "text/javascript",
                  "application/javascript", "application/json", "application/xml",
                  "application/atom+xml", "application/rss+xml", "image/svg+xml"]
CACHE_ENTRIES = 1024
# Set in the WSGI environ by the public page cache when the response is exactly the page
# it keeps under that key (served from it, or just stored).
PAGE_KEY = "portal.page_key"

compress = Compress()
# What Flask-Compress's cache keys end in for responses that are not to be kept.
_NO_KEY = ";-"


class _CompressedCache:
    """Flask-Compress's cache backend: compressed bodies, in this process, the oldest
    dropped first.

    Flask-Compress asks its cache for every response it compresses; ``_cache_key``
    names static files by their URL and cached public pages by their page-cache key
    (``portal.page_key`` in the WSGI environ: it changes with every publication), and
    everything else ``_NO_KEY``, which this cache never keeps."""

    def __init__(self):
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return None if key.endswith(_NO_KEY) else self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(_NO_KEY):
            return
        if len(self.data) >= CACHE_ENTRIES:
            self.data.pop(next(iter(self.data)))
        self.data[key] = value


def _cache_key(req) -> str:
    if req.endpoint == "static":
        return "static:" + req.full_path
    page = req.environ.get(PAGE_KEY)
    return "page:" + page if page else "-"


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ENABLED", True)
    app.config.update(
        COMPRESS_REGISTER=False,  # the hook below decides what may be compressed
        COMPRESS_MIMETYPES=TEXT_MIMETYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_STREAMS=False,
        COMPRESS_CACHE_BACKEND=_CompressedCache,
        COMPRESS_CACHE_KEY=_cache_key,
        COMPRESS_EVALUATE_CONDITIONAL_REQUEST=True,
    )
    compress.init_app(app)
    app.after_request(_compress)


def _compress(response):
    if (not current_app.config["COMPRESS_ENABLED"] or response.status_code != 200
            or "Content-Range" in response.headers):
        return response
    if request.endpoint == "static":
        # Static files hold no secrets (and asking for the user would load a session).
        # Sent from a file as a stream; read it (a small file, from the OS cache), so
        # that it is compressed once and then answered from the compressed copy.
        response.direct_passthrough = False
        source = response.response
        try:
            data = b"".join(response.iter_encoded())
        finally:
            if hasattr(source, "close"):
                source.close()
        response.set_data(data)
    elif current_user.is_authenticated:
        return response
    return compress.after_request(response)
