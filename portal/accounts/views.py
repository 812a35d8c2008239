"""Login, set-password links, and the center admin's pages for units and accounts."""

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
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import clock
from ..clock import CalendarDay
from ..errors import DomainError
from ..extensions import db, limiter, login_manager
from ..forms import choices
from ..permissions import get_or_404, require_login_and
from ..site.nav import landing_url
from ..urls import safe_next
from . import calendar as work_days
from . import services, throttle
from .forms import (
    CalendarDayForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    SetPasswordForm,
    UnitForm,
    UnitImportForm,
    UserForm,
    UserImportForm,
)
from .models import AccountEvent, Role, Unit, UnitKind, User

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str):
    """Sessions carry ``id:nonce``; a changed nonce or a deactivated account ends them."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce or not user.is_active:
        return None
    return user


def _login_client_key() -> str:
    # Per account *and* client: a stranger's guesses never lock the owner out.
    username = (request.form.get("username") or "").strip().lower()
    return f"login:{username}:{request.remote_addr}"


def _failed(response) -> bool:
    # Only failed attempts count: a successful login redirects.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_client_key, deduct_when=_failed, scope="login")
def login():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data
        if throttle.captcha_needed("login", username) and not throttle.check_answer(
                form.captcha.data):
            form.captcha.errors.append("请正确输入图片中的验证码。")
            throttle.record_failure("login", username)
        else:
            user = services.authenticate(username, form.password.data)
            if user is not None:
                db.session.commit()
                login_user(user)
                return redirect(safe_next(request.args.get("next")) or landing_url(user))
            throttle.record_failure("login", username)
            # One message for a wrong username and a wrong password.
            flash("用户名或密码不正确，或账号已停用。", "error")
    captcha = throttle.captcha_needed("login", form.username.data)
    if captcha:
        throttle.new_challenge()
    return render_template("accounts/login.html", form=form, captcha=captcha)


@bp.get("/captcha.png")
def captcha():
    """The picture code of this session's current challenge (login, message query)."""
    png = throttle.challenge_png()
    if png is None:
        abort(404)
    return png, 200, {"Content-Type": "image/png", "Cache-Control": "no-store"}


@bp.post("/logout")
@login_required
def logout():
    # A new nonce: this session id is dead even if someone copied the cookie (the user's
    # other sessions end too: 退出 means 退出).
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("public.home"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    try:
        pt = services.token_user(token)
    except DomainError as e:
        return render_template("accounts/link_invalid.html", message=e.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.use_token(token, form.password.data)
        except DomainError as e:
            db.session.rollback()
            form.password.errors.append(e.message)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash("密码已设置，请使用新密码登录。", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, user=pt.user)


def _account_key() -> str:
    return f"account:{current_user.get_id().partition(':')[0]}"


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["CURRENT_PASSWORD_LIMIT"], methods=["POST"],
               key_func=_account_key, deduct_when=lambda r: g.get("wrong_password", False),
               scope="current-password")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.username, form.current.data) is None:
            g.wrong_password = True
            form.current.errors.append("当前密码不正确。")
        else:
            try:
                services.set_password(current_user, current_user, form.password.data)
            except DomainError as e:
                db.session.rollback()
                form.password.errors.append(e.message)
            else:
                db.session.commit()
                login_user(current_user._get_current_object())  # new nonce: keep this session
                flash("密码已修改。其他设备上的登录已失效。", "success")
                return redirect(landing_url(current_user))
    return render_template("accounts/change_password.html", form=form)


# ---- admin: units ------------------------------------------------------------

@bp.get("/admin/")
@require_login_and("admin.access")
def admin_home():
    counts = {k: db.session.scalar(select(db.func.count()).select_from(Unit)
                                   .where(Unit.kind == k, Unit.active)) for k in UnitKind}
    users = db.session.scalar(select(db.func.count()).select_from(User).where(User.active))
    events = db.session.scalars(select(AccountEvent).order_by(AccountEvent.at.desc())
                                .limit(15)).all()
    return render_template("accounts/admin_home.html", counts=counts, users=users, events=events)


@bp.get("/admin/units")
@require_login_and("unit.manage")
def units():
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()
    query = select(Unit).order_by(Unit.kind, Unit.code)
    if kind in UnitKind.__members__:
        query = query.where(Unit.kind == UnitKind(kind))
    if q:
        query = query.where(Unit.name.contains(q) | Unit.code.contains(q))
    return render_template("accounts/units.html", units=db.session.scalars(query).all(),
                           kind=kind, q=q, import_form=UnitImportForm(), confirm=ConfirmForm())


