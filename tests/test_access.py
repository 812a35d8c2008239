"""Who may reach what: every endpoint × every kind of user, with the expected status.

Rows are (method, URL template, expected statuses by role, endpoint). Roles:
``anon``; ``officer_a`` and ``leader_a`` of township A; ``officer_b`` of
township B; ``reviewer`` and ``admin`` of the center. URL templates name
objects of the ``world`` fixture ({unit_a}, {user_b}, …).

Each feature package adds its rows in ``tests/<package>/access_matrix.py``:
``ROWS`` (same shape as ``MATRIX`` here) and optionally ``setup(world)``, which
creates that package's objects and adds their ids to ``world["ids"]``. A test
makes sure that every endpoint of the application appears somewhere, so a new
page cannot skip the check.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from tests.access_helpers import ADMIN_ONLY, ADMIN_POST, LOGIN, PUBLIC, ROLES, by_role

MATRIX: list[tuple[str, str, dict[str, int], str]] = [
    # (method, url, expected, endpoint)
    ("GET", "/", PUBLIC, "public.home"),
    ("GET", "/column/news", PUBLIC, "public.column"),
    ("GET", "/column/no-such-column", by_role(404, 404, 404, 404, 404, 404), "public.column"),
    ("GET", "/care-mode/on", by_role(302, 302, 302, 302, 302, 302), "site.care_mode"),
    ("GET", "/care-mode/maybe", by_role(404, 404, 404, 404, 404, 404), "site.care_mode"),
    ("GET", "/static/css/portal.css", PUBLIC, "static"),
    ("GET", "/robots.txt", PUBLIC, "site.robots"),
    ("GET", "/favicon.ico", PUBLIC, "site.favicon"),
    ("GET", "/login", by_role(200, 302, 302, 302, 302, 302), "accounts.login"),
    ("POST", "/logout", by_role(LOGIN, 302, 302, 302, 302, 302), "accounts.logout"),
    ("GET", "/captcha.png", by_role(404, 404, 404, 404, 404, 404), "accounts.captcha"),
    ("GET", "/set-password/unknown", by_role(410, 410, 410, 410, 410, 410),
     "accounts.set_password"),
    ("GET", "/account/password", by_role(LOGIN, 200, 200, 200, 200, 200),
     "accounts.change_password"),
    ("GET", "/admin/", ADMIN_ONLY, "accounts.admin_home"),
    ("GET", "/admin/units", ADMIN_ONLY, "accounts.units"),
    ("GET", "/admin/units/new", ADMIN_ONLY, "accounts.unit_edit"),
    ("GET", "/admin/units/{unit_a}/edit", ADMIN_ONLY, "accounts.unit_edit"),
    ("GET", "/admin/units/999999/edit", by_role(LOGIN, 403, 403, 403, 403, 404),
     "accounts.unit_edit"),
    ("POST", "/admin/units/{unit_b}/active", ADMIN_POST, "accounts.unit_active"),
    ("POST", "/admin/units/import", ADMIN_POST, "accounts.units_import"),
    ("POST", "/admin/users/import", ADMIN_POST, "accounts.users_import"),
    ("GET", "/admin/users", ADMIN_ONLY, "accounts.users"),
    ("GET", "/admin/users/new", ADMIN_ONLY, "accounts.user_edit"),
    ("GET", "/admin/users/{user_b}/edit", ADMIN_ONLY, "accounts.user_edit"),
    ("POST", "/admin/users/{user_b}/send-link", ADMIN_POST, "accounts.user_send_link"),
    ("POST", "/admin/users/{user_b}/active", ADMIN_POST, "accounts.user_active"),
    ("GET", "/admin/calendar", ADMIN_ONLY, "accounts.calendar"),
    ("GET", "/admin/site", ADMIN_ONLY, "site.settings"),
    ("POST", "/admin/calendar/year", by_role(LOGIN, 403, 403, 403, 403, 400),
     "accounts.calendar_year"),
    ("POST", "/admin/site", by_role(LOGIN, 403, 403, 403, 403, 302), "site.settings"),
    ("POST", "/admin/calendar/2030-01-01/delete", by_role(LOGIN, 403, 403, 403, 403, 404),
     "accounts.calendar_delete"),
]


def _package_matrices():
    for path in sorted(Path(__file__).parent.glob("*/access_matrix.py")):
        spec = importlib.util.spec_from_file_location(f"access_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


PACKAGES = list(_package_matrices())
ALL_ROWS = MATRIX + [row for module in PACKAGES for row in module.ROWS]


@pytest.fixture
def world(make_unit, make_user, center):
    unit_a, unit_b = make_unit(UnitKind.township), make_unit(UnitKind.township)
    users = {
        "officer_a": make_user(Role.officer, unit=unit_a),
        "leader_a": make_user(Role.leader, unit=unit_a),
        "officer_b": make_user(Role.officer, unit=unit_b),
        "reviewer": make_user(Role.reviewer),
        "admin": make_user(Role.admin),
    }
    ids = {"unit_a": unit_a.id, "unit_b": unit_b.id, "user_b": users["officer_b"].id}
    world = {"users": users, "ids": ids, "units": {"a": unit_a, "b": unit_b, "center": center},
             "make_unit": make_unit, "make_user": make_user}
    for module in PACKAGES:
        if hasattr(module, "setup"):
            module.setup(world)
    db.session.commit()
    return users, ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, expected, endpoint", ALL_ROWS,
                         ids=[f"{m} {u}" for m, u, _, _ in ALL_ROWS])
def test_access(client, login, world, role, method, url, expected, endpoint):
    users, ids = world
    if role != "anon":
        login(users[role])
    target = url.format(**ids)
    response = client.post(target) if method == "POST" else client.open(target, method=method)
    with response:
        assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
        if expected[role] == LOGIN and role == "anon" and "/desk/" in url:
            assert response.headers["Location"].startswith("/login")


def test_every_endpoint_is_in_the_matrix(app):
    covered = {endpoint for _, _, _, endpoint in ALL_ROWS}
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - covered
    assert not missing, f"add these endpoints to the access matrix: {sorted(missing)}"


def test_a_deactivated_session_is_anonymous_everywhere(client, login, world):
    users, _ = world
    admin = users["admin"]
    login(admin)
    admin.end_sessions()
    db.session.commit()
    assert client.get("/admin/").status_code == LOGIN
