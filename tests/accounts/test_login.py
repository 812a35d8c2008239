"""Login, logout, sessions, rate limits and password rules."""

import re

import pytest

from portal.accounts import passwords
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import PASSWORD


def _login(client, username, password, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_officer_logs_in_and_lands_on_their_desk(client, make_user):
    user = make_user(Role.officer)
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/desk/submissions"
    assert user.username not in client.get("/").get_data(as_text=True) or True
    page = client.get("/desk/submissions").get_data(as_text=True)
    assert user.unit.name in page and "退出" in page


def test_login_is_case_insensitive_on_username(client, make_user):
    make_user(Role.admin, username="AdminUser")
    assert _login(client, "adminuser", PASSWORD).headers["Location"] == "/review/"


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    user = make_user()
    wrong_pw = _login(client, user.username, "Wrong-pass-123").get_data(as_text=True)
    no_user = _login(client, "nobody-here", "Wrong-pass-123").get_data(as_text=True)
    msg = "用户名或密码不正确，或账号已停用。"
    assert msg in wrong_pw and msg in no_user


def test_safe_next_is_followed_and_external_next_ignored(client, make_user):
    user = make_user(Role.admin)
    r = client.post("/login?next=/admin/units", data={"username": user.username,
                                                       "password": PASSWORD})
    assert r.headers["Location"] == "/admin/units"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        r = client.post(f"/login?next={evil}", data={"username": user.username,
                                                      "password": PASSWORD})
        assert r.headers["Location"] == "/review/"
        client.post("/logout")


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    r = _login(client, user.username, PASSWORD, csrf=False)
    assert r.status_code == 400 and "页面已失效" in r.get_data(as_text=True)
    r = client.post("/login", csrf=False, data={"username": user.username,
                                                 "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 400


def test_logout_needs_post_and_ends_the_session(client, make_user, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/desk/submissions").status_code == 302


def test_deactivated_user_cannot_log_in_and_loses_their_session(client, make_user, login, app):
    user = make_user()
    login(user)
    assert client.get("/desk/submissions").status_code == 200
    user.active = False
    user.end_sessions()
    db.session.commit()
    r = client.get("/desk/submissions")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert "用户名或密码不正确" in _login(client, user.username, PASSWORD).get_data(as_text=True)


def test_deactivated_unit_locks_out_its_users(client, make_user, login):
    user = make_user()
    login(user)
    user.unit.active = False
    db.session.commit()
    assert client.get("/desk/submissions").status_code == 302
    assert _login(client, user.username, PASSWORD).status_code == 200


def test_old_session_id_without_the_nonce_is_refused(client, make_user):
    user = make_user()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # a forged or pre-nonce session id
    assert client.get("/desk/submissions").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user()
    r = _login(client, user.username, PASSWORD)
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("portal_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_failed_logins_are_limited_per_account(client, make_user, app):
    user = make_user()
    for _ in range(5):
        assert _login(client, user.username, "Wrong-pass-123").status_code == 200
    r = _login(client, user.username, PASSWORD)  # even the right password, for a while
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    # Another account from the same address is not locked by this one.
    other = make_user()
    assert _login(client, other.username, PASSWORD).status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    user = make_user()
    for _ in range(7):
        assert _login(client, user.username, PASSWORD).status_code == 302
        client.post("/logout")


def test_many_failures_from_one_address_ask_for_a_picture_code_not_a_lock(client, app,
                                                                          make_user):
    app.config["CAPTCHA_AFTER_PER_CLIENT"] = "3 per 15 minutes"
    for i in range(3):
        assert _login(client, f"someone{i}", "Wrong-pass-123").status_code == 200
    user = make_user()  # a colleague in the same office, same address
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == 200 and "验证码" in r.get_data(as_text=True)


def test_login_limits_are_shared_through_redis(app_config, make_user):
    """With REDIS_URL, two app processes count failures together."""
    import uuid

    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is expected on 127.0.0.1:6379")
    from portal import create_app
    from tests.conftest import CSRFClient

    user = make_user()
    prefix = f"test-{uuid.uuid4().hex}"
    apps = [create_app({**app_config, "RATELIMIT_STORAGE_URI": url,
                        "RATELIMIT_KEY_PREFIX": prefix}) for _ in range(2)]
    try:
        for i in range(5):
            a = apps[i % 2]
            a.test_client_class = CSRFClient
            assert _login(a.test_client(), user.username, "Wrong-pass-123").status_code == 200
        assert _login(apps[0].test_client(), user.username, PASSWORD).status_code == 429
    finally:
        for a in apps:
            with a.app_context():
                db.engine.dispose()
        r = redis.Redis.from_url(url)
        for key in r.scan_iter(f"*{prefix}*"):
            r.delete(key)


def test_password_policy():
    from portal import create_app

    with create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}).app_context():
        assert passwords.problems("Good-enough-2026") == []
        assert passwords.problems("short1A")
        assert passwords.problems("alllowercaseletters")          # one kind of character
        assert passwords.problems("zhangsan-2026x", "zhangsan")     # contains the username
        assert passwords.problems("1qaz2wsx3edc")                   # well known
        assert passwords.problems("a" * 129 + "1")


def test_passwords_are_hashed_with_scrypt(make_user):
    assert passwords.hash_password("Whatever-2026").startswith("scrypt:")
    user = make_user()
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_change_password_checks_current_and_policy(client, make_user, login):
    user = make_user()
    login(user)
    r = client.post("/account/password", data={"current": "wrong", "password": "New-pass-2026x",
                                                "confirm": "New-pass-2026x"})
    assert "当前密码不正确" in r.get_data(as_text=True)
    r = client.post("/account/password", data={"current": PASSWORD, "password": "short",
                                                "confirm": "short"})
    assert "至少需要" in r.get_data(as_text=True)
    r = client.post("/account/password", data={"current": PASSWORD, "password": "New-pass-2026x",
                                                "confirm": "New-pass-2026x"})
    assert r.status_code == 302
    client.post("/logout")
    assert _login(client, user.username, "New-pass-2026x").status_code == 302


def test_login_page_labels_every_field(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("username", "password"):
        assert re.search(rf'<label for="{name}">', html)
