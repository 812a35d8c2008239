"""The admin's page editor for 县情风貌 and 便民服务: sanitised, recorded, shown at once."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.publishing.models import PageRevision
from tests.publishing.conftest import column


def test_admin_edits_a_page_which_is_sanitised_and_recorded(client, login, make_user):
    admin = make_user(Role.admin)
    login(admin)
    assert 'href="/admin/pages/profile"' in client.get("/admin/pages").get_data(as_text=True)
    r = client.post("/admin/pages/profile", data={
        "body": '<h2>县情概况</h2><p onclick="x()">示范县位于省境中部。</p>'
                '<script>alert(1)</script><a href="javascript:alert(1)">链接</a>'})
    assert r.status_code == 302
    html = client.get("/column/profile").get_data(as_text=True)
    assert "<h2>县情概况</h2><p>示范县位于省境中部。</p>" in html
    assert "onclick" not in html and "alert(1)" not in html and "javascript:" not in html
    [rev] = db.session.scalars(select(PageRevision)).all()
    assert rev.saved_by_id == admin.id and rev.column.slug == "profile"


def test_empty_page_is_refused(client, login, make_user):
    login(make_user(Role.admin))
    r = client.post("/admin/pages/services", data={"body": "<script>x</script>"})
    assert r.status_code == 400 and "页面内容不能为空" in r.get_data(as_text=True)
    assert column("services").page_html == ""


def test_only_page_columns_can_be_edited(client, login, make_user):
    login(make_user(Role.admin))
    assert client.get("/admin/pages/news").status_code == 404
    assert client.get("/admin/pages/nope").status_code == 404
