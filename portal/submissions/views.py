"""The officer's desk, item writing and history, media, the leader's sign-off list,
dual-report obligations and the center's rulings on contested ones.

Views are thin: load and check (``get_or_404`` with the package's rules),
validate the form, call a service, commit once, redirect.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from .. import clock
from ..accounts.models import UnitKind
from ..errors import Conflict, DomainError, Forbidden
from ..extensions import db
from ..forms import choices
from ..permissions import can, get_or_404, require_login_and
from ..security import editor_page
from . import corrections, revisions, services, workflow
from . import dual as dual_service
from .forms import (
    AcknowledgeForm,
    ActionForm,
    CaptionForm,
    ConfirmForm,
    ContestForm,
    CorrectionForm,
    ItemForm,
    RulingForm,
    UploadForm,
)
from .models import (
    Correction,
    CorrectionStatus,
    DualReport,
    DualStatus,
    Item,
    ItemEvent,
    ItemStatus,
    Media,
)

bp = Blueprint("submissions", __name__)

S = ItemStatus
DESK_SECTIONS = [  # (heading, states) in the order the desk shows them
    ("草稿", (S.draft,)),
    ("待签发", (S.awaiting_signoff,)),
    ("待中心审核", (S.submitted, S.scheduled)),
    ("已发布", (S.published,)),
    ("不予采用或已撤稿", (S.declined, S.withdrawn)),
]
DESK_ROWS = 10
PAGE_SIZE = 30


@bp.app_template_filter("duration")
def format_duration(delta) -> str:
    """A timedelta as people say it: 1 小时 20 分钟."""
    minutes = abs(int(delta.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else "", f"{minutes} 分钟"]
    return " ".join(p for p in parts if p)


@bp.app_template_global("event_label")
def event_label(action: str) -> str:
    return workflow.event_label(action)


@bp.app_template_global("due_text")
def due_text(dual: DualReport) -> str:
    return dual_service.due_text(dual)


def _status_label(value: str | None) -> str:
    return S(value).label if value in S.__members__ else (value or "")


bp.add_app_template_filter(_status_label, "status_label")


# ---- desks ------------------------------------------------------------------------------

@bp.get("/desk/submissions")
@require_login_and("desk.officer")
def desk():
    unit = current_user.unit
    now = clock.now()
    year, month = clock.month_of(now)

    def items(states, limit=DESK_ROWS):
        query = (select(Item).where(Item.unit_id == unit.id, Item.status.in_(states))
                 .order_by(Item.updated_at.desc(), Item.id.desc()))
        return db.session.scalars(query.limit(limit)).all()

    def count(states):
        return db.session.scalar(select(func.count()).select_from(Item).where(
            Item.unit_id == unit.id, Item.status.in_(states)))

    returned = [(item, services.latest_comment(item, ("return",)))
                for item in items((S.returned,), limit=100)]
    sent_back = {item.id: services.latest_comment(item, ("send_back",))
                 for item in items((S.draft,))}
    urgent = [(item, services.urgent_time_left(item, now)) for item in db.session.scalars(
        select(Item).where(Item.unit_id == unit.id, Item.urgent,
                           Item.status.in_([S.draft, S.awaiting_signoff, S.returned]),
                           Item.first_submitted_at.is_(None)).order_by(Item.event_at))]
    sections = [(heading, states, items(states), count(states))
                for heading, states in DESK_SECTIONS]
    obligations = dual_service.obligations_of(unit.id) if unit.kind == UnitKind.department \
        else []
    named = (db.session.scalars(
        select(DualReport).join(DualReport.source_item).where(Item.unit_id == unit.id)
        .order_by(DualReport.created_at.desc()).limit(DESK_ROWS)).all()
        if unit.kind == UnitKind.township else [])
    return render_template(
        "submissions/desk.html", unit=unit, returned=returned, sent_back=sent_back,
        urgent=urgent, sections=sections, obligations=obligations, named=named, now=now,
        month_label=f"{year}年{month}月", month_count=services.month_count(unit.id, year, month),
        quota=services.monthly_quota(unit, year, month), confirm=ConfirmForm())


@bp.get("/desk/submissions/items")
@require_login_and("desk.unit")
def items():
    """All of the unit's items in one state (or all), newest first, page by page."""
    status = request.args.get("status") or ""
    query = select(Item).where(Item.unit_id == current_user.unit_id)
    if status:
        if status not in S.__members__:
            abort(404)
        query = query.where(Item.status == S(status))
    page = db.paginate(query.order_by(Item.updated_at.desc(), Item.id.desc()),
                       per_page=PAGE_SIZE, error_out=False)
    return render_template("submissions/items.html", page=page, status=status,
                           statuses=list(S))


