"""Units, accounts and roles; login; set-password links; the admin of both."""


def init_app(app):
    from ..site.nav import desk_link
    from . import demo, permissions  # noqa: F401  (registers rules and the seeder)
    from .cli import units_cli, users_cli
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.cli.add_command(units_cli)
    desk_link(app, "系统管理", "accounts.admin_home", "admin.access", order=90)
    from ..site.nav import desk_notice
    from .calendar import next_year_warning

    def calendar_notice(user) -> list[str]:
        warning = next_year_warning() if getattr(user, "is_reviewer", False) else None
        return [warning] if warning else []

    desk_notice(app, calendar_notice)
