"""The public lists read an index in order: no table scan, no sort of the whole column,
however deep the page (so page 500 costs what page 1 does, plus the skipped index
entries)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.public import queries
from tests.publishing.conftest import column


def _plan(query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(r[-1]) for r in rows)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables otherwise
    return "\n".join(r[0] for r in db.session.execute(text(f"EXPLAIN {compiled}")).all())


@pytest.mark.parametrize(("name", "index"), [
    ("column", "ix_item_column_status_published"),
    ("unit", "ix_item_unit_status_published"),
])
def test_a_list_page_walks_its_index(make_item, name, index):
    item = make_item("published")
    query = (queries.in_column(column("news")) if name == "column"
             else queries.of_unit(item.unit)).limit(20).offset(10000)
    plan = _plan(query)
    assert index in plan, plan
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in plan, plan  # no sort
    else:
        assert "Sort" not in plan.split("Index")[0], plan
