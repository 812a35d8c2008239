"""Helpers shared by the monitor's tests."""

from portal.monitor import notices


def notice_html(run) -> str:
    """The text of the month's notice draft (as it is now), from the run's month."""
    mm = run.monitor_month
    return notices.render(notices.get(mm.year, mm.month), None)
