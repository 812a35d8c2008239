"""Classes of units (A/B/C, townships and departments apart): a yearly point target, an
optional monthly item quota, and the quarterly assessment (季度任务: a quarter of the
yearly target in each quarter, 范文2 二(一))."""

from __future__ import annotations

import math

from sqlalchemy import select

from ..accounts.models import Unit, UnitKind
from ..errors import DomainError
from ..extensions import db
from .models import AssessmentClass, UnitClass

KINDS = {UnitKind.township.value: "乡镇（街道）", UnitKind.department.value: "县直部门"}


def all_classes() -> list[AssessmentClass]:
    return db.session.scalars(select(AssessmentClass).order_by(
        AssessmentClass.unit_kind.desc(), AssessmentClass.code)).all()


def save_class(cls: AssessmentClass | None, *, unit_kind: str, code: str, yearly_target: int,
               monthly_quota: int | None, note: str = "") -> AssessmentClass:
    code = (code or "").strip().upper()
    if unit_kind not in KINDS:
        raise DomainError("单位类型应为乡镇（街道）或县直部门。")
    if not code or len(code) > 10:
        raise DomainError("请填写类别代码（如 A、B、C，不超过 10 个字符）。")
    if not 0 <= yearly_target <= 100_000:
        raise DomainError("全年目标分值应在 0 到 100000 之间。")
    if monthly_quota is not None and not 0 <= monthly_quota <= 100:
        raise DomainError("每月报送条数应在 0 到 100 之间。")
    other = db.session.scalar(select(AssessmentClass).where(
        AssessmentClass.unit_kind == unit_kind, AssessmentClass.code == code))
    if other is not None and other is not cls:
        raise DomainError(f"{KINDS[unit_kind]}已有 {code} 类。")
    if cls is None:
        cls = AssessmentClass()
        db.session.add(cls)
    cls.unit_kind, cls.code, cls.yearly_target = unit_kind, code, yearly_target
    cls.monthly_quota, cls.note = monthly_quota, (note or "").strip()[:200]
    db.session.flush()
    return cls


def assign(unit: Unit, cls: AssessmentClass | None) -> None:
    """Put a unit in a class (or in none)."""
    current = db.session.get(UnitClass, unit.id)
    if cls is None:
        if current is not None:
            db.session.delete(current)
    else:
        if cls.unit_kind != unit.kind.value:
            raise DomainError(f"「{unit.name}」是{unit.kind.label}，不能归入"
                              f"{KINDS[cls.unit_kind]}的 {cls.code} 类。")
        if current is None:
            db.session.add(UnitClass(unit_id=unit.id, class_id=cls.id))
        else:
            current.class_id = cls.id
    db.session.flush()


def classes_of(unit_ids: list[int]) -> dict[int, AssessmentClass]:
    """Each unit's class (units without one are left out). One query."""
    return {unit_id: cls for unit_id, cls in db.session.execute(
        select(UnitClass.unit_id, AssessmentClass)
        .join(AssessmentClass, AssessmentClass.id == UnitClass.class_id)
        .where(UnitClass.unit_id.in_(unit_ids))).all()}


def quarter_target(yearly_target: int) -> int:
    """A quarter's share of the yearly target (rounded up, so four quarters meet it)."""
    return math.ceil(yearly_target / 4)
