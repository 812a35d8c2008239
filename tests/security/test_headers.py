"""Security headers on every response, no-store on staff pages, and templates that need no
'unsafe-inline' (the CSP is only as good as the markup that must live with it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.accounts.models import Role

TEMPLATES = Path(__file__).parent.parent.parent / "portal" / "templates"
PUBLIC = ["/", "/column/news", "/messages/new", "/messages/query", "/search?q=县",
          "/login", "/feed.atom", "/sitemap.xml", "/no-such-page"]


def csp(resp) -> dict[str, str]:
    header = resp.headers["Content-Security-Policy"]
    parts = [d.strip() for d in header.split(";") if d.strip()]
    return {d.split()[0]: d.partition(" ")[2] for d in parts}


@pytest.mark.parametrize("url", PUBLIC)
def test_every_public_response_carries_the_security_headers(client, url):
    resp = client.get(url)
    policy = csp(resp)
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in resp.headers["Content-Security-Policy"]
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["form-action"] == "'self'"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    resp = client.get("/", base_url="https://portal.test")
    assert "max-age=31536000" in resp.headers["Strict-Transport-Security"]


def test_plain_http_is_redirected_when_the_site_forces_https(app_config):
    from portal import create_app

    app = create_app({**app_config, "FORCE_HTTPS": True})
    resp = app.test_client().get("/column/news")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("https://")


@pytest.mark.parametrize("role", list(Role))
def test_no_staff_page_is_stored_by_any_cache(app, client, login, make_user, role):
    from portal.site.nav import desk_links

    user = make_user(role)
    login(user)
    urls = ["/", "/column/news", "/account/password"]
    with app.test_request_context():
        from flask import url_for
        urls += [url_for(link.endpoint) for link in desk_links(user)]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.headers["Cache-Control"] == "no-store", url


def test_the_login_page_is_not_stored_but_public_pages_may_be(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/column/news").headers.get("Cache-Control", "")


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_unsafe_inline():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                found.append(f"{path.relative_to(TEMPLATES)}: {what}: {m.group(0)[:60]}")
    assert found == []
