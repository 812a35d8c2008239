"""Access rows of the submissions package (see tests/test_access.py).

``setup`` gives township A a draft with a photo, an item awaiting sign-off, a
published item with a photo, and two dual-report obligations on a department
(one pending, one contested), so each page is checked on real objects.
"""

from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.submissions import corrections, dual
from portal.submissions.models import DualReport, ItemStatus
from tests.access_helpers import CENTER_ONLY, LOGIN, by_role
from tests.submissions.factories import make_item, move

# Who may see an item of unit A that is not public: A's people and the center.
A_ITEM = by_role(LOGIN, 200, 404, 200, 200, 200)
# A's draft: only its officer edits; others who see it are refused, others do not see it.
A_DRAFT_EDIT = by_role(LOGIN, 200, 404, 403, 403, 403)
A_DRAFT_POST = by_role(LOGIN, 302, 404, 403, 403, 403)
# An obligation on another unit's department: A and the center see it, nobody here acts.
DUAL_ACTION = by_role(LOGIN, 403, 404, 403, 403, 403)

ROWS = [
    ("GET", "/desk/submissions", by_role(LOGIN, 200, 200, 403, 403, 403), "submissions.desk"),
    ("GET", "/desk/submissions/items", by_role(LOGIN, 200, 200, 200, 403, 403),
     "submissions.items"),
    ("GET", "/desk/submissions/items?status=returned", by_role(LOGIN, 200, 200, 200, 403, 403),
     "submissions.items"),
    ("GET", "/desk/submissions/items?status=nonsense", by_role(LOGIN, 404, 404, 404, 403, 403),
     "submissions.items"),
    ("GET", "/desk/signoff", by_role(LOGIN, 403, 403, 200, 403, 403), "submissions.signoff"),
    ("GET", "/desk/items/new", by_role(LOGIN, 200, 200, 403, 403, 403), "submissions.item_new"),
    ("POST", "/desk/items/new", by_role(LOGIN, 400, 400, 403, 403, 403), "submissions.item_new"),
    ("GET", "/desk/items/{item_draft}", A_ITEM, "submissions.item"),
    ("GET", "/desk/items/{item_published}", A_ITEM, "submissions.item"),
    ("GET", "/desk/items/999999", by_role(LOGIN, 404, 404, 404, 404, 404), "submissions.item"),
    ("GET", "/desk/items/{item_draft}/edit", A_DRAFT_EDIT, "submissions.item_edit"),
    ("POST", "/desk/items/{item_draft}/delete", A_DRAFT_POST, "submissions.item_delete"),
    ("POST", "/desk/items/{item_published}/delete", by_role(LOGIN, 409, 404, 409, 409, 409),
     "submissions.item_delete"),
    # Its own officer, e.g. after Back: sent to the item with what happened to it.
    ("GET", "/desk/items/{item_awaiting}/edit", by_role(LOGIN, 302, 404, 200, 403, 403),
     "submissions.item_edit"),
    ("GET", "/desk/items/{item_published}/edit", by_role(LOGIN, 302, 404, 403, 403, 403),
     "submissions.item_edit"),
    # Posted without an action: a bad request for those who may see the item.
    ("POST", "/desk/items/{item_draft}/act", by_role(LOGIN, 400, 404, 400, 400, 400),
     "submissions.item_act"),
    ("POST", "/desk/items/{item_draft}/media", by_role(LOGIN, 400, 404, 403, 403, 403),
     "submissions.media_upload"),
    ("POST", "/desk/media/{media_draft}/caption", A_DRAFT_POST, "submissions.media_caption"),
    ("POST", "/desk/media/{media_draft}/move", A_DRAFT_POST, "submissions.media_move"),
    ("POST", "/desk/media/{media_draft}/remove", A_DRAFT_POST, "submissions.media_remove"),
    ("POST", "/desk/media/{media_published}/remove", by_role(LOGIN, 403, 404, 403, 403, 403),
     "submissions.media_remove"),
    ("GET", "/media/{media_draft}/file", by_role(404, 200, 404, 200, 200, 200),
     "submissions.media"),
    ("GET", "/media/{media_draft}/thumb", by_role(404, 200, 404, 200, 200, 200),
     "submissions.media"),
    ("GET", "/media/{media_published}/page", by_role(200, 200, 200, 200, 200, 200),
     "submissions.media"),
    ("GET", "/media/{media_published}/poster", by_role(404, 404, 404, 404, 404, 404),
     "submissions.media"),
    ("GET", "/media/{media_published}/original", by_role(404, 404, 404, 404, 404, 404),
     "submissions.media"),
    ("GET", "/desk/items/{item_published}/revisions", A_ITEM, "submissions.item_revisions"),
    ("GET", "/desk/items/{item_draft}/revisions?a=1&b=99", by_role(LOGIN, 404, 404, 404, 404, 404),
     "submissions.item_revisions"),
    # Corrections are proposed by the unit's officers, on its published items only.
    ("GET", "/desk/items/{item_published}/correction", by_role(LOGIN, 200, 404, 403, 403, 403),
     "submissions.correction_new"),
    ("POST", "/desk/items/{item_published}/correction", by_role(LOGIN, 400, 404, 403, 403, 403),
     "submissions.correction_new"),
    ("GET", "/desk/items/{item_draft}/correction", by_role(LOGIN, 403, 404, 403, 403, 403),
     "submissions.correction_new"),
    # An open correction: seen by whoever sees the item; while a draft only its officer edits.
    ("GET", "/desk/corrections/{correction}", A_ITEM, "submissions.correction"),
    ("GET", "/desk/corrections/{correction}/edit", by_role(LOGIN, 200, 404, 302, 302, 302),
     "submissions.correction_edit"),
    ("POST", "/desk/corrections/{correction}/act", by_role(LOGIN, 400, 404, 400, 400, 400),
     "submissions.correction_act"),
    ("GET", "/desk/corrections/999999", by_role(LOGIN, 404, 404, 404, 404, 404),
     "submissions.correction"),
    ("POST", "/desk/dual/{dual_pending}/respond", DUAL_ACTION, "submissions.dual_respond"),
    ("GET", "/desk/dual/{dual_pending}/contest", DUAL_ACTION, "submissions.dual_contest"),
    ("POST", "/desk/dual/{dual_pending}/acknowledge", DUAL_ACTION,
     "submissions.dual_acknowledge"),
    ("GET", "/desk/dual-reports", CENTER_ONLY, "submissions.dual_reports"),
    # Posted without a ruling: refused as incomplete for the center, forbidden to others.
    ("POST", "/desk/dual/{dual_contested}/rule", by_role(LOGIN, 403, 403, 403, 400, 400),
     "submissions.dual_rule"),
    ("POST", "/desk/dual/{dual_pending}/rule", by_role(LOGIN, 403, 403, 403, 409, 409),
     "submissions.dual_rule"),
]


