"""The reviewer's queue, the admin's word list and page editor.

Views are thin: load and check (``get_or_404``), validate the form, call a
service, commit once, redirect. The public pages are in ``portal.public``.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..accounts.models import Unit
from ..errors import Conflict, DomainError
from ..extensions import db
from ..forms import choices
from ..html import mark_terms, mark_text
from ..permissions import get_or_404, require_login_and
from ..security import editor_page
from ..site.models import Column, ColumnKind
from ..submissions import corrections, revisions
from ..submissions.dual import links_for as dual_links
from ..submissions.models import Correction, CorrectionStatus, Item, ItemEvent, ItemKind, ItemStatus
from ..submissions.services import body_for_editing
from . import services
from .forms import (
    ConfirmForm,
    CorrectionPublishForm,
    DeclineForm,
    EditForm,
    PageForm,
    PublishForm,
    RestoreForm,
    ReturnForm,
    TermForm,
    WithdrawForm,
)
from .models import PageRevision, TermKind, WordTerm

bp = Blueprint("publishing", __name__)
S = ItemStatus

# The queue's tabs: which items, in which order.
QUEUE_TABS = {
    "submitted": ("待审核", S.submitted),
    "scheduled": ("定时发布", S.scheduled),
    "published": ("已发布", S.published),
}


def _page() -> int:
    return request.args.get("page", 1, type=int)


def page_url(number: int) -> str:
    """This page's URL with its query, at page ``number`` (for the pager)."""
    args = {**request.args.to_dict(), **(request.view_args or {}), "page": number}
    return url_for(request.endpoint, **args)


def _status_label(value: str) -> str:
    try:
        return ItemStatus(value).label
    except ValueError:
        return value


# ---- the reviewer's queue -------------------------------------------------------------

@bp.get("/review/")
@require_login_and("desk.review")
def queue():
    tab = request.args.get("tab", "submitted")
    if tab not in QUEUE_TABS:
        abort(404)
    status = QUEUE_TABS[tab][1]
    unit_id = request.args.get("unit", type=int)
    column_id = request.args.get("column", type=int)
    kind = request.args.get("kind") or None
    query = (select(Item).where(Item.status == status)
             .options(joinedload(Item.unit), joinedload(Item.column)))
    if unit_id:
        query = query.where(Item.unit_id == unit_id)
    if column_id:
        query = query.where(Item.column_id == column_id)
    if kind in ItemKind.__members__:
        query = query.where(Item.kind == ItemKind(kind))
    if status == S.submitted:
        # Urgent first, then whoever has waited longest.
        query = query.order_by(Item.urgent.desc(), Item.submitted_at, Item.id)
    elif status == S.scheduled:
        query = query.order_by(Item.publish_at, Item.id)
    else:
        query = query.order_by(Item.published_at.desc(), Item.id.desc())
    pagination = db.paginate(query, page=_page(), error_out=True,
                             per_page=current_app.config["PUBLISHING_QUEUE_PAGE_SIZE"])
    counts = dict(db.session.execute(
        select(Item.status, func.count()).where(Item.status.in_([s for _, s in
                                                                 QUEUE_TABS.values()]))
        .group_by(Item.status)).all())
    units = db.session.scalars(select(Unit).order_by(Unit.kind, Unit.code)).all()
    columns = db.session.scalars(select(Column).order_by(Column.position)).all()
    duals = dual_links([i.id for i in pagination.items])
    return render_template("publishing/queue.html", pagination=pagination, tab=tab,
                           tabs=QUEUE_TABS, counts=counts, units=units, columns=columns,
                           corrections_waiting=db.session.scalar(
                               select(func.count()).select_from(Correction)
                               .where(Correction.status == CorrectionStatus.submitted)),
                           kinds=list(ItemKind), unit_id=unit_id, column_id=column_id,
                           kind=kind, now=clock.now(), duals=duals)


