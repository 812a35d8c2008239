"""The word check list (错敏词) and the history of the admin-edited pages.

Items, media and their events belong to ``submissions``; columns to ``site``.
What publishing adds of its own is small: the terms the reviewer is warned
about before publishing, and a revision row each time a page column
(县情风貌, 便民服务) is edited, so that no edit is ever lost.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..audit.spec import Audited
from ..extensions import db, str_enum
from ..site.models import Column


class TermKind(enum.StrEnum):
    sensitive = "sensitive"  # politically or legally sensitive wording (敏感词)
    typo = "typo"            # commonly mistyped words, wrong forms of official names (易错词)

    @property
    def label(self) -> str:
        return TERM_KIND_LABELS[self]


TERM_KIND_LABELS = {TermKind.sensitive: "敏感词", TermKind.typo: "易错词"}


class WordTerm(db.Model):
    """One entry of the word check list: a term, its kind and the suggested wording."""

    __tablename__ = "word_term"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(50), unique=True)
    kind: Mapped[TermKind] = mapped_column(str_enum(TermKind))
    # What to write instead (empty: the term should simply not be used).
    suggestion: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WordTerm {self.term!r} {self.kind}>"


class PageRevision(db.Model):
    """The text of a page column as saved by an admin; the newest is what the site shows."""

    __tablename__ = "page_revision"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("site_column.id"), index=True)
    html: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=clock.now)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: demo/CLI

    column: Mapped[Column] = relationship()
    saved_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PageRevision column={self.column_id} at={self.saved_at}>"
