"""Recording where items were adopted (采用), the outlets, the point schemes, penalties.

A reviewer records an adoption on any item that reached the center; it is kept in the
item's history and can be revoked (never deleted). The center pastes or uploads a
month's adoption list and sees a preview with the lines it could not match before
anything is saved. Schemes are rows valid from a month: a change adds a row.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import clock
from ..errors import DomainError
from ..extensions import db
from ..submissions.models import Item, ItemEvent
from .models import (
    DEDUCTION_LABELS,
    INSTRUCTION_LABELS,
    LEVEL_LABELS,
    PENALTY_LABELS,
    RULE_LABELS,
    Adoption,
    Outlet,
    Penalty,
    PointScheme,
)
from .presets import PRESETS

# ---- outlets ------------------------------------------------------------------------------

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def outlets(active_only: bool = False) -> list[Outlet]:
    q = select(Outlet).order_by(Outlet.position, Outlet.id)
    if active_only:
        q = q.where(Outlet.active)
    return db.session.scalars(q).all()


def _kinds(text_or_list) -> list[str]:
    parts = (re.split(r"[,，、;；\s]+", text_or_list) if isinstance(text_or_list, str)
             else text_or_list)
    kinds = []
    for k in (p.strip() for p in parts):
        if k and k not in kinds:
            if len(k) > 20:
                raise DomainError(f"类别「{k[:20]}…」过长（不超过 20 个字）。")
            kinds.append(k)
    return kinds


def save_outlet(outlet: Outlet | None, *, code: str, name: str, level: str, kinds,
                active: bool = True) -> Outlet:
    """Add an outlet (``outlet`` None) or change one. Codes and names are unique."""
    code, name = (code or "").strip(), (name or "").strip()
    if not CODE_RE.match(code):
        raise DomainError("代码应以小写字母开头，只含小写字母、数字和下划线，不超过 32 位。")
    if not name or len(name) > 100:
        raise DomainError("请填写刊物或栏目名称（不超过 100 个字）。")
    if level not in LEVEL_LABELS:
        raise DomainError("级别无效。")
    for field, value, label in ((Outlet.code, code, "代码"), (Outlet.name, name, "名称")):
        other = db.session.scalar(select(Outlet).where(field == value))
        if other is not None and other is not outlet:
            raise DomainError(f"{label}「{value}」已被「{other.name}」使用。")
    if outlet is None:
        position = db.session.scalar(select(func.coalesce(func.max(Outlet.position), 0)))
        outlet = Outlet(position=position + 1)
        db.session.add(outlet)
    outlet.code, outlet.name, outlet.level = code, name, level
    outlet.kinds, outlet.active = _kinds(kinds), active
    db.session.flush()
    return outlet


def ensure_outlets(rows) -> None:
    """Create the outlets of a preset that are missing (matched by code); keep the rest."""
    existing = {o.code for o in outlets()}
    for code, name, level, kinds in rows:
        if code not in existing:
            save_outlet(None, code=code, name=name, level=level, kinds=kinds)


# ---- point schemes --------------------------------------------------------------------------

def schemes() -> list[PointScheme]:
    return db.session.scalars(select(PointScheme).order_by(
        PointScheme.valid_from.desc(), PointScheme.id.desc())).all()


def _int(value, label: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise DomainError(f"「{label}」应为整数。") from None
    if not -1000 <= n <= 1000:
        raise DomainError(f"「{label}」应在 -1000 到 1000 之间。")
    return n


def _points(value, label: str) -> int:
    """Points an adoption earns: never negative (deductions are set apart)."""
    n = _int(value, label)
    if n < 0:
        raise DomainError(f"「{label}」不能为负数；扣分请在“扣分”中设置。")
    return n


def validate_points(points: dict) -> dict:
    """A clean copy of a scheme's points, or DomainError naming the bad entry."""
    known = {o.code: o for o in outlets()}
    clean = {"outlets": {}, "instruction": {}, "commissioned": {}, "deductions": {}}
    for code, entry in (points.get("outlets") or {}).items():
        outlet = known.get(code)
        if outlet is None:
            raise DomainError(f"计分办法中的刊物代码「{code}」不存在。")
        row = {"base": _points(entry.get("base", 0), f"{outlet.name} 每条"), "kinds": {}}
        for kind, value in (entry.get("kinds") or {}).items():
            row["kinds"][kind] = _points(value, f"{outlet.name}（{kind}）")
        if entry.get("commissioned") is not None and entry.get("commissioned") != "":
            row["commissioned"] = _points(entry["commissioned"], f"{outlet.name}（约稿）")
        own = {lvl: _points(v, f"{outlet.name} {INSTRUCTION_LABELS[lvl]}")
               for lvl, v in (entry.get("instruction") or {}).items()
               if lvl in LEVEL_LABELS and v not in (None, "")}
        if own:
            row["instruction"] = own
        clean["outlets"][code] = row
    for key, labels in (("instruction", INSTRUCTION_LABELS), ("commissioned", LEVEL_LABELS)):
        table = points.get(key) or {}
        for k, label in labels.items():
            clean[key][k] = _points(table.get(k, 0), label)
    table = points.get("deductions") or {}
    for k, label in DEDUCTION_LABELS.items():
        clean["deductions"][k] = _int(table.get(k, 0), label)
    if any(v > 0 for v in clean["deductions"].values()):
        raise DomainError("扣分应为 0 或负数。")
    return clean