@bp.get("/desk/signoff")
@require_login_and("desk.leader")
def signoff():
    query = (select(Item).where(Item.unit_id == current_user.unit_id,
                                Item.status == S.awaiting_signoff)
             .order_by(Item.urgent.desc(), Item.updated_at, Item.id))
    waiting = db.session.scalars(query).all()
    findings = {item.id: services.word_findings(services.item_texts(item)) for item in waiting}
    waiting_corrections = db.session.scalars(
        select(Correction).join(Correction.item).where(
            Item.unit_id == current_user.unit_id,
            Correction.status == CorrectionStatus.awaiting_signoff)
        .order_by(Correction.updated_at, Correction.id)).all()
    recent = db.session.scalars(
        select(ItemEvent).join(ItemEvent.item).where(
            Item.unit_id == current_user.unit_id,
            ItemEvent.action.in_(["sign_off", "send_back", "correction_sign_off",
                                  "correction_send_back"]))
        .order_by(ItemEvent.at.desc(), ItemEvent.id.desc()).limit(DESK_ROWS)).all()
    return render_template("submissions/signoff.html", waiting=waiting, recent=recent,
                           waiting_corrections=waiting_corrections, findings=findings,
                           form=ActionForm(), now=clock.now(),
                           time_left_of=services.urgent_time_left)


# ---- items -------------------------------------------------------------------------------

def _item_form(unit, item: Item | None = None, *, from_item: bool | None = None) -> ItemForm:
    """The item form: from the posted data, or (``from_item``) from the stored item."""
    from_item = request.method == "GET" if from_item is None else from_item
    form = ItemForm(formdata=None, obj=item) if item is not None and from_item else ItemForm()
    form.column_id.choices = choices((c.id, c.name) for c in services.submission_columns())
    hours = current_app.config["URGENT_REPORT_HOURS"]
    form.urgent.label.text = f"重大/紧急信息（须在事件发生后 {hours} 小时内报送到中心）"
    if unit.kind == UnitKind.township:
        form.dual_department_id.choices = choices(
            [(0, "不需要双报")] + [(d.id, d.name) for d in services.dual_departments()])
        if item is not None and item.dual_department_id and services.dual_obligation_exists(item):
            # Fixed once the obligation exists: only the current department is offered.
            form.dual_department_id.choices = choices(
                [(item.dual_department_id, item.dual_department.name)])
    else:
        del form.dual_department_id
    if from_item and item is not None:
        form.kind.data = item.kind.value
        form.body.data = services.body_for_editing(item.body_html)
        form.event_at.data = (clock.local(item.event_at).replace(tzinfo=None)
                              if item.event_at else None)
        if "dual_department_id" in form:
            form.dual_department_id.data = item.dual_department_id or 0
    return form


def _item_data(form: ItemForm) -> services.ItemData:
    return services.ItemData(
        kind=form.kind.data, title=form.title.data, summary=form.summary.data,
        body=form.body.data, column_id=form.column_id.data, event_at=form.event_at.data,
        event_place=form.event_place.data, urgent=form.urgent.data,
        dual_department_id=(form.dual_department_id.data or None)
        if "dual_department_id" in form else None)


def _render_edit(item: Item | None, form: ItemForm, status: int = 200,
                 upload: UploadForm | None = None, **extra):
    upload = upload or UploadForm()
    kind = services.allowed_media_kind(item.kind) if item is not None else "image"
    if kind != "image":
        upload.caption.label.text = "说明"
        upload.caption.description = "可选，简要说明文件内容。"
    then_actions = [(a, t.label) for a, t in workflow.ITEM_FLOW.actions_for(item, current_user)
                    if a in workflow.TO_CENTER | workflow.TO_SIGNOFF] if item else []
    rich_editor(form.body, item)
    findings = services.word_findings(services.item_texts(item)) if item is not None else []
    extra.setdefault("findings", findings)
    extra.setdefault("marked", services.word_marked(item.body_html) if findings else None)
    return render_template("submissions/item_edit.html", item=item, form=form, upload=upload,
                           then_actions=then_actions, media_kind=kind, accept=_ACCEPT[kind],
                           upload_help=_upload_help(kind), **extra), status


