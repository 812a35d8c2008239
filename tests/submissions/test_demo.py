"""The example county's reporting: every state and kind, dual pairs, urgent items; idempotent."""

from pathlib import Path

from portal import clock
from portal.alerts.models import Alert
from portal.demo import run_seeders
from portal.extensions import db
from portal.submissions import media as media_files
from portal.submissions.models import (
    Correction,
    CorrectionStatus,
    DualReport,
    DualStatus,
    Item,
    ItemEvent,
    ItemKind,
    ItemStatus,
    Media,
)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_demo_fills_six_months_of_reporting_once(app):
    run_seeders()  # its speed is the benchmark's business, never a test's
    db.session.commit()

    items = db.session.scalars(db.select(Item).where(Item.external_id.like("demo:%"))).all()
    assert {i.status for i in items} == set(ItemStatus)
    kinds = {ItemKind.text, ItemKind.image}
    if media_files.ffmpeg_available():
        kinds |= {ItemKind.video, ItemKind.audio}
    assert {i.kind for i in items} == kinds
    months = {clock.month_of(i.created_at) for i in items}
    assert len(months) >= 6

    # Histories look real: in order, and the item's times agree with its events.
    for item in items[:200]:
        times = [e.at for e in sorted(item.events, key=lambda e: e.id)]
        assert times == sorted(times), item
        arrivals = [e.at for e in item.events if e.to_status == ItemStatus.submitted]
        assert item.first_submitted_at == (arrivals[0] if arrivals else None)

    now = clock.now()
    duals = db.session.scalars(db.select(DualReport)).all()
    states = {d.status for d in duals}
    assert {DualStatus.fulfilled, DualStatus.pending, DualStatus.contested,
            DualStatus.waived} <= states
    assert any(d.is_overdue(now) for d in duals)
    assert any(d.status == DualStatus.pending and not d.is_overdue(now) for d in duals)
    fulfilled = next(d for d in duals if d.status == DualStatus.fulfilled)
    assert fulfilled.response_item.unit_id == fulfilled.department_id
    assert fulfilled.fulfilled_at == fulfilled.response_item.first_submitted_at

    urgent = [i for i in items if i.urgent]
    assert any(i.late for i in urgent) and any(not i.late and i.first_submitted_at
                                               for i in urgent)
    assert db.session.scalar(db.select(db.func.count()).select_from(ItemEvent)
                             .where(ItemEvent.action == "late")) >= 1

    # One correction published (the page shows 更新于), one waiting for the leader.
    corrections = db.session.scalars(db.select(Correction)).all()
    assert sorted(c.status for c in corrections) == [CorrectionStatus.awaiting_signoff,
                                                      CorrectionStatus.published]
    assert all(c.item.corrected_at for c in corrections if c.status == "published")
    # Its history is old: what is left unread is what still waits for someone.
    assert {a.kind for a in db.session.scalars(db.select(Alert).where(
        Alert.read_at.is_(None)))} <= {"urgent_signoff", "dual_created"}

    root = Path(app.instance_path) / "media"
    for row in db.session.scalars(db.select(Media)):
        assert (root / row.path).is_file() and row.caption

    before = (count(Item), count(Media), count(DualReport), count(ItemEvent))
    run_seeders()
    db.session.commit()
    assert (count(Item), count(Media), count(DualReport), count(ItemEvent)) == before
    assert count(Correction) == 2
