"""The meta tags of 政府网站发展指引 for an article page, from the item's own data."""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
import rjieba

from ..submissions.models import Item
from ..urls import external_url

DESCRIPTION_CHARS = 120
# Words that say nothing about an article.
_STOP = {"关于", "开展", "召开", "举行", "进行", "工作", "我县", "全县", "积极", "认真", "一个"}


@dataclass(frozen=True)
class ArticleMeta:
    title: str
    description: str
    keywords: str
    author: str
    image: str
    url: str


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", nh3.clean(html or "", tags=set())).strip()


def description(item: Item) -> str:
    """The summary, or the opening of the body; never the title again."""
    text = (item.summary or "").strip() or _text(item.body_html)
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rstrip() + "…"
    return text


def keywords(item: Item) -> str:
    """The title's content words, then the column and the unit (at most 8, no repeats)."""
    words = [w for w in rjieba.cut(item.title) if len(w) >= 2 and w not in _STOP
             and not w.isdigit()]
    found: list[str] = []
    for word in [*words, item.column.name, item.unit.name]:
        if word not in found:
            found.append(word)
    return ",".join(found[:8])


def article_meta(item: Item) -> ArticleMeta:
    image = next((m for m in item.media if m.kind == "image"), None)
    poster = next((m for m in item.media if m.kind == "video" and m.poster), None)
    picture = ""
    if image is not None:
        picture = external_url("submissions.media", media_id=image.id,
                               variant="page" if image.page else "file")
    elif poster is not None:
        picture = external_url("submissions.media", media_id=poster.id, variant="poster")
    return ArticleMeta(
        title=item.title, description=description(item), keywords=keywords(item),
        author=item.unit.name, image=picture,
        url=external_url("public.item", item_id=item.id))
