"""The center's assessment pages: adoptions (one by one on an item, or a month's list
pasted or uploaded with a preview), the outlets, the point scheme, deductions."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..accounts.models import Unit
from ..errors import DomainError
from ..extensions import db
from ..permissions import can, get_or_404, require_login_and
from ..submissions.models import Item
from . import adoptions as svc
from . import classes, figures, scoring
from .forms import (
    AdoptionForm,
    BulkAdoptionForm,
    ClassForm,
    OutletForm,
    PenaltyForm,
    PresetForm,
    ReasonForm,
    RunForm,
    SchemeForm,
    target_choices,
)
from .models import (
    DEDUCTION_LABELS,
    INSTRUCTION_LABELS,
    LEVEL_LABELS,
    Adoption,
    Outlet,
    Penalty,
)
from .views import bp

# ---- the panel on an item's staff pages --------------------------------------------------

def adoption_form(item: Item | None = None) -> AdoptionForm:
    form = AdoptionForm(prefix="adopt")
    form.target.choices = target_choices(svc.outlets(active_only=True))
    if request.method == "GET":
        form.adopted_on.data = clock.today()
    return form


def item_panel_context(item: Item) -> dict | None:
    """The adoptions of an item: its unit reads them; the center records and revokes them."""
    center = can(current_user, "monitor.adopt")
    if not center and not can(current_user, "item.view", item):
        return None
    records = [a for a in svc.of_item(item.id) if center or a.revoked_at is None]
    if not records and not (center and svc.can_be_adopted(item)):
        return None
    form = adoption_form(item) if center and svc.can_be_adopted(item) else None
    return {"adoptions": records, "describe": svc.describe, "item": item, "center": center,
            "adopt_form": form if form is not None and form.target.choices else None,
            "no_outlets": form is not None and not form.target.choices,
            "revoke_form": ReasonForm(prefix="revoke")}


def _back(item_id: int):
    """Adoptions are recorded on the reviewer's page of the item: back there."""
    return redirect(url_for("publishing.review", item_id=item_id))


@bp.post("/items/<int:item_id>/adoptions")
@require_login_and("monitor.adopt")
def adoption_add(item_id: int):
    item = get_or_404(Item, item_id, view="item.view")
    form = adoption_form(item)
    if not form.validate_on_submit():
        errors = [f"{f.label.text}：{' '.join(f.errors)}" for f in form if f.errors]
        flash("未能登记采用。" + "；".join(errors), "error")
        return _back(item.id)
    outlet_id, _, kind = form.target.data.partition(":")
    outlet = db.session.get(Outlet, int(outlet_id)) if outlet_id.isdigit() else None
    if outlet is None:
        abort(400)
    try:
        a = svc.record(current_user, item, outlet, adopted_on=form.adopted_on.data, kind=kind,
                       commissioned=form.commissioned.data,
                       instruction_level=form.instruction_level.data or "",
                       instructed_by=form.instructed_by.data or "",
                       instructed_on=form.instructed_on.data, note=form.note.data or "")
    except DomainError as e:
        db.session.rollback()
        flash(f"未能登记采用：{e.message}", "error")
        return _back(item.id)
    db.session.commit()
    flash(f"已登记：{svc.describe(a)}。", "success")
    return _back(item.id)


@bp.post("/adoptions/<int:adoption_id>/revoke")
@require_login_and("monitor.adopt")
def adoption_revoke(adoption_id: int):
    a = get_or_404(Adoption, adoption_id, view="monitor.adopt")
    form = ReasonForm(prefix="revoke")
    if not form.validate_on_submit():
        flash("请说明撤销的原因。", "error")
        return _back(a.item_id)
    try:
        svc.revoke(current_user, a, form.reason.data)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _back(a.item_id)
    db.session.commit()
    flash("已撤销这条采用记录。", "success")
    return _back(a.item_id)


# ---- a month's adoptions, and bulk entry --------------------------------------------------

@bp.get("/adoptions")
@require_login_and("monitor.view")
def adoptions():
    today = clock.today()
    try:
        year, mon = clock.parse_month(request.args.get("month") or
                                      f"{today.year}-{today.month:02d}")
    except ValueError:
        abort(404)
    return render_template("monitor/adoptions.html", rows=svc.in_month(year, mon), year=year,
                           mon=mon, describe=svc.describe, scheme=scoring.scheme_for(year, mon))


