"""The workflow engine: a transition table applied with checks, events and races."""

import pytest
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal.errors import Conflict, DomainError, Forbidden
from portal.extensions import db
from portal.workflow import Transition, Workflow


class Base(DeclarativeBase):
    pass


class Doc(Base):
    """A throwaway model (own metadata: not part of the portal's schema)."""

    __tablename__ = "test_workflow_doc"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    handler: Mapped[str] = mapped_column(String(20), default="")


def anyone(actor, obj):
    return True


def boss_only(actor, obj):
    return actor == "boss"


events = []
FLOW = Workflow(
    "doc",
    {
        ("draft", "submit"): Transition("submitted", anyone, "提交"),
        ("submitted", "approve"): Transition("approved", boss_only, "批准"),
        ("submitted", "reject"): Transition("draft", boss_only, "退回", needs_comment=True),
    },
    record=lambda obj, actor, action, old, new, comment: events.append(
        (obj.id, actor, action, old, new, comment)),
    state_labels={"draft": "草稿", "submitted": "已提交", "approved": "已批准"},
    handled_by=lambda obj: "王审核",
)


@pytest.fixture
def doc(app):
    Doc.__table__.create(db.engine)
    events.clear()
    d = Doc()
    db.session.add(d)
    db.session.commit()
    yield d
    db.session.rollback()
    db.session.close()
    Doc.__table__.drop(db.engine)


def test_walks_the_table_and_records_each_step(doc):
    FLOW.apply(doc, "submit", "clerk")
    FLOW.apply(doc, "approve", "boss")
    assert doc.status == "approved"
    assert [e[2:5] for e in events] == [("submit", "draft", "submitted"),
                                       ("approve", "submitted", "approved")]


def test_action_not_in_the_table_is_a_conflict_with_a_clear_message(doc):
    with pytest.raises(Conflict, match="当前状态为「草稿」，不能执行「批准」"):
        FLOW.apply(doc, "approve", "boss")
    with pytest.raises(Conflict):
        FLOW.apply(doc, "no-such-action", "boss")


def test_actor_without_the_right_is_forbidden(doc):
    FLOW.apply(doc, "submit", "clerk")
    with pytest.raises(Forbidden, match="批准"):
        FLOW.apply(doc, "approve", "clerk")
    assert doc.status == "submitted" and len(events) == 1


def test_required_comment(doc):
    FLOW.apply(doc, "submit", "clerk")
    with pytest.raises(DomainError, match="必须填写理由"):
        FLOW.apply(doc, "reject", "boss", comment="   ")
    FLOW.apply(doc, "reject", "boss", comment="要素不全")
    assert events[-1][-1] == "要素不全"


def test_second_of_two_concurrent_actions_is_refused(doc):
    FLOW.apply(doc, "submit", "clerk")
    db.session.commit()
    # Someone else approves in another session, after we loaded the object.
    other = db.session.session_factory()
    other.get(Doc, doc.id).status = "approved"
    other.commit()
    other.close()
    with pytest.raises(Conflict, match="已由王审核处理"):
        FLOW.apply(doc, "approve", "boss")
    assert doc.status == "approved"


def test_actions_for_lists_what_the_actor_may_do(doc):
    FLOW.apply(doc, "submit", "clerk")
    assert [a for a, _ in FLOW.actions_for(doc, "boss")] == ["approve", "reject"]
    assert FLOW.actions_for(doc, "clerk") == []
    assert FLOW.can(doc, "approve", "boss") and not FLOW.can(doc, "approve", "clerk")
