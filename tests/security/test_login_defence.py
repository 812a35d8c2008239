"""Login and query-code defence that cannot be turned against users (issue 14, item 3):
throttling per account *and* client with growing waits, a picture code (never a lock) for
guessing spread over addresses or accounts, and a 429 page that says how long to wait."""

from __future__ import annotations

import re

from portal.accounts import throttle
from tests.conftest import PASSWORD

ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}
OWNER = {"REMOTE_ADDR": "10.8.0.21"}


def login(client, username, password, env=None, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra},
                       environ_base=env or OWNER)


def solve(client) -> str:
    """What a person reads off the picture: the test computes it from the session's nonce."""
    with client.session_transaction() as sess:
        nonce = sess["captcha_nonce"]
    return throttle._code(nonce)


def test_a_stranger_guessing_a_password_never_locks_the_owner_out(client, make_user):
    owner = make_user()
    for _ in range(5):
        login(client, owner.username, "guess-123456", ATTACKER)
    blocked = login(client, owner.username, "guess-123456", ATTACKER)
    assert blocked.status_code == 429
    # The owner, from the office, gets in with the picture code (guessing was seen).
    page = client.get("/login", environ_base=OWNER)
    assert page.status_code == 200
    r = login(client, owner.username, PASSWORD, OWNER)
    assert r.status_code == 200 and "验证码" in r.get_data(as_text=True)
    r = login(client, owner.username, PASSWORD, OWNER, captcha=solve(client).lower())
    assert r.status_code == 302


def test_the_429_page_says_how_long_to_wait(client, make_user):
    user = make_user()
    for _ in range(5):
        login(client, user.username, "wrong-pass-1")
    r = login(client, user.username, PASSWORD)
    text = r.get_data(as_text=True)
    assert r.status_code == 429 and re.search(r"请在 \d+ 分钟后再试", text)
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60


def test_waits_grow_with_repeated_failures(app):
    windows = [str(item) for item in throttle._limits("LOGIN_LIMIT_PER_ACCOUNT")]
    assert len(windows) >= 3  # 15 minutes, then an hour, then a day


def test_the_picture_code_is_needed_after_failures_and_good_for_one_try(client, make_user):
    user = make_user()
    for _ in range(3):
        login(client, user.username, "wrong-pass-1", ATTACKER)
    r = login(client, user.username, PASSWORD)  # right password, no picture code
    assert r.status_code == 200 and "请正确输入图片中的验证码" in r.get_data(as_text=True)
    img = client.get("/captcha.png")
    assert img.status_code == 200 and img.data.startswith(b"\x89PNG")
    assert img.headers["Cache-Control"] == "no-store"
    code = solve(client)
    wrong = "".join("A" if c != "A" else "B" for c in code)
    r = login(client, user.username, PASSWORD, captcha=wrong)
    assert r.status_code == 200  # a wrong code is refused, and that challenge is spent
    r = login(client, user.username, PASSWORD, captcha=code)
    assert r.status_code == 200  # the old code no longer works
    r = login(client, user.username, PASSWORD, captcha=solve(client))
    assert r.status_code == 302


def test_the_code_cannot_be_read_from_the_session_cookie(client, make_user):
    user = make_user()
    for _ in range(3):
        login(client, user.username, "wrong-pass-1")
    client.get("/login", environ_base=OWNER)
    code = solve(client)
    with client.session_transaction() as sess:
        assert code not in repr(dict(sess))


def test_message_query_codes_ask_for_a_picture_code_not_a_lock(client, make_unit):
    for i in range(3):
        r = client.post("/messages/query", data={"number": "2026-000001",
                                                 "code": f"WRONG{i}"},
                        environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
        assert r.status_code == 400
    r = client.post("/messages/query", data={"number": "2026-000001", "code": "WRONG9"},
                    environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert "验证码" in r.get_data(as_text=True)
    # Another citizen behind a guesser's address looks up their own number freely.
    r = client.post("/messages/query", data={"number": "2026-000002", "code": "X"},
                    environ_base={"REMOTE_ADDR": "198.51.100.0"})
    assert "请正确输入图片中的验证码" not in r.get_data(as_text=True)
