"""Placeholder replaced below."""


def init_app(app):
    pass
