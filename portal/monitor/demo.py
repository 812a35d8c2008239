"""The example county's assessment: the 范文2 scheme, adoptions of published items, and
six closed months whose notices were signed off and published (the last one is left as
a draft, for the center to edit and sign)."""

from datetime import date, datetime

from sqlalchemy import select

from .. import clock
from ..accounts.models import Role, User
from ..demo import seeder
from ..extensions import db
from ..submissions.models import Item, ItemEvent, ItemStatus
from . import adoptions, notices, services

# (outlet code, kind, 批示 level) adopted, in turn, for every third published item.
_ADOPTIONS = [("kx_gzjk", "综合信息", ""), ("kx_gzjk", "简要信息", ""), ("zbxx", "专题信息", ""),
              ("yqkb", "综合信息", ""), ("gzjl", "", "county"), ("city_zb", "", ""),
              ("city_zbxx", "", "city"), ("kx_qktb", "简要信息", "")]


def _months_back(n: int) -> list[tuple[int, int]]:
    year, month = clock.today().year, clock.today().month
    out = []
    for _ in range(n):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append((year, month))
    return out[::-1]


@seeder(60)
def seed_assessment() -> list[str]:
    months = _months_back(6)
    if services.latest_run(*months[-1]) is not None:
        return []
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer1"))
    signer = db.session.scalar(select(User).where(User.role == Role.leader,
                                                  User.username == "leader1"))
    admin = db.session.scalar(select(User).where(User.role == Role.admin).limit(1))
    if not adoptions.schemes():
        adoptions.apply_preset(admin, "fanwen2", date(months[0][0], 1, 1))
    outlets = {o.code: o for o in adoptions.outlets()}
    start, _ = clock.month_bounds(*months[0])
    published = db.session.scalars(select(Item).where(
        Item.status == ItemStatus.published, Item.published_at >= start,
        Item.first_submitted_at.is_not(None), Item.column.has(slug="news"))
        .order_by(Item.published_at, Item.id)).all()
    recorded = 0
    for i, item in enumerate(published[::3]):
        code, kind, instruction = _ADOPTIONS[i % len(_ADOPTIONS)]
        on = min(clock.local(item.published_at).date(), clock.today())
        adoptions.record(reviewer, item, outlets[code], adopted_on=on, kind=kind,
                         instruction_level=instruction,
                         instructed_by={"county": "县政府主要领导", "city": "市政府分管领导"}
                         .get(instruction, ""), instructed_on=on if instruction else None)
        recorded += 1
    done = []
    for year, month in months:
        run = services.run_month(year, month, note="示例数据")
        # As if the scheduler had closed the month at 01:00 on the 1st of the next month.
        ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
        at = clock.from_local(datetime(ny, nm, 1, 1, 0))
        run.created_at = at
        if (year, month) != months[-1] and signer is not None:
            notice = notices.get(year, month)
            notices.sign(signer, notice)
            notice.signed_at = clock.from_local(datetime(ny, nm, 3, 10, 0))
            item = notices.publish(reviewer, notice)
            item.created_at = item.published_at = item.first_submitted_at = notice.signed_at
            for event in db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id)):
                event.at = notice.signed_at
        db.session.flush()
        done.append(f"{year}年{month}月")
    db.session.commit()
    return [f"已登记 {recorded} 条信息采用记录（计分办法：范文2）",
            f"已生成 {len(done)} 个月的报送通报：{'、'.join(done)}（最近一个月为待审签的草稿）"]
