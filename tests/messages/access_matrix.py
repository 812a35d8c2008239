"""Access matrix rows of citizen messages (see tests/test_access.py).

``setup`` writes three messages: a new one addressed to township A (only the
center sees it), one accepted and handled by A, and one answered by B and
published. Posts carry a CSRF token but no fields: a user who may act gets the
form back with errors (400) and nothing changes; the others get 403 or 404.
"""

from portal.extensions import db
from portal.messages import services
from tests.access_helpers import CENTER_ONLY, LOGIN, PUBLIC, by_role

STAFF_POST = by_role(LOGIN, 403, 403, 403, 400, 400)   # center actions, form incomplete
NOT_FOUND = by_role(404, 404, 404, 404, 404, 404)


def setup(world):
    a, b = world["units"]["a"], world["units"]["b"]
    reviewer, officer_b = world["users"]["reviewer"], world["users"]["officer_b"]
    fields = dict(category="consult", subject="路灯不亮", body="小区门口路灯坏了一个月。",
                  name="张三", phone="13912345678", publish_allowed=True)
    new, _ = services.submit(unit=a, **fields)
    mine, _ = services.submit(unit=a, **fields)
    services.accept(reviewer, mine, a)
    asked = services.request_extension(world["users"]["officer_a"], mine, 2, "需要现场核实")
    public, _ = services.submit(unit=b, **fields)
    services.accept(reviewer, public, b)
    services.reply(officer_b, public, "您好！路灯已经修好，感谢您的监督。")
    db.session.flush()
    world["ids"].update(msg_new=new.id, msg_a=mine.id, request_a=asked.id, number_new=new.number,
                        number_public=public.number)


ROWS = [
    ("GET", "/column/messages", PUBLIC, "public.column"),
    ("GET", "/messages/new", PUBLIC, "messages.new"),
    ("POST", "/messages/new", by_role(400, 400, 400, 400, 400, 400), "messages.new"),
    ("GET", "/messages/sent", by_role(302, 302, 302, 302, 302, 302), "messages.sent"),
    ("GET", "/messages/query", PUBLIC, "messages.query"),
    ("POST", "/messages/query", by_role(400, 400, 400, 400, 400, 400), "messages.query"),
    ("POST", "/messages/rate", by_role(400, 400, 400, 400, 400, 400), "messages.rate"),
    ("GET", "/messages/{number_public}", PUBLIC, "messages.detail"),
    ("GET", "/messages/{number_new}", NOT_FOUND, "messages.detail"),
    ("GET", "/messages/2026-999999", NOT_FOUND, "messages.detail"),
    ("GET", "/messages/not-a-number", NOT_FOUND, "messages.detail"),
    ("GET", "/desk/messages", CENTER_ONLY, "messages.moderation"),
    ("GET", "/desk/messages?show=overdue", CENTER_ONLY, "messages.moderation"),
    ("GET", "/desk/messages/inbox", by_role(LOGIN, 200, 200, 200, 403, 403), "messages.inbox"),
    ("GET", "/desk/messages/{msg_a}", by_role(LOGIN, 200, 404, 200, 200, 200),
     "messages.staff_detail"),
    ("GET", "/desk/messages/{msg_new}", by_role(LOGIN, 404, 404, 404, 200, 200),
     "messages.staff_detail"),
    ("GET", "/desk/messages/999999", by_role(LOGIN, 404, 404, 404, 404, 404),
     "messages.staff_detail"),
    ("POST", "/desk/messages/{msg_new}/accept", STAFF_POST, "messages.accept"),
    ("POST", "/desk/messages/{msg_new}/refuse", STAFF_POST, "messages.refuse"),
    ("POST", "/desk/messages/{msg_a}/extend", STAFF_POST, "messages.extend"),
    ("POST", "/desk/messages/{msg_a}/public", STAFF_POST, "messages.edit_public"),
    ("POST", "/desk/messages/{msg_a}/reply", by_role(LOGIN, 400, 404, 400, 403, 403),
     "messages.reply"),
    ("POST", "/desk/messages/{msg_new}/reply", by_role(LOGIN, 404, 404, 404, 403, 403),
     "messages.reply"),
    ("POST", "/desk/messages/{msg_a}/transfer", by_role(LOGIN, 403, 404, 403, 400, 400),
     "messages.transfer"),
    ("POST", "/desk/messages/{msg_a}/reply-signoff", by_role(LOGIN, 403, 404, 409, 403, 403),
     "messages.reply_signoff"),
    ("POST", "/desk/messages/{msg_a}/request-transfer", by_role(LOGIN, 400, 404, 400, 403, 403),
     "messages.request_transfer"),
    ("POST", "/desk/messages/{msg_a}/request-extension",
     by_role(LOGIN, 400, 404, 400, 403, 403), "messages.request_extension"),
    ("POST", "/desk/message-requests/{request_a}/decide",
     by_role(LOGIN, 403, 403, 403, 400, 400), "messages.decide"),
    ("POST", "/desk/message-requests/999999/decide", by_role(LOGIN, 403, 403, 403, 404, 404),
     "messages.decide"),
]
