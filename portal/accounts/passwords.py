"""Password policy and hashing.

Hashing is Werkzeug's scrypt (memory-hard, the current default). The policy is
the minimum a government system should ask: length, more than one kind of
character, not the username, not a well-known password.
"""

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

COMMON = {
    "password", "password1", "1234567890", "12345678910", "qwertyuiop", "1qaz2wsx3edc",
    "woaini1314", "admin12345", "abc1234567", "a123456789", "1q2w3e4r5t", "qwe123456789",
    "zxcvbnm123", "123456789a", "p@ssw0rd123", "admin@1234", "iloveyou12",
}


def problems(password: str, username: str = "") -> list[str]:
    """What is wrong with ``password`` (empty list: acceptable)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    found = []
    if len(password) < minimum:
        found.append(f"密码至少需要 {minimum} 个字符。")
    if len(password) > 128:
        found.append("密码不能超过 128 个字符。")
    classes = sum([
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ])
    if classes < 2:
        found.append("密码须包含字母、数字、符号中的至少两类。")
    low = password.lower()
    if username and username.lower() in low:
        found.append("密码不能包含用户名。")
    if low in COMMON or len(set(password)) < 4:
        found.append("密码过于常见或简单，请换一个。")
    return found


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify(password_hash: str | None, password: str) -> bool:
    # Check against a fixed hash when the account has none, so timing does not
    # tell whether a username exists.
    return check_password_hash(password_hash or _DUMMY, password) and password_hash is not None


_DUMMY = generate_password_hash("not-a-real-password", method="scrypt")