def _publish_form(item: Item, formdata=None) -> PublishForm:
    # The item's title and column prefill the form shown; a post must carry its own
    # values (WTForms would otherwise keep these defaults for missing fields).
    defaults = {} if formdata is not None else {"title": item.title, "column_id": item.column_id}
    form = PublishForm(formdata=formdata, **defaults)
    columns = services.review_columns()
    if item.column not in columns:
        columns.insert(0, item.column)
    form.column_id.choices = choices((c.id, c.name) for c in columns)
    return form


def _review_page(item: Item, status: int = 200, **forms):
    pattern = services.term_pattern()
    forms.setdefault("publish_form", _publish_form(item, formdata=None)
                     if item.status == S.submitted else None)
    forms.setdefault("return_form", ReturnForm(formdata=None))
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    forms.setdefault("withdraw_form", WithdrawForm(formdata=None))
    forms.setdefault("restore_form", RestoreForm(formdata=None))
    forms.setdefault("edit_form", EditForm(
        formdata=None, edit_title=item.title, edit_summary=item.summary,
        edit_body=body_for_editing(item.body_html)))
    events = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id)
                                .options(joinedload(ItemEvent.actor))
                                .order_by(ItemEvent.id)).all()
    return render_template(
        "publishing/review.html", item=item, matches=services.word_matches(item),
        title_html=mark_text(item.title, pattern, services.describe_term),
        body_html=mark_terms(item.body_html, pattern, services.describe_term),
        events=events, event_label=services.event_label, status_label=_status_label,
        confirm=ConfirmForm(), revision_count=revisions.count(item),
        correction=corrections.open_correction(item),
        **forms), status


@bp.get("/review/items/<int:item_id>")
@require_login_and("desk.review")
def review(item_id: int):
    item = get_or_404(Item, item_id, view="publishing.review_item")
    return _review_page(item)


def _act(item_id: int, form_name: str, form: object, do, done: str):
    """Run a review action: validate, call the service, commit; or re-show the page."""
    item = get_or_404(Item, item_id, view="publishing.review_item")
    if not form.validate_on_submit():
        return _review_page(item, 400, **{form_name: form})
    try:
        message = do(item, form) or done.format(title=item.title)
    except Conflict as e:
        db.session.rollback()
        flash(e.message, "error")
        return _review_page(item, 409)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _review_page(item, 400, **{form_name: form})
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("publishing.review", item_id=item.id))


@bp.post("/review/items/<int:item_id>/publish")
@require_login_and("desk.review")
def publish(item_id: int):
    item = get_or_404(Item, item_id, view="publishing.review_item")
    form = _publish_form(item, formdata=request.form)

    def do(item, form):
        column = db.session.get(Column, form.column_id.data)
        local = clock.from_local
        action = services.publish(
            item, current_user, column=column, title=form.title.data,
            publish_at=local(form.publish_at.data) if form.publish_at.data else None,
            unpublish_at=local(form.unpublish_at.data) if form.unpublish_at.data else None,
            confirm_words=form.confirm_words.data)
        if action == "schedule":
            return f"「{item.title}」将于 {clock.format_local(item.publish_at)} 定时发布。"
        return None

    return _act(item_id, "publish_form", form, do, "「{title}」已发布。")


@bp.post("/review/items/<int:item_id>/return")
@require_login_and("desk.review")
def return_(item_id: int):
    return _act(item_id, "return_form", ReturnForm(),
                lambda item, f: services.return_item(item, current_user, f.return_reason.data),
                "「{title}」已退回修改。")


@bp.post("/review/items/<int:item_id>/decline")
@require_login_and("desk.review")
def decline(item_id: int):
    return _act(item_id, "decline_form", DeclineForm(),
                lambda item, f: services.decline_item(item, current_user, f.decline_reason.data),
                "「{title}」已标记为不予采用。")


@bp.post("/review/items/<int:item_id>/withdraw")
@require_login_and("desk.review")
def withdraw(item_id: int):
    return _act(item_id, "withdraw_form", WithdrawForm(),
                lambda item, f: services.withdraw_item(item, current_user,
                                                       f.withdraw_reason.data),
                "「{title}」已撤稿，公众已无法访问。")


