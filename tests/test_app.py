"""The application factory: configuration layers, instance folder, secret key, errors."""

import subprocess
import sys
from pathlib import Path

from portal import create_app


def test_config_layers_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SITE_NAME = "来自实例配置"\nSITE_DOMAIN = "file.example.gov.cn"\n'
        'DATABASE_URL = "sqlite:///' + str(tmp_path / "x.db") + '"\n', encoding="utf-8")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("PORTAL_SITE_DOMAIN", "env.example.gov.cn")
    monkeypatch.setenv("PORTAL_MAIL_PORT", "2525")
    app = create_app()
    assert app.config["SITE_NAME"] == "来自实例配置"          # instance file over defaults
    assert app.config["SITE_DOMAIN"] == "env.example.gov.cn"  # environment over the file
    assert app.config["MAIL_PORT"] == 2525                    # parsed as JSON
    assert app.config["TIMEZONE"] == "Asia/Shanghai"          # untouched default
    assert app.instance_path == str(instance)


def test_instance_path_holds_database_and_generated_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "data"))
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    app = create_app()
    secret = (tmp_path / "data" / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) == 64
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode)[-3:] == "600"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'data' / 'portal.db'}"
    # A second start reads the same key instead of making a new one.
    assert create_app().config["SECRET_KEY"] == secret


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_redis_url_moves_rate_limits_to_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_REDIS_URL", "redis://127.0.0.1:6379/15")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"


def test_instance_folder_and_secrets_are_not_committed():
    root = Path(__file__).parent.parent
    tracked = subprocess.run(["git", "ls-files", "instance"], cwd=root, capture_output=True,
                             text=True).stdout.split()
    assert all(p == "instance/config.example.py" for p in tracked)
    assert "/instance/*" in (root / ".gitignore").read_text()


def test_example_config_is_valid_python():
    path = Path(__file__).parent.parent / "instance" / "config.example.py"
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_unknown_page_is_a_chinese_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "页面不存在" in r.get_data(as_text=True)


def test_package_imports_without_warnings(tmp_path):
    # -W error: nothing the portal imports may warn (e.g. an old Whoosh on Python 3.12).
    code = ("import portal; portal.create_app({'SECRET_KEY': 'x', 'DATABASE_URL': 'sqlite://', "
            f"'INSTANCE_PATH': {str(tmp_path)!r}}})")
    result = subprocess.run([sys.executable, "-W", "error", "-c", code],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
