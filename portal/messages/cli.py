"""``flask messages …``: the month's figures and the overdue list, for the center's scripts."""

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..accounts.models import Unit
from ..extensions import db
from .figures import monthly_figures
from .models import Message, MessageStatus

messages_cli = AppGroup("messages", help="市民留言（统计、超期清单）")


@messages_cli.command("figures")
@click.argument("month", required=False)
def figures_command(month: str | None):
    """Print each unit's figures for MONTH (YYYY-MM; default: last month)."""
    try:
        year, mon = clock.parse_month(month) if month else clock.previous_month()
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    figures = monthly_figures(year, mon)
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    click.echo(f"{year}年{mon}月 市民留言：单位\t收到\t受理\t不予受理\t答复\t按期答复\t超期\t"
               "答复用时中位数（工作日）\t满意\t基本满意\t不满意")
    for unit_id, f in sorted(figures.items(), key=lambda kv: names.get(kv[0], "")):
        median = "" if f.median_working_days is None else f"{f.median_working_days:g}"
        click.echo("\t".join(str(v) for v in (
            names.get(unit_id, "未分派"), f.received, f.accepted, f.refused, f.answered,
            f.answered_on_time, f.overdue, median, f.satisfied, f.basically_satisfied,
            f.dissatisfied)))


@messages_cli.command("overdue")
def overdue_command():
    """List the accepted messages past their due date, oldest due first."""
    now = clock.now()
    late = db.session.scalars(
        select(Message).where(Message.status == MessageStatus.accepted, Message.due_at <= now)
        .options(selectinload(Message.unit)).order_by(Message.due_at)).all()
    for m in late:
        click.echo(f"{m.number}\t{m.unit.name}\t答复期限 {m.due_day:%Y-%m-%d}\t{m.public_subject}")
    click.echo(f"共 {len(late)} 条超期未答复。")
