"""The monitor: the 4-items-a-month rule, monthly notices (工作通报), reminders,
site-health checks and the center's compliance reports."""


def init_app(app):
    from ..site.nav import admin_link, desk_link, desk_notice
    from . import demo, permissions  # noqa: F401  (registers rules and the seeder)
    from .cli import monitor_cli
    from .scheduler import scheduler_command
    from .services import desk_notice as pace_notice
    from .services import effective_quota
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(monitor_cli)
    app.cli.add_command(scheduler_command)
    desk_link(app, "报送考核", "monitor.dashboard", "monitor.view", order=40)
    admin_link(app, "考核规则", "monitor.rules", order=50)
    desk_notice(app, pace_notice)
    # The officer's desk (submissions) shows the quota the monitor's rules give the unit.
    app.extensions["monthly_quota"] = effective_quota
