"""Shorthands for the access matrix rows (see tests/test_access.py)."""

ROLES = ["anon", "officer_a", "officer_b", "leader_a", "reviewer", "admin"]
LOGIN = 302  # anonymous users are sent to the login page


def by_role(anon, officer_a, officer_b, leader_a, reviewer, admin) -> dict[str, int]:
    """Expected statuses, in the order of ROLES."""
    return dict(zip(ROLES, (anon, officer_a, officer_b, leader_a, reviewer, admin), strict=True))


PUBLIC = by_role(200, 200, 200, 200, 200, 200)
ADMIN_ONLY = by_role(LOGIN, 403, 403, 403, 403, 200)
ADMIN_POST = by_role(LOGIN, 403, 403, 403, 403, 302)
CENTER_ONLY = by_role(LOGIN, 403, 403, 403, 200, 200)
