"""Who reaches which desk (the desks themselves are the feature packages' pages)."""

from ..permissions import rule


@rule("desk.officer")
def officer_desk(user, obj=None) -> bool:
    return user is not None and user.is_officer


@rule("desk.leader")
def leader_desk(user, obj=None) -> bool:
    return user is not None and user.is_leader


@rule("desk.review")
def review_desk(user, obj=None) -> bool:
    return user is not None and user.is_reviewer