@bp.post("/review/items/<int:item_id>/restore")
@require_login_and("desk.review")
def restore(item_id: int):
    return _act(item_id, "restore_form", RestoreForm(),
                lambda item, f: services.restore_item(item, current_user, f.restore_reason.data),
                "「{title}」已恢复发布（发布时间仍为首次发布时间）。")


@bp.post("/review/items/<int:item_id>/edit")
@require_login_and("desk.review")
def edit(item_id: int):
    def do(item, f):
        changed = services.edit_item(item, current_user, title=f.edit_title.data,
                                     summary=f.edit_summary.data, body=f.edit_body.data,
                                     reason=f.edit_reason.data)
        return None if changed else "内容没有改动，未记录修订。"

    return _act(item_id, "edit_form", EditForm(), do, "已修改「{title}」，记入修订记录。")


@bp.post("/review/items/<int:item_id>/unschedule")
@require_login_and("desk.review")
def unschedule(item_id: int):
    return _act(item_id, "confirm", ConfirmForm(),
                lambda item, f: services.unschedule_item(item, current_user),
                "「{title}」已取消定时发布，回到待审核。")


# ---- corrections of published items ------------------------------------------------------

@bp.get("/review/corrections")
@require_login_and("desk.review")
def corrections_queue():
    waiting = db.session.scalars(
        select(Correction).where(Correction.status == CorrectionStatus.submitted)
        .options(joinedload(Correction.item)).order_by(Correction.submitted_at, Correction.id)
    ).all()
    recent = db.session.scalars(
        select(Correction).where(Correction.status.in_(
            [CorrectionStatus.published, CorrectionStatus.declined]))
        .order_by(Correction.decided_at.desc(), Correction.id.desc()).limit(20)).all()
    return render_template("publishing/corrections.html", waiting=waiting, recent=recent)


def _correction_page(correction: Correction, status: int = 200, **forms):
    item = correction.item
    pattern = services.term_pattern()
    forms.setdefault("publish_form", CorrectionPublishForm(formdata=None))
    forms.setdefault("return_form", ReturnForm(formdata=None))
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    diffs = revisions.compare(revisions.version_of(item), revisions.version_of(correction),
                              media=False) if correction.status == CorrectionStatus.submitted \
        else []
    return render_template(
        "publishing/correction.html", correction=correction, item=item, diffs=diffs,
        matches=services.correction_matches(correction),
        title_html=mark_text(correction.title, pattern, services.describe_term),
        body_html=mark_terms(correction.body_html, pattern, services.describe_term),
        **forms), status


@bp.get("/review/corrections/<int:correction_id>")
@require_login_and("desk.review")
def correction(correction_id: int):
    return _correction_page(get_or_404(Correction, correction_id,
                                       view="publishing.review_correction"))


_CORRECTION_ACTIONS = {
    # action: (form class, form name, service call, message)
    "publish": (CorrectionPublishForm, "publish_form",
                lambda c, f: services.publish_correction(c, current_user,
                                                         f.confirm_words.data),
                "更正已发布：「{title}」网址不变，页面注明更新时间。"),
    "return": (ReturnForm, "return_form",
               lambda c, f: services.return_correction(c, current_user, f.return_reason.data),
               "更正已退回报送单位修改。"),
    "decline": (DeclineForm, "decline_form",
                lambda c, f: services.decline_correction(c, current_user,
                                                         f.decline_reason.data),
                "已不予更正，网上内容保持不变。"),
}