def save_scheme(actor, *, name: str, rule: str, valid_from: date, points: dict,
                note: str = "") -> PointScheme:
    """Record a scheme valid from a month (the earlier ones stay, for earlier months)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("请填写计分办法的名称（不超过 100 个字）。")
    if rule not in RULE_LABELS:
        raise DomainError("多次采用的计分规则无效。")
    scheme = PointScheme(name=name, rule=rule, valid_from=valid_from.replace(day=1),
                         points=validate_points(points), note=(note or "").strip()[:200],
                         created_by_id=actor.id if actor else None)
    db.session.add(scheme)
    db.session.flush()
    return scheme


def apply_preset(actor, key: str, valid_from: date, note: str = "") -> PointScheme:
    """Add the outlets of a seed scheme (范文2 or 范文6) and record it from a month on."""
    if key not in PRESETS:
        raise DomainError("没有这个预设计分办法。")
    scheme, rows = PRESETS[key]
    ensure_outlets(rows)
    return save_scheme(actor, name=scheme["name"], rule=scheme["rule"], valid_from=valid_from,
                       points=copy.deepcopy(scheme["points"]),
                       note=note or f"采用预设：{scheme['name']}")


# ---- adoptions ------------------------------------------------------------------------------

def can_be_adopted(item: Item) -> bool:
    return item.first_submitted_at is not None


def describe(a: Adoption) -> str:
    text = f"{a.outlet.name}采用" + (f"（{a.kind}）" if a.kind else "")
    if a.commissioned:
        text += "，约稿"
    text += f"，{a.adopted_on.isoformat()}"
    if a.instruction_level:
        text += f"；{a.instruction_label}" + (f"（{a.instructed_by}）" if a.instructed_by
                                              else "")
        if a.instructed_on:
            text += f" {a.instructed_on.isoformat()}"
    return text


def record(actor, item: Item, outlet: Outlet, *, adopted_on: date, kind: str = "",
           commissioned: bool = False, instruction_level: str = "", instructed_by: str = "",
           instructed_on: date | None = None, note: str = "") -> Adoption:
    """Record that ``outlet`` adopted ``item``. Refuses what cannot be true."""
    if not can_be_adopted(item):
        raise DomainError("这条信息尚未报送到中心，不能登记采用。")
    start, end = clock.month_bounds(adopted_on.year, adopted_on.month)
    if not item.unit.counted or not item.unit.in_roster(start, end):
        raise DomainError(f"「{item.unit.name}」{adopted_on.year}年{adopted_on.month}月"
                          f"不在考核名单中，不能登记采用。")
    if not outlet.active:
        raise DomainError(f"「{outlet.name}」已停用。")
    kind = (kind or "").strip()
    if outlet.kinds and kind not in outlet.kinds:
        raise DomainError(f"请选择「{outlet.name}」的信息类别：{'、'.join(outlet.kinds)}。")
    if not outlet.kinds and kind:
        raise DomainError(f"「{outlet.name}」不区分信息类别。")
    today = clock.today()
    if adopted_on > today:
        raise DomainError("采用日期不能晚于今天。")
    if adopted_on < clock.local(item.first_submitted_at).date():
        raise DomainError("采用日期不能早于这条信息报送到中心的日期。")
    if instruction_level and instruction_level not in INSTRUCTION_LABELS:
        raise DomainError("批示的级别无效。")
    if not instruction_level and (instructed_by or instructed_on):
        raise DomainError("填写了批示领导或日期，请选择批示的级别。")
    if instructed_on is not None and not adopted_on <= instructed_on <= today:
        raise DomainError("批示日期应在采用日期和今天之间。")
    if len(instructed_by or "") > 50 or len(note or "") > 200:
        raise DomainError("批示领导不超过 50 个字，备注不超过 200 个字。")
    duplicate = db.session.scalar(select(Adoption).where(
        Adoption.item_id == item.id, Adoption.outlet_id == outlet.id, Adoption.kind == kind,
        Adoption.revoked_at.is_(None)))
    if duplicate is not None:
        raise DomainError(f"「{outlet.name}」采用这条信息已于 "
                          f"{duplicate.adopted_on.isoformat()} 登记过。")
    a = Adoption(item=item, unit_id=item.unit_id, outlet=outlet, kind=kind,
                 commissioned=commissioned, adopted_on=adopted_on,
                 instruction_level=instruction_level or "",
                 instructed_by=(instructed_by or "").strip(), instructed_on=instructed_on,
                 note=(note or "").strip(), recorded_by_id=actor.id if actor else None)
    db.session.add(a)
    db.session.flush()
    db.session.add(ItemEvent(item=item, actor_id=actor.id if actor else None, action="adopt",
                             from_status=None, to_status=None, comment=describe(a)))
    return a


def revoke(actor, a: Adoption, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明撤销的原因。")
    if a.revoked_at is not None:
        raise DomainError("这条采用记录已撤销。")
    a.revoked_at, a.revoked_by_id = clock.now(), actor.id if actor else None
    db.session.add(ItemEvent(item_id=a.item_id, actor_id=actor.id if actor else None,
                             action="adopt_revoke", from_status=None, to_status=None,
                             comment=f"{describe(a)}。原因：{reason[:200]}"))
    db.session.flush()


def in_month(year: int, month: int, unit_id: int | None = None) -> list[Adoption]:
    """The adoptions dated in a month: all of them (revoked too), or one unit's valid ones."""
    first, end = clock.month_days(year, month)
    q = select(Adoption).where(Adoption.adopted_on >= first, Adoption.adopted_on < end)
    if unit_id is not None:
        q = q.where(Adoption.unit_id == unit_id, Adoption.revoked_at.is_(None))
    return db.session.scalars(q.order_by(Adoption.adopted_on, Adoption.id)).all()


