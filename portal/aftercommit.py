"""Run side effects only once the database has committed.

E-mails and search-index updates must never get ahead of the data they
describe: a service registers a callback with ``after_commit(fn)`` while it
works; the callback runs after the session's next commit and is dropped on
rollback. Callbacks run outside the transaction, so they must carry what they
need (a rendered message, a prepared index document), not lazy ORM objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)
_KEY = "portal_after_commit"


def after_commit(fn: Callable[[], object], session: Session | None = None) -> None:
    """Call ``fn()`` after the current transaction commits (never if it rolls back)."""
    sess = session or db.session()
    sess.info.setdefault(_KEY, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    for fn in session.info.pop(_KEY, []):
        try:
            fn()
        except Exception:  # the data is committed; a failed side effect is logged, not raised
            log.exception("after-commit callback %r failed", fn)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)
