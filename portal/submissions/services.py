"""The rules of reporting: writing items, their media, and the unit's workflow steps.

Plain functions taking the acting user. They validate, change, record an
``ItemEvent`` and flush; the caller (a view, a command) commits once. A refusal
is a ``DomainError`` with a Chinese message and changes nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import nh3
from flask import current_app
from markupsafe import Markup
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import clock
from ..accounts.models import Unit, UnitKind
from ..aftercommit import after_commit
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from ..html import to_text
from ..site.models import Column
from . import media as media_files
from . import revisions, workflow
from .models import DualReport, Item, ItemEvent, ItemKind, ItemRevision, ItemStatus, Media

# ---- rich text ---------------------------------------------------------------------

# What an article body may contain: structure and emphasis, links and tables, and images
# only of the item's own uploaded photos (checked files, with their caption as the alt
# text; see ``own_images``). No styles, no scripts, event handlers or javascript: URLs
# (nh3 drops what is not listed).
BODY_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4",
             "ul", "ol", "li", "blockquote", "a", "table", "caption", "thead", "tbody",
             "tfoot", "tr", "th", "td", "hr", "img"}
BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "colspan", "rowspan"},
                   "td": {"colspan", "rowspan"}, "ol": {"start"}, "img": {"src"}}
BODY_URL_SCHEMES = {"http", "https", "mailto"}
BODY_MAX_CHARS = 100_000
_TAG = re.compile(r"<[a-zA-Z/!]")
_PLAIN_PARAGRAPHS = re.compile(r"(?:<p>(?:[^<]|<br>)*</p>\s*)*")


def sanitize_html(value: str) -> str:
    """An HTML fragment reduced to the body allowlist."""
    return nh3.clean(value, tags=BODY_TAGS, attributes=BODY_ATTRIBUTES,
                     url_schemes=BODY_URL_SCHEMES, clean_content_tags={"script", "style"},
                     link_rel="noopener noreferrer").strip()


_IMG = re.compile(r"<img\b[^>]*>")
# One line break after each closing block tag: the same text is stored the same way,
# however the editor or the browser spaced it (so saving it again is no edit).
_BLOCK_END = re.compile(r"(</(?:p|h[2-4]|ul|ol|li|table|caption|thead|tbody|tfoot|tr|"
                        r"blockquote)>|<hr>)\s*")
_OWN_MEDIA_SRC = re.compile(r'\ssrc="(?:https?://[^/"]+)?/media/(\d+)/(?:page|file|thumb)"')


def own_images(body: str, media: list[Media]) -> str:
    """Keep only images of ``media`` (the item's own photos), each rebuilt from its row:
    the page-size rendition, the caption as alt text, its size. Any other image goes."""
    photos = {m.id: m for m in media if m.kind == "image"}

    def rebuild(match: re.Match) -> str:
        src = _OWN_MEDIA_SRC.search(match.group())
        row = photos.get(int(src.group(1))) if src else None
        if row is None:
            return ""
        variant = "page" if row.page else "file"
        size = f' width="{row.width}" height="{row.height}"' if row.width and row.height \
            else ""
        alt = html.escape(row.caption or "")
        return f'<img src="/media/{row.id}/{variant}" alt="{alt}"{size}>'

    return _IMG.sub(rebuild, body)


def body_from_input(text: str, media: list[Media] | None = None) -> str:
    """What an officer typed, as safe HTML (``media``: the item's photos it may show).

    Plain text (most of what is typed or pasted from WPS) becomes paragraphs at
    blank lines and line breaks inside them; anything with tags is sanitised.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return "\n".join("<p>" + "<br>".join(html.escape(line.strip(), quote=False)
                                             for line in p.split("\n")) + "</p>"
                         for p in paragraphs)
    return _BLOCK_END.sub(r"\1\n", own_images(sanitize_html(text), media or [])).strip()


def body_for_editing(body_html: str) -> str:
    """The stored body as the officer should see it in the text box again.

    A body that is only plain paragraphs goes back to plain text, so that
    saving twice does not show tags to someone who never typed any.
    """
    if not body_html or not _PLAIN_PARAGRAPHS.fullmatch(body_html):
        return body_html
    paragraphs = re.findall(r"<p>((?:[^<]|<br>)*)</p>", body_html)
    return "\n\n".join(html.unescape(p.replace("<br>", "\n")) for p in paragraphs)


# ---- items ---------------------------------------------------------------------------

@dataclass
class ItemData:
    """The fields of an item as a form delivers them (times naive, China time)."""

    title: str
    kind: str = ItemKind.text.value
    summary: str = ""
    body: str = ""
    column_id: int | None = None
    event_at: datetime | None = None  # aware UTC, or naive local time from a form
    event_place: str = ""
    urgent: bool = False
    dual_department_id: int | None = None


def submission_columns() -> list[Column]:
    """The columns an officer may choose as the target of an item."""
    return db.session.scalars(select(Column).where(Column.open_to_submissions)
                              .order_by(Column.position, Column.id)).all()


def dual_departments() -> list[Unit]:
    """The county departments a township may name for dual reporting."""
    return db.session.scalars(select(Unit).where(Unit.kind == UnitKind.department, Unit.active)
                              .order_by(Unit.code)).all()


def checked_text(value: str | None, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}。")
    if len(value) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字（现有 {len(value)} 个字）。")
    return value


def _clean(unit: Unit, data: ItemData, item: Item | None) -> dict:
    """Validate ``data`` for an item of ``unit``; the column values to set."""
    try:
        kind = ItemKind(data.kind)
    except ValueError:
        raise DomainError("请选择信息类型（文字、图片、视频或音频）。") from None
    body = body_from_input(data.body, item.media if item is not None else None)
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(f"正文过长（上限 {BODY_MAX_CHARS} 个字符），请分多条报送。")
    column = db.session.get(Column, data.column_id) if data.column_id else None
    if column is None or not column.open_to_submissions:
        raise DomainError("请选择可以报送的目标栏目。")
    event_at = data.event_at
    if event_at is not None and event_at.tzinfo is None:
        event_at = clock.from_local(event_at)
    if event_at is not None and event_at > clock.now() + timedelta(minutes=10):
        raise DomainError("事件发生时间不能晚于当前时间。")
    if data.urgent and event_at is None:
        raise DomainError("紧急信息必须填写事件发生时间。")
    values = {
        "kind": kind,
        "title": checked_text(data.title, "标题", 200, required=True),
        "summary": checked_text(data.summary, "摘要", 500),
        "body_html": body,
        "column_id": column.id,
        "event_at": event_at,
        "event_place": checked_text(data.event_place, "事件地点", 100),
        "urgent": bool(data.urgent),
    }
    if item is not None and item.media:
        allowed = allowed_media_kind(kind)
        if any(m.kind != allowed for m in item.media):
            raise DomainError(f"该信息已上传的附件与「{kind.label}」类型不符，"
                              "请先删除附件再更改类型。")
    values["dual_department_id"] = _dual_department(unit, data.dual_department_id, item)
    return values


def _dual_department(unit: Unit, department_id: int | None, item: Item | None) -> int | None:
    """The department named for dual reporting: townships only, fixed once it has an obligation."""
    department_id = department_id or None
    if item is not None and item.dual_department_id and dual_obligation_exists(item):
        if department_id != item.dual_department_id:
            raise DomainError("该信息已产生双报义务，不能再更改双报部门。")
        return department_id
    if department_id is None:
        return None
    if unit.kind != UnitKind.township:
        raise DomainError("只有乡镇/街道报送的信息可以指定双报部门。")
    department = db.session.get(Unit, department_id)
    if department is None or department.kind != UnitKind.department or not department.active:
        raise DomainError("请选择有效的县直部门作为双报部门。")
    return department.id


def dual_obligation_exists(item: Item) -> bool:
    return db.session.scalar(select(func.count()).select_from(DualReport)
                             .where(DualReport.source_item_id == item.id)) > 0


DOUBLE_SAVE_WINDOW = timedelta(seconds=30)


def just_saved(actor, data: ItemData) -> Item | None:
    """The draft this officer saved from the same text within the last seconds: a double
    click or a resent form is that draft, not a second item."""
    try:
        fields = _clean(actor.unit, data, None)
    except DomainError:
        return None
    return db.session.scalar(select(Item).where(
        Item.author_id == actor.id, Item.status == ItemStatus.draft,
        Item.created_at >= clock.now() - DOUBLE_SAVE_WINDOW,
        Item.title == fields["title"], Item.body_html == fields["body_html"],
        Item.kind == fields["kind"]).order_by(Item.id.desc()).limit(1))


def create_item(actor, data: ItemData) -> Item:
    """A new draft of the actor's unit, written by the actor."""
    if not getattr(actor, "is_officer", False) or actor.unit.is_center:
        raise Forbidden("只有乡镇和部门的信息员可以撰写报送信息。")
    item = Item(unit_id=actor.unit_id, author_id=actor.id, status=ItemStatus.draft,
                created_at=clock.now(), **_clean(actor.unit, data, None))
    db.session.add(item)
    db.session.flush()
    _record(item, actor, "create")
    revisions.record(item, actor, "create")
    return item


def update_item(actor, item: Item, data: ItemData) -> None:
    """Change the text of an item its unit may still edit (draft, returned, at sign-off)."""
    if not workflow.can_edit(actor, item):
        raise Forbidden("该信息当前不能由您修改。")
    revisions.baseline(item)
    changed = False
    for name, value in _clean(item.unit, data, item).items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    if changed:  # saving the same text again (or with an upload) is not an edit
        _record_edit(item, actor)
        revisions.record(item, actor, "edit")
    db.session.flush()


def _record(item: Item, actor, action: str, comment: str = "") -> None:
    db.session.add(ItemEvent(item=item, actor_id=actor.id if actor else None, action=action,
                             comment=comment))


def _record_edit(item: Item, actor) -> None:
    """One "edit" line per sitting: repeated saves by the same person refresh its time."""
    last = db.session.scalar(select(ItemEvent).where(ItemEvent.item_id == item.id)
                             .order_by(ItemEvent.id.desc()).limit(1))
    if last is not None and last.action == "edit" and last.actor_id == actor.id \
            and clock.now() - last.at < timedelta(hours=1):
        last.at = clock.now()
    else:
        _record(item, actor, "edit")


def readiness_problems(item: Item) -> list[str]:
    """What is missing before the item may go to sign-off or to the center."""
    problems = []
    if not item.title.strip():
        problems.append("缺少标题")
    kind_media = [m for m in item.media if m.kind == allowed_media_kind(item.kind)]
    if item.kind == ItemKind.text and not item.body_html.strip():
        problems.append("文字信息需要填写正文")
    if item.kind == ItemKind.image:
        if not kind_media:
            problems.append("图片信息至少需要上传一张图片")
        if any(not m.caption.strip() for m in kind_media):
            problems.append("每张图片都需要填写图片说明")
    if item.kind in (ItemKind.video, ItemKind.audio):
        if len(kind_media) != 1:
            problems.append(f"{item.kind.label}信息需要上传一个{item.kind.label}文件")
        if not (item.summary.strip() or item.body_html.strip()):
            problems.append(f"请在摘要或正文中填写{item.kind.label}说明")
    if item.urgent and item.event_at is None:
        problems.append("紧急信息必须填写事件发生时间")
    if not item.column.open_to_submissions:
        problems.append(f"目标栏目「{item.column.name}」已不接受报送，请另选栏目")
    return problems


# ---- the word check (错敏词) where people write ---------------------------------------------
# The list and the matching belong to publishing; it lends them through app.extensions.

def item_texts(item: Item) -> list[tuple[str, str]]:
    """(place, plain text) of everything the public will read of an item."""
    texts = [("标题", item.title), ("摘要", item.summary or ""),
             ("正文", to_text(item.body_html))]
    texts += [(f"附件{m.position + 1}说明", m.caption) for m in item.media if m.caption]
    return texts


def word_findings(texts: list[tuple[str, str]]) -> list[str]:
    """The word check of (place, text) pairs: one sentence per term found."""
    check = current_app.extensions.get("word_check_texts")
    return check(texts) if check else []


def word_marked(value: str) -> Markup:
    """Stored HTML with the word check's terms marked in place."""
    mark = current_app.extensions.get("word_mark")
    return mark(value) if mark else Markup(value)


def check_words_at_signoff(item_id: int, texts, actor, confirmed: bool) -> None:
    """The leader signs off past word check findings only by confirming them (recorded)."""
    found = word_findings(texts)
    if not found:
        return
    if not confirmed:
        raise DomainError("含有错敏词：" + "；".join(found) + "。请逐一核对，勾选「已核对错敏词」"
                          "后再签发，或修改后再签发。")
    db.session.add(ItemEvent(item_id=item_id, actor_id=actor.id, action="word_check",
                             comment="签发人已核对并确认：" + "；".join(found)))


def act(item: Item, action: str, actor, comment: str | None = None,
        confirm_words: bool = False) -> workflow.Transition:
    """A workflow step of the reporting unit (submit, sign off, send back, recall, resubmit)."""
    if action not in workflow.UNIT_ACTIONS:
        raise DomainError("此操作不能在这里办理。")
    if action == "sign_off" and workflow.ITEM_FLOW.can(item, action, actor):
        check_words_at_signoff(item.id, item_texts(item), actor, confirm_words)
    if action in workflow.TO_CENTER or action in workflow.TO_SIGNOFF:
        # Rights and state first, so that nobody learns what a foreign item lacks.
        if workflow.ITEM_FLOW.can(item, action, actor):
            problems = readiness_problems(item)
            if problems:
                raise DomainError("还不能提交：" + "；".join(problems) + "。")
    return workflow.apply(item, action, actor, comment)


def latest_comment(item: Item, actions: tuple[str, ...]) -> ItemEvent | None:
    """The latest event of one of ``actions`` (e.g. the center's reason for returning it)."""
    return db.session.scalar(select(ItemEvent).where(ItemEvent.item_id == item.id,
                                                     ItemEvent.action.in_(actions))
                             .order_by(ItemEvent.id.desc()).limit(1))


def queue_order():
    """How the center's queue should sort: urgent first, then oldest arrival first."""
    return (Item.urgent.desc(), Item.submitted_at.asc(), Item.id.asc())


# ---- the quota -------------------------------------------------------------------------

def month_count(unit_id: int, year: int, month: int) -> int:
    """Items of a unit that first reached the center in a calendar month (China time)."""
    start, end = clock.month_bounds(year, month)
    return db.session.scalar(select(func.count()).select_from(Item).where(
        Item.unit_id == unit_id, Item.first_submitted_at >= start,
        Item.first_submitted_at < end))


def monthly_quota(unit, year: int, month: int) -> int:
    """The unit's quota for a month: the monitor's rules (overrides, exemptions) when the
    monitor is installed, else MONTHLY_QUOTA. 0 means exempt."""
    provider = current_app.extensions.get("monthly_quota")
    return provider(unit, year, month) if provider else current_app.config["MONTHLY_QUOTA"]


def urgent_time_left(item: Item, at: datetime | None = None) -> timedelta | None:
    """For an urgent item not yet at the center: time until it counts as late (negative: late)."""
    if not item.urgent or item.event_at is None or item.first_submitted_at is not None:
        return None
    hours = current_app.config["URGENT_REPORT_HOURS"]
    return item.event_at + timedelta(hours=hours) - (at or clock.now())


# ---- media -------------------------------------------------------------------------------

MAX_IMAGES = 30
_KIND_FOR_ITEM = {ItemKind.text: "image", ItemKind.image: "image", ItemKind.video: "video",
                  ItemKind.audio: "audio"}


def allowed_media_kind(kind: ItemKind) -> str:
    """The one kind of file an item of ``kind`` takes (text items may carry photos)."""
    return _KIND_FOR_ITEM[ItemKind(kind)]


def media_root() -> Path:
    cfg = current_app.config
    return Path(cfg.get("MEDIA_ROOT") or Path(current_app.instance_path) / "media")


def media_limits() -> media_files.Limits:
    cfg, mb = current_app.config, 1024 * 1024
    return media_files.Limits(image_bytes=int(cfg["IMAGE_MAX_MB"] * mb),
                              video_bytes=int(cfg["VIDEO_MAX_MB"] * mb),
                              audio_bytes=int(cfg["AUDIO_MAX_MB"] * mb),
                              max_image_pixels=int(cfg["IMAGE_MAX_PIXELS"]))


def attach_media(actor, item: Item, stream, filename: str, caption: str = "") -> Media:
    """Check and store an uploaded file, then add its row to the item.

    The file is streamed to disk and validated by ``media.save_upload``; the row
    is added only once the files are in place, and if this transaction does not
    commit the files are removed again (``sweep`` is the last resort).
    """
    if not workflow.can_edit(actor, item):
        raise Forbidden("该信息当前不能由您修改。")
    kind = allowed_media_kind(item.kind)
    caption = checked_text(caption, "说明" if kind != "image" else "图片说明", 300,
                    required=kind == "image")
    existing = [m for m in item.media if m.kind == kind]
    if kind != "image" and existing:
        raise DomainError(f"每条{item.kind.label}信息只能有一个{item.kind.label}文件，"
                          "请先删除原文件。")
    if len(existing) >= MAX_IMAGES:
        raise DomainError(f"每条信息最多 {MAX_IMAGES} 张图片。")
    revisions.baseline(item)
    try:
        stored = media_files.save_upload(
            stream, filename or "", kind, media_root(), limits=media_limits(),
            use_ffmpeg=current_app.config["MEDIA_USE_FFMPEG"])
    except media_files.MediaError as e:
        raise DomainError(str(e)) from None
    remove_on_rollback(media_files.media_paths(stored))
    row = Media(item=item, kind=stored.kind, path=stored.path, mime=stored.mime,
                size=stored.size, sha256=stored.sha256, width=stored.width,
                height=stored.height, duration=stored.duration, poster=stored.poster,
                thumb=stored.renditions.get("thumb"), page=stored.renditions.get("page"),
                caption=caption, original_filename=stored.original_filename[:255],
                position=max((m.position for m in item.media), default=-1) + 1)
    db.session.add(row)
    _record(item, actor, "media_add", f"{stored.original_filename or kind}"
                                      + (f"（{caption}）" if caption else ""))
    db.session.flush()
    revisions.record(item, actor, "media")
    return row


def update_caption(actor, row: Media, caption: str) -> None:
    if not workflow.can_edit(actor, row.item):
        raise Forbidden("该信息当前不能由您修改。")
    caption = checked_text(caption, "图片说明" if row.kind == "image" else "说明", 300,
                    required=row.kind == "image")
    revisions.baseline(row.item)
    row.caption = caption
    _record_edit(row.item, actor)
    revisions.record(row.item, actor, "media")


def move_media(actor, row: Media, offset: int) -> None:
    """Move a file one place up (-1) or down (+1) in the item's order."""
    item = row.item
    if not workflow.can_edit(actor, item):
        raise Forbidden("该信息当前不能由您修改。")
    revisions.baseline(item)
    ordered = sorted(item.media, key=lambda m: (m.position, m.id))
    i = ordered.index(row)
    j = i + (1 if offset > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, m in enumerate(ordered):
        m.position = position
    _record_edit(item, actor)
    db.session.flush()
    item.media.sort(key=lambda m: m.position)
    revisions.record(item, actor, "media")


def remove_media(actor, row: Media) -> None:
    """Remove a file from an item its unit may still edit; the files go once that commits."""
    item = row.item
    if not workflow.can_edit(actor, item):
        raise Forbidden("该信息当前不能由您修改。")
    paths = [p for p in (row.path, row.thumb, row.page, row.poster) if p]
    revisions.baseline(item)
    _record(item, actor, "media_remove", row.original_filename or row.kind)
    item.media.remove(row)
    item.body_html = own_images(item.body_html, item.media)  # the photo leaves the text too
    db.session.flush()
    revisions.record(item, actor, "media")
    root = media_root()
    after_commit(lambda: [(root / p).unlink(missing_ok=True) for p in paths])


def _never_sent(item: Item) -> bool:
    return item.status == ItemStatus.draft and item.first_submitted_at is None and \
        db.session.scalar(select(ItemEvent.id).where(
            ItemEvent.item_id == item.id, ItemEvent.action.in_(("submit", "submit_direct")))
            .limit(1)) is None


def can_delete_draft(actor, item: Item) -> bool:
    return _never_sent(item) and workflow.can_edit(actor, item)


def delete_draft(actor, item: Item) -> str:
    """Delete a draft that never reached anyone (its files go once that commits). An item
    that was ever submitted stays: it has a history others have seen. Returns its title."""
    if not _never_sent(item):
        raise Conflict("该信息已提交过，不能删除；如不再需要，可撤回后留作草稿，或请中心不予采用。")
    if not workflow.can_edit(actor, item):
        raise Forbidden("该信息当前不能由您删除。")
    paths = [p for row in item.media for p in (row.path, row.thumb, row.page, row.poster) if p]
    title = item.title
    for revision in db.session.scalars(select(ItemRevision)
                                       .where(ItemRevision.item_id == item.id)).all():
        db.session.delete(revision)
    for step in list(item.events):
        db.session.delete(step)
    for row in list(item.media):
        db.session.delete(row)
    db.session.delete(item)
    db.session.flush()
    root = media_root()
    after_commit(lambda: [(root / p).unlink(missing_ok=True) for p in paths])
    return title


def referenced_paths() -> set[str]:
    """Every media path the database refers to (what ``sweep`` must keep)."""
    paths: set[str] = set()
    for row in db.session.execute(select(Media.path, Media.thumb, Media.page, Media.poster)):
        paths.update(p for p in row if p)
    return paths


_NEW_FILES = "submissions_new_media_files"


def remove_on_rollback(paths: list[str]) -> None:
    session = db.session()
    root = media_root()
    session.info.setdefault(_NEW_FILES, []).extend(root / p for p in paths)


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _drop_new_files(session: Session) -> None:
    # The rows never existed: their files must not stay behind as orphans.
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)
