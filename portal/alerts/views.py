"""The user's alerts list and their settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..extensions import db
from ..permissions import get_or_404, require_login_and, rule
from ..urls import safe_next
from . import services
from .models import Alert

bp = Blueprint("alerts", __name__)


@rule("alerts.user")
def alerts_user(user, obj=None) -> bool:
    """Every signed-in account has its own alerts."""
    return user is not None


@rule("alert.own")
def own_alert(user, alert: Alert) -> bool:
    return user is not None and alert.user_id == user.id


class ConfirmForm(FlaskForm):
    """A button that posts with a CSRF token."""


@bp.get("/desk/alerts")
@require_login_and("alerts.user")
def index():
    page = services.page_of(current_user, request.args.get("page", 1, type=int))
    return render_template("alerts/index.html", page=page, form=ConfirmForm())


@bp.post("/desk/alerts/<int:alert_id>/open")
@require_login_and("alerts.user")
def open_(alert_id: int):
    """Mark the alert read and go where it points."""
    alert = get_or_404(Alert, alert_id, view="alert.own")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.read(current_user, alert)
    db.session.commit()
    return redirect(safe_next(alert.url) or url_for(".index"))


@bp.post("/desk/alerts/read")
@require_login_and("alerts.user")
def read_all():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    n = services.read_all(current_user)
    db.session.commit()
    flash(f"已将 {n} 条提醒标为已读。" if n else "没有未读的提醒。", "success")
    return redirect(url_for(".index"))


@bp.route("/account/alerts", methods=["GET", "POST"])
@require_login_and("alerts.user")
def settings():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.save_settings(current_user, {
            kind: (request.form.get(f"desk-{kind}") == "y",
                   request.form.get(f"mail-{kind}") == "y")
            for kind in services.kinds()})
        db.session.commit()
        flash("提醒设置已保存。", "success")
        return redirect(url_for(".settings"))
    return render_template("alerts/settings.html", choices=services.settings_of(current_user),
                           form=form, has_email=bool(current_user.email))
