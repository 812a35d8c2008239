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
