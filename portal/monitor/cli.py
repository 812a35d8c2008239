"""``flask monitor run|remind``: the monthly close and the reminders, by hand or by cron."""

import click
from flask.cli import AppGroup

from .. import clock
from ..errors import DomainError
from ..extensions import db
from . import notices, services

monitor_cli = AppGroup("monitor", help="报送考核：月度统计与通报、进度提醒")


@monitor_cli.command("run")
@click.option("--month", "month_text", default=None, help="YYYY-MM，默认为上个月")
@click.option("--note", default="", help="修订说明（重新统计时写入通报）")
def run_command(month_text, note):
    """Freeze a month's figures and prepare its notice as a draft (default: last month).
    The notice is published only after the center signs it off (审签) on its page."""
    try:
        year, month = clock.parse_month(month_text) if month_text else clock.previous_month()
        run = services.run_month(year, month, note=note)
    except (ValueError, DomainError) as e:
        db.session.rollback()
        raise click.ClickException(str(e)) from None
    t = run.totals
    click.echo(f"{year}年{month}月：第 {run.revision} 版。考核单位 {t['counted']} 个，"
               f"报送 {t['submitted']} 条，完成 {t['met']} 个，未完成 {t['below']} 个，"
               f"未报送 {t['none']} 个。")
    notice = notices.get(year, month)
    click.echo(f"通报《{notices.title(year, month)}》：{notice.status_label}"
               + ("，待审签后发布。" if notice.status == "draft" else "。"))


@monitor_cli.command("remind")
def remind_command():
    """E-mail the units behind pace this month (once per unit and threshold)."""
    result = services.remind()
    db.session.commit()
    for b in result.sent:
        click.echo(f"已提醒 {b.unit.name}：本月 {b.count} 条，{b.day} 日前应不少于 {b.expected} 条")
    for b in result.unreachable:
        click.echo(f"未能提醒 {b.unit.name}：单位及其信息员、分管领导均未登记电子邮箱", err=True)
    click.echo(f"共提醒 {len(result.sent)} 个单位" + (
        f"，{len(result.unreachable)} 个单位无法提醒。" if result.unreachable else "。"))