def penalties_in_month(unit_id: int, year: int, month: int) -> list[Penalty]:
    first, end = clock.month_days(year, month)
    return db.session.scalars(select(Penalty).where(
        Penalty.unit_id == unit_id, Penalty.occurred_on >= first, Penalty.occurred_on < end)
        .order_by(Penalty.occurred_on, Penalty.id)).all()


def of_item(item_id: int) -> list[Adoption]:
    return db.session.scalars(select(Adoption).where(Adoption.item_id == item_id)
                              .order_by(Adoption.adopted_on, Adoption.id)).all()


# ---- bulk entry ------------------------------------------------------------------------------

@dataclass
class BulkLine:
    number: int
    text: str
    item: Item | None = None
    outlet: Outlet | None = None
    kind: str = ""
    adopted_on: date | None = None
    error: str = ""


def _strip_title(text: str) -> str:
    return re.sub(r"[\s《》“”\"'〈〉<>]", "", text or "")


def rows_of_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded .xlsx or .csv list, one tab-separated line per row."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged or renamed file
            raise DomainError("无法读取这个 Excel 文件，请另存为 .xlsx 或 .csv 后再上传。"
                              ) from None
        sheet = book.worksheets[0]
        lines = ["\t".join("" if v is None else (v.isoformat()[:10] if isinstance(v, date)
                                                 else str(v)) for v in row)
                 for row in sheet.iter_rows(values_only=True)]
        book.close()
        return "\n".join(lines)
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError("无法识别文件的编码，请保存为 UTF-8 或 GBK 的 CSV。")
        return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))
    raise DomainError("请上传 .xlsx 或 .csv 文件，或把表格内容粘贴到文本框。")


