"""State machines as data.

A workflow is one table ``(state, action) -> Transition(new state, who may)``
and one function, ``Workflow.apply``, that checks the table and the actor's
right, moves the object with a conditional UPDATE (so two people acting on the
same object at once cannot both succeed), records an event and flushes.
Views and commands never assign a state themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import attributes

from .errors import Conflict, DomainError, Forbidden
from .extensions import db

Rule = Callable[[object, object], bool]  # (actor, obj) -> allowed


class SystemActor:
    """The actor of scheduled jobs and commands (publish-due, the monitor).

    Rules that let the system act check ``actor is SYSTEM``; events record it
    with no user id.
    """

    id = None
    display_name = "系统"
    is_authenticated = False
    is_admin = is_reviewer = is_officer = is_leader = False
    unit_id = None

    def __repr__(self) -> str:
        return "<SYSTEM>"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Transition:
    to: str
    allowed: Rule
    label: str  # the action as people call it, e.g. "签发"
    needs_comment: bool = False


class Workflow:
    """Apply actions to objects whose state lives in ``state_attr``."""

    def __init__(
        self,
        name: str,
        transitions: dict[tuple[str, str], Transition],
        record: Callable[..., object],
        state_labels: dict[str, str],
        state_attr: str = "status",
        handled_by: Callable[[object], str | None] | None = None,
    ):
        self.name = name
        self.transitions = transitions
        self.record = record  # record(obj, actor, action, from_state, to_state, comment)
        self.state_labels = state_labels
        self.state_attr = state_attr
        self.handled_by = handled_by

    def actions_for(self, obj, actor) -> list[tuple[str, Transition]]:
        """The actions ``actor`` may take on ``obj`` now, in table order."""
        state = getattr(obj, self.state_attr)
        return [
            (action, t)
            for (s, action), t in self.transitions.items()
            if s == state and actor is not None and t.allowed(actor, obj)
        ]

    def can(self, obj, action: str, actor) -> bool:
        t = self.transitions.get((getattr(obj, self.state_attr), action))
        return t is not None and actor is not None and t.allowed(actor, obj)

    def apply(self, obj, action: str, actor, comment: str | None = None) -> Transition:
        """Move ``obj`` by ``action``; raise Conflict/Forbidden/DomainError if refused."""
        state = getattr(obj, self.state_attr)
        t = self.transitions.get((state, action))
        if t is None:
            label = next((tr.label for (_, a), tr in self.transitions.items() if a == action),
                         action)
            raise Conflict(f"当前状态为「{self.state_labels.get(state, state)}」，不能执行「{label}」。")
        if not t.allowed(actor, obj):
            raise Forbidden(f"您没有权限执行「{t.label}」。")
        comment = (comment or "").strip()
        if t.needs_comment and not comment:
            raise DomainError(f"执行「{t.label}」必须填写理由。")

        # Conditional UPDATE: only succeeds if nobody moved the object meanwhile.
        model = type(obj)
        column = getattr(model, self.state_attr)
        result = db.session.execute(
            update(model)
            .where(model.id == obj.id, column == state)
            .values({self.state_attr: t.to})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.refresh(obj)
            who = self.handled_by(obj) if self.handled_by else None
            now_label = self.state_labels.get(getattr(obj, self.state_attr), "")
            raise Conflict(f"该事项已由{who or '他人'}处理（当前状态：{now_label}），请刷新后查看。")
        attributes.set_committed_value(obj, self.state_attr, t.to)
        self.record(obj, actor, action, state, t.to, comment)
        db.session.flush()
        return t
