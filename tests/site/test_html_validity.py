"""Valid HTML, checked by the Nu Html Checker (vnu-jar from npm, run with the machine's Java)
over one page of every kind the portal serves, public and staff."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.accounts.models import Role, UnitKind
from portal.extensions import db

VNU = Path(__file__).parent.parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / \
    "vnu.jar"


def validate(pages: dict[str, str], folder: Path) -> list[str]:
    if not VNU.exists():
        pytest.fail("vnu-jar is missing: run `make test` (npm install)")
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is needed for the Nu Html Checker")
    files = {}
    for n, (url, html) in enumerate(pages.items()):
        path = folder / f"page{n}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    proc = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json",
                           *[str(folder / f"page{n}.html") for n in range(len(pages))]],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    return [f"{files.get(m.get('url', '').rsplit('/', 1)[-1])}:{m.get('lastLine')}: "
            f"{m['message']} "
            f"[{m.get('extract', '')[:80]}]" for m in messages if m.get("type") == "error"]


def test_every_kind_of_page_is_valid_html(app, client, login, center, make_unit, make_user,
                                          tmp_path):
    from portal.messages import services as messages
    from tests.submissions.factories import make_item, move

    town = make_unit(UnitKind.township, name="城关镇", code="cgz")
    dept = make_unit(UnitKind.department, name="县水利局", code="slj")
    officer, leader = make_user(Role.officer, unit=town), make_user(Role.leader, unit=town)
    reviewer, admin = make_user(Role.reviewer), make_user(Role.admin)
    actors = {"officer": officer, "leader": leader, "reviewer": reviewer}
    text = move(make_item(officer, title="城关镇召开秋冬季森林防火工作会议"), "published", actors)
    photo = move(make_item(officer, title="金秋稻田", kind="image", column_slug="gallery"),
                 "published", actors)
    draft = make_item(officer, title="草稿")
    msg, _ = messages.submit(category="consult", unit=dept, subject="灌溉水渠堵塞",
                             body="村东头水渠堵塞，请尽快疏通。", name="张三", phone="13900001111",
                             publish_allowed=True)
    messages.accept(reviewer, msg, dept, public=True)
    messages.reply(make_user(Role.officer, unit=dept), msg,
                   "您好！村东头水渠已经疏通，感谢您的反映。")
    db.session.commit()

    public = ["/", "/column/news", "/column/gallery", "/column/video", "/column/profile",
              "/column/services", "/column/units", "/column/notices", "/column/messages",
              f"/items/{text.id}", f"/items/{photo.id}", "/units/cgz", "/search?q=防火",
              "/messages/new", "/messages/query", f"/messages/{msg.number}", "/login",
              "/no-such-page", "/care-mode/on?next=/column/news"]
    pages = {}
    for url in public:
        resp = client.get(url, follow_redirects=True)
        pages[url] = resp.get_data(as_text=True)
    staff = {officer: ["/desk/submissions", "/desk/items/new", f"/desk/items/{draft.id}/edit",
                       f"/desk/items/{draft.id}"],
             reviewer: ["/review/", f"/review/items/{text.id}", "/desk/messages",
                        f"/desk/messages/{msg.id}", "/monitor/", "/audit/"],
             admin: ["/admin/", "/admin/units", "/admin/users", "/admin/calendar",
                     "/admin/words"]}
    for user, urls in staff.items():
        login(user)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, url
            pages[url] = resp.get_data(as_text=True)
    errors = validate(pages, tmp_path)
    assert not errors, "\n".join(errors)