@bp.post("/review/corrections/<int:correction_id>/<action>")
@require_login_and("desk.review")
def correction_act(correction_id: int, action: str):
    if action not in _CORRECTION_ACTIONS:
        abort(404)
    correction = get_or_404(Correction, correction_id, view="publishing.review_correction")
    form_class, form_name, do, done = _CORRECTION_ACTIONS[action]
    form = form_class()
    if not form.validate_on_submit():
        return _correction_page(correction, 400, **{form_name: form})
    try:
        do(correction, form)
    except Conflict as e:
        db.session.rollback()
        flash(e.message, "error")
        return _correction_page(db.session.get(Correction, correction_id), 409)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _correction_page(correction, 400, **{form_name: form})
    db.session.commit()
    flash(done.format(title=correction.item.title), "success")
    return redirect(url_for("publishing.corrections_queue"))


# ---- admin: word check list and page texts ----------------------------------------------

def _save_term(form: TermForm, entry: WordTerm | None = None):
    """Save a valid term form; a redirect to the list, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        entry = services.save_term(current_user, form.term.data, form.kind.data,
                                   form.suggestion.data, form.note.data, existing=entry)
    except DomainError as e:
        db.session.rollback()
        form.term.errors.append(e.message)
        return None
    db.session.commit()
    flash(f"已保存「{entry.term}」。", "success")
    return redirect(url_for("publishing.words"))


@bp.route("/admin/words", methods=["GET", "POST"])
@require_login_and("publishing.manage")
def words():
    form = TermForm()
    if saved := _save_term(form):
        return saved
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()
    query = select(WordTerm).order_by(WordTerm.kind, WordTerm.term)
    if kind in TermKind.__members__:
        query = query.where(WordTerm.kind == TermKind(kind))
    if q:
        query = query.where(WordTerm.term.contains(q) | WordTerm.suggestion.contains(q))
    return render_template("publishing/words.html", form=form, terms=db.session.scalars(query)
                           .all(), kind=kind, q=q, confirm=ConfirmForm()), \
        400 if form.errors else 200


@bp.route("/admin/words/<int:term_id>/edit", methods=["GET", "POST"])
@require_login_and("publishing.manage")
def word_edit(term_id: int):
    entry = get_or_404(WordTerm, term_id, view="publishing.manage")
    form = TermForm(obj=entry)
    if request.method == "GET":
        form.kind.data = entry.kind.value
    if saved := _save_term(form, entry):
        return saved
    return render_template("publishing/word_edit.html", form=form, entry=entry), \
        400 if form.errors else 200


@bp.post("/admin/words/<int:term_id>/delete")
@require_login_and("publishing.manage")
def word_delete(term_id: int):
    entry = get_or_404(WordTerm, term_id, view="publishing.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_term(current_user, entry)
    db.session.commit()
    flash(f"已删除「{entry.term}」。", "success")
    return redirect(url_for("publishing.words"))


def _page_columns() -> list[Column]:
    return db.session.scalars(select(Column).where(Column.kind == ColumnKind.page)
                              .order_by(Column.position)).all()


@bp.get("/admin/pages")
@require_login_and("publishing.manage")
def pages():
    latest = {}
    for col in _page_columns():
        latest[col] = db.session.scalar(select(PageRevision).where(PageRevision.column_id == col.id)
                                        .order_by(PageRevision.id.desc()).limit(1))
    return render_template("publishing/pages.html", latest=latest)


@bp.route("/admin/pages/<slug>", methods=["GET", "POST"])
@editor_page
@require_login_and("publishing.manage")
def page_edit(slug: str):
    column = db.session.scalar(select(Column).where(Column.slug == slug,
                                                    Column.kind == ColumnKind.page))
    if column is None:
        abort(404)
    form = PageForm(body=column.page_html)
    if form.validate_on_submit():
        try:
            services.save_page(current_user, column, form.body.data)
        except DomainError as e:
            db.session.rollback()
            form.body.errors.append(e.message)
        else:
            db.session.commit()
            flash(f"「{column.name}」已保存并发布。", "success")
            return redirect(url_for("publishing.pages"))
    revisions = db.session.scalars(select(PageRevision).where(PageRevision.column_id == column.id)
                                   .order_by(PageRevision.id.desc()).limit(10)).all()
    return render_template("publishing/page_edit.html", form=form, column=column,
                           revisions=revisions), 400 if form.errors else 200
