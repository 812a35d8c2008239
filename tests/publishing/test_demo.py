"""The example county's publishing data: pages, word list, an index rebuilt after the commit."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.publishing.demo import TERMS, seed_publishing
from portal.publishing.models import WordTerm
from portal.search import service as search
from tests.publishing.conftest import column


def test_seeder_fills_pages_and_terms_once_and_rebuilds_the_index(app, make_item):
    item = make_item("published", title="县政府召开安全生产工作会议")
    search.get_index().delete([f"item:{item.id}"])
    seed_publishing()
    assert search.get_index().search("安全生产").total == 0  # not before the commit
    db.session.commit()
    assert search.get_index().search("安全生产").total == 1
    assert "县情概况" in column("profile").page_html
    assert "便民电话" in column("services").page_html
    assert db.session.scalar(select(func.count()).select_from(WordTerm)) == len(TERMS)
    seed_publishing()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WordTerm)) == len(TERMS)
    assert {t for t, *_ in TERMS} >= {"人名政府", "国务院办工厅", "中共中英"}
