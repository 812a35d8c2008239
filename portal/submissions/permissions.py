"""Who may see and do what with items, their media and dual-report obligations.

Views, templates (``can(current_user, "item.edit", item)``) and services ask
these same rules. An item that is not public is known only to its own unit,
the center, and the other side of a dual report it belongs to; to anyone
else it does not exist (404, see ``get_or_404``).
"""

from ..permissions import rule
from . import workflow
from .dual import links_of
from .models import Correction, DualReport, DualStatus, Item, Media


@rule("desk.staff")
def desk_staff(user, obj=None) -> bool:
    """Any signed-in account; what it may see of an object is decided per object."""
    return user is not None


@rule("desk.unit")
def desk_unit(user, obj=None) -> bool:
    """The people of a reporting unit: its officers and leaders."""
    return user is not None and (user.is_officer or user.is_leader) and not user.unit.is_center


@rule("item.create")
def item_create(user, obj=None) -> bool:
    return user is not None and user.is_officer and not user.unit.is_center


@rule("item.view")
def item_view(user, item: Item) -> bool:
    if user is None:
        return False
    if user.is_reviewer or user.unit_id == item.unit_id:
        return True
    # The two sides of a dual report read each other's item (and never edit it).
    created, answers = links_of(item)
    return any(d.department_id == user.unit_id for d in created) or (
        answers is not None and answers.source_item.unit_id == user.unit_id)


@rule("item.edit")
def item_edit(user, item: Item) -> bool:
    return workflow.can_edit(user, item)


@rule("correction.view")
def correction_view(user, correction: Correction) -> bool:
    """A correction is seen by whoever sees its item's desk page."""
    return item_view(user, correction.item)


@rule("correction.edit")
def correction_edit(user, correction: Correction) -> bool:
    return workflow.can_edit_correction(user, correction)


@rule("media.view")
def media_view(user, media: Media) -> bool:
    return media.item.is_public or item_view(user, media.item)


@rule("dual.view")
def dual_view(user, dual: DualReport) -> bool:
    return user is not None and (user.is_reviewer or user.unit_id in (
        dual.department_id, dual.source_item.unit_id))


@rule("dual.fulfil")
def dual_fulfil(user, dual: DualReport) -> bool:
    """Start (or continue) the department's own linked report."""
    return (user is not None and user.is_officer and user.unit_id == dual.department_id
            and (dual.response_item_id is not None
                 or dual.status in (DualStatus.pending, DualStatus.contested)))


@rule("dual.contest")
def dual_contest(user, dual: DualReport) -> bool:
    return workflow.DUAL_FLOW.can(dual, "contest", user)


@rule("dual.acknowledge")
def dual_acknowledge(user, dual: DualReport) -> bool:
    return user is not None and workflow.department_member(user, dual) and dual.status in (
        DualStatus.pending, DualStatus.contested)


@rule("dual.rule")
def dual_rule(user, dual: DualReport | None = None) -> bool:
    if user is None or not user.is_reviewer:
        return False
    return dual is None or dual.status == DualStatus.contested
