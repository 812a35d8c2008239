"""The page cache at the edge of the public site.

An anonymous reader's GET of a page in ``CACHED_ENDPOINTS`` is answered from the
cache when the same page (path, query and 关怀版 cookie) was rendered since the
published content last changed; otherwise the page is rendered and kept.

*What "changed" means.* Every commit that wrote a row of a table the public pages
show (``PUBLIC_TABLES``: items, media, columns, units, pages, site settings,
messages and replies) moves the content **generation** on, after the commit. The
generation is part of every cache key, so older pages are simply never asked for
again (and age out). It is shared by every process that serves the site:

* with ``REDIS_URL``, pages and the generation live in Redis, so several workers on
  several hosts see a publication at once;
* without it, each process keeps pages in memory (``SimpleCache``) and the
  generation is a small file in the instance folder, whose identity (inode and
  modification time) every request reads with one ``stat``: the workers of one host
  see a change on their next request.

Signed-in users, requests carrying flashed messages and anything but a 200 are
never cached; search is not cached (its own index answers it, rate-limited).
``PAGE_CACHE_SECONDS`` bounds how long a page is kept even if nothing changes (the
home page's urgent banner, for instance, ends by time).
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path

from flask import Flask, current_app, has_app_context, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

# The response is exactly the page kept under this key (portal.compression keeps the
# compressed page under it too).
from ..compression import PAGE_KEY

log = logging.getLogger(__name__)

CACHED_ENDPOINTS = {"public.home", "public.column", "public.item", "public.unit",
                    "public.feed", "public.column_feed", "public.sitemap",
                    "public.sitemap_part"}
# Tables whose rows appear on the public pages; a commit that writes one of them
# invalidates every cached page.
PUBLIC_TABLES = {"item", "media", "site_column", "unit", "page_revision", "site_setting",
                 "message", "reply"}

cache = Cache()
_CHANGED = "public_content_changed"
_KEY = "portal.page_cache_key"


class Generation:
    """The shared content generation: a Redis counter, or a file's identity."""

    def __init__(self, app: Flask):
        self.redis = None
        if app.config.get("REDIS_URL"):
            import redis

            self.redis = redis.Redis.from_url(app.config["REDIS_URL"])
            self.key = f"{app.config['PAGE_CACHE_PREFIX']}generation"
        self.path = Path(app.instance_path) / "page-cache.generation"

    def current(self) -> str:
        if self.redis is not None:
            value = self.redis.get(self.key)
            return value.decode() if value else "0"
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "0"
        return f"{st.st_ino}-{st.st_mtime_ns}"

    def bump(self) -> None:
        if self.redis is not None:
            self.redis.incr(self.key)
            return
        # A new file each time (write, then rename over): a new inode, so two changes
        # within the file system's timestamp granularity still differ.
        tmp = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}")
        tmp.write_text(uuid.uuid4().hex)
        os.replace(tmp, self.path)


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE_ENABLED", True)
    app.config.setdefault("PAGE_CACHE_SECONDS", 60)
    # One Redis may serve several portals (or test runs): keys carry the database's hash.
    database = hashlib.sha1(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:10]
    app.config.setdefault("PAGE_CACHE_PREFIX", f"portal-page:{database}:")
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_SECONDS"]}
    if app.config.get("REDIS_URL"):
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=app.config["REDIS_URL"],
                      CACHE_KEY_PREFIX=app.config["PAGE_CACHE_PREFIX"])
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=2000)
    cache.init_app(app, config=config)
    app.extensions["page_cache_generation"] = Generation(app)
    app.before_request(_serve_from_cache)
    # Registered after ``conditional`` (ETag, 304), so it runs before it and keeps the
    # full 200 body.
    app.after_request(_keep_in_cache)


def _cacheable() -> bool:
    return (current_app.config["PAGE_CACHE_ENABLED"] and request.method in ("GET", "HEAD")
            and request.endpoint in CACHED_ENDPOINTS and not current_user.is_authenticated
            and "_flashes" not in session)


def _key() -> str:
    generation = current_app.extensions["page_cache_generation"].current()
    care = "care" if request.cookies.get("care") == "1" else "std"
    return f"{generation}:{care}:{request.full_path}"


def _serve_from_cache():
    if not _cacheable():
        return None
    key = _key()
    try:
        hit = cache.get(key)
    except Exception:  # a cache that is down must not take the site with it
        log.exception("page cache unavailable")
        return None
    if hit is None:
        request.environ[_KEY] = key
        return None
    headers, body = hit
    request.environ[PAGE_KEY] = key
    response = current_app.response_class(body, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _keep_in_cache(response):
    key = request.environ.pop(_KEY, None)
    if (key is not None and response.status_code == 200 and request.method == "GET"
            and not response.direct_passthrough and "Set-Cookie" not in response.headers):
        try:
            headers = [(k, v) for k, v in response.headers.items()
                       if k.lower() not in ("content-length", "vary", "set-cookie")]
            cache.set(key, (headers, response.get_data()))
            request.environ[PAGE_KEY] = key
        except Exception:
            log.exception("page cache unavailable")
        response.headers["X-Page-Cache"] = "miss"
    return response


def invalidate() -> None:
    """Make every cached public page stale now (across all workers)."""
    current_app.extensions["page_cache_generation"].bump()


# ---- which commits change the public pages ------------------------------------------------

def _touches_public(instances) -> bool:
    return any(getattr(type(obj), "__tablename__", None) in PUBLIC_TABLES for obj in instances)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    if _touches_public(session.new) or _touches_public(session.dirty) or _touches_public(
            session.deleted):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and any(
            getattr(m, "local_table", None) is not None and m.local_table.name in PUBLIC_TABLES
            for m in state.all_mappers):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context() and (
            "page_cache_generation" in current_app.extensions):
        try:
            invalidate()
        except Exception:
            log.exception("could not invalidate the page cache")


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
