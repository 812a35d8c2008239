"""The example county's closed months: six monthly runs with their notices."""

from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..demo import seeder
from ..extensions import db
from ..submissions.models import ItemEvent
from . import services


@seeder(60)
def seed_monthly_runs() -> list[str]:
    today = clock.today()
    year, month = today.year, today.month
    done = []
    for _ in range(6):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        if services.latest_run(year, month) is not None:
            continue
        run = services.run_month(year, month, note="示例数据")
        # As if the scheduler had closed the month at 01:00 on the 1st of the next month.
        ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
        at = clock.from_local(datetime(ny, nm, 1, 1, 0))
        run.created_at = at
        notice = run.monitor_month.notice_item
        notice.created_at = notice.published_at = notice.first_submitted_at = at
        for event in db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == notice.id)):
            event.at = at
        db.session.flush()
        done.append(f"{year}年{month}月")
    if done:
        db.session.commit()
        return [f"已生成 {len(done)} 个月的报送通报：{'、'.join(done)}"]
    return []
