"""Who reads the compliance reports and who changes the monitor's rules."""

from ..permissions import rule


@rule("monitor.view")
def monitor_view(user, obj=None) -> bool:
    """Reports, drill-downs and exports: the center (reviewers and admins)."""
    return user is not None and user.is_reviewer


@rule("monitor.manage")
def monitor_manage(user, obj=None) -> bool:
    """Rules, quota exemptions, running a month: the center's admins."""
    return user is not None and user.is_admin


@rule("monitor.adopt")
def monitor_adopt(user, obj=None) -> bool:
    """Recording adoptions (采用) and deductions: the center's reviewers (and admins)."""
    return user is not None and user.is_reviewer


@rule("monitor.notice_sign")
def monitor_notice_sign(user, obj=None) -> bool:
    """Signing off the month's notice (审签): a leader of the center, or an admin."""
    return user is not None and (user.is_admin or (user.is_leader and user.unit.is_center))


@rule("monitor.notices")
def monitor_notices(user, obj=None) -> bool:
    """The month's notices (drafts, previews, exports): the center, and its leaders."""
    return user is not None and (user.is_reviewer or monitor_notice_sign(user))