@bp.route("/admin/units/new", methods=["GET", "POST"])
@bp.route("/admin/units/<int:unit_id>/edit", methods=["GET", "POST"])
@require_login_and("unit.manage")
def unit_edit(unit_id: int | None = None):
    unit = get_or_404(Unit, unit_id, view="unit.manage") if unit_id else None
    form = UnitForm(obj=unit)
    if unit and request.method == "GET":
        form.kind.data = unit.kind.value
    if form.validate_on_submit():
        try:
            if unit is None:
                unit = services.create_unit(current_user, form.code.data, form.name.data,
                                            form.kind.data, counted=form.counted.data,
                                            skip_signoff=form.skip_signoff.data,
                                            email=form.email.data)
                unit.reply_signoff = form.reply_signoff.data
            else:
                services.update_unit(current_user, unit, code=form.code.data,
                                     name=form.name.data, kind=form.kind.data,
                                     counted=form.counted.data,
                                     skip_signoff=form.skip_signoff.data, email=form.email.data)
                unit.reply_signoff = form.reply_signoff.data
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return render_template("accounts/unit_edit.html", form=form, unit=unit), 400
        db.session.commit()
        flash(f"单位「{unit.name}」已保存。", "success")
        return redirect(url_for("accounts.units"))
    status = 400 if form.errors else 200
    return render_template("accounts/unit_edit.html", form=form, unit=unit), status


@bp.post("/admin/units/<int:unit_id>/active")
@require_login_and("unit.manage")
def unit_active(unit_id: int):
    unit = get_or_404(Unit, unit_id, view="unit.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_unit_active(current_user, unit, request.form.get("active") == "1")
    db.session.commit()
    flash(f"单位「{unit.name}」已{'启用' if unit.active else '停用'}。", "success")
    return redirect(url_for("accounts.units"))


@bp.post("/admin/units/import")
@require_login_and("unit.manage")
def units_import():
    form = UnitImportForm()
    if not form.validate_on_submit():
        for msg in form.file.errors:
            flash(msg, "error")
        return redirect(url_for("accounts.units"))
    return _import(form, services.import_units, "accounts.units", "单位")


def _import(form, load, back: str, noun: str):
    """Run an import from an uploaded CSV and show its report (bad rows by line)."""
    raw = form.file.data.read(2 * 1024 * 1024 + 1)
    if len(raw) > 2 * 1024 * 1024:
        flash("文件过大（上限 2 MB）。", "error")
        return redirect(url_for(back))
    try:
        text = services.decode_csv(raw)
    except DomainError as e:
        flash(e.message, "error")
        return redirect(url_for(back))
    report = load(current_user, text)
    db.session.commit()
    return render_template("accounts/import_report.html", report=report, back=back, noun=noun)


@bp.post("/admin/users/import")
@require_login_and("user.manage")
def users_import():
    form = UserImportForm()
    if not form.validate_on_submit():
        for msg in form.file.errors:
            flash(msg, "error")
        return redirect(url_for("accounts.users"))
    return _import(form, services.import_users, "accounts.users", "账号")


# ---- admin: accounts ---------------------------------------------------------

def _units() -> list[Unit]:
    return db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.kind, Unit.code)).all()


@bp.get("/admin/users")
@require_login_and("user.manage")
def users():
    unit_id = request.args.get("unit", type=int)
    role = request.args.get("role") or None
    q = (request.args.get("q") or "").strip()
    query = select(User).join(User.unit).order_by(Unit.kind, Unit.code, User.username)
    if unit_id:
        query = query.where(User.unit_id == unit_id)
    if role in Role.__members__:
        query = query.where(User.role == Role(role))
    if q:
        query = query.where(User.username.contains(q) | User.name.contains(q))
    return render_template("accounts/users.html", users=db.session.scalars(query).all(),
                           units=_units(), unit_id=unit_id, role=role, q=q,
                           confirm=ConfirmForm(), import_form=UserImportForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@require_login_and("user.manage")
def user_edit(user_id: int | None = None):
    user = get_or_404(User, user_id, view="user.manage") if user_id else None
    form = UserForm(obj=user)
    form.unit_id.choices = choices((u.id, f"{u.name}（{u.kind.label}）") for u in _units())
    if user and request.method == "GET":
        form.role.data = user.role.value
    elif request.method == "GET" and request.args.get("unit", type=int):
        form.unit_id.data = request.args.get("unit", type=int)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data)
        try:
            if user is None:
                user = services.create_user(current_user, form.username.data, unit,
                                            form.role.data, name=form.name.data,
                                            email=form.email.data)
                message = f"账号「{user.username}」已创建，设置密码的链接已发送到 {user.email}。"
            else:
                services.update_user(current_user, user, name=form.name.data,
                                     email=form.email.data, unit=unit, role=form.role.data)
                message = f"账号「{user.username}」已保存。"
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return render_template("accounts/user_edit.html", form=form, user=user), 400
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("accounts.users", unit=user.unit_id))
    status = 400 if form.errors else 200
    return render_template("accounts/user_edit.html", form=form, user=user), status


