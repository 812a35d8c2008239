"""Login defence that cannot be turned against the users it protects.

Failed attempts are counted three ways, in the rate limiter's storage (Redis when
configured, so every worker sees the same counts):

* per **account and client address**: after ``LOGIN_LIMIT_PER_ACCOUNT`` (growing
  windows, e.g. 5 in 15 minutes, 10 in an hour, 20 in a day) that client waits, and
  the page says for how long. Someone guessing elsewhere never locks the owner out;
* per **account** from anywhere, and per **client address** over all accounts (a
  county office shares one address): past ``CAPTCHA_AFTER_*`` a picture code
  (验证码) is asked for, never a lock for everyone.

The picture code is drawn by the ``captcha`` package (no outside service). The
session holds only a random nonce; the code is an HMAC of it under the app's
secret key, so it cannot be read from the (signed, not encrypted) session cookie,
and it is good for one attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

from flask import current_app, request, session
from limits import parse_many

from ..extensions import limiter

ALPHABET = "ABCDEFHJKMNPRSTUVWXY3456789"  # no 0/O, 1/I/L, 2/Z, G/6
LENGTH = 4
_NONCE = "captcha_nonce"


def _client() -> str:
    return request.remote_addr or "unknown"


def _norm(username: str | None) -> str:
    return (username or "").strip().lower()


def _limits(key: str):
    return parse_many(current_app.config[key])


def _exceeded(config_key: str, *identifiers: str) -> bool:
    return any(not limiter.limiter.test(item, config_key, *identifiers)
               for item in _limits(config_key))


def record_failure(scope: str, username: str | None) -> None:
    """Count a failed attempt at ``scope`` ("login", "query-code") towards the picture code."""
    for key, ident in (("CAPTCHA_AFTER_PER_ACCOUNT", _norm(username)),
                       ("CAPTCHA_AFTER_PER_CLIENT", _client())):
        for item in _limits(key):
            limiter.limiter.hit(item, key, scope, ident)


def captcha_needed(scope: str, username: str | None) -> bool:
    """Whether the next attempt at ``scope`` for ``username`` from here needs the picture code."""
    return (_exceeded("CAPTCHA_AFTER_PER_ACCOUNT", scope, _norm(username))
            or _exceeded("CAPTCHA_AFTER_PER_CLIENT", scope, _client()))


def _code(nonce: str) -> str:
    digest = hmac.new(current_app.secret_key.encode(), f"captcha:{nonce}".encode(),
                      hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:LENGTH])


def new_challenge() -> None:
    session[_NONCE] = secrets.token_hex(16)


def challenge_png() -> bytes | None:
    """The current challenge as a picture (None when there is none)."""
    from captcha.image import ImageCaptcha

    nonce = session.get(_NONCE)
    if not nonce:
        return None
    out = io.BytesIO()
    ImageCaptcha(width=160, height=60).write(_code(nonce), out, format="png")
    return out.getvalue()


def check_answer(answer: str | None) -> bool:
    """Whether ``answer`` solves the current challenge; either way the challenge is spent."""
    nonce = session.pop(_NONCE, None)
    given = (answer or "").strip().upper()
    return bool(nonce) and hmac.compare_digest(given.encode(), _code(nonce).encode())


def wait_text(seconds: float) -> str:
    """How long to wait, in words."""
    minutes = max(1, int(-(-seconds // 60)))
    if minutes < 60:
        return f"{minutes} 分钟"
    hours = -(-minutes // 60)
    return f"{hours} 小时"
