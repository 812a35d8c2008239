"""Static files are linked with a fingerprint of their content and cached for a year
under it; a stale or missing fingerprint gets the ordinary revalidating answer."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).parent.parent / "portal" / "static"


def test_pages_link_static_files_with_their_fingerprint(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/portal\.css\?v=([0-9a-f]+))"', html)
    assert href, "portal.css is linked without a fingerprint"
    expected = hashlib.sha256((STATIC / "css" / "portal.css").read_bytes()).hexdigest()[:12]
    assert href.group(2) == expected
    resp = client.get(href.group(1))
    assert resp.status_code == 200
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert "immutable" in resp.headers["Cache-Control"]
    resp.close()


def test_a_wrong_or_missing_fingerprint_is_not_cached_for_long(client):
    for url in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert "31536000" not in resp.headers.get("Cache-Control", "")
        resp.close()


def test_a_missing_file_is_still_a_404(client):
    assert client.get("/static/css/nothing.css?v=abc").status_code == 404
    assert client.get("/static/../portal/__init__.py").status_code == 404
