"""Citizen messages on the web: the public form, query and board; the center's
moderation queue; the unit inbox; one page per message for the staff.

Views are thin: load and check, validate the form, call a service, commit
once, redirect. Public pages get :class:`~portal.messages.public.PublicMessage`
objects only, never a ``Message``, so they cannot show contact data.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock, mail
from ..accounts import throttle
from ..accounts.models import Unit
from ..errors import DomainError
from ..extensions import db, limiter
from ..permissions import can, get_or_404, require_login_and
from ..site.models import Column
from ..site.views import validate_csrf_form
from . import services, workflow
from .forms import (
    AcceptForm,
    DecideForm,
    ExtendForm,
    MessageForm,
    PublicTextForm,
    QueryForm,
    RateForm,
    RefuseForm,
    ReplyForm,
    TransferForm,
)
from .models import (
    ANSWERED_STATES,
    CATEGORY_LABELS,
    Category,
    Message,
    MessageRequest,
    MessageStatus,
    RequestStatus,
)
from .public import board_updated, public_messages, public_view, scrub_for

bp = Blueprint("messages", __name__)

SENT_KEY = "message_sent"
# One answer for an unknown number and a wrong code.
WRONG_CODE = "留言编号或查询码不正确，请核对后重试。"
STAFF_PAGE_SIZE = 30


# Pages that may be cached: the others carry a query code, a citizen's own message or
# contact details, which no browser cache or proxy should keep.
CACHEABLE = {"messages.new", "messages.detail"}


@bp.after_request
def _no_store(response):
    if request.endpoint not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


def _config_limit(key: str):
    return lambda: current_app.config[key]


def _sent_or_spam(response) -> bool:
    # Count messages actually sent, and robots caught by the honeypot.
    return response.status_code == 302 or g.get("message_spam", False)


def _code_failed(response) -> bool:
    # Only failed look-ups count: a citizen reading their own answer is never blocked.
    return g.get("message_code_failed", False)


# ---- the public side ------------------------------------------------------------------

def board(column: Column):
    """The column kind "messages" (/column/<slug>): the public board (留言选登)."""
    units = services.dispatchable_units()
    unit_id = request.args.get("unit", type=int)
    category = request.args.get("category") or None
    query = public_messages()
    if unit_id:
        query = query.where(Message.unit_id == unit_id)
    if category in Category.__members__:
        query = query.where(Message.category == Category(category))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["MESSAGE_BOARD_PAGE_SIZE"], error_out=False)
    return render_template("messages/board.html", column=column, page=page,
                           updated=board_updated(),
                           items=[public_view(m) for m in page.items], units=units,
                           unit_id=unit_id, category=category, categories=CATEGORY_LABELS)


@bp.route("/messages/new", methods=["GET", "POST"])
@limiter.limit(_config_limit("MESSAGE_POST_LIMIT"), methods=["POST"], scope="message-post")
@limiter.limit(_config_limit("MESSAGE_SUBMIT_LIMIT"), methods=["POST"], scope="message-submit",
               deduct_when=_sent_or_spam)
def new():
    form = MessageForm(units=services.dispatchable_units())
    if form.is_submitted() and form.website.data:
        # The honeypot: whatever else the robot filled in, nothing is kept.
        g.message_spam = True
        flash("提交未成功，请刷新页面后重新填写。", "error")
        return render_template("messages/new.html", form=form), 400
    if form.validate_on_submit():
        try:
            message, code = services.submit(
                category=form.category.data,
                unit=db.session.get(Unit, int(form.unit.data)) if form.unit.data else None,
                subject=form.subject.data, body=form.body.data, name=form.name.data,
                phone=form.phone.data, email=form.email.data,
                publish_allowed=form.publish_allowed.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return render_template("messages/new.html", form=form), 400
        if message.email:  # the receipt, the only other place the code ever appears
            mail.send(message.email, f"您的留言已提交（编号 {message.number}）",
                      "messages/mail/citizen_receipt.txt", message=message, code=code,
                      link=url_for("messages.query", number=message.number, _external=False),
                      base=current_app.config["BASE_URL"].rstrip("/"))
        db.session.commit()
        # Shown once on the next page, then gone: the server never stores the code itself.
        session[SENT_KEY] = {"number": message.number, "code": code,
                             "email": bool(message.email)}
        return redirect(url_for("messages.sent"))
    status = 400 if form.errors else 200
    return render_template("messages/new.html", form=form), status


@bp.get("/messages/sent")
def sent():
    receipt = session.pop(SENT_KEY, None)
    if not receipt:
        return redirect(url_for("messages.new"))
    return render_template("messages/sent.html", receipt=receipt)


def _look_up(number, code) -> Message | None:
    message = services.find_with_code(number, code)
    if message is None:
        g.message_code_failed = True
    return message


def _wrong_code(form):
    """The query form after a failed look-up: one message, and the code typed is not echoed."""
    form.code.errors = [WRONG_CODE]
    form.code.data = form.code.raw_data = None
    return form


def _query_page(message: Message | None, form, rate_form=None, status=200, captcha=False):
    if message is not None and rate_form is None:
        rate_form = RateForm(formdata=None, number=message.number, code=form.code.data)
    view = public_view(message) if message is not None and message.is_public else None
    return render_template("messages/query.html", form=form, message=message, view=view,
                           rate_form=rate_form, captcha=captcha), status


def _query_key() -> str:
    # Per client *and* message number: citizens behind one address (a service hall, a
    # carrier's NAT) do not share one budget; guessing one number from many addresses
    # meets the picture code instead (accounts.throttle).
    number = (request.form.get("number") or "").strip()[:30]
    return f"query:{request.remote_addr}:{number}"


@bp.route("/messages/query", methods=["GET", "POST"])
@limiter.shared_limit(_config_limit("MESSAGE_QUERY_LIMIT"), scope="message-code",
                      methods=["POST"], deduct_when=_code_failed, key_func=_query_key)
def query():
    form = QueryForm()
    if request.method == "GET" and not form.number.data:
        form.number.data = (request.args.get("number") or "").strip()[:30]  # from the receipt
    number = (form.number.data or "").strip()
    if form.validate_on_submit():
        if throttle.captcha_needed("query-code", number) and not throttle.check_answer(
                form.captcha.data):
            g.message_code_failed = True
            throttle.record_failure("query-code", number)
            form.captcha.errors.append("请正确输入图片中的验证码。")
        else:
            message = _look_up(form.number.data, form.code.data)
            if message is not None:
                return _query_page(message, form)
            throttle.record_failure("query-code", number)
            form = _wrong_code(form)
    captcha = throttle.captcha_needed("query-code", number)
    if captcha:
        throttle.new_challenge()
    return _query_page(None, form, status=400 if form.errors else 200, captcha=captcha)


@bp.post("/messages/rate")
@limiter.shared_limit(_config_limit("MESSAGE_QUERY_LIMIT"), scope="message-code",
                      methods=["POST"], deduct_when=_code_failed)
def rate():
    rate_form = RateForm()
    message = _look_up(rate_form.number.data, rate_form.code.data)
    form = QueryForm(formdata=None, number=rate_form.number.data, code=rate_form.code.data)
    if message is None:
        return _query_page(None, _wrong_code(form), status=400)
    if not rate_form.validate_on_submit():
        return _query_page(message, form, rate_form, status=400)
    services.rate(message, rate_form.rating.data, rate_form.comment.data)
    db.session.commit()
    flash("感谢您的评价！", "success")
    return _query_page(message, form)


@bp.get("/messages/<number>")
def detail(number: str):
    wanted = services.normalise_number(number)
    message = wanted and db.session.scalar(select(Message).where(Message.number == wanted))
    if not message or not message.is_public:
        abort(404)
    return render_template("messages/detail.html", item=public_view(message))


def home_panel_context() -> dict:
    latest = db.session.scalars(public_messages().limit(6)).all()
    return {"items": [public_view(m) for m in latest]}


# ---- the center ------------------------------------------------------------------------

MODERATION_TABS = {
    "new": ("待受理", [Message.status == MessageStatus.new], [Message.created_at]),
    "open": ("办理中", [Message.status == MessageStatus.accepted], [Message.due_at]),
    "overdue": ("已超期", [Message.status == MessageStatus.accepted], [Message.due_at]),
    "answered": ("已答复", [Message.status.in_(ANSWERED_STATES)], [Message.answered_at.desc()]),
    "refused": ("不予受理", [Message.status == MessageStatus.refused],
                [Message.refused_at.desc()]),
    "all": ("全部", [], [Message.created_at.desc()]),
}


def _listing(conditions, order, page_size=STAFF_PAGE_SIZE):
    query = (select(Message).where(*conditions)
             .options(selectinload(Message.unit), selectinload(Message.addressed_unit))
             .order_by(*order, Message.id))
    return db.paginate(query, page=request.args.get("page", 1, type=int), per_page=page_size,
                       error_out=False)


@bp.get("/desk/messages")
@require_login_and("center.access")
def moderation():
    tab = request.args.get("show", "new")
    if tab not in MODERATION_TABS:
        tab = "new"
    _, conditions, order = MODERATION_TABS[tab]
    now = clock.now()
    if tab == "overdue":
        conditions = [*conditions, Message.due_at <= now]
    q = (request.args.get("q") or "").strip()
    if q:
        number = services.normalise_number(q)
        found = (Message.number == number) if number else or_(
            Message.subject.contains(q, autoescape=True),
            Message.public_subject.contains(q, autoescape=True))
        conditions = [*conditions, found]
    counts = dict(db.session.execute(select(Message.status, func.count())
                                     .group_by(Message.status)).all())
    return render_template(
        "messages/moderation.html", tab=tab, tabs=MODERATION_TABS, page=_listing(conditions, order),
        requests=services.pending_requests(),
        q=q, now=now, counts={
            "new": counts.get(MessageStatus.new, 0),
            "open": counts.get(MessageStatus.accepted, 0),
            "overdue": services.count_overdue(at=now),
            "answered": sum(counts.get(s, 0) for s in ANSWERED_STATES),
            "refused": counts.get(MessageStatus.refused, 0),
            "all": sum(counts.values())})


# ---- the unit ------------------------------------------------------------------------------

@bp.get("/desk/messages/inbox")
@require_login_and("messages.inbox")
def inbox():
    tab = "done" if request.args.get("show") == "done" else "open"
    mine = Message.unit_id == current_user.unit_id
    if tab == "open":
        page = _listing([mine, Message.status == MessageStatus.accepted], [Message.due_at])
    else:
        page = _listing([mine, Message.status.in_(ANSWERED_STATES)], [Message.answered_at.desc()])
    now = clock.now()
    left = {m.id: services.working_days_left(m, now) for m in page.items}
    open_count = db.session.scalar(select(func.count()).select_from(Message).where(
        mine, Message.status == MessageStatus.accepted)) or 0
    return render_template("messages/inbox.html", tab=tab, page=page, now=now, left=left,
                           open_count=open_count)


# ---- one message, for the staff ---------------------------------------------------------------

def _forms(message: Message, given: dict) -> dict:
    """The action forms the current user may use on ``message`` now (``given`` ones kept)."""
    units = services.dispatchable_units()
    forms = {}
    user = current_user
    if workflow.can(message, "accept", user):
        forms["accept"] = given.get("accept") or AcceptForm(formdata=None, units=units)
        if "accept" not in given:
            forms["accept"].unit.data = str(message.addressed_unit_id or "")
            forms["accept"].fill_public(message)
    if workflow.can(message, "refuse", user):
        forms["refuse"] = given.get("refuse") or RefuseForm(formdata=None)
    if workflow.can(message, "reply", user) and message.pending_reply is None:
        forms["reply"] = given.get("reply") or ReplyForm(formdata=None)
    if workflow.can(message, "transfer", user):
        forms["transfer"] = given.get("transfer") or TransferForm(
            formdata=None, units=[u for u in units if u.id != message.unit_id])
    if workflow.can(message, "extend", user):
        forms["extend"] = given.get("extend") or ExtendForm(formdata=None)
    if (workflow.unit_staff(user, message) and message.status == MessageStatus.accepted
            and not any(r.status == RequestStatus.pending for r in _requests(message))):
        forms["request_transfer"] = given.get("request_transfer") or TransferForm(
            formdata=None, units=[u for u in units if u.id != message.unit_id])
        forms["request_extension"] = given.get("request_extension") or ExtendForm(
            formdata=None)
    # A new message's public text is set with its acceptance (the accept form has it).
    if can(user, "message.edit_public", message) and message.status != MessageStatus.new:
        forms["public"] = given.get("public") or PublicTextForm(formdata=None)
        if "public" not in given:
            forms["public"].fill_public(message)
    return forms


def _requests(message: Message) -> list[MessageRequest]:
    return list(db.session.scalars(select(MessageRequest).where(
        MessageRequest.message_id == message.id).order_by(MessageRequest.id)))


def _detail_page(message: Message, status: int = 200, **given):
    requests = _requests(message)
    decide_forms = ({r.id: given.get(f"decide{r.id}") or DecideForm(formdata=None,
                                                                     request_id=r.id)
                     for r in requests if r.status == RequestStatus.pending}
                    if workflow.center(current_user, message) else {})
    return render_template("messages/staff_detail.html", message=message,
                           forms=_forms(message, given), now=clock.now(),
                           requests=requests, decide_forms=decide_forms,
                           action_labels=workflow.ACTION_LABELS,
                           status_labels={s.value: s.label for s in MessageStatus},
                           days_left=services.working_days_left(message)), status


def _load(message_id: int, action: str) -> Message:
    """The message (404 if the user may not see it), 403 unless the user's role may ``action``."""
    message = get_or_404(Message, message_id, view="message.view")
    allowed = (workflow.center(current_user, message) if action == "public"
               else workflow.may(message, action, current_user))
    if not allowed:
        abort(403)
    return message


