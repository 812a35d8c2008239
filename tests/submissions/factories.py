"""Test data for the submissions tests: items moved through the real workflow, real images."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.site.models import Column
from portal.submissions import services, workflow
from portal.submissions.models import Item, ItemStatus

# How to bring a new draft to each state: (action, who) in order.
ROUTES = {
    ItemStatus.draft: [],
    ItemStatus.awaiting_signoff: [("submit", "officer")],
    ItemStatus.submitted: [("submit", "officer"), ("sign_off", "leader")],
    ItemStatus.scheduled: [("submit", "officer"), ("sign_off", "leader"),
                           ("schedule", "reviewer")],
    ItemStatus.published: [("submit", "officer"), ("sign_off", "leader"),
                           ("publish", "reviewer")],
    ItemStatus.returned: [("submit", "officer"), ("sign_off", "leader"), ("return", "reviewer")],
    ItemStatus.declined: [("submit", "officer"), ("sign_off", "leader"), ("decline", "reviewer")],
    ItemStatus.withdrawn: [("submit", "officer"), ("sign_off", "leader"),
                           ("publish", "reviewer"), ("withdraw", "reviewer")],
}


def column(slug: str = "news") -> Column:
    return db.session.scalar(select(Column).where(Column.slug == slug))


def jpeg(size=(640, 480), colour=(30, 94, 160), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(out, "JPEG", quality=85, **({"exif": exif} if exif else {}))
    return out.getvalue()


def make_item(officer, *, title="城关镇召开安全生产工作会议", kind="text",
              body="会议传达了全县安全生产工作会议精神。", column_slug="news", **fields) -> Item:
    item = services.create_item(officer, services.ItemData(
        title=title, kind=kind, body=body, column_id=column(column_slug).id, **fields))
    if kind == "image":
        services.attach_media(officer, item, io.BytesIO(jpeg()), "photo.jpg", "会议现场")
    db.session.commit()
    return item


def move(item: Item, state: ItemStatus, actors: dict) -> Item:
    """Walk a draft along ROUTES to ``state`` with the given officer, leader and reviewer."""
    for action, who in ROUTES[state]:
        workflow.apply(item, action, actors[who], "理由：测试" if _needs(item, action) else None)
    db.session.commit()
    return item


def _needs(item: Item, action: str) -> bool:
    return workflow.TRANSITIONS[(item.status, action)].needs_comment
