"""The workflows of an item and of a dual-report obligation, as data.

Read the tables to learn the whole flow: an officer writes, the unit's leader
signs off (unless the unit is configured to skip sign-off), the center
publishes, returns or declines, and may later withdraw. ``apply`` is the only
way an item changes state; it records every step in the item's history.
``DUAL_FLOW`` does the same for the obligations of 条块双报.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask import current_app

from .. import clock
from ..extensions import db
from ..workflow import SYSTEM, Transition, Workflow
from .models import (
    STATUS_LABELS,
    Correction,
    CorrectionStatus,
    DualReport,
    DualStatus,
    Item,
    ItemEvent,
    ItemStatus,
)
from .signals import item_changed

S = ItemStatus


# ---- who may ----------------------------------------------------------------

def officer_of_unit(actor, item: Item) -> bool:
    return getattr(actor, "is_officer", False) and actor.unit_id == item.unit_id


def officer_needing_signoff(actor, item: Item) -> bool:
    return officer_of_unit(actor, item) and not item.unit.skip_signoff


def officer_skipping_signoff(actor, item: Item) -> bool:
    return officer_of_unit(actor, item) and item.unit.skip_signoff


def leader_of_unit(actor, item: Item) -> bool:
    return getattr(actor, "is_leader", False) and actor.unit_id == item.unit_id


def reviewer(actor, item: Item) -> bool:
    return getattr(actor, "is_reviewer", False)


def system(actor, item: Item) -> bool:
    return actor is SYSTEM


def reviewer_or_system(actor, item: Item) -> bool:
    return actor is SYSTEM or reviewer(actor, item)


# ---- the table ----------------------------------------------------------------

TRANSITIONS = {
    # (state,             action):            Transition(new state, who may, label, comment?)
    (S.draft, "submit"):              Transition(S.awaiting_signoff, officer_needing_signoff, "提交签发"),
    (S.draft, "submit_direct"):       Transition(S.submitted, officer_skipping_signoff, "报送中心"),
    (S.awaiting_signoff, "sign_off"): Transition(S.submitted, leader_of_unit, "签发"),
    (S.awaiting_signoff, "send_back"): Transition(S.draft, leader_of_unit, "退回信息员", True),
    (S.awaiting_signoff, "recall"):   Transition(S.draft, officer_of_unit, "撤回"),
    (S.submitted, "publish"):         Transition(S.published, reviewer, "发布"),
    (S.submitted, "schedule"):        Transition(S.scheduled, reviewer, "定时发布"),
    (S.submitted, "return"):          Transition(S.returned, reviewer, "退回修改", True),
    (S.submitted, "decline"):         Transition(S.declined, reviewer, "不予采用", True),
    (S.scheduled, "publish_due"):     Transition(S.published, reviewer_or_system, "到时发布"),
    (S.scheduled, "unschedule"):      Transition(S.submitted, reviewer, "取消定时"),
    (S.returned, "resubmit"):         Transition(S.awaiting_signoff, officer_needing_signoff, "修改后提交签发"),
    (S.returned, "resubmit_direct"):  Transition(S.submitted, officer_skipping_signoff, "修改后报送中心"),
    (S.published, "withdraw"):        Transition(S.withdrawn, reviewer, "撤稿", True),
    (S.published, "unpublish_due"):   Transition(S.withdrawn, system, "到期下线"),
    # A withdrawn item is put back as it was, or its unit reworks it and reports it again
    # (it keeps its first publication time; the page then shows 更新于).
    (S.withdrawn, "restore"):         Transition(S.published, reviewer, "恢复发布", True),
    (S.withdrawn, "rework"):          Transition(S.draft, officer_of_unit, "修改后重新报送"),
    # The monitor posts the monthly notice (工作通报) itself.
    (S.draft, "post_notice"):         Transition(S.published, system, "发布通报"),
}

# States in which the item's own unit may still edit its text and media.
EDITABLE = {S.draft: officer_of_unit, S.returned: officer_of_unit,
            S.awaiting_signoff: leader_of_unit}


def _record(item: Item, actor, action: str, old: str, new: str, comment: str) -> None:
    db.session.add(ItemEvent(item=item, actor_id=actor.id if actor else None, action=action,
                             from_status=str(old), to_status=str(new), comment=comment))


def _handled_by(item: Item) -> str | None:
    last = db.session.scalar(db.select(ItemEvent).where(ItemEvent.item_id == item.id)
                             .order_by(ItemEvent.id.desc()).limit(1))
    if last is None:
        return None
    return last.actor.display_name if last.actor else "系统"


ITEM_FLOW = Workflow("item", TRANSITIONS, record=_record,
                     state_labels={k.value: v for k, v in STATUS_LABELS.items()},
                     handled_by=_handled_by)


def apply(item: Item, action: str, actor, comment: str | None = None) -> Transition:
    """Move ``item`` by ``action`` as ``actor``; record it; set the timestamps of the new state."""
    old = item.status
    t = ITEM_FLOW.apply(item, action, actor, comment)
    now = clock.now()
    if t.to == S.submitted:
        item.submitted_at = now
        if item.first_submitted_at is None:
            item.first_submitted_at = now
            _check_late(item, now)
    elif t.to == S.published:
        if item.published_at is None:
            item.published_at = now  # the first publication, never rewritten
        elif action != "restore":
            item.corrected_at = now  # published again after rework: 更新于
        item.withdrawn_at = None
    elif t.to == S.withdrawn:
        item.withdrawn_at = now
    db.session.flush()
    item_changed.send(item, action=action, old=old, new=t.to, actor=actor)
    return t


def _check_late(item: Item, now) -> None:
    """An urgent item reaching the center too long after the event is recorded as 迟报."""
    if not item.urgent or item.event_at is None:
        return
    hours = current_app.config.get("URGENT_REPORT_HOURS", 2)
    if now - item.event_at > timedelta(hours=hours):
        item.late = True
        delay = now - item.event_at
        h, m = divmod(int(delay.total_seconds()) // 60, 60)
        db.session.add(ItemEvent(item=item, actor_id=None, action="late",
                                 from_status=None, to_status=None,
                                 comment=f"迟报：事件发生 {h} 小时 {m} 分钟后才报送到中心"
                                         f"（要求 {hours} 小时内）"))


def can_edit(actor, item: Item) -> bool:
    rule = EDITABLE.get(item.status)
    return rule is not None and actor is not None and rule(actor, item)


# Actions the reporting unit takes (the officer's desk and the leader's sign-off list);
# the center's actions belong to its review queue.
UNIT_ACTIONS = ("submit", "submit_direct", "sign_off", "send_back", "recall", "resubmit",
                "resubmit_direct", "rework")
# Actions that bring an item to the center: the item must then be complete.
TO_CENTER = {a for (_, a), t in TRANSITIONS.items() if t.to == S.submitted}
TO_SIGNOFF = {a for (_, a), t in TRANSITIONS.items() if t.to == S.awaiting_signoff}


# ---- dual reporting (条块双报) -------------------------------------------------------
# A township item that names a supervising department creates an obligation for
# that department when it reaches the center. The department fulfils it with a
# report of its own (the obligation is met when that report reaches the center)
# or contests it; the center rules on a contest.

D = DualStatus


def department_member(actor, dual: DualReport) -> bool:
    """An officer or leader of the department the obligation falls on."""
    return (getattr(actor, "is_officer", False) or getattr(actor, "is_leader", False)) \
        and actor.unit_id == dual.department_id


def department_or_system(actor, dual: DualReport) -> bool:
    return actor is SYSTEM or department_member(actor, dual)


def dual_reviewer(actor, dual: DualReport) -> bool:
    return getattr(actor, "is_reviewer", False)


DUAL_TRANSITIONS = {
    # (state,      action):    Transition(new state, who may, label, comment?)
    (D.pending, "fulfil"):     Transition(D.fulfilled, department_or_system, "双报完成"),
    (D.pending, "contest"):    Transition(D.contested, department_member, "提出异议", True),
    (D.contested, "fulfil"):   Transition(D.fulfilled, department_or_system, "双报完成"),
    (D.contested, "waive"):    Transition(D.waived, dual_reviewer, "裁定免报", True),
    (D.contested, "uphold"):   Transition(D.pending, dual_reviewer, "裁定须报", True),
}


def _record_dual(dual: DualReport, actor, action: str, old: str, new: str,
                 comment: str) -> None:
    # Kept in the township item's history, where both units and the center look.
    text = f"{dual.department.name}：{DUAL_TRANSITIONS[(old, action)].label}"
    db.session.add(ItemEvent(item_id=dual.source_item_id,
                             actor_id=actor.id if actor else None, action=f"dual_{action}",
                             from_status=None, to_status=None,
                             comment=f"{text}。{comment}" if comment else text))


DUAL_FLOW = Workflow("dual_report", DUAL_TRANSITIONS, record=_record_dual,
                     state_labels={s.value: s.label for s in DualStatus})


# ---- corrections (更正) of published items ------------------------------------------------
# The unit proposes a changed text of a published item; it is signed off and reviewed
# like a new item while the published text stays online. Published, it replaces the
# item's text under the same URL (see ``corrections.publish``).

C = CorrectionStatus


def _on_item(rule):
    return lambda actor, correction: rule(actor, correction.item)


CORRECTION_TRANSITIONS = {
    (C.draft, "submit"):             Transition(C.awaiting_signoff,
                                                _on_item(officer_needing_signoff), "提交签发"),
    (C.draft, "submit_direct"):      Transition(C.submitted, _on_item(officer_skipping_signoff),
                                                "报送中心"),
    (C.draft, "cancel"):             Transition(C.cancelled, _on_item(officer_of_unit), "撤销更正"),
    (C.awaiting_signoff, "sign_off"): Transition(C.submitted, _on_item(leader_of_unit), "签发"),
    (C.awaiting_signoff, "send_back"): Transition(C.draft, _on_item(leader_of_unit),
                                                  "退回信息员", True),
    (C.awaiting_signoff, "recall"):  Transition(C.draft, _on_item(officer_of_unit), "撤回"),
    (C.submitted, "publish"):        Transition(C.published, _on_item(reviewer), "发布更正"),
    (C.submitted, "return"):         Transition(C.draft, _on_item(reviewer), "退回修改", True),
    (C.submitted, "decline"):        Transition(C.declined, _on_item(reviewer), "不予更正", True),
}
# States in which the correction's text may be changed, and by whom.
CORRECTION_EDITABLE = {C.draft: officer_of_unit, C.awaiting_signoff: leader_of_unit}
CORRECTION_UNIT_ACTIONS = ("submit", "submit_direct", "cancel", "sign_off", "send_back",
                           "recall")
CORRECTION_CENTER_ACTIONS = ("publish", "return", "decline")


def _record_correction(correction: Correction, actor, action: str, old: str, new: str,
                       comment: str) -> None:
    # Kept in the item's history, beside the item's own steps.
    now = clock.now()
    if new == C.submitted:
        correction.submitted_at = now
    elif new in (C.published, C.declined, C.cancelled):
        correction.decided_at = now
    db.session.add(ItemEvent(item_id=correction.item_id, actor_id=actor.id if actor else None,
                             action=f"correction_{action}", from_status=None, to_status=None,
                             comment=comment))


def _correction_handled_by(correction: Correction) -> str | None:
    return _handled_by(correction.item)


CORRECTION_FLOW = Workflow("correction", CORRECTION_TRANSITIONS, record=_record_correction,
                           state_labels={s.value: s.label for s in CorrectionStatus},
                           handled_by=_correction_handled_by)


def correction_submit_actions(actor, item: Item) -> list[tuple[str, Transition]]:
    """How ``actor`` would send a correction draft of ``item`` on (to sign-off or to the
    center), before the draft exists."""
    draft = SimpleNamespace(status=C.draft, item=item)  # the rules ask only for these
    return [(action, t) for action, t in CORRECTION_FLOW.actions_for(draft, actor)
            if action in ("submit", "submit_direct")]


def can_edit_correction(actor, correction: Correction) -> bool:
    rule = CORRECTION_EDITABLE.get(correction.status)
    return rule is not None and actor is not None and rule(actor, correction.item)


# ---- history labels ------------------------------------------------------------------

EVENT_LABELS = {
    **{action: t.label for (_, action), t in TRANSITIONS.items()},
    "create": "创建", "edit": "修改", "late": "迟报", "word_check": "确认错敏词",
    "media_add": "上传附件", "media_remove": "删除附件",
    "adopt": "登记采用", "adopt_revoke": "撤销采用",
    "dual_open": "产生双报义务", "dual_acknowledge": "部门已掌握", "dual_due": "双报期限重算", "dual_response": "开始双报",
    **{f"dual_{action}": t.label for (_, action), t in DUAL_TRANSITIONS.items()},
    "correction_open": "提出更正", "correction_edit": "修改更正稿", "reviewer_edit": "审核员修改",
    **{f"correction_{action}": t.label if "更正" in t.label else f"更正{t.label}"
       for (_, action), t in CORRECTION_TRANSITIONS.items()},
}


def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
