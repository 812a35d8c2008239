"""Access rows for the audit trail (see tests/test_access.py): the center reads it, nobody
changes it (there is no route that could)."""

from tests.access_helpers import CENTER_ONLY, by_role

ROWS = [
    ("GET", "/audit/", CENTER_ONLY, "audit.index"),
    ("GET", "/audit/?format=xlsx&type=unit", CENTER_ONLY, "audit.index"),
    ("GET", "/audit/?format=csv", CENTER_ONLY, "audit.index"),
    ("POST", "/audit/", by_role(405, 405, 405, 405, 405, 405), "audit.index"),
]
