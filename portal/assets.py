"""Fingerprinted static URLs: ``url_for('static', filename=…)`` carries ``?v=<hash of the
file>``, and a request with the current hash is answered with a year's cache
(``immutable``), so browsers never ask again until the file changes (and its URL with
it). Without the right hash, the usual short revalidating cache applies."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    hashes: dict[str, str | None] = {}
    folder = Path(app.static_folder)

    def fingerprint(filename: str) -> str | None:
        if filename not in hashes:
            path = (folder / filename).resolve()
            ok = path.is_file() and folder.resolve() in path.parents
            hashes[filename] = (hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                                if ok else None)
        return hashes[filename]

    @app.url_defaults
    def add_fingerprint(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            value = fingerprint(values["filename"])
            if value:
                values["v"] = value

    @app.after_request
    def cache_fingerprinted(response):
        if (request.endpoint == "static" and response.status_code in (200, 304)
                and request.args.get("v")
                and request.args["v"] == fingerprint(request.view_args["filename"])):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
