"""The example county's publishing data: pages and the word list, once. (The demo command
rebuilds the search index after all seeders: tests/accounts/test_cli.py.)"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.publishing.demo import TERMS, seed_publishing
from portal.publishing.models import WordTerm
from tests.publishing.conftest import column


def test_seeder_fills_pages_and_terms_once(app):
    seed_publishing()
    db.session.commit()
    assert "县情概况" in column("profile").page_html
    assert "便民电话" in column("services").page_html
    assert db.session.scalar(select(func.count()).select_from(WordTerm)) == len(TERMS)
    seed_publishing()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WordTerm)) == len(TERMS)
    assert {t for t, *_ in TERMS} >= {"人名政府", "国务院办工厅", "中共中英"}
