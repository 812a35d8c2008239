"""Revisions of an item's text, and word-level differences between any two of them.

Every save that changes an item's title, summary, body or media list appends an
``ItemRevision`` (who, when, what produced it, why). Items that existed before
revisions were kept get a "baseline" revision of their text the first time it
changes, so the first change can be compared too.

Differences are computed on plain text split into Chinese words (rjieba) and
Latin words, with ``difflib.SequenceMatcher``; paragraphs stay paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import rjieba
from markupsafe import Markup, escape
from sqlalchemy import func, select

from .. import clock, html
from ..extensions import db
from .models import Correction, Item, ItemRevision

SOURCE_LABELS = {
    "create": "新建", "edit": "修改", "media": "附件变动", "reviewer": "审核员修改",
    "correction": "更正发布", "baseline": "此前版本",
}


def media_list(item: Item) -> str:
    """The item's media as one line each: file name and caption."""
    return "\n".join(f"{m.original_filename or m.kind}：{m.caption}".rstrip("：")
                     for m in item.media)


def _same(revision: ItemRevision | None, item: Item) -> bool:
    return revision is not None and (revision.title, revision.summary, revision.body_html,
                                     revision.media_list) == (
        item.title, item.summary or "", item.body_html or "", media_list(item))


def latest(item: Item) -> ItemRevision | None:
    return db.session.scalar(select(ItemRevision).where(ItemRevision.item_id == item.id)
                             .order_by(ItemRevision.number.desc()).limit(1))


def _add(item: Item, actor, source: str, reason: str, number: int, **text) -> ItemRevision:
    revision = ItemRevision(item_id=item.id, number=number, at=clock.now(),
                            actor_id=getattr(actor, "id", None), source=source,
                            reason=reason, **text)
    db.session.add(revision)
    db.session.flush()
    return revision


def baseline(item: Item) -> None:
    """Before the first recorded change of an item without revisions: keep its text as it
    is now, so the change can be compared with it."""
    if item.id is None or latest(item) is not None:
        return
    db.session.flush()
    _add(item, None, "baseline", "", 1, title=item.title, summary=item.summary or "",
         body_html=item.body_html or "", media_list=media_list(item))


def record(item: Item, actor, source: str, reason: str = "") -> ItemRevision | None:
    """A revision of the item's text as it is now, unless nothing changed since the last."""
    db.session.flush()
    last = latest(item)
    if _same(last, item):
        return None
    return _add(item, actor, source, reason, (last.number if last else 0) + 1,
                title=item.title, summary=item.summary or "", body_html=item.body_html or "",
                media_list=media_list(item))


def of(item: Item) -> list[ItemRevision]:
    """The item's revisions, oldest first."""
    return db.session.scalars(select(ItemRevision).where(ItemRevision.item_id == item.id)
                              .order_by(ItemRevision.number)).all()


def count(item: Item) -> int:
    return db.session.scalar(select(func.count()).select_from(ItemRevision)
                             .where(ItemRevision.item_id == item.id))


def get(item: Item, number: int) -> ItemRevision | None:
    return db.session.scalar(select(ItemRevision).where(ItemRevision.item_id == item.id,
                                                        ItemRevision.number == number))


# ---- differences ---------------------------------------------------------------------------

_WORDS = re.compile(r"\n|[A-Za-z0-9_.%-]+|\s+|[^\sA-Za-z0-9_.%-]+")


def words(text: str) -> list[str]:
    """Text split into words: Chinese by rjieba, Latin words and numbers whole,
    line breaks as words of their own."""
    out: list[str] = []
    for piece in _WORDS.findall(text):
        if piece == "\n" or piece.isascii():
            out.append(piece)
        else:
            out.extend(rjieba.cut(piece, False))
    return out


def diff(old: str, new: str) -> Markup:
    """``new`` against ``old`` as HTML: deleted words in <del>, inserted in <ins>."""
    a, b = words(old or ""), words(new or "")
    parts: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(Markup("<del>{}</del>").format("".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(Markup("<ins>{}</ins>").format("".join(b[j1:j2])))
    return Markup("").join(parts)


@dataclass
class TextVersion:
    """What the diff compares of one version (a revision, a correction, the item now)."""

    title: str
    summary: str
    body_html: str
    media_list: str = ""


def version_of(obj: Item | ItemRevision | Correction) -> TextVersion:
    media = obj.media_list if isinstance(obj, ItemRevision) else (
        media_list(obj) if isinstance(obj, Item) else "")
    return TextVersion(obj.title, obj.summary or "", obj.body_html or "", media)


@dataclass
class FieldDiff:
    label: str
    html: Markup
    changed: bool


def compare(old: TextVersion, new: TextVersion, *, media: bool = True) -> list[FieldDiff]:
    """The differences field by field: 标题, 摘要, 正文 (and 附件)."""
    fields = [("标题", old.title, new.title), ("摘要", old.summary, new.summary),
              ("正文", html.to_text(old.body_html), html.to_text(new.body_html))]
    if media:
        fields.append(("附件", old.media_list, new.media_list))
    return [FieldDiff(label, diff(a, b), a != b) for label, a, b in fields]
