"""县人民政府公众信息网 — the county portal.

``create_app`` builds the application: configuration (defaults, then
``instance/config.py``, then ``PORTAL_*`` environment variables), extensions,
the feature packages in dependency order, error pages and commands.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import time
from pathlib import Path

import click
from flask import Flask, abort, has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import assets, clock, compression, security
from .errors import DomainError
from .extensions import csrf, db, limiter, login_manager, migrate, render_item
from .search import service as search_service

# Feature packages, lowest first (see DESIGN.md, "Direction of dependencies").
FEATURES = ["site", "accounts", "alerts", "submissions", "publishing", "messages", "public",
            "monitor", "audit"]


def create_app(test_config: dict | None = None) -> Flask:
    # PORTAL_INSTANCE_PATH moves the whole instance folder (database, media, index, outbox).
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "PORTAL_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance_path).resolve()) if instance_path
                else None, instance_relative_config=True)
    _configure(app, test_config)
    _init_extensions(app)
    # First of the after_request hooks, so it runs last: on the finished response.
    compression.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    search_service.init_app(app)
    for name in FEATURES:
        importlib.import_module(f"portal.{name}").init_app(app)
    _init_templates(app)
    from .site.nav import desk_notice
    desk_notice(app, base_url_notice)
    _init_errors(app)
    _init_cli(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object("portal.config")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PORTAL")
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        app.config.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'portal.db'}")
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing at once with "database is locked".
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 15, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if (app.config["BASE_URL"] == DEFAULT_BASE_URL and not app.testing
            and not app.debug and os.environ.get("FLASK_RUN_FROM_CLI") != "true"):
        logging.getLogger(__name__).warning(
            "BASE_URL is still %s: feeds, the sitemap and e-mailed links will point there; "
            "set PORTAL_BASE_URL to the portal's public address", DEFAULT_BASE_URL)
    if app.config.get("PROXY_FIX_HOPS"):
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url_notice(user) -> list[str]:
    """Admins are told when links sent out still point to the default address."""
    from flask import current_app

    if not getattr(user, "is_admin", False):
        return []
    configured = current_app.config["BASE_URL"].rstrip("/")
    if configured != DEFAULT_BASE_URL or request.host_url.rstrip("/") == configured:
        return []
    return [f"网站地址（BASE_URL）仍为默认的 {DEFAULT_BASE_URL}，而本站正通过 "
            f"{request.host_url.rstrip('/')} 访问：订阅、网站地图和邮件中的链接会指向错误的地址。"
            "请在 instance/config.py 或环境变量 PORTAL_BASE_URL 中设置本站的正式网址。"]


def _instance_secret(path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first run."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


class _IdConverter(IntegerConverter):
    """``<int:…>`` in every route: at most a 64-bit id, so a 20-digit number is a 404, not
    a database overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _init_request_guards(app: Flask) -> None:
    """Before anything reads the request (CSRF included): bounded bodies and page numbers."""
    uploads = set(app.config["UPLOAD_ENDPOINTS"])

    @app.before_request
    def bound_the_request():
        from flask_login import current_user

        # Only a signed-in user's media upload may be large; every other body is refused
        # (413) before a byte of it is parsed or spooled.
        if request.endpoint not in uploads or not current_user.is_authenticated:
            request.max_content_length = app.config["MAX_BODY_BYTES"]
        page = request.args.get("page", "")
        if page.isdigit() and int(page) > app.config["MAX_PAGE_NUMBER"]:
            abort(404)


def _init_extensions(app: Flask) -> None:
    app.url_map.converters["int"] = _IdConverter
    _init_request_guards(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True, render_item=render_item)
    login_manager.init_app(app)
    # The limiter before CSRF, so that posts refused for CSRF still count.
    limiter.init_app(app)
    csrf.init_app(app)

    # Registers the session listeners (clock's CalendarDay model is imported above).
    from . import aftercommit  # noqa: F401


def _init_templates(app: Flask) -> None:
    from .permissions import can
    from .site.nav import admin_links, desk_links, desk_notices
    from .site.views import nav_columns

    app.jinja_env.filters["local"] = clock.format_local
    app.jinja_env.filters["iso"] = clock.iso
    app.jinja_env.filters["cn_date"] = clock.cn_date
    app.jinja_env.globals["holidays_unconfirmed"] = clock.holidays_unconfirmed
    app.jinja_env.globals.update(can=can, desk_links=desk_links, admin_links=admin_links,
                             desk_notices=desk_notices, nav_columns=nav_columns)

    @app.context_processor
    def site_context():
        from .site.settings import site_values

        return {"site": site_values() if has_request_context() else {
                    k[5:].lower(): v for k, v in app.config.items() if k.startswith("SITE_")},
                "care_mode": has_request_context() and request.cookies.get("care") == "1"}


def _init_errors(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        db.session.rollback()
        return page(e.status, "无法完成操作", e.message)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(400, "页面已失效", "表单已过期或来源无法验证，请返回上一页刷新后重试。")

    for status, title, message in [
        (400, "请求有误", "提交的内容无法处理，请返回检查后重试。"),
        (403, "无权访问", "您没有权限执行此操作。"),
        (404, "页面不存在", "您访问的页面不存在或已被删除。"),
        (405, "请求方式不允许", "该页面不支持这种访问方式。"),
        (410, "链接已失效", "该链接已失效。"),
        (413, "文件过大", "上传的内容超过了允许的大小。"),
    ]:
        app.register_error_handler(
            status, lambda e, s=status, t=title, m=message: page(s, t, m))

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    def database_unavailable(e):
        # The database is down, restarting or unreachable: say so, and let the client retry.
        # The pool checks connections before use (pool_pre_ping), so the portal recovers
        # by itself once the database is back.
        logging.getLogger(__name__).error("database unavailable: %s", e)
        try:
            db.session.rollback()
        except sa_exc.SQLAlchemyError:
            pass
        return render_template("errors/unavailable.html"), 503, {"Retry-After": "30"}

    @app.errorhandler(429)
    def too_many(e):
        from .accounts.throttle import wait_text

        limit = limiter.current_limit
        seconds = max(1, int(limit.reset_at - time.time())) if limit else 60
        message = f"尝试次数过多，请在 {wait_text(seconds)}后再试。"
        if request.endpoint == "messages.new":
            message = (f"尝试次数过多（同一网络提交的留言过多），请在 {wait_text(seconds)}后再试；"
                       f"急事也可拨打 {app.config['MESSAGE_HOTLINE']} 政务服务便民热线。")
        else:
            message += "如有急事请联系网络信息中心。"
        resp = page(429, "操作过于频繁", message)
        return resp[0], 429, {"Retry-After": str(seconds)}

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        logging.getLogger(__name__).error("server error: %s", e)
        return page(500, "系统繁忙", "服务器暂时无法处理您的请求，请稍后再试。")


def _init_cli(app: Flask) -> None:
    from . import backup
    from .demo import demo_command

    app.cli.add_command(demo_command)
    backup.init_app(app)

    @app.cli.command("setup")
    def setup_command():
        """Upgrade the database and create the standard columns (for a new installation)."""
        from flask_migrate import upgrade

        from .site.models import ensure_default_columns

        upgrade()
        ensure_default_columns()
        db.session.commit()
        click.echo("数据库已升级，默认栏目已就绪。")
