"""Access rows for the monitor's pages (see tests/test_access.py)."""

from tests.access_helpers import ADMIN_ONLY, ADMIN_POST, CENTER_ONLY, LOGIN, by_role

ROWS = [
    ("GET", "/monitor/", CENTER_ONLY, "monitor.dashboard"),
    ("GET", "/monitor/month/2026-10", CENTER_ONLY, "monitor.month"),
    ("GET", "/monitor/month/2026-10?format=xlsx", CENTER_ONLY, "monitor.month"),
    ("GET", "/monitor/month/bad", by_role(LOGIN, 403, 403, 403, 404, 404), "monitor.month"),
    ("POST", "/monitor/month/2026-10/run", ADMIN_POST, "monitor.run"),
    ("GET", "/monitor/month/2026-10/unit/{unit_a}", CENTER_ONLY, "monitor.unit_month"),
    ("GET", "/monitor/trend", CENTER_ONLY, "monitor.trend"),
    ("GET", "/monitor/trend?unit={unit_a}", CENTER_ONLY, "monitor.trend"),
    ("GET", "/monitor/year/2026", CENTER_ONLY, "monitor.year"),
    ("GET", "/monitor/rules", ADMIN_ONLY, "monitor.rules"),
    ("POST", "/monitor/quota-rules", by_role(LOGIN, 403, 403, 403, 403, 400),
     "monitor.quota_rule_add"),
    ("POST", "/monitor/quota-rules/999999/revoke", by_role(LOGIN, 403, 403, 403, 403, 404),
     "monitor.quota_rule_revoke"),
]