def _act(message: Message, key: str, form, perform, done: str, next_url: str):
    """Validate ``form``, run ``perform()``; on success commit and go to ``next_url``."""
    if not form.validate_on_submit():
        return _detail_page(message, 400, **{key: form})
    try:
        perform()
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _detail_page(message, e.status, **{key: form})
    db.session.commit()
    flash(done, "success")
    return redirect(next_url)


@bp.get("/desk/messages/<int:message_id>")
@login_required
def staff_detail(message_id: int):
    return _detail_page(get_or_404(Message, message_id, view="message.view"))


@bp.post("/desk/messages/<int:message_id>/accept")
@require_login_and("center.access")
def accept(message_id: int):
    message = _load(message_id, "accept")
    form = AcceptForm(units=services.dispatchable_units())
    return _act(message, "accept", form, lambda: services.accept(
        current_user, message, db.session.get(Unit, int(form.unit.data)),
        public=form.public.data, public_subject=form.public_subject.data,
        public_body=form.public_body.data),
        f"留言 {message.number} 已受理并分派。", url_for("messages.moderation"))


@bp.post("/desk/messages/<int:message_id>/refuse")
@require_login_and("center.access")
def refuse(message_id: int):
    message = _load(message_id, "refuse")
    form = RefuseForm()
    return _act(message, "refuse", form, lambda: services.refuse(
        current_user, message, form.reason.data, channel=form.channel.data, note=form.note.data),
        f"留言 {message.number} 已不予受理。", url_for("messages.moderation"))


