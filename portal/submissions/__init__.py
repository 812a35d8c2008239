"""Submissions: items, media, unit sign-off, dual reporting (条块双报), urgent items."""


def init_app(app):
    from ..site.nav import desk_link

    # models, rules, receivers, the seeder
    from . import demo, dual, models, notifications, permissions  # noqa: F401
    from .cli import media_cli
    from .views import bp

    app.register_blueprint(bp)
    notifications.init_app(app)
    app.cli.add_command(media_cli)
    from .. import clock

    clock.calendar_changed.connect(dual.recompute_deadlines, weak=False)
    # Same labels as the site's placeholders, which these replace in the header.
    desk_link(app, "信息员工作台", "submissions.desk", "desk.officer", order=10)
    desk_link(app, "待签发", "submissions.signoff", "desk.leader", order=20)
    desk_link(app, "双报异议", "submissions.dual_reports", "center.access", order=35)