def parse_bulk(text: str, default_date: date) -> list[BulkLine]:
    """Each non-empty line: item (number or exact title), outlet (name or code), kind,
    optional date — separated by tabs (pasted from Excel/WPS) or commas. A header line
    (信息/标题… 刊物…) is skipped. Nothing is saved here."""
    by_name = {}
    for o in outlets(active_only=True):
        by_name[o.code] = o
        by_name[_strip_title(o.name)] = o
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in (raw.split("\t") if "\t" in raw
                                     else re.split(r"[,，]", raw))]
        while parts and not parts[-1]:
            parts.pop()
        line = BulkLine(number, raw.strip()[:300])
        if number == 1 and parts and parts[0] in ("编号", "信息编号", "标题", "信息", "信息标题"):
            continue
        if len(parts) < 2:
            line.error = "至少需要两列：信息（编号或标题）和采用刊物。"
            lines.append(line)
            continue
        ref, outlet_name = parts[0], parts[1]
        line.kind = parts[2] if len(parts) > 2 else ""
        line.item = _find_item(ref)
        line.outlet = by_name.get(outlet_name) or by_name.get(_strip_title(outlet_name))
        try:
            line.adopted_on = date.fromisoformat(parts[3]) if len(parts) > 3 and parts[3] \
                else default_date
        except ValueError:
            line.error = f"日期「{parts[3]}」应写作 2026-11-20。"
        if line.item is None:
            line.error = line.error or f"找不到信息「{ref}」（填写信息编号或完整标题）。"
        elif line.outlet is None:
            line.error = f"找不到刊物或栏目「{outlet_name}」。"
        elif line.outlet.kinds and line.kind not in line.outlet.kinds:
            line.error = (f"「{line.outlet.name}」的类别应为："
                          f"{'、'.join(line.outlet.kinds)}。")
        lines.append(line)
    return lines


def _find_item(ref: str) -> Item | None:
    ref = ref.strip().lstrip("#")
    if ref.isdigit():
        item = db.session.get(Item, int(ref)) if int(ref) < 2**63 else None
    else:
        found = db.session.scalars(select(Item).where(Item.title == ref).limit(2)).all()
        item = found[0] if len(found) == 1 else None
    return item if item is not None and can_be_adopted(item) else None


def save_bulk(actor, lines: list[BulkLine]) -> tuple[int, list[BulkLine]]:
    """Record every matched line; return how many, and the lines refused (with why)."""
    saved, refused = 0, []
    for line in lines:
        if line.error:
            refused.append(line)
            continue
        try:
            with db.session.begin_nested():
                record(actor, line.item, line.outlet, adopted_on=line.adopted_on,
                       kind=line.kind)
            saved += 1
        except DomainError as e:
            line.error = e.message
            refused.append(line)
    return saved, refused


# ---- penalties ---------------------------------------------------------------------------------

def add_penalty(actor, unit, kind: str, occurred_on: date, note: str) -> Penalty:
    note = (note or "").strip()
    if kind not in PENALTY_LABELS:
        raise DomainError("扣分类型无效。")
    if not note or len(note) > 200:
        raise DomainError("请写明事由（不超过 200 个字）。")
    if occurred_on > clock.today():
        raise DomainError("日期不能晚于今天。")
    p = Penalty(unit_id=unit.id, kind=kind, occurred_on=occurred_on, note=note,
                recorded_by_id=actor.id if actor else None)
    db.session.add(p)
    db.session.flush()
    return p


def revoke_penalty(actor, p: Penalty, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明撤销的原因。")
    if p.revoked_at is not None:
        raise DomainError("这条扣分记录已撤销。")
    p.revoked_at, p.revoked_reason = clock.now(), reason[:200]
    db.session.flush()
