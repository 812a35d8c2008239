"""The site frame: home page, navigation from the columns, 关怀版, page identification."""

from portal.extensions import db
from portal.site.models import DEFAULT_COLUMNS, Column, ensure_default_columns


def test_navigation_lists_the_columns_of_the_portal(client):
    html = client.get("/").get_data(as_text=True)
    for slug, name, *_ in DEFAULT_COLUMNS:
        assert f'href="/column/{slug}"' in html and name in html


def test_page_carries_site_identification(client, app):
    html = client.get("/").get_data(as_text=True)
    assert f'<meta name="SiteIDCode" content="{app.config["SITE_ID_CODE"]}">' in html
    assert "网站标识码" in html and app.config["SITE_ICP"] in html
    assert 'lang="zh-CN"' in html and 'href="#main"' in html and 'id="main"' in html


def test_empty_column_says_so(client):
    r = client.get("/column/gallery")
    assert r.status_code == 200 and "本栏目暂无内容" in r.get_data(as_text=True)


def test_care_mode_is_kept_in_a_cookie_and_can_be_left(client):
    r = client.get("/care-mode/on?next=/column/news")
    assert r.headers["Location"] == "/column/news"
    assert 'class="care' in client.get("/").get_data(as_text=True)
    client.get("/care-mode/off")
    assert 'class="care' not in client.get("/").get_data(as_text=True)


def test_care_mode_never_redirects_off_site(client):
    for evil in ("https://evil.example/", "//evil.example"):
        assert client.get(f"/care-mode/on?next={evil}").headers["Location"] == "/"


def test_default_columns_are_created_once(app):
    ensure_default_columns()
    ensure_default_columns()
    assert db.session.query(Column).count() == len(DEFAULT_COLUMNS)


def test_hidden_column_leaves_the_navigation(client):
    col = db.session.query(Column).filter_by(slug="documents").one()
    col.in_nav = False
    db.session.commit()
    assert 'href="/column/documents"' not in client.get("/").get_data(as_text=True)


def test_desk_links_follow_the_role(client, make_user, login):
    from portal.accounts.models import Role

    login(make_user(Role.leader))
    html = client.get("/").get_data(as_text=True)
    assert "待签发" in html and "审核队列" not in html and "系统管理" not in html


def test_desk_notices_show_on_desks_only(app, client, make_user, login):
    from portal.site.nav import desk_notice

    desk_notice(app, lambda user: [f"{user.unit.name}本月报送进度落后"])
    user = make_user()
    login(user)
    assert "本月报送进度落后" in client.get("/desk/submissions").get_data(as_text=True)
    assert "本月报送进度落后" not in client.get("/").get_data(as_text=True)