def rich_editor(field, item: Item | None) -> None:
    """Mark a body textarea for the rich-text editor, offering the item's own photos."""
    photos = [{"src": url_for(".media", media_id=m.id, variant="thumb" if m.thumb else "file"),
               "alt": m.caption or m.original_filename}
              for m in (item.media if item is not None else []) if m.kind == "image"]
    field.render_kw = {**(field.render_kw or {}), "data-editor": "rich",
                       "data-images": json.dumps(photos, ensure_ascii=False)}


def _upload_help(kind: str) -> str:
    cfg = current_app.config
    return {
        "image": f"JPEG、PNG、GIF 或 WebP 格式，每张不超过 {cfg['IMAGE_MAX_MB']} MB；"
                 "照片中的位置等信息会被自动去除。",
        "video": f"MP4 或 WebM 格式，不超过 {cfg['VIDEO_MAX_MB']} MB。",
        "audio": f"MP3 或 M4A 格式，不超过 {cfg['AUDIO_MAX_MB']} MB。",
    }[kind]


_ACCEPT = {"image": ".jpg,.jpeg,.png,.gif,.webp,image/jpeg,image/png,image/gif,image/webp",
           "video": ".mp4,.webm,video/mp4,video/webm", "audio": ".mp3,.m4a,audio/mpeg,audio/mp4"}


@bp.route("/desk/items/new", methods=["GET", "POST"])
@editor_page
@require_login_and("item.create")
def item_new():
    form = _item_form(current_user.unit)
    if form.validate_on_submit():
        if (same := services.just_saved(current_user, _item_data(form))) is not None:
            flash("草稿已保存（与刚才保存的内容相同，未重复创建）。", "success")
            return redirect(url_for(".item_edit", item_id=same.id))
        try:
            item = services.create_item(current_user, _item_data(form))
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return _render_edit(None, form, 400)
        db.session.commit()
        flash(_saved_message(item), "success")
        return redirect(url_for(".item_edit", item_id=item.id))
    return _render_edit(None, form, 400 if form.errors else 200)


def _saved_message(item: Item) -> str:
    kind = services.allowed_media_kind(item.kind)
    if item.kind != "text" and not any(m.kind == kind for m in item.media):
        return f"草稿已保存。请在下方上传{item.kind.label}文件。"
    return "草稿已保存。"


@bp.route("/desk/items/<int:item_id>/edit", methods=["GET", "POST"])
@editor_page
@require_login_and("desk.staff")
def item_edit(item_id: int):
    item = get_or_404(Item, item_id, view="item.view")
    if not can(current_user, "item.edit", item):
        # Typically Back after submitting: say what happened to it instead of "no access".
        if not (current_user.unit_id == item.unit_id and current_user.is_officer):
            abort(403)
        flash(STALE_EDIT.get(item.status, "该信息当前不能修改。"), "info")
        return redirect(url_for(".item", item_id=item.id))
    form = _item_form(item.unit, item)
    if form.validate_on_submit():
        try:
            services.update_item(current_user, item, _item_data(form))
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return _render_edit(item, form, 400)
        then = request.form.get("then")
        if then in workflow.UNIT_ACTIONS:
            try:
                t = services.act(item, then, current_user)
            except DomainError as e:
                # The text is kept: it was saved; only the step is refused.
                db.session.commit()
                flash("已保存。" + e.message, "error")
                return redirect(url_for(".item_edit", item_id=item.id))
            db.session.commit()
            flash(f"已保存并{t.label}。", "success")
            return redirect(url_for(".item", item_id=item.id))
        db.session.commit()
        flash(_saved_message(item), "success")
        return redirect(url_for(".item_edit", item_id=item.id))
    return _render_edit(item, form, 400 if form.errors else 200)


