"""The monitor: the 4-items-a-month rule, the assessment (采用 records scored by a point
scheme), monthly notices (工作通报), reminders, site-health checks and the center's
compliance reports."""


def init_app(app):
    from ..site.nav import admin_link, desk_link, desk_notice
    from ..site.views import item_panel
    from . import assessment_views, demo, notice_views, permissions  # noqa: F401
    from .cli import monitor_cli
    from .scheduler import scheduler_command
    from .services import desk_notice as pace_notice
    from .services import effective_quota, score_notice
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(monitor_cli)
    app.cli.add_command(scheduler_command)
    desk_link(app, "报送考核", "monitor.dashboard", "monitor.view", order=40)
    desk_link(app, "通报审签", "monitor.notice_list", "monitor.notice_sign", order=41)
    admin_link(app, "考核规则", "monitor.rules", order=50)
    desk_notice(app, pace_notice)
    desk_notice(app, score_notice)
    # The item pages of units and reviewers show where the item was adopted (采用).
    item_panel(app, 50, "monitor/_item_adoptions.html", assessment_views.item_panel_context)
    # The officer's desk (submissions) shows the quota the monitor's rules give the unit.
    app.extensions["monthly_quota"] = effective_quota