@bp.route("/adoptions/bulk", methods=["GET", "POST"])
@require_login_and("monitor.adopt")
def adoption_bulk():
    form = BulkAdoptionForm()
    if request.method == "GET":
        form.adopted_on.data = clock.today()
        return render_template("monitor/adoption_bulk.html", form=form, lines=None)
    if not form.validate_on_submit():
        return render_template("monitor/adoption_bulk.html", form=form, lines=None), 400
    text = form.text.data or ""
    upload = request.files.get(form.upload.name)
    try:
        if upload is not None and upload.filename:
            text = svc.rows_of_upload(upload.filename, upload.read())
            form.text.data = text
        if not text.strip():
            raise DomainError("请粘贴采用清单，或上传文件。")
        lines = svc.parse_bulk(text, form.adopted_on.data)
    except DomainError as e:
        form.text.errors = [e.message]
        return render_template("monitor/adoption_bulk.html", form=form, lines=None), 400
    if form.confirm.data != "1":
        form.confirm.data = "1"
        return render_template("monitor/adoption_bulk.html", form=form, lines=lines,
                               describe=svc.describe)
    saved, refused = svc.save_bulk(current_user, lines)
    db.session.commit()
    flash(f"已登记 {saved} 条采用记录" + (f"，{len(refused)} 行未登记（见下表）。" if refused
                                       else "。"), "success" if not refused else "info")
    if not refused:
        return redirect(url_for("monitor.adoptions", month=form.adopted_on.data.strftime("%Y-%m")))
    form.text.data = "\n".join(line.text for line in refused)
    form.confirm.data = ""
    return render_template("monitor/adoption_bulk.html", form=form, lines=refused,
                           describe=svc.describe)


# ---- outlets ----------------------------------------------------------------------------

def _outlet_page(form: OutletForm, outlet: Outlet | None):
    """Save the outlet form (a new outlet when ``outlet`` is None), or show it again."""
    if form.validate_on_submit():
        try:
            saved = svc.save_outlet(outlet, code=form.code.data, name=form.name.data,
                                    level=form.level.data, kinds=form.kinds.data or "",
                                    active=form.active.data)
        except DomainError as e:
            db.session.rollback()
            form.name.errors = [*form.name.errors, e.message]
        else:
            db.session.commit()
            flash(f"已保存「{saved.name}」。" if outlet else
                  f"已添加「{saved.name}」。计分办法中补上它的分值后才会计分。", "success")
            return redirect(url_for("monitor.outlets"))
    return render_template("monitor/outlets.html", form=form, outlets=svc.outlets(),
                           edit=outlet), 400 if request.method == "POST" else 200


@bp.route("/outlets", methods=["GET", "POST"])
@require_login_and("monitor.manage")
def outlets():
    return _outlet_page(OutletForm(), None)


@bp.route("/outlets/<int:outlet_id>", methods=["GET", "POST"])
@require_login_and("monitor.manage")
def outlet_edit(outlet_id: int):
    outlet = get_or_404(Outlet, outlet_id, view="monitor.manage")
    form = OutletForm() if request.method == "POST" else OutletForm(
        formdata=None, code=outlet.code, name=outlet.name, level=outlet.level,
        kinds="、".join(outlet.kinds), active=outlet.active)
    return _outlet_page(form, outlet)


# ---- the point scheme --------------------------------------------------------------------

def _points_from(formdata) -> dict:
    """The scheme's points from the grid's inputs (names made by monitor/scheme.html)."""
    points = {"outlets": {}, "instruction": {}, "commissioned": {}, "deductions": {}}
    for o in svc.outlets():
        row = {"base": formdata.get(f"o-{o.code}-base", 0), "kinds": {}, "instruction": {}}
        for i, kind in enumerate(o.kinds):
            row["kinds"][kind] = formdata.get(f"o-{o.code}-k{i}", 0)
        if formdata.get(f"o-{o.code}-commissioned"):
            row["commissioned"] = formdata.get(f"o-{o.code}-commissioned")
        for level in LEVEL_LABELS:
            if formdata.get(f"o-{o.code}-i-{level}"):
                row["instruction"][level] = formdata.get(f"o-{o.code}-i-{level}")
        points["outlets"][o.code] = row
    for key, labels in (("instruction", INSTRUCTION_LABELS), ("commissioned", LEVEL_LABELS),
                        ("deductions", DEDUCTION_LABELS)):
        for k in labels:
            points[key][k] = formdata.get(f"{key}-{k}", 0)
    return points


@bp.route("/scheme", methods=["GET", "POST"])
@require_login_and("monitor.manage")
def scheme():
    today = clock.today()
    current = scoring.scheme_for(today.year, today.month) or next(iter(svc.schemes()), None)
    form = SchemeForm() if request.method == "POST" else SchemeForm(
        formdata=None, name=current.name if current else "",
        rule=current.rule if current else "sum")
    points = current.points if current else {}
    status = 200
    if request.method == "POST":
        points = _points_from(request.form)
        if form.validate_on_submit():
            y, m = clock.parse_month(form.valid_from.data)
            try:
                svc.save_scheme(current_user, name=form.name.data, rule=form.rule.data,
                                valid_from=date(y, m, 1), points=points, note=form.note.data)
            except DomainError as e:
                db.session.rollback()
                form.note.errors = [*form.note.errors, e.message]
            else:
                db.session.commit()
                flash(f"计分办法已保存，自 {y}年{m}月起执行。", "success")
                return redirect(url_for("monitor.scheme"))
        status = 400
    return render_template("monitor/scheme.html", form=form, points=points, current=current,
                           outlets=svc.outlets(), history=svc.schemes(),
                           preset_form=PresetForm(prefix="preset"),
                           levels=LEVEL_LABELS, instructions=INSTRUCTION_LABELS,
                           deductions=DEDUCTION_LABELS), status


