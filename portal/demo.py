"""The example county: ``flask demo`` fills an empty portal so it looks alive.

Each feature package registers a seeder with ``@seeder(order)``; the command
runs them in order inside one transaction. Every seeder is idempotent, so the
command can run on every ``make run``.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import with_appcontext

from .extensions import db
from .search import service as search

_SEEDERS: list[tuple[int, str, Callable[[], list[str] | None]]] = []

DEMO_PASSWORD = "Demo-2026-county"


def seeder(order: int):
    """Register ``fn() -> lines to print`` to run at position ``order``."""

    def register(fn):
        if all(f is not fn for _, _, f in _SEEDERS):
            _SEEDERS.append((order, fn.__module__, fn))
        return fn

    return register


def run_seeders() -> list[str]:
    lines: list[str] = []
    for _, _, fn in sorted(_SEEDERS, key=lambda s: (s[0], s[1])):
        lines.extend(fn() or [])
        db.session.flush()
    return lines


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the example county (idempotent) and print the example logins."""
    lines = run_seeders()
    db.session.commit()
    for line in lines:
        click.echo(line)
    # The seeders publish through the workflow, but some rows (messages made public,
    # notices) are written directly: the index is rebuilt from the committed database
    # so that search finds everything the example county shows.
    docs, total = search.all_documents()
    indexed = search.get_index().rebuild(docs, total=total)
    click.echo(f"检索索引已重建：{indexed} 篇（应有 {search.expected_count()} 篇）。")
