"""The index follows the database: changes land after commit, rebuild from sources."""

from datetime import UTC, datetime

from portal.extensions import db
from portal.search import service


def doc(n: int) -> dict:
    return {"id": f"item:{n}", "type": "item", "title": f"县政府召开安全生产工作会议{n}",
            "body": "会议部署安全生产工作。", "published_at": datetime(2026, 10, 1, tzinfo=UTC),
            "url": f"/items/{n}"}


def test_index_changes_only_after_the_commit(app):
    service.index_later([doc(1)])
    assert service.get_index().search("安全生产").total == 0
    db.session.commit()
    assert service.get_index().search("安全生产").total == 1
    service.unindex_later(["item:1"])
    db.session.rollback()
    assert service.get_index().search("安全生产").total == 1
    service.unindex_later(["item:1"])
    db.session.commit()
    assert service.get_index().search("安全生产").total == 0


def test_rebuild_command_reads_every_registered_source(app, runner):
    service.register_source(app, "item", lambda: (doc(n) for n in range(5)), lambda: 5)
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "5 篇" in result.output
    assert service.get_index().search("安全生产").total == 5