@bp.post("/scheme/preset")
@require_login_and("monitor.manage")
def scheme_preset():
    form = PresetForm(prefix="preset")
    if not form.validate_on_submit():
        flash("请选择预设并填写执行月份（YYYY-MM）。", "error")
        return redirect(url_for("monitor.scheme"))
    y, m = clock.parse_month(form.valid_from.data)
    s = svc.apply_preset(current_user, form.preset.data, date(y, m, 1))
    db.session.commit()
    flash(f"已采用「{s.name}」，自 {y}年{m}月起执行；刊物清单已补齐。", "success")
    return redirect(url_for("monitor.scheme"))


# ---- deductions ----------------------------------------------------------------------------

@bp.post("/units/<int:unit_id>/penalties")
@require_login_and("monitor.adopt")
def penalty_add(unit_id: int):
    unit = get_or_404(Unit, unit_id, view="monitor.view")
    form = PenaltyForm(prefix="penalty")
    back = url_for("monitor.dashboard")
    if form.occurred_on.data:
        back = url_for("monitor.unit_month", ym=form.occurred_on.data.strftime("%Y-%m"),
                       unit_id=unit.id)
    if not form.validate_on_submit():
        flash("未能记录扣分：" + "；".join(e for f in form for e in f.errors), "error")
        return redirect(back)
    try:
        p = svc.add_penalty(current_user, unit, form.kind.data, form.occurred_on.data,
                            form.note.data)
    except DomainError as e:
        db.session.rollback()
        flash(f"未能记录扣分：{e.message}", "error")
        return redirect(back)
    db.session.commit()
    flash(f"已为「{unit.name}」记录{p.kind_label}。", "success")
    return redirect(back)


@bp.post("/penalties/<int:penalty_id>/revoke")
@require_login_and("monitor.adopt")
def penalty_revoke(penalty_id: int):
    p = get_or_404(Penalty, penalty_id, view="monitor.adopt")
    form = ReasonForm(prefix="revoke")
    if not form.validate_on_submit():
        flash("请说明撤销的原因。", "error")
    else:
        try:
            svc.revoke_penalty(current_user, p, form.reason.data)
            db.session.commit()
            flash("已撤销这条扣分记录。", "success")
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
    return redirect(url_for("monitor.unit_month", ym=p.occurred_on.strftime("%Y-%m"),
                            unit_id=p.unit_id))


# ---- classes of units ------------------------------------------------------------------------

def _classes_page(form: ClassForm, status: int = 200):
    units = figures.counted_units()
    return render_template("monitor/classes.html", form=form, classes=classes.all_classes(),
                           units=units, assigned=classes.classes_of([u.id for u in units]),
                           kinds=classes.KINDS, assign_form=RunForm(),
                           quarter=classes.quarter_target), status


@bp.route("/classes", methods=["GET", "POST"])
@require_login_and("monitor.manage")
def unit_classes():
    form = ClassForm()
    if request.method == "GET":
        return _classes_page(form)
    if form.validate_on_submit():
        try:
            cls = classes.save_class(None, unit_kind=form.unit_kind.data, code=form.code.data,
                                     yearly_target=form.yearly_target.data,
                                     monthly_quota=form.monthly_quota.data, note=form.note.data)
        except DomainError as e:
            db.session.rollback()
            form.code.errors = [*form.code.errors, e.message]
        else:
            db.session.commit()
            flash(f"已保存{classes.KINDS[cls.unit_kind]} {cls.code} 类。", "success")
            return redirect(url_for("monitor.unit_classes"))
    return _classes_page(form, 400)


@bp.post("/classes/assign")
@require_login_and("monitor.manage")
def unit_classes_assign():
    """One form for all units: ``unit-<id>`` = class id or ''."""
    if not RunForm().validate_on_submit():
        abort(400)
    by_id = {c.id: c for c in classes.all_classes()}
    changed = 0
    try:
        for unit in figures.counted_units():
            value = request.form.get(f"unit-{unit.id}")
            if value is None:
                continue
            cls = by_id.get(int(value)) if value.isdigit() else None
            if value and cls is None:
                raise DomainError(f"「{unit.name}」的类别无效。")
            before = classes.classes_of([unit.id]).get(unit.id)
            if before is not cls:
                classes.assign(unit, cls)
                changed += 1
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _classes_page(ClassForm(formdata=None), 400)
    db.session.commit()
    flash(f"已更新 {changed} 个单位的类别。", "success")
    return redirect(url_for("monitor.unit_classes"))
