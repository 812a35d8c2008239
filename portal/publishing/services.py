"""The center's decisions on items, the word check, the page texts, due publishing.

Plain functions taking the acting user (``SYSTEM`` for scheduled jobs). They
validate, change, record and flush; the view or command commits once. State
changes go through ``submissions.workflow.apply`` only, which refuses a second
reviewer acting on an item someone else has just handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import g
from markupsafe import Markup
from sqlalchemy import func, select

from .. import clock, html
from ..errors import Conflict, DomainError
from ..extensions import db
from ..site.models import Column, ColumnKind
from ..submissions import corrections
from ..submissions.models import Correction, Item, ItemEvent, ItemStatus
from ..submissions.services import item_texts
from ..submissions.workflow import ITEM_FLOW, SYSTEM, apply
from ..submissions.workflow import event_label as item_event_label
from .models import PageRevision, TermKind, WordTerm

S = ItemStatus

# History entries publishing writes besides the workflow's own steps.
EVENT_LABELS = {
    "retitle": "修改标题",
    "move": "调整栏目",
    "schedule_times": "设定上下线时间",
    "import": "从旧网站导入",
}


def event_label(action: str) -> str:
    """The label of a history entry, for the review page."""
    return EVENT_LABELS.get(action) or item_event_label(action)


def _note(item: Item, actor, action: str, comment: str) -> None:
    db.session.add(ItemEvent(item=item, actor_id=getattr(actor, "id", None), action=action,
                             from_status=None, to_status=None, comment=comment))


def _expect(item: Item, action: str) -> None:
    """Refuse an action the item's current state no longer allows, naming who handled it.

    The workflow engine refuses it too; this gives the reviewer who opened the
    page before a colleague acted the message that explains why.
    """
    if (item.status, action) in ITEM_FLOW.transitions:
        return
    who = ITEM_FLOW.handled_by(item) if ITEM_FLOW.handled_by else None
    label = ITEM_FLOW.state_labels.get(item.status, item.status)
    raise Conflict(f"该事项已由{who or '他人'}处理（当前状态：{label}），请刷新后查看。")


# ---- word check (错敏词) -----------------------------------------------------------

@dataclass
class WordMatch:
    term: WordTerm
    count: int
    places: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        hint = f"，建议：{self.term.suggestion}" if self.term.suggestion else ""
        return f"{self.term.term}（{self.term.kind.label}{hint}）"


def _terms() -> dict[str, WordTerm]:
    # Cached per request: the review page asks for it once per text.
    if "word_terms" not in g:
        g.word_terms = {t.term.lower(): t for t in db.session.scalars(select(WordTerm))}
    return g.word_terms


def term_pattern():
    return html.terms_pattern(t.term for t in _terms().values())


def describe_term(matched: str) -> str:
    term = _terms().get(matched.lower())
    if term is None:
        return ""
    return term.kind.label + (f"，建议改为「{term.suggestion}」" if term.suggestion else "")


def word_matches(item: Item, title: str | None = None) -> list[WordMatch]:
    """Terms of the word check list found in the item (``title``: a corrected title)."""
    texts = item_texts(item)
    if title is not None:
        texts[0] = ("标题", title)
    return text_matches(texts)


def text_summaries(text: str) -> list[str]:
    """The word check of one plain text (a reply to a citizen): a summary per term found.
    Other packages reach it through ``app.extensions["word_check"]``."""
    return [m.summary for m in text_matches([("答复", text or "")])]


def text_findings(texts: list[tuple[str, str]]) -> list[str]:
    """The word check of (place, plain text) pairs as sentences: the term, its kind, the
    suggestion and where it was found. Lower packages reach it through
    ``app.extensions["word_check_texts"]``."""
    return [f"{m.summary}，见{'、'.join(m.places)}" for m in text_matches(texts)]


def mark_html(value: str) -> Markup:
    """Stored HTML with the word check's terms marked in place (``app.extensions["word_mark"]``)."""
    return html.mark_terms(value, term_pattern(), describe_term)


