"""Fixtures of the publishing tests: items walked through the real workflow, media files.

Items are made with the models and ``submissions.workflow.apply`` (not the
submissions services, which have their own tests), so each test starts from an
item in the state it needs, with the history the workflow writes. ``make_item``
here replaces the shared one of tests/conftest.py (which sets states directly);
tests/e2e/test_publishing_journeys.py imports these fixtures.
"""

from __future__ import annotations

import io
import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.publishing.indexing import index_items
from portal.site.models import Column
from portal.submissions.media import save_upload
from portal.submissions.models import Item, ItemKind, ItemStatus, Media
from portal.submissions.workflow import apply

_n = itertools.count(1)

# The workflow steps that bring a new item to each state (the unit skips sign-off).
PATHS = {
    "draft": [],
    "submitted": ["submit_direct"],
    "published": ["submit_direct", "publish"],
    "scheduled": ["submit_direct", "schedule"],
    "returned": ["submit_direct", "return"],
    "declined": ["submit_direct", "decline"],
    "withdrawn": ["submit_direct", "publish", "withdraw"],
}


@pytest.fixture
def unit(make_unit):
    return make_unit(UnitKind.department, name="县应急管理局", code="yjj", skip_signoff=True)


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.officer, unit=unit, name="张信息")


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.reviewer, name="李审核")


def column(slug: str) -> Column:
    return db.session.query(Column).filter_by(slug=slug).one()


@pytest.fixture
def make_item(app, officer, reviewer):
    """``make_item(status, **fields)``: an item brought to ``status`` by the workflow, committed."""

    def make(status: str = "submitted", *, title: str | None = None, body: str = "<p>正文。</p>",
             column_slug: str = "news", unit=None, author=None, kind: ItemKind = ItemKind.text,
             media: list[dict] | None = None, published_at: datetime | None = None,
             **fields) -> Item:
        author = author or officer
        unit = unit or author.unit
        if not unit.skip_signoff:
            unit.skip_signoff = True
        item = Item(title=title or f"测试信息{next(_n)}", body_html=body, kind=kind,
                    column=column(column_slug), unit=unit, author=author, **fields)
        db.session.add(item)
        db.session.flush()
        for position, spec in enumerate(media or []):
            attach(item, position=position, **spec)
        for action in PATHS[status]:
            if action == "schedule":
                item.publish_at = clock.now() + timedelta(hours=1)
            actor = author if action == "submit_direct" else reviewer
            apply(item, action, actor, "测试理由" if action in ("return", "decline", "withdraw")
                  else None)
        if published_at is not None:
            item.published_at = published_at
        db.session.commit()
        if published_at is not None and item.status == ItemStatus.published:
            index_items([item.id])  # the workflow indexed it with the real time
        return item

    return make


def png_bytes(color=(200, 30, 30), size=(640, 480)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def media_root() -> Path:
    from flask import current_app

    configured = current_app.config.get("MEDIA_ROOT")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def attach(item: Item, *, kind: str = "image", data: bytes | None = None,
           filename: str | None = None, caption: str = "图片说明", position: int = 0) -> Media:
    """Store a file with the real upload checks and attach it to ``item``."""
    if data is None:
        data = png_bytes()
    stored = save_upload(io.BytesIO(data), filename or f"f.{'png' if kind == 'image' else 'mp4'}",
                         kind, media_root())
    m = Media(item=item, kind=stored.kind, path=stored.path, mime=stored.mime, size=stored.size,
              sha256=stored.sha256, width=stored.width, height=stored.height,
              duration=stored.duration, poster=stored.poster,
              thumb=stored.renditions.get("thumb"), page=stored.renditions.get("page"),
              caption=caption, position=position, original_filename=stored.original_filename)
    db.session.add(m)
    db.session.flush()
    return m