STALE_EDIT = {
    S.awaiting_signoff: "该信息已提交签发，如需修改请先撤回。",
    S.submitted: "该信息已报送中心，正在等待审核，暂不能修改；如需修改，请联系中心退回。",
    S.scheduled: "该信息已通过审核，将定时发布，暂不能修改；如需修改，请联系中心。",
    S.published: "该信息已发布，不能直接修改；如需更正，请点击「提出更正」，"
                 "更正经签发和中心审核后替换网上内容。",
    S.declined: "该信息中心不予采用，不能再修改；可据此另写一条新信息。",
    S.withdrawn: "该信息已撤稿；如需修改后重新报送，请点击「修改后重新报送」。",
}


@bp.post("/desk/items/<int:item_id>/delete")
@require_login_and("desk.staff")
def item_delete(item_id: int):
    item = get_or_404(Item, item_id, view="item.view")
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        title = services.delete_draft(current_user, item)
    except (Conflict, Forbidden):
        raise  # shown as a 409/403 page by the app
    db.session.commit()
    flash(f"已删除草稿「{title}」。", "success")
    return redirect(url_for(".desk"))


@bp.get("/desk/items/<int:item_id>")
@require_login_and("desk.staff")
def item(item_id: int):
    item = get_or_404(Item, item_id, view="item.view")
    return _render_item(item)


def _render_item(item: Item, status: int = 200, form: ActionForm | None = None):
    created, answers = dual_service.links_of(item)
    findings = services.word_findings(services.item_texts(item)) \
        if item.status in (S.draft, S.awaiting_signoff, S.returned) else []
    actions = [(a, t) for a, t in workflow.ITEM_FLOW.actions_for(item, current_user)
               if a in workflow.UNIT_ACTIONS]
    return render_template(
        "submissions/item.html", item=item, actions=actions, form=form or ActionForm(),
        failed=form.action.data if form is not None else None,
        created=created, answers=answers, problems=services.readiness_problems(item),
        returned=services.latest_comment(item, ("return", "send_back")),
        declined=(services.latest_comment(item, ("decline",))
                  if item.status == S.declined else None),
        deletable=services.can_delete_draft(current_user, item),
        correction=corrections.open_correction(item),
        can_correct=corrections.can_propose(current_user, item),
        revision_count=revisions.count(item), findings=findings,
        body_html=services.word_marked(item.body_html) if findings else Markup(item.body_html),
        time_left=services.urgent_time_left(item), now=clock.now()), status


@bp.post("/desk/items/<int:item_id>/act")
@require_login_and("desk.staff")
def item_act(item_id: int):
    item = get_or_404(Item, item_id, view="item.view")
    form = ActionForm()
    if not form.validate_on_submit() or not form.action.data:
        abort(400)
    action = form.action.data
    try:
        t = services.act(item, action, current_user, form.comment.data,
                         confirm_words=form.confirm_words.data)
    except (Conflict, Forbidden):
        raise  # shown as a 409/403 page by the app
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _render_item(db.session.get(Item, item_id), 400, form)
    db.session.commit()
    flash(f"已{t.label}：{item.title}", "success")
    if action in ("sign_off", "send_back"):
        return redirect(url_for(".signoff"))
    return redirect(url_for(".item", item_id=item.id))


# ---- revisions and corrections ------------------------------------------------------------

@bp.get("/desk/items/<int:item_id>/revisions")
@require_login_and("desk.staff")
def item_revisions(item_id: int):
    """The item's revisions, and the word-level differences between two of them."""
    item = get_or_404(Item, item_id, view="item.view")
    rows = revisions.of(item)
    numbers = [r.number for r in rows]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a is None and b is None and len(rows) >= 2:
        a, b = numbers[-2], numbers[-1]
    old, new = (revisions.get(item, a) if a else None), (revisions.get(item, b) if b else None)
    if (a or b) and (old is None or new is None):
        abort(404)
    diffs = revisions.compare(revisions.version_of(old), revisions.version_of(new)) \
        if old and new else []
    return render_template("submissions/revisions.html", item=item, revisions=rows, a=a, b=b,
                           old=old, new=new, diffs=diffs,
                           source_label=revisions.SOURCE_LABELS.get)


def _correction_form(item: Item, correction: Correction | None) -> CorrectionForm:
    if request.method == "POST":
        return CorrectionForm()
    source = correction or item
    form = CorrectionForm(formdata=None, title=source.title, summary=source.summary,
                          body=services.body_for_editing(source.body_html),
                          reason=correction.reason if correction else "")
    return form


