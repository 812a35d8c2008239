"""Access rows of the publishing package (see tests/test_access.py).

Posts carry a valid CSRF token and no other data: a reviewer's publish,
return, decline and withdraw are then refused as incomplete forms (400),
which shows the check let them through.
"""

from datetime import timedelta

from portal import clock
from portal.extensions import db
from portal.publishing.models import TermKind, WordTerm
from portal.site.models import Column
from portal.submissions.models import Correction, Item
from portal.submissions.workflow import CORRECTION_FLOW, apply
from tests.access_helpers import ADMIN_ONLY, CENTER_ONLY, LOGIN, PUBLIC, by_role

CENTER_FORM = by_role(LOGIN, 403, 403, 403, 400, 400)
ADMIN_FORM = by_role(LOGIN, 403, 403, 403, 403, 400)
NOWHERE = by_role(404, 404, 404, 404, 404, 404)
CENTER_NOT_FOUND = by_role(LOGIN, 403, 403, 403, 404, 404)

ROWS = [
    ("GET", "/review/", CENTER_ONLY, "publishing.queue"),
    ("GET", "/review/?tab=published", CENTER_ONLY, "publishing.queue"),
    ("GET", "/review/items/{item_submitted}", CENTER_ONLY, "publishing.review"),
    ("GET", "/review/items/{item_published}", CENTER_ONLY, "publishing.review"),
    ("GET", "/review/items/{item_draft}", CENTER_NOT_FOUND, "publishing.review"),
    ("GET", "/review/items/999999", CENTER_NOT_FOUND, "publishing.review"),
    ("POST", "/review/items/{item_submitted}/publish", CENTER_FORM, "publishing.publish"),
    ("POST", "/review/items/{item_draft}/publish", CENTER_NOT_FOUND, "publishing.publish"),
    ("POST", "/review/items/{item_submitted}/return", CENTER_FORM, "publishing.return_"),
    ("POST", "/review/items/{item_submitted}/decline", CENTER_FORM, "publishing.decline"),
    ("POST", "/review/items/{item_published}/withdraw", CENTER_FORM, "publishing.withdraw"),
    ("POST", "/review/items/{item_scheduled}/unschedule", by_role(LOGIN, 403, 403, 403, 302, 302),
     "publishing.unschedule"),
    ("POST", "/review/items/{item_withdrawn}/restore", CENTER_FORM, "publishing.restore"),
    ("POST", "/review/items/{item_published}/edit", CENTER_FORM, "publishing.edit"),
    ("POST", "/review/items/{item_draft}/edit", CENTER_NOT_FOUND, "publishing.edit"),
    ("GET", "/review/corrections", CENTER_ONLY, "publishing.corrections_queue"),
    ("GET", "/review/corrections/{correction_submitted}", CENTER_ONLY, "publishing.correction"),
    # A correction still at its unit is not the center's yet.
    ("GET", "/review/corrections/{correction_draft}", CENTER_NOT_FOUND, "publishing.correction"),
    ("POST", "/review/corrections/{correction_submitted}/return", CENTER_FORM,
     "publishing.correction_act"),
    ("POST", "/review/corrections/{correction_submitted}/decline", CENTER_FORM,
     "publishing.correction_act"),
    ("POST", "/review/corrections/{correction_submitted}/nonsense",
     by_role(LOGIN, 403, 403, 403, 404, 404), "publishing.correction_act"),
    ("GET", "/admin/words", ADMIN_ONLY, "publishing.words"),
    ("POST", "/admin/words", ADMIN_FORM, "publishing.words"),
    ("GET", "/admin/words/{term}/edit", ADMIN_ONLY, "publishing.word_edit"),
    ("POST", "/admin/words/{term}/delete", by_role(LOGIN, 403, 403, 403, 403, 302),
     "publishing.word_delete"),
    ("GET", "/admin/pages", ADMIN_ONLY, "publishing.pages"),
    ("GET", "/admin/pages/profile", ADMIN_ONLY, "publishing.page_edit"),
    ("POST", "/admin/pages/profile", ADMIN_FORM, "publishing.page_edit"),
    ("GET", "/admin/pages/news", by_role(LOGIN, 403, 403, 403, 403, 404), "publishing.page_edit"),
    ("GET", "/items/{item_published}", PUBLIC, "public.item"),
    ("GET", "/items/{item_submitted}", NOWHERE, "public.item"),
    ("GET", "/items/{item_draft}", NOWHERE, "public.item"),
    ("GET", "/units/{unit_a_code}", PUBLIC, "public.unit"),
    ("GET", "/units/NO-SUCH-UNIT", NOWHERE, "public.unit"),
    ("GET", "/column/units", PUBLIC, "public.column"),
    ("GET", "/column/gallery", PUBLIC, "public.column"),
    ("GET", "/column/video", PUBLIC, "public.column"),
    ("GET", "/column/profile", PUBLIC, "public.column"),
    ("GET", "/search?q=会议", PUBLIC, "public.search_page"),
    ("GET", "/feed.atom", PUBLIC, "public.feed"),
    ("GET", "/column/news/feed.atom", PUBLIC, "public.column_feed"),
    ("GET", "/column/profile/feed.atom", NOWHERE, "public.column_feed"),
    ("GET", "/sitemap.xml", PUBLIC, "public.sitemap"),
    ("GET", "/sitemap-1.xml", by_role(404, 404, 404, 404, 404, 404), "public.sitemap_part"),
]


def setup(world):
    """Items of township A in the states the rows need, and one word check term."""
    unit = world["units"]["a"]
    users = world["users"]
    # Who takes each step (township A has a leader who signs off).
    actors = {"submit": users["officer_a"], "sign_off": users["leader_a"]}
    news = db.session.query(Column).filter_by(slug="news").one()

    def item(*actions):
        it = Item(title="访问测试信息", body_html="<p>正文</p>", column=news, unit=unit,
                  author=users["officer_a"])
        db.session.add(it)
        db.session.flush()
        for action in actions:
            if action == "schedule":
                it.publish_at = clock.now() + timedelta(days=1)
            apply(it, action, actors.get(action, users["reviewer"]),
                  "核实中" if action == "withdraw" else None)
        return it.id

    def correction(*actions):
        c = Correction(item_id=item("submit", "sign_off", "publish"), title="访问测试更正",
                       body_html="<p>更正后的正文</p>", reason="数字有误",
                       author=users["officer_a"])
        db.session.add(c)
        db.session.flush()
        for action in actions:
            CORRECTION_FLOW.apply(c, action, actors[action])
        return c.id

    term = WordTerm(term="人名政府", kind=TermKind.typo, suggestion="人民政府")
    db.session.add(term)
    db.session.flush()
    world["ids"].update(
        item_draft=item(),
        item_submitted=item("submit", "sign_off"),
        item_published=item("submit", "sign_off", "publish"),
        item_scheduled=item("submit", "sign_off", "schedule"),
        item_withdrawn=item("submit", "sign_off", "publish", "withdraw"),
        correction_draft=correction(),
        correction_submitted=correction("submit", "sign_off"),
        term=term.id,
        unit_a_code=unit.code,
    )