@bp.post("/desk/messages/<int:message_id>/extend")
@require_login_and("center.access")
def extend(message_id: int):
    message = _load(message_id, "extend")
    form = ExtendForm()
    return _act(message, "extend", form, lambda: services.extend(
        current_user, message, form.days.data, form.reason.data),
        f"留言 {message.number} 的答复期限已延长。",
        url_for("messages.staff_detail", message_id=message.id))


@bp.post("/desk/messages/<int:message_id>/public")
@require_login_and("center.access")
def edit_public(message_id: int):
    message = _load(message_id, "public")
    form = PublicTextForm()
    return _act(message, "public", form, lambda: services.edit_public(
        current_user, message, public=form.public.data, subject=form.public_subject.data,
        body=form.public_body.data),
        "公开内容已保存。", url_for("messages.staff_detail", message_id=message.id))


@bp.post("/desk/messages/<int:message_id>/reply")
@login_required
def reply(message_id: int):
    message = _load(message_id, "reply")
    form = ReplyForm()
    waits = services.needs_signoff(current_user, message)
    return _act(message, "reply", form, lambda: services.reply(
        current_user, message, form.text.data, confirm_words=form.confirm_words.data),
        f"留言 {message.number} 的答复已提交分管领导签发。" if waits
        else f"留言 {message.number} 已答复。",
        url_for("messages.staff_detail", message_id=message.id) if waits
        else url_for("messages.inbox"))