@bp.post("/admin/users/<int:user_id>/send-link")
@require_login_and("user.manage")
def user_send_link(user_id: int):
    user = get_or_404(User, user_id, view="user.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.send_set_password_link(current_user, user)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
    else:
        db.session.commit()
        flash(f"新的设置密码链接已发送到 {user.email}，旧链接已失效。", "success")
    return redirect(url_for("accounts.users", unit=user.unit_id))


@bp.post("/admin/users/<int:user_id>/active")
@require_login_and("user.manage")
def user_active(user_id: int):
    user = get_or_404(User, user_id, view="user.manage", need="user.deactivate")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.set_user_active(current_user, user, request.form.get("active") == "1")
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
    else:
        db.session.commit()
        flash(f"账号「{user.username}」已{'启用' if user.active else '停用'}。", "success")
    return redirect(url_for("accounts.users", unit=user.unit_id))


# ---- admin: working calendar -------------------------------------------------

@bp.route("/admin/calendar", methods=["GET", "POST"])
@require_login_and("admin.access")
def calendar():
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = db.session.get(CalendarDay, form.day.data) or CalendarDay(day=form.day.data)
        day.is_workday, day.note = form.is_workday.data == "1", (form.note.data or "").strip()
        db.session.add(day)
        services.record_calendar(current_user, day)
        db.session.flush()
        moved = work_days.recompute(current_user)
        db.session.commit()
        flash(f"{day.day:%Y年%m月%d日} 已设为{'调休上班日' if day.is_workday else '节假日'}。"
              + work_days.moved_text(moved), "success")
        return redirect(url_for("accounts.calendar"))
    status = 400 if form.errors else 200
    return _calendar_page(form=form, status=status)


def _calendar_page(form=None, status=200, year_text="", year=None, grid=None, entries=None):
    days = db.session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc())).all()
    today = clock.today()
    return render_template("accounts/calendar.html", form=form or CalendarDayForm(), days=days,
                           confirm=ConfirmForm(), today=today,
                           coverage=work_days.coverage(),
                           warning=work_days.next_year_warning(today),
                           year=year or today.year + (1 if today.month >= 10 else 0),
                           year_text=year_text, grid=grid, entries=entries), status


@bp.post("/admin/calendar/year")
@require_login_and("admin.access")
def calendar_year():
    """Paste a year's official schedule: preview it as a month grid, then save it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    year = request.form.get("year", type=int)
    text = request.form.get("schedule", "")
    if year is None or not 2000 <= year <= clock.today().year + 2:
        flash("请填写正确的年份（不晚于后年）。", "error")
        return _calendar_page(status=400, year_text=text)
    try:
        entries = work_days.parse_schedule(year, text)
    except DomainError as e:
        flash(e.message, "error")
        return _calendar_page(status=400, year_text=text, year=year)
    if request.form.get("action") != "save":
        return _calendar_page(year_text=text, year=year, entries=entries,
                              grid=work_days.month_grid(year, entries))
    count = work_days.save_schedule(year, entries, note=request.form.get("note", ""))
    services.record_calendar_year(current_user, year, count)
    moved = work_days.recompute(current_user)
    db.session.commit()
    flash(f"{year}年全年安排已录入（{count} 天）。" + work_days.moved_text(moved), "success")
    return redirect(url_for("accounts.calendar"))


@bp.post("/admin/calendar/<day>/delete")
@require_login_and("admin.access")
def calendar_delete(day: str):
    from datetime import date

    try:
        entry = db.session.get(CalendarDay, date.fromisoformat(day))
    except ValueError:
        abort(404)
    if entry is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.record_calendar(current_user, entry, removed=True)
    db.session.delete(entry)
    db.session.flush()
    moved = work_days.recompute(current_user)
    db.session.commit()
    flash(f"已删除 {entry.day:%Y年%m月%d日} 的设置。" + work_days.moved_text(moved), "success")
    return redirect(url_for("accounts.calendar"))
