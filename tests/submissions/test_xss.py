"""Hostile text in every field a person types is shown as text, never run."""

import io

from portal.extensions import db
from portal.submissions import dual, services
from portal.submissions.models import DualReport, ItemStatus
from tests.submissions.factories import column, jpeg, make_item, move

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'><svg onload=alert(2)>'
LINK = '<a href="javascript:alert(3)">点我</a><a href="JaVaScRiPt:alert(4)">再点</a>'


def assert_inert(page: str) -> None:
    assert '<script>alert("x")' not in page
    assert "<img src=x onerror" not in page and "<svg onload" not in page
    assert 'href="javascript:' not in page.lower()
    assert "&lt;script&gt;" in page  # shown as the text it was


def test_payloads_in_every_text_field_are_rendered_inert(client, login, county, actors):
    item = make_item(county.officer, title="标题" + PAYLOAD, kind="image",
                     column_slug="gallery", body=LINK + "<p>正文</p>" + PAYLOAD,
                     dual_department_id=county.dept.id)
    services.update_item(county.officer, item, services.ItemData(
        title=item.title, kind="image", summary="摘要" + PAYLOAD,
        body=LINK + "<p>正文</p>" + PAYLOAD, column_id=column("gallery").id,
        event_place="地点" + PAYLOAD[:80], dual_department_id=county.dept.id))
    services.attach_media(county.officer, item, io.BytesIO(jpeg()), PAYLOAD[:60] + ".jpg",
                          "说明" + PAYLOAD)
    db.session.commit()
    assert "javascript" not in item.body_html.lower() and "onerror" not in item.body_html
    assert "正文" in item.body_html and "点我" in item.body_html

    move(item, ItemStatus.awaiting_signoff, actors)
    login(county.leader)
    client.post(f"/desk/items/{item.id}/act", data={"action": "send_back",
                                                    "comment": "退回" + PAYLOAD})
    pages = [f"/desk/items/{item.id}", f"/desk/items/{item.id}/edit", "/desk/submissions",
             "/desk/submissions/items"]
    login(county.officer)
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_inert(r.get_data(as_text=True))

    services.act(item, "submit", county.officer)
    services.act(item, "sign_off", county.leader)
    found = db.session.scalar(db.select(DualReport))
    dual.contest(county.dept_officer, found, "异议" + PAYLOAD)
    db.session.commit()
    login(county.leader)
    assert_inert(client.get("/desk/signoff").get_data(as_text=True))
    login(county.reviewer)
    for url in ("/desk/dual-reports", f"/desk/items/{item.id}"):
        assert_inert(client.get(url).get_data(as_text=True))
    client.post(f"/desk/dual/{found.id}/rule", data={"decision": "uphold",
                                                     "comment": "裁定" + PAYLOAD})
    login(county.dept_officer)
    for url in ("/desk/submissions", f"/desk/items/{item.id}"):
        assert_inert(client.get(url).get_data(as_text=True))