@bp.post("/desk/messages/<int:message_id>/reply-signoff")
@login_required
def reply_signoff(message_id: int):
    message = get_or_404(Message, message_id, view="message.view")
    if not (current_user.is_leader and current_user.unit_id == message.unit_id):
        abort(403)
    if not validate_csrf_form():
        abort(400)
    approve = request.form.get("decision") == "approve"
    try:
        services.sign_off_reply(current_user, message, approve=approve,
                                comment=request.form.get("comment", ""))
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _detail_page(message, e.status)
    db.session.commit()
    flash(f"留言 {message.number} 的答复已签发并发布。" if approve else "答复已退回修改。",
          "success")
    return redirect(url_for("messages.staff_detail", message_id=message.id))


@bp.post("/desk/messages/<int:message_id>/transfer")
@login_required
def transfer(message_id: int):
    message = _load(message_id, "transfer")
    form = TransferForm(units=[u for u in services.dispatchable_units()
                               if u.id != message.unit_id])
    next_url = (url_for("messages.moderation", show="open")
                if workflow.center(current_user, message) else url_for("messages.inbox"))
    return _act(message, "transfer", form, lambda: services.transfer(
        current_user, message, db.session.get(Unit, int(form.unit.data)), form.reason.data),
        f"留言 {message.number} 已转办。", next_url)