def text_matches(texts: list[tuple[str, str]]) -> list[WordMatch]:
    """Terms of the word check list found in (place, plain text) pairs."""
    pattern = term_pattern()
    if pattern is None:
        return []
    found: dict[str, WordMatch] = {}
    for place, text in texts:
        for m in pattern.finditer(text):
            term = _terms()[m.group().lower()]
            match = found.setdefault(term.term, WordMatch(term, 0))
            match.count += 1
            if place not in match.places:
                match.places.append(place)
    return sorted(found.values(), key=lambda wm: (wm.term.kind != TermKind.sensitive,
                                                  wm.term.term))


def _check_term_fields(term: str, kind, suggestion: str, existing: WordTerm | None) -> TermKind:
    if not term or len(term) > 50:
        raise DomainError("词语不能为空，且不超过 50 个字符。")
    if suggestion == term:
        raise DomainError("建议改为的写法不能与词语本身相同。")
    try:
        kind = TermKind(kind)
    except ValueError:
        raise DomainError("类型无效，应为敏感词或易错词。") from None
    clash = db.session.scalar(select(WordTerm).where(func.lower(WordTerm.term) == term.lower()))
    if clash is not None and clash is not existing:
        raise DomainError(f"词语「{term}」已在列表中。")
    return kind


def save_term(actor, term: str, kind, suggestion: str = "", note: str = "",
              existing: WordTerm | None = None) -> WordTerm:
    """Add a term to the word check list, or change one."""
    term, suggestion, note = (term or "").strip(), (suggestion or "").strip(), (note or "").strip()
    kind = _check_term_fields(term, kind, suggestion, existing)
    entry = existing or WordTerm()
    entry.term, entry.kind, entry.suggestion, entry.note = term, kind, suggestion[:100], note[:200]
    entry.updated_by_id = getattr(actor, "id", None)
    db.session.add(entry)
    db.session.flush()
    g.pop("word_terms", None)
    return entry


def delete_term(actor, entry: WordTerm) -> None:
    db.session.delete(entry)
    db.session.flush()
    g.pop("word_terms", None)


# ---- page columns (县情风貌, 便民服务) ------------------------------------------------

def save_page(actor, column: Column, text: str) -> PageRevision:
    """Sanitise and store the text of a page column, keeping the previous one as a revision."""
    if column.kind != ColumnKind.page:
        raise DomainError(f"栏目「{column.name}」不是单页栏目。")
    clean = html.sanitize(text).strip()
    if not html.to_text(clean):
        raise DomainError("页面内容不能为空。")
    column.page_html = clean
    revision = PageRevision(column=column, html=clean, saved_by_id=getattr(actor, "id", None))
    db.session.add(revision)
    db.session.flush()
    return revision


# ---- the reviewer's decisions ---------------------------------------------------------

def review_columns() -> list[Column]:
    """Columns a reviewer may publish an item to: those open to submissions."""
    return db.session.scalars(select(Column).where(Column.open_to_submissions)
                              .order_by(Column.position, Column.id)).all()


def _check_times(publish_at: datetime | None, unpublish_at: datetime | None,
                 now: datetime) -> None:
    if publish_at is not None and publish_at <= now:
        raise DomainError("定时发布的时间必须晚于现在；要立即发布请留空。")
    if unpublish_at is not None and unpublish_at <= (publish_at or now):
        raise DomainError("下线时间必须晚于发布时间。")


def publish(item: Item, actor, *, column: Column | None = None, title: str | None = None,
            publish_at: datetime | None = None, unpublish_at: datetime | None = None,
            confirm_words: bool = False) -> str:
    """Publish a submitted item now, or schedule it for ``publish_at``.

    The reviewer may correct the title and move the item to another column
    open to submissions; both are recorded in its history. When the item
    contains terms of the word check list, ``confirm_words`` must be given and
    the confirmation is recorded too. Returns the workflow action taken
    ("publish" or "schedule").
    """
    action = "schedule" if publish_at is not None else "publish"
    _expect(item, action)
    _check_times(publish_at, unpublish_at, clock.now())
    title = (title or "").strip() or item.title
    if len(title) > 200:
        raise DomainError("标题不超过 200 个字符。")
    if column is not None and column.id != item.column_id and not column.open_to_submissions:
        raise DomainError(f"栏目「{column.name}」不接收报送信息，不能发布到该栏目。")

    matches = word_matches(item, title)
    if matches and not confirm_words:
        raise DomainError("该信息含有错敏词，请逐一核对后勾选确认，再发布。")

    # Changes first, then the state: the search index document is built from the
    # item as it is when the workflow step is applied.
    if title != item.title:
        _note(item, actor, "retitle", f"标题由「{item.title}」改为「{title}」")
        item.title = title
    if column is not None and column.id != item.column_id:
        _note(item, actor, "move", f"栏目由「{item.column.name}」调整为「{column.name}」")
        item.column = column
    if matches:
        _note(item, actor, "word_check",
              "审核员已核对并确认发布，含：" + "；".join(m.summary for m in matches))
    item.publish_at = publish_at
    item.unpublish_at = unpublish_at
    if publish_at or unpublish_at:
        parts = ([f"定时发布 {clock.format_local(publish_at)}"] if publish_at else []) + \
                ([f"到期下线 {clock.format_local(unpublish_at)}"] if unpublish_at else [])
        _note(item, actor, "schedule_times", "；".join(parts))
    apply(item, action, actor)
    return action


