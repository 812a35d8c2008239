"""``flask media …``: housekeeping of the uploaded files."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from . import media as media_files
from . import services

media_cli = AppGroup("media", help="上传文件管理")


@media_cli.command("sweep")
@click.option("--delete", is_flag=True, help="删除找到的孤立文件（默认只列出）")
@click.option("--older-than", "older_than", default=60, show_default=True, type=int,
              help="只处理修改时间早于多少分钟前的文件（给正在进行的上传留出时间）")
def sweep_command(delete: bool, older_than: int):
    """List (or with --delete remove) media files that no item refers to."""
    root = services.media_root()
    if not root.exists():
        click.echo("没有上传文件目录，无需清理。")
        return
    swept = media_files.sweep(root, services.referenced_paths(), dry_run=not delete,
                              older_than=timedelta(minutes=older_than))
    for path in swept:
        click.echo(path)
    if not swept:
        click.echo("没有孤立文件。")
    elif delete:
        click.echo(f"已删除 {len(swept)} 个孤立文件。")
    else:
        click.echo(f"共 {len(swept)} 个孤立文件（试运行，未删除；加 --delete 删除）。")
