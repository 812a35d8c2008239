"""``flask publish-due`` and ``flask import-items``: the same services the views use."""

from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from . import importing, indexing, services


@click.command("publish-due")
def publish_due_command():
    """Publish scheduled items whose time has come; take expired ones offline."""
    result = services.run_due()
    db.session.commit()
    click.echo(f"到时发布 {len(result.published)} 条，到期下线 {len(result.withdrawn)} 条"
               + (f"，已由他人处理 {len(result.skipped)} 条" if result.skipped else "") + "。")


@click.command("import-items")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_items_command(path: Path):
    """Import items from an old site's JSON Lines export (idempotent by external_id)."""
    with path.open(encoding="utf-8-sig", errors="strict") as f:
        try:
            report = importing.import_items(f)
        except UnicodeDecodeError:
            db.session.rollback()
            raise click.ClickException("文件不是 UTF-8 编码，请另存为 UTF-8 后重试。") from None
    db.session.commit()
    # The index follows the database: only now that the items are committed.
    indexed = indexing.index_items(report.created)
    for number, message in report.errors:
        click.echo(f"第 {number} 行：{message}", err=True)
    click.echo(report.summary + f"已加入检索 {indexed} 条。")


def init_app(app) -> None:
    app.cli.add_command(publish_due_command)
    app.cli.add_command(import_items_command)
