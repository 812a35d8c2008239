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


def _assert_walks(plan: str, index: str) -> None:
    """The plan reads ``index`` in order: no table scan, no sort. PostgreSQL's planner
    weighs indexes by the table's statistics, which a test's few rows do not have; there
    any index read in order will do (the benchmark measures the real table)."""
    if db.engine.dialect.name == "sqlite":
        assert index in plan, plan
        assert "TEMP B-TREE" not in plan and "SCAN item\n" not in plan + "\n", plan
    else:
        assert "Index" in plan and "Seq Scan" not in plan, plan
        assert "Sort" not in plan.split("Index")[0], plan


@pytest.mark.parametrize(("name", "index"), [
    ("column", "ix_item_column_status_published"),
    ("unit", "ix_item_unit_status_published"),
])
def test_a_list_page_walks_its_index(make_item, name, index):
    item = make_item("published")
    query = (queries.in_column(column("news")) if name == "column"
             else queries.of_unit(item.unit)).limit(20).offset(10000)
    plan = _plan(query)
    _assert_walks(plan, index)


@pytest.mark.parametrize("in_column", [False, True])
def test_the_last_change_is_read_from_the_end_of_indexes(make_item, in_column):
    make_item("published")
    published, withdrawn = queries.last_change_queries(column("news") if in_column else None)
    plans = _plan(published), _plan(withdrawn)
    expected = (("ix_item_column_status_published", "ix_item_column_withdrawn") if in_column
                else ("ix_item_status_published", "ix_item_withdrawn_at"))
    for plan, index in zip(plans, expected, strict=True):
        _assert_walks(plan, index)


def test_a_sitemap_part_walks_one_index_alone(make_item):
    from portal.public import feeds

    make_item("published")
    rows = feeds._items(50_000, 100_000)
    plan = _plan(db.select(rows.c.id, rows.c.changed))
    _assert_walks(plan, "ix_item_status_published")
    if db.engine.dialect.name == "sqlite":
        assert "COVERING INDEX" in plan, plan
