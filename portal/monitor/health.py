"""Site-health checks after the national government website checks (2019 检查指标).

A portal fails the check when its home page or a news column goes 14 days
without an update, a notice or policy column 6 months, a column stays blank,
or a valid citizen message waits over 3 months for an answer. Each check says
when it turns (or turned) red, so the center can act before it does.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..site.models import Column, ColumnKind
from ..submissions.models import Item, ItemStatus

LIST_KINDS = (ColumnKind.news, ColumnKind.gallery, ColumnKind.video, ColumnKind.notices)


@dataclass
class Check:
    name: str            # what is checked, in Chinese
    status: str          # ok | warn (turns red within a week) | red
    last_update: datetime | None
    red_on: datetime | None  # when it turns (turned) red; None: cannot turn red now
    detail: str = ""

    @property
    def status_label(self) -> str:
        return {"ok": "正常", "warn": "即将超期", "red": "不合格"}[self.status]

    def as_dict(self) -> dict:
        d = asdict(self)
        for key in ("last_update", "red_on"):
            d[key] = d[key].isoformat() if d[key] else None
        return d


def _status(red_on: datetime | None, now: datetime) -> str:
    if red_on is None:
        return "ok"
    if red_on <= now:
        return "red"
    return "warn" if red_on - now <= timedelta(days=7) else "ok"


def _update_check(name: str, last: datetime | None, days: int, now: datetime) -> Check:
    if last is None:
        return Check(name, "red", None, None, "从未更新")
    red_on = last + timedelta(days=days)
    return Check(name, _status(red_on, now), last, red_on, f"超过 {days} 天未更新即不合格")


def run_checks(now: datetime | None = None) -> list[Check]:
    """All checks, with a fixed number of queries."""
    now = now or clock.now()
    cfg = current_app.config
    news_days, notice_days = cfg["HEALTH_NEWS_DAYS"], cfg["HEALTH_NOTICE_DAYS"]
    latest = dict(db.session.execute(
        select(Item.column_id, func.max(Item.published_at))
        .where(Item.status == ItemStatus.published).group_by(Item.column_id)).all())
    columns = db.session.scalars(select(Column).order_by(Column.position)).all()

    checks = [_update_check("首页", max(latest.values(), default=None), news_days, now)]
    for col in columns:
        last = latest.get(col.id)
        if col.slug in cfg["HEALTH_NEWS_COLUMNS"]:
            checks.append(_update_check(f"动态类栏目「{col.name}」", last, news_days, now))
        elif col.slug in cfg["HEALTH_NOTICE_COLUMNS"]:
            checks.append(_update_check(f"通知公告/政策文件类栏目「{col.name}」", last,
                                        notice_days, now))
        elif col.kind in LIST_KINDS and last is None:
            checks.append(Check(f"栏目「{col.name}」", "red", None, None, "空白栏目"))
        elif col.kind == ColumnKind.page and not (col.page_html or "").strip():
            checks.append(Check(f"栏目「{col.name}」", "red", None, None, "空白栏目"))
    checks.append(_messages_check(now))
    checks.append(_search_check())
    return checks


def _search_check() -> Check:
    from ..search.service import expected_count, get_index

    state, indexed = get_index().state()
    expected = expected_count()
    if state != "ok" and expected:
        what = "缺失" if state == "missing" else "已损坏"
        return Check("站内检索索引", "red", None, None,
                     f"索引{what}，定时任务将自动重建（也可运行 flask search rebuild）；"
                     "重建期间检索暂无结果，其他页面不受影响")
    if indexed != expected:
        return Check("站内检索索引", "warn", None, None,
                     f"索引 {indexed} 篇，数据库中应有 {expected} 篇；"
                     "可运行 flask search rebuild 重建")
    return Check("站内检索索引", "ok", None, None, f"索引 {indexed} 篇，与数据库一致")


def _messages_check(now: datetime) -> Check:
    from ..messages.figures import oldest_unanswered

    oldest = oldest_unanswered()
    months = current_app.config["HEALTH_MESSAGE_MONTHS"]
    if oldest is None:
        return Check("市民留言办理", "ok", None, None, "没有超期未答复的有效留言")
    loc = clock.local(oldest)
    year, month = loc.year + (loc.month - 1 + months) // 12, (loc.month - 1 + months) % 12 + 1
    # 31 March + 3 months is 30 June: clamp the day to the target month's length.
    red_local = loc.replace(year=year, month=month,
                            day=min(loc.day, calendar.monthrange(year, month)[1]))
    red_on = red_local.astimezone(oldest.tzinfo)
    return Check("市民留言办理", _status(red_on, now), oldest, red_on,
                 f"有效留言超过 {months} 个月未答复即不合格"
                 f"（最早一条 {clock.format_local(oldest)} 收到）")
