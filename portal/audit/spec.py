"""How a model asks to be audited (no imports, so any model module may use it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Audited:
    """How a model is audited.

    ``columns``: only these columns (None: all); ``ignore``: columns that change
    as a side effect (last login); ``secret``: recorded as changed, value masked;
    ``center_only``: record only changes made by the center (reviewers, admins) or
    by commands, not the units' everyday work on the same rows.
    """

    columns: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    center_only: bool = False
