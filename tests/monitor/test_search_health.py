"""A missing or damaged search index is reported to the center and rebuilt by the
scheduler, while the pages (the search page included) keep serving."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from portal.monitor import health, scheduler
from portal.search import service as search


def search_check():
    return {c.name: c for c in health.run_checks()}["站内检索索引"]


def found(client) -> bool:
    page = client.get("/search?q=森林防火").get_data(as_text=True)
    return "全县秋冬季<mark>森林防火</mark>" in page


def live_dir(app) -> Path:
    root = Path(app.instance_path) / "search"
    return root / (root / "CURRENT").read_text().strip()


def test_a_damaged_index_is_reported_searches_keep_serving_and_the_scheduler_rebuilds_it(
        app, client, center, make_unit, make_item):
    unit = make_unit()
    make_item(unit, published="2026-11-02 09:00", title="全县秋冬季森林防火工作部署")
    docs, total = search.all_documents()
    search.get_index().rebuild(docs, total=total)
    assert search_check().status == "ok"
    assert found(client)

    for f in live_dir(app).iterdir():  # every segment overwritten with junk
        f.write_bytes(b"\x00garbage")
    check = search_check()
    assert check.status == "red" and "已损坏" in check.detail
    resp = client.get("/search?q=森林防火")
    assert resp.status_code == 200 and "全县秋冬季" not in resp.get_data(as_text=True)
    assert client.get("/").status_code == 200

    assert any("rebuilt, 1 documents" in line for line in scheduler.tick())
    assert search_check().status == "ok"
    assert found(client)
    assert not any("search index" in line for line in scheduler.tick())


def test_a_missing_index_is_rebuilt_and_a_stale_one_is_a_warning(app, center, make_unit,
                                                                 make_item):
    unit = make_unit()
    make_item(unit, published="2026-11-02 09:00", title="甲")
    assert search_check().status == "red"  # never built, though there is something to find
    shutil.rmtree(Path(app.instance_path) / "search", ignore_errors=True)
    assert any("search index missing" in line for line in scheduler.tick())
    make_item(unit, published="2026-11-03 09:00", title="乙")  # not indexed by this fixture
    check = search_check()
    indexed, expected = map(int, re.findall(r"\d+", check.detail)[:2])
    assert check.status == "warn" and indexed == expected - 1


def test_an_empty_portal_needs_no_index(app):
    assert search_check().status == "ok"
    assert search.repair_if_needed() is None