def return_item(item: Item, actor, reason: str) -> None:
    """Send a submitted item back to its unit for revision, with the reason."""
    _expect(item, "return")
    apply(item, "return", actor, reason)


def decline_item(item: Item, actor, reason: str) -> None:
    """Decide not to use a submitted item (不予采用), with the reason."""
    _expect(item, "decline")
    apply(item, "decline", actor, reason)


def withdraw_item(item: Item, actor, reason: str) -> None:
    """Take a published item off the public site (撤稿), with the reason."""
    _expect(item, "withdraw")
    apply(item, "withdraw", actor, reason)
    item.unpublish_at = None


def restore_item(item: Item, actor, reason: str) -> None:
    """Put a withdrawn item back on the site as it was (its first publication time kept)."""
    _expect(item, "restore")
    apply(item, "restore", actor, reason)


def edit_item(item: Item, actor, *, title: str, summary: str, body: str, reason: str) -> bool:
    """The reviewer's small edit (a typo) without a return round trip; a revision with
    the reviewer's name and reason. On a published item the page shows 更新于."""
    return corrections.edit_directly(item, actor, title=title, summary=summary, body=body,
                                     reason=reason)


# ---- corrections of published items ---------------------------------------------------------

def correction_matches(correction: Correction) -> list[WordMatch]:
    return text_matches(corrections.texts(correction))


def publish_correction(correction: Correction, actor, confirm_words: bool = False) -> None:
    """Publish a correction: the item takes its text under the same URL (更新于)."""
    if correction_matches(correction) and not confirm_words:
        raise DomainError("更正稿含有错敏词，请逐一核对后勾选确认，再发布。")
    corrections.publish(correction, actor)


def return_correction(correction: Correction, actor, reason: str) -> None:
    corrections.return_(correction, actor, reason)


def decline_correction(correction: Correction, actor, reason: str) -> None:
    corrections.decline(correction, actor, reason)


def unschedule_item(item: Item, actor) -> None:
    """Cancel a scheduled publication: the item is back in the queue."""
    _expect(item, "unschedule")
    apply(item, "unschedule", actor)
    item.publish_at = item.unpublish_at = None


@dataclass
class DueResult:
    published: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # handled by someone else meanwhile


def run_due(now: datetime | None = None) -> DueResult:
    """Publish scheduled items whose time has come and take expired ones offline.

    Acts as ``SYSTEM``. Safe to run twice at once: each item moves by a
    conditional update, so a second run finds it handled and skips it (each
    item in a savepoint, so one skip never undoes the others). The caller commits.
    """
    now = now or clock.now()
    result = DueResult()
    due = [
        (S.scheduled, Item.publish_at, "publish_due", result.published),
        (S.published, Item.unpublish_at, "unpublish_due", result.withdrawn),
    ]
    for status, when, action, done in due:
        ids = db.session.scalars(select(Item.id).where(Item.status == status, when.is_not(None),
                                                       when <= now).order_by(when, Item.id)).all()
        for item_id in ids:
            item = db.session.get(Item, item_id)
            try:
                with db.session.begin_nested():
                    apply(item, action, SYSTEM,
                          "到期自动下线" if action == "unpublish_due" else "")
                    if action == "unpublish_due":
                        item.unpublish_at = None
            except Conflict:
                db.session.refresh(item)
                result.skipped.append(item_id)
            else:
                done.append(item_id)
    return result
