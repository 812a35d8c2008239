"""Who may review, and what the public may see."""

from ..permissions import rule
from ..submissions.models import ItemStatus

# States an item is in before it reaches the center: private to its unit.
UNIT_PRIVATE = {ItemStatus.draft, ItemStatus.awaiting_signoff}


@rule("publishing.review_item")
def review_item(user, item=None) -> bool:
    """The center sees every item that has reached it, whatever happened to it since."""
    return user is not None and user.is_reviewer and (
        item is None or item.status not in UNIT_PRIVATE)


@rule("publishing.review_correction")
def review_correction(user, correction=None) -> bool:
    """The center sees a correction once it has reached it."""
    return user is not None and user.is_reviewer and (
        correction is None or correction.submitted_at is not None)


@rule("publishing.public_item")
def public_item(user, item=None) -> bool:
    """Everyone sees a published item; nobody sees anything else on the public site."""
    return item is not None and item.status == ItemStatus.published


@rule("publishing.manage")
def manage(user, obj=None) -> bool:
    """The word check list and the page texts: the center's administrators."""
    return user is not None and user.is_admin
