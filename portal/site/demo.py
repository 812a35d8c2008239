"""The standard columns, created first so that everything else can use them."""

from ..demo import seeder
from .models import ensure_default_columns


@seeder(5)
def seed_columns() -> list[str]:
    ensure_default_columns()
    return []