def _correction_saved(correction: Correction):
    """After saving: go on to the step the officer chose (``then``), or back to the text."""
    then = request.form.get("then")
    if then in workflow.CORRECTION_UNIT_ACTIONS:
        try:
            t = corrections.act(correction, then, current_user)
        except DomainError as e:
            db.session.commit()
            flash("更正稿已保存。" + e.message, "error")
            return redirect(url_for(".correction_edit", correction_id=correction.id))
        db.session.commit()
        flash(f"更正稿已保存并{t.label}。", "success")
        return redirect(url_for(".correction", correction_id=correction.id))
    db.session.commit()
    flash("更正稿已保存。已发布的内容在更正发布前保持不变。", "success")
    return redirect(url_for(".correction", correction_id=correction.id))


def _render_correction_edit(item: Item, correction: Correction | None, form: CorrectionForm,
                            status: int = 200):
    steps = workflow.CORRECTION_FLOW.actions_for(correction, current_user) if correction \
        else workflow.correction_submit_actions(current_user, item)
    then_actions = [(a, t.label) for a, t in steps if a in ("submit", "submit_direct")]
    rich_editor(form.body, item)
    return render_template("submissions/correction_edit.html", item=item,
                           correction=correction, form=form, then_actions=then_actions), status


@bp.route("/desk/items/<int:item_id>/correction", methods=["GET", "POST"])
@editor_page
@require_login_and("desk.staff")
def correction_new(item_id: int):
    """Propose a correction of a published item: its text prefilled, changed in place."""
    item = get_or_404(Item, item_id, view="item.view")
    existing = corrections.open_correction(item)
    if existing is not None:
        flash("该信息已有一份更正正在办理。", "info")
        return redirect(url_for(".correction", correction_id=existing.id))
    if not corrections.can_propose(current_user, item):
        abort(403)
    form = _correction_form(item, None)
    if form.validate_on_submit():
        try:
            correction = corrections.propose(current_user, item, title=form.title.data,
                                             summary=form.summary.data, body=form.body.data,
                                             reason=form.reason.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return _render_correction_edit(item, None, form, 400)
        return _correction_saved(correction)
    return _render_correction_edit(item, None, form, 400 if form.errors else 200)


@bp.route("/desk/corrections/<int:correction_id>/edit", methods=["GET", "POST"])
@editor_page
@require_login_and("desk.staff")
def correction_edit(correction_id: int):
    correction = get_or_404(Correction, correction_id, view="correction.view")
    if not can(current_user, "correction.edit", correction):
        flash(f"该更正当前为「{correction.status.label}」，不能修改。", "info")
        return redirect(url_for(".correction", correction_id=correction.id))
    form = _correction_form(correction.item, correction)
    if form.validate_on_submit():
        try:
            corrections.update(current_user, correction, title=form.title.data,
                               summary=form.summary.data, body=form.body.data,
                               reason=form.reason.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return _render_correction_edit(correction.item, correction, form, 400)
        return _correction_saved(correction)
    return _render_correction_edit(correction.item, correction, form,
                                   400 if form.errors else 200)


@bp.get("/desk/corrections/<int:correction_id>")
@require_login_and("desk.staff")
def correction(correction_id: int):
    correction = get_or_404(Correction, correction_id, view="correction.view")
    return _render_correction(correction)


def _render_correction(correction: Correction, status: int = 200,
                       form: ActionForm | None = None):
    item = correction.item
    actions = [(a, t) for a, t in workflow.CORRECTION_FLOW.actions_for(correction, current_user)
               if a in workflow.CORRECTION_UNIT_ACTIONS]
    # Against the text online now (the item's latest revision once published).
    diffs = []
    if correction.status in corrections.OPEN_CORRECTION:
        diffs = revisions.compare(revisions.version_of(item), revisions.version_of(correction),
                                  media=False)
    back = services.latest_comment(item, ("correction_return", "correction_send_back"))
    return render_template(
        "submissions/correction.html", correction=correction, item=item, actions=actions,
        diffs=diffs, problems=corrections.problems(correction), form=form or ActionForm(),
        failed=form.action.data if form is not None else None,
        back=back if correction.status == CorrectionStatus.draft and back and
        back.at >= correction.created_at else None,
        findings=_word_findings(correction)), status


def _word_findings(correction: Correction) -> list[str]:
    if correction.status not in corrections.OPEN_CORRECTION:
        return []
    return services.word_findings(corrections.texts(correction))


@bp.post("/desk/corrections/<int:correction_id>/act")
@require_login_and("desk.staff")
def correction_act(correction_id: int):
    correction = get_or_404(Correction, correction_id, view="correction.view")
    form = ActionForm()
    if not form.validate_on_submit() or not form.action.data:
        abort(400)
    try:
        t = corrections.act(correction, form.action.data, current_user, form.comment.data,
                            confirm_words=form.confirm_words.data)
    except (Conflict, Forbidden):
        raise
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _render_correction(db.session.get(Correction, correction_id), 400, form)
    db.session.commit()
    flash(f"已{t.label}：{correction.item.title}（更正）", "success")
    if form.action.data in ("sign_off", "send_back"):
        return redirect(url_for(".signoff"))
    if form.action.data == "cancel":
        return redirect(url_for(".item", item_id=correction.item_id))
    return redirect(url_for(".correction", correction_id=correction.id))


# ---- media ---------------------------------------------------------------------------------

@bp.post("/desk/items/<int:item_id>/media")
@require_login_and("desk.staff")
def media_upload(item_id: int):
    item = get_or_404(Item, item_id, view="item.view", need="item.edit")
    upload = UploadForm()
    # The edit page posts its text along with the file: keep (and save) what was typed.
    with_text = "title" in request.form
    form = (_item_form(item.unit, item) if with_text
            else _item_form(item.unit, item, from_item=True))
    text_saved = False
    if with_text and form.validate():
        try:
            services.update_item(current_user, item, _item_data(form))
            db.session.commit()
            text_saved = True
        except DomainError:
            db.session.rollback()
    name = getattr(upload.file.data, "filename", "") or ""
    if upload.validate_on_submit():
        file = upload.file.data
        try:
            services.attach_media(current_user, item, file.stream, name, upload.caption.data)
        except (Conflict, Forbidden):
            raise
        except DomainError as e:
            db.session.rollback()
            upload.file.errors = [*upload.file.errors, e.message]
        else:
            db.session.commit()
            flash("文件已上传。" + ("标题和正文已一并保存。" if text_saved else ""), "success")
            return redirect(url_for(".item_edit", item_id=item.id) + "#media")
    item = db.session.get(Item, item_id)
    return _render_edit(item, form, 400, upload, refused_name=name, text_saved=text_saved)


def _media_of(media_id: int) -> Media:
    row = get_or_404(Media, media_id, view="media.view")
    if not can(current_user, "item.view", row.item):
        abort(404)
    if not can(current_user, "item.edit", row.item):
        abort(403)
    return row


@bp.post("/desk/media/<int:media_id>/caption")
@require_login_and("desk.staff")
def media_caption(media_id: int):
    row = _media_of(media_id)
    form = CaptionForm()
    if not form.validate_on_submit():
        flash("说明不能超过 300 个字。", "error")
        return redirect(url_for(".item_edit", item_id=row.item_id) + "#media")
    try:
        services.update_caption(current_user, row, form.caption.data)
    except (Conflict, Forbidden):
        raise
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return redirect(url_for(".item_edit", item_id=row.item_id) + "#media")
    db.session.commit()
    flash("说明已保存。", "success")
    return redirect(url_for(".item_edit", item_id=row.item_id) + "#media")


@bp.post("/desk/media/<int:media_id>/move")
@require_login_and("desk.staff")
def media_move(media_id: int):
    row = _media_of(media_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.move_media(current_user, row, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for(".item_edit", item_id=row.item_id) + "#media")


@bp.post("/desk/media/<int:media_id>/remove")
@require_login_and("desk.staff")
def media_remove(media_id: int):
    row = _media_of(media_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item_id = row.item_id
    services.remove_media(current_user, row)
    db.session.commit()
    flash("文件已删除。", "success")
    return redirect(url_for(".item_edit", item_id=item_id) + "#media")


_VARIANT_MIME = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@bp.get("/media/<int:media_id>/<variant>")
def media(media_id: int, variant: str):
    """A media file (or its thumb/page rendition or poster) with Range support for seeking."""
    if variant not in ("file", "thumb", "page", "poster"):
        abort(404)
    row = get_or_404(Media, media_id, view="media.view")
    relative = {"file": row.path, "thumb": row.thumb, "page": row.page,
                "poster": row.poster}[variant]
    if not relative:
        abort(404)
    root = services.media_root().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    mimetype = row.mime if variant == "file" else _VARIANT_MIME.get(path.suffix, "image/jpeg")
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True,
                         download_name=_download_name(row, path), as_attachment=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Caches revalidate every time (a cheap 304 with the ETag): a file withdrawn from the
    # site must not go on being served from a cache; a not-yet-public one is never shared.
    response.headers["Cache-Control"] = ("public, no-cache" if row.item.is_public
                                         else "private, no-cache")
    return response


def _download_name(row: Media, path: Path) -> str:
    stem = Path(row.original_filename).stem or f"media-{row.id}"
    return f"{stem}{path.suffix}"


# ---- dual reporting ------------------------------------------------------------------------

@bp.post("/desk/dual/<int:dual_id>/respond")
@require_login_and("desk.staff")
def dual_respond(dual_id: int):
    dual = get_or_404(DualReport, dual_id, view="dual.view", need="dual.fulfil")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item = dual_service.start_response(current_user, dual)
    db.session.commit()
    flash("已根据乡镇报送的信息生成本部门信息草稿，请修改完善后提交。", "success")
    return redirect(url_for(".item_edit", item_id=item.id))


@bp.post("/desk/dual/<int:dual_id>/acknowledge")
@require_login_and("desk.staff")
def dual_acknowledge(dual_id: int):
    """已掌握, with a note: the township and the center see the department has it in hand."""
    dual = get_or_404(DualReport, dual_id, view="dual.view", need="dual.acknowledge")
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        flash("请填写已掌握的情况说明（500 字以内）。", "error")
        return redirect(url_for(".desk")), 303
    try:
        dual_service.acknowledge(current_user, dual, form.note.data)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return redirect(url_for(".desk")), 303
    db.session.commit()
    flash(f"已确认掌握「{dual.source_item.title}」，乡镇和中心可以看到您的说明。仍须按期报送本部门信息。",
          "success")
    return redirect(url_for(".desk"))


@bp.route("/desk/dual/<int:dual_id>/contest", methods=["GET", "POST"])
@require_login_and("desk.staff")
def dual_contest(dual_id: int):
    dual = get_or_404(DualReport, dual_id, view="dual.view", need="dual.contest")
    form = ContestForm()
    if form.validate_on_submit():
        dual_service.contest(current_user, dual, form.reason.data)
        db.session.commit()
        flash("异议已提交，等待网络信息中心裁定。", "success")
        return redirect(url_for(".desk"))
    return render_template("submissions/dual_contest.html", dual=dual, form=form), \
        400 if form.errors else 200


@bp.get("/desk/dual-reports")
@require_login_and("center.access")
def dual_reports():
    return _render_dual_reports(RulingForm())


def _render_dual_reports(form: RulingForm, ruling_id: int | None = None, status: int = 200):
    return render_template("submissions/dual_reports.html", contested=dual_service.contested(),
                           overdue=dual_service.overdue(), form=form, now=clock.now(),
                           ruling_id=ruling_id), status


@bp.post("/desk/dual/<int:dual_id>/rule")
@require_login_and("center.access")
def dual_rule(dual_id: int):
    dual = get_or_404(DualReport, dual_id, view="dual.view")
    if dual.status != DualStatus.contested:
        raise Conflict(f"该双报义务当前状态为「{dual.status.label}」，无需裁定。")
    form = RulingForm()
    if not form.validate_on_submit():
        return _render_dual_reports(form, dual.id, 400)
    try:
        dual_service.rule(current_user, dual, form.decision.data, form.comment.data)
    except (Conflict, Forbidden):
        raise
    except DomainError as e:
        db.session.rollback()
        form.comment.errors = [e.message]
        return _render_dual_reports(form, dual_id, 400)
    db.session.commit()
    flash(f"已裁定：{dual.department.name} — {dual.status.label}。", "success")
    return redirect(url_for(".dual_reports"))
