"""Who may manage units and accounts."""

from ..permissions import rule


@rule("admin.access")
def admin_access(user, obj=None) -> bool:
    """The center's administration pages: units, accounts, calendar."""
    return user is not None and user.is_admin


@rule("center.access")
def center_access(user, obj=None) -> bool:
    """The center's working pages: reviewers and admins."""
    return user is not None and user.is_reviewer


@rule("unit.manage")
def unit_manage(user, unit=None) -> bool:
    return user is not None and user.is_admin


@rule("user.manage")
def user_manage(user, target=None) -> bool:
    # An admin may not lock themselves out through the admin pages.
    if user is None or not user.is_admin:
        return False
    return True


@rule("user.deactivate")
def user_deactivate(user, target=None) -> bool:
    return user_manage(user, target) and (target is None or target.id != user.id)
