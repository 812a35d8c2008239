"""The month's notice pages: the list, the draft with its text blocks and preview, 审签,
publishing, the print page and the Word (.docx) export."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock
from ..errors import Conflict, DomainError
from ..extensions import db
from ..permissions import can, require_login_and
from . import docx, notices
from .forms import NoticeForm, PublishNoticeForm, RunForm
from .models import MonitorMonth, Notice
from .views import bp


def _notice(ym: str) -> Notice:
    try:
        year, month = clock.parse_month(ym)
    except ValueError:
        abort(404)
    notice = notices.get(year, month)
    if notice is None:
        abort(404)
    return notice


def _ym(notice: Notice) -> str:
    return f"{notice.monitor_month.year:04d}-{notice.monitor_month.month:02d}"


@bp.get("/notices")
@require_login_and("monitor.notices")
def notice_list():
    rows = db.session.scalars(select(Notice).join(MonitorMonth).order_by(
        MonitorMonth.year.desc(), MonitorMonth.month.desc()).limit(36)).all()
    return render_template("monitor/notices.html", rows=rows, title=notices.title)


def _page(notice: Notice, form: NoticeForm | None = None, status: int = 200):
    mm = notice.monitor_month
    if form is None:
        form = NoticeForm(formdata=None, obj=notice)
    return render_template(
        "monitor/notice_page.html", notice=notice, mm=mm, form=form, ym=_ym(notice),
        title=notices.title(mm.year, mm.month), body=notices.document(notice),
        publish_form=PublishNoticeForm(), action_form=RunForm(),
        may_edit=can(current_user, "monitor.view"),
        may_sign=can(current_user, "monitor.notice_sign")), status


@bp.get("/notices/<ym>")
@require_login_and("monitor.notices")
def notice(ym: str):
    return _page(_notice(ym))


@bp.post("/notices/<ym>/edit")
@require_login_and("monitor.view")
def notice_edit(ym: str):
    notice = _notice(ym)
    form = NoticeForm()
    if not form.validate_on_submit():
        return _page(notice, form, 400)
    was = notice.status
    try:
        changed = notices.edit(current_user, notice, **{
            key: getattr(form, key).data or "" for key in notices.BLOCK_LIMITS})
    except DomainError as e:
        db.session.rollback()
        form.requirements.errors = [*form.requirements.errors, e.message]
        return _page(notice, form, 400)
    db.session.commit()
    if not changed:
        flash("内容没有变化。", "info")
    elif was != "draft":
        flash("已保存。内容已变化，原审签失效，请重新送审签。", "success")
    else:
        flash("已保存。", "success")
    return redirect(url_for("monitor.notice", ym=ym))


@bp.post("/notices/<ym>/sign")
@require_login_and("monitor.notice_sign")
def notice_sign(ym: str):
    notice = _notice(ym)
    if not RunForm().validate_on_submit():
        abort(400)
    try:
        notices.sign(current_user, notice)
    except Conflict as e:
        db.session.rollback()
        flash(e.message, "error")
        return _page(notice, status=409)
    db.session.commit()
    flash("已审签，可以发布。", "success")
    return redirect(url_for("monitor.notice", ym=ym))


@bp.post("/notices/<ym>/publish")
@require_login_and("monitor.view")
def notice_publish(ym: str):
    notice = _notice(ym)
    form = PublishNoticeForm()
    if not form.validate_on_submit():
        return _page(notice, status=400)
    try:
        item = notices.publish(current_user, notice, form.reason.data or "")
    except Conflict as e:
        db.session.commit()  # a voided signature stays void
        flash(e.message, "error")
        return _page(notice, status=409)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _page(notice, status=400)
    db.session.commit()
    flash(f"通报已发布到「{item.column.name}」。" if notice.published_revision == 1
          else f"通报已修订（第 {notice.published_revision} 版），原网址不变。", "success")
    return redirect(url_for("monitor.notice", ym=ym))


@bp.get("/notices/<ym>/print")
@require_login_and("monitor.notices")
def notice_print(ym: str):
    notice = _notice(ym)
    mm = notice.monitor_month
    return render_template("monitor/notice_print.html", notice=notice,
                           title=notices.title(mm.year, mm.month), body=notices.document(notice))


@bp.get("/notices/<ym>/docx")
@require_login_and("monitor.notices")
def notice_docx(ym: str):
    notice = _notice(ym)
    mm = notice.monitor_month
    name = notices.title(mm.year, mm.month)
    data = docx.document(name, notices.document(notice))
    return Response(data, mimetype=docx.DOCX_MIME, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name + '.docx')}"})
