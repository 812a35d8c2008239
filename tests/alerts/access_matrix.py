"""Access rows of the alerts package (see tests/test_access.py): every account has its
own alerts; an alert of officer A is nobody else's."""

from portal.alerts.services import notify
from portal.extensions import db
from tests.access_helpers import LOGIN, by_role

SIGNED_IN = by_role(LOGIN, 200, 200, 200, 200, 200)

ROWS = [
    ("GET", "/desk/alerts", SIGNED_IN, "alerts.index"),
    ("GET", "/account/alerts", SIGNED_IN, "alerts.settings"),
    ("POST", "/desk/alerts/read", by_role(LOGIN, 302, 302, 302, 302, 302), "alerts.read_all"),
    ("POST", "/desk/alerts/{alert_a}/open", by_role(LOGIN, 302, 404, 404, 404, 404),
     "alerts.open_"),
]


def setup(world):
    [alert] = notify([world["users"]["officer_a"]], "item_returned", "测试提醒", "",
                     "/desk/submissions")
    db.session.commit()
    world["ids"]["alert_a"] = alert.id
