"""One long-lived process for the portal's timed jobs: ``flask --app portal scheduler``.

Every minute it publishes and withdraws items whose time has come; after 01:00
China time on the 1st it closes the month just ended (and catches up later in
the month if it was down); on the configured reminder days after 09:00 it
reminds units behind pace. Each job is keyed by its period in
``SchedulerRun``, so two schedulers started by mistake do every job once.

Equivalent cron lines, for those who prefer cron:

    * * * * *   flask --app portal publish-due
    0 1 1 * *   flask --app portal monitor run
    0 9 * * *   flask --app portal monitor remind
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..messages.services import send_deadline_reminders
from ..search import service as search_service
from . import services
from .models import SchedulerRun

log = logging.getLogger(__name__)


def _once(job: str, period: str, work: Callable[[], str]) -> str | None:
    """Run ``work`` unless this job already ran for ``period`` (here or in another scheduler)."""
    try:
        with db.session.begin_nested():
            marker = SchedulerRun(job=job, period=period)
            db.session.add(marker)
    except IntegrityError:
        db.session.rollback()
        return None
    marker.result = work()[:2000]
    db.session.commit()
    return marker.result


def tick(now: datetime | None = None) -> list[str]:
    """Do whatever is due at ``now``; returns what was done (for the log and the tests)."""
    now = now or clock.now()
    local = clock.local(now)
    done = []

    published = current_app.extensions["publish_due"](now)
    db.session.commit()
    if published:
        done.append(f"publish-due: {published}")

    alerts_due = current_app.extensions.get("alerts_due")
    alerted = alerts_due(now) if alerts_due else ""
    db.session.commit()
    if alerted:
        done.append(alerted)

    repaired = search_service.repair_if_needed()
    if repaired:
        done.append(repaired)

    year, month = clock.previous_month(local.date())
    if local.day > 1 or local.hour >= current_app.config["MONITOR_CLOSE_HOUR"]:
        result = _once("close", f"{year}-{month:02d}", lambda: _close(year, month))
        if result:
            done.append(result)

    if local.hour >= current_app.config["MONITOR_REMIND_HOUR"]:
        result = _once("message-deadlines", local.date().isoformat(),
                       lambda: send_deadline_reminders(now))
        if result:
            done.append(f"message deadlines: {result}")

    rules = services.current_rules()
    if local.hour >= current_app.config["MONITOR_REMIND_HOUR"] and any(
            local.day >= d for d, _ in rules.reminders):
        result = _once("remind", local.date().isoformat(), lambda: _remind(local.date()))
        if result:
            done.append(result)
    return done


def _close(year: int, month: int) -> str:
    if services.latest_run(year, month) is not None:
        return f"close {year}-{month:02d}: already run"
    first = services.installed_on()
    if first is not None and (year, month) < (first.year, first.month):
        return f"close {year}-{month:02d}: before the portal's first records, nothing to close"
    run = services.run_month(year, month, note="自动生成")
    return f"close {year}-{month:02d}: revision {run.revision} (notice drafted, awaiting 审签)"


def _remind(day) -> str:
    result = services.remind(day)
    return (f"remind {day.isoformat()}: {len(result.sent)} units"
            + (f", {len(result.unreachable)} unreachable: "
               + ", ".join(b.unit.code for b in result.unreachable)
               if result.unreachable else ""))


@click.command("scheduler")
@click.option("--once", is_flag=True, help="只执行一次当前到期的任务后退出")
@with_appcontext
def scheduler_command(once: bool):
    """Run the timed jobs: publish-due every minute, the monthly close, reminders."""
    click.echo("定时任务已启动（每分钟检查一次）。")
    while True:
        try:
            for line in tick():
                click.echo(f"[{clock.format_local(clock.now())}] {line}")
        except Exception:  # a failed job must not stop the scheduler
            db.session.rollback()
            log.exception("scheduler tick failed")
        finally:
            db.session.remove()
        if once:
            return
        time.sleep(60 - time.time() % 60 + 0.5)