def _load_for_unit(message_id: int) -> Message:
    message = get_or_404(Message, message_id, view="message.view")
    if not workflow.unit_staff(current_user, message):
        abort(403)
    return message


@bp.post("/desk/messages/<int:message_id>/request-transfer")
@login_required
def request_transfer(message_id: int):
    message = _load_for_unit(message_id)
    form = TransferForm(units=[u for u in services.dispatchable_units()
                               if u.id != message.unit_id])
    return _act(message, "request_transfer", form, lambda: services.request_transfer(
        current_user, message, db.session.get(Unit, int(form.unit.data)), form.reason.data),
        f"转办申请已提交，等待网络信息中心审批（留言 {message.number}）。",
        url_for("messages.staff_detail", message_id=message.id))


@bp.post("/desk/messages/<int:message_id>/request-extension")
@login_required
def request_extension(message_id: int):
    message = _load_for_unit(message_id)
    form = ExtendForm()
    return _act(message, "request_extension", form, lambda: services.request_extension(
        current_user, message, form.days.data, form.reason.data),
        f"延期申请已提交，等待网络信息中心审批（留言 {message.number}）。",
        url_for("messages.staff_detail", message_id=message.id))


@bp.post("/desk/message-requests/<int:request_id>/decide")
@require_login_and("center.access")
def decide(request_id: int):
    req = get_or_404(MessageRequest, request_id, view="center.access")
    form = DecideForm(request_id=req.id)
    approve = form.decision.data == "approve"
    return _act(req.message, f"decide{req.id}", form, lambda: services.decide(
        current_user, req, approve, form.note.data),
        f"已{'同意' if approve else '不同意'}{req.unit.name}的{req.kind.label}申请。",
        url_for("messages.staff_detail", message_id=req.message_id))


# ---- shared with the rest of the site ----------------------------------------------------------

def highlight_masks(text: str | None) -> Markup:
    """Jinja filter: the public text, escaped, with every automatic redaction marked."""
    from .privacy import MASK

    escaped = str(escape(text or ""))
    return Markup(escaped.replace(MASK, f'<mark class="redacted" title="已自动隐去">{MASK}</mark>'))


def scrub_filter(text: str | None, message: Message, staff: bool = False) -> str:
    """Jinja filter ``message_scrub``: a text shown without login, personal data out
    (``staff=True`` for what a unit or the center wrote: only the citizen's own data)."""
    return scrub_for(message, text, staff=staff)


def desk_notices(user) -> list[str]:
    """The desks' reminders: new messages for the center, overdue ones for everybody."""
    notes = []
    if getattr(user, "is_reviewer", False):
        if waiting := services.count_new():
            notes.append(f"有 {waiting} 条市民留言待受理。")
        if asked := len(services.pending_requests()):
            notes.append(f"有 {asked} 项留言转办/延期申请待审批（见“留言受理”）。")
        if late := services.count_overdue():
            notes.append(f"有 {late} 条市民留言已超过答复期限。")
    elif getattr(user, "is_officer", False) or getattr(user, "is_leader", False):
        if late := services.count_overdue(user.unit_id):
            notes.append(f"本单位有 {late} 条市民留言已超过答复期限，请到“留言办理”尽快答复。")
        soon = services.due_soon(user.unit_id)
        if soon:
            listed = "、".join(f"{m.number}（{m.due_day:%m月%d日}截止）" for m in soon[:5])
            notes.append(f"本单位有 {len(soon)} 条市民留言将在 2 个工作日内到期：{listed}。")
    return notes