def setup(world):
    users, ids = world["users"], world["ids"]
    actors = {"officer": users["officer_a"], "leader": users["leader_a"],
              "reviewer": users["reviewer"]}
    department = world["make_unit"](UnitKind.department)
    dept_officer = world["make_user"](Role.officer, unit=department)

    draft = make_item(users["officer_a"], kind="image", column_slug="gallery")
    awaiting = move(make_item(users["officer_a"], title="柳河镇开展森林防火宣传"),
                    ItemStatus.awaiting_signoff, actors)
    published = move(make_item(users["officer_a"], kind="image", column_slug="gallery",
                               title="城关镇举办丰收节"), ItemStatus.published, actors)
    pending = move(make_item(users["officer_a"], title="城关镇排查地质灾害隐患点",
                             dual_department_id=department.id), ItemStatus.submitted, actors)
    disputed = move(make_item(users["officer_a"], title="城关镇清理河道垃圾",
                              dual_department_id=department.id), ItemStatus.submitted, actors)
    corrected = move(make_item(users["officer_a"], title="城关镇召开冬季防火会议"),
                     ItemStatus.published, actors)
    correction = corrections.propose(users["officer_a"], corrected, summary="", body="正文",
                                     title="城关镇召开冬季防火工作会议", reason="标题不全")
    contested = db.session.scalar(db.select(DualReport).where(
        DualReport.source_item_id == disputed.id))
    dual.contest(dept_officer, contested, "不属于本部门业务管辖。")
    db.session.commit()
    ids.update(
        item_draft=draft.id, item_awaiting=awaiting.id, item_published=published.id,
        media_draft=draft.media[0].id, media_published=published.media[0].id,
        dual_pending=db.session.scalar(db.select(DualReport.id).where(
            DualReport.source_item_id == pending.id)),
        dual_contested=contested.id, correction=correction.id)
