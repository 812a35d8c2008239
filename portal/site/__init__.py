"""The site frame: columns, navigation, the home page, placeholder desks."""


def init_app(app):
    from . import demo, permissions  # noqa: F401
    from .nav import desk_link
    from .views import bp

    app.register_blueprint(bp)
    desk_link(app, "信息员工作台", "site.desk_officer", "desk.officer", order=10)
    desk_link(app, "待签发", "site.desk_leader", "desk.leader", order=20)
    desk_link(app, "审核队列", "site.desk_review", "desk.review", order=30)
