"""Access rows for the monitor's pages (see tests/test_access.py).

``setup`` applies the 范文2 scheme and records one adoption of a published item of
township A, and one deduction of A."""

from portal import clock
from portal.extensions import db
from portal.monitor import adoptions, services
from portal.submissions.models import ItemStatus
from tests.access_helpers import ADMIN_ONLY, ADMIN_POST, CENTER_ONLY, LOGIN, by_role
from tests.submissions.factories import make_item, move

# Posting an empty form: the center is sent back with a message; everyone else is refused.
CENTER_POST = by_role(LOGIN, 403, 403, 403, 302, 302)

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
    ("GET", "/monitor/adoptions", CENTER_ONLY, "monitor.adoptions"),
    ("GET", "/monitor/adoptions?month=2026-13", by_role(LOGIN, 403, 403, 403, 404, 404),
     "monitor.adoptions"),
    ("GET", "/monitor/adoptions/bulk", CENTER_ONLY, "monitor.adoption_bulk"),
    ("POST", "/monitor/adoptions/bulk", by_role(LOGIN, 403, 403, 403, 400, 400),
     "monitor.adoption_bulk"),
    ("POST", "/monitor/items/{adopt_item}/adoptions", CENTER_POST, "monitor.adoption_add"),
    ("POST", "/monitor/items/999999/adoptions", by_role(LOGIN, 403, 403, 403, 404, 404),
     "monitor.adoption_add"),
    ("POST", "/monitor/adoptions/{adoption}/revoke", CENTER_POST, "monitor.adoption_revoke"),
    ("POST", "/monitor/adoptions/999999/revoke", by_role(LOGIN, 403, 403, 403, 404, 404),
     "monitor.adoption_revoke"),
    ("GET", "/monitor/outlets", ADMIN_ONLY, "monitor.outlets"),
    ("POST", "/monitor/outlets", by_role(LOGIN, 403, 403, 403, 403, 400), "monitor.outlets"),
    ("GET", "/monitor/outlets/{outlet}", ADMIN_ONLY, "monitor.outlet_edit"),
    ("GET", "/monitor/outlets/999999", by_role(LOGIN, 403, 403, 403, 403, 404),
     "monitor.outlet_edit"),
    ("GET", "/monitor/scheme", ADMIN_ONLY, "monitor.scheme"),
    ("POST", "/monitor/scheme", by_role(LOGIN, 403, 403, 403, 403, 400), "monitor.scheme"),
    ("POST", "/monitor/scheme/preset", ADMIN_POST, "monitor.scheme_preset"),
    ("POST", "/monitor/units/{unit_a}/penalties", CENTER_POST, "monitor.penalty_add"),
    ("GET", "/monitor/classes", ADMIN_ONLY, "monitor.unit_classes"),
    ("POST", "/monitor/classes", by_role(LOGIN, 403, 403, 403, 403, 400),
     "monitor.unit_classes"),
    ("POST", "/monitor/classes/assign", ADMIN_POST, "monitor.unit_classes_assign"),
    ("GET", "/monitor/awards/2026", CENTER_ONLY, "monitor.awards"),
    ("GET", "/monitor/notices", CENTER_ONLY, "monitor.notice_list"),
    ("GET", "/monitor/notices/{notice_ym}", CENTER_ONLY, "monitor.notice"),
    ("GET", "/monitor/notices/1999-01", by_role(LOGIN, 403, 403, 403, 404, 404),
     "monitor.notice"),
    ("GET", "/monitor/notices/{notice_ym}/print", CENTER_ONLY, "monitor.notice_print"),
    ("GET", "/monitor/notices/{notice_ym}/docx", CENTER_ONLY, "monitor.notice_docx"),
    ("POST", "/monitor/notices/{notice_ym}/edit", by_role(LOGIN, 403, 403, 403, 400, 400),
     "monitor.notice_edit"),
    ("POST", "/monitor/notices/{notice_ym}/sign", ADMIN_POST, "monitor.notice_sign"),
    # Not signed: publishing is refused with the reason (409), never done.
    ("POST", "/monitor/notices/{notice_ym}/publish", by_role(LOGIN, 403, 403, 403, 409, 409),
     "monitor.notice_publish"),
    ("POST", "/monitor/penalties/{penalty}/revoke", CENTER_POST, "monitor.penalty_revoke"),
]


def setup(world):
    users, ids = world["users"], world["ids"]
    actors = {"officer": users["officer_a"], "leader": users["leader_a"],
              "reviewer": users["reviewer"]}
    item = move(make_item(users["officer_a"], title="城关镇推进秸秆综合利用"),
                ItemStatus.published, actors)
    year, month = clock.previous_month()
    item.first_submitted_at = clock.month_bounds(year - 1, month)[0]  # records a year back
    adoptions.apply_preset(users["admin"], "fanwen2", clock.today().replace(day=1))
    outlet = adoptions.outlets()[0]
    adoption = adoptions.record(users["reviewer"], item, outlet, adopted_on=clock.today(),
                                kind=outlet.kinds[0] if outlet.kinds else "")
    penalty = adoptions.add_penalty(users["reviewer"], world["units"]["a"], "missed",
                                    clock.today(), "漏报一起交通事故")
    db.session.commit()
    services.run_month(year, month)
    ids.update(adopt_item=item.id, adoption=adoption.id, outlet=outlet.id, penalty=penalty.id,
               notice_ym=f"{year:04d}-{month:02d}")
