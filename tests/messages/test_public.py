"""The public board, the message pages and search: published messages only, names
masked, contact data never shown."""

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.accounts.models import Role, UnitKind
from portal.extensions import db
from portal.messages import services
from portal.messages.public import all_search_docs, count_public, search_doc
from portal.search.service import all_documents, get_index
from tests.messages.helpers import PHONE, accepted, answered, write


@pytest.fixture
def county(make_unit, make_user):
    edu = make_unit(UnitKind.department, name="县教育局")
    town = make_unit(UnitKind.township, name="城关镇")
    return {"edu": edu, "town": town, "reviewer": make_user(Role.reviewer),
            "officer": make_user(Role.officer, unit=edu),
            "town_officer": make_user(Role.officer, unit=town)}


def test_the_board_shows_published_messages_with_dates_unit_and_reply(client, county):
    done, _ = answered(county["reviewer"], county["officer"], subject="学区划分咨询",
                       name="欧阳娜娜", email="oy@example.com",
                       at=clock.now() - timedelta(days=3))
    waiting, _ = accepted(county["reviewer"], county["town"], subject="路灯不亮", name="张三")
    html = client.get("/column/messages").get_data(as_text=True)
    assert "学区划分咨询" in html and "路灯不亮" in html
    assert html.index("路灯不亮") < html.index("学区划分咨询")  # newest accepted first
    card = html[html.index("学区划分咨询"):]
    for label in ("受理日期", "答复日期", "答复单位", "县教育局", "已安排维修人员处理", "已答复"):
        assert label in card
    assert clock.format_local(done.accepted_at, "%Y-%m-%d") in card
    assert clock.format_local(done.answered_at, "%Y-%m-%d") in card
    assert "办理中" in html[html.index("路灯不亮"):html.index("学区划分咨询")]
    # Names masked; no contact data anywhere.
    assert "欧阳**" in html and "张*" in html
    assert "欧阳娜娜" not in html and "张三" not in html
    assert PHONE not in html and "oy@example.com" not in html
    # The way to write and to look up a message is one click away.
    assert 'href="/messages/new"' in html and 'href="/messages/query"' in html


def test_unpublished_messages_stay_off_the_board(client, county):
    write(county["edu"], subject="尚未受理的留言")
    accepted(county["reviewer"], county["edu"], subject="不愿公开的留言", publish=False)
    refused, _ = write(county["edu"], subject="被拒的留言")
    services.refuse(county["reviewer"], refused, "advertising")
    hidden, _ = accepted(county["reviewer"], county["edu"], subject="中心决定不公开的留言")
    services.edit_public(county["reviewer"], hidden, public=False,
                         subject=hidden.public_subject, body=hidden.public_body)
    db.session.commit()
    html = client.get("/column/messages").get_data(as_text=True)
    for subject in ("尚未受理的留言", "不愿公开的留言", "被拒的留言", "中心决定不公开的留言"):
        assert subject not in html
    assert "暂无公开的留言" in html
    for m in db.session.scalars(db.select(services.Message)):
        assert client.get(f"/messages/{m.number}").status_code == 404


def test_the_message_page_shows_the_public_text_and_the_signed_reply(client, county):
    message, _ = answered(county["reviewer"], county["officer"],
                          body=f"我是张三丰，电话{PHONE}，小区路灯坏了一个月。", name="张三丰")
    html = client.get(f"/messages/{message.number}").get_data(as_text=True)
    assert message.public_subject in html and "小区路灯坏了一个月" in html
    assert "张**" in html and "张三丰" not in html and PHONE not in html
    assert "已安排维修人员处理" in html and "县教育局" in html


def test_the_board_filters_by_unit_and_category_and_pages(app, client, county):
    app.config["MESSAGE_BOARD_PAGE_SIZE"] = 2
    for i in range(3):
        accepted(county["reviewer"], county["edu"], subject=f"教育咨询{i}")
    accepted(county["reviewer"], county["town"], subject="城关投诉", category="complaint")
    html = client.get(f"/column/messages?unit={county['town'].id}").get_data(as_text=True)
    assert "城关投诉" in html and "教育咨询" not in html
    html = client.get("/column/messages?category=complaint").get_data(as_text=True)
    assert "城关投诉" in html and "教育咨询" not in html
    first = client.get("/column/messages").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "/column/messages?page=2" in first
    second = client.get("/column/messages?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="message-card"', second)) == 2


def test_the_home_page_shows_the_latest_published_messages(client, county):
    accepted(county["reviewer"], county["edu"], subject="首页能看到的留言")
    accepted(county["reviewer"], county["edu"], subject="不公开的留言", publish=False)
    html = client.get("/").get_data(as_text=True)
    assert "首页能看到的留言" in html and "不公开的留言" not in html
    assert 'href="/messages/new"' in html


def test_published_messages_and_replies_are_searchable_with_no_personal_data(app, county):
    message, _ = answered(county["reviewer"], county["officer"], subject="学区划分咨询",
                          name="欧阳娜娜", email="oy@example.com",
                          body=f"欧阳娜娜咨询：孩子明年上小学，电话{PHONE}。")
    index = get_index()
    page = index.search("学区划分")
    assert page.total == 1
    [hit] = page.hits
    assert hit.id == f"message:{message.id}" and hit.type == "message"
    assert hit.column == "messages" and hit.column_name == "市民留言"
    assert hit.unit == county["edu"].code and hit.unit_name == "县教育局"
    assert hit.url == f"/messages/{message.number}"
    assert hit.published_at == message.accepted_at
    assert index.search("维修人员").total == 1  # the reply is found too
    doc = search_doc(message)
    text = " ".join(str(v) for v in doc.values())
    assert PHONE not in text and "oy@example.com" not in text and "欧阳娜娜" not in text
    assert "欧阳**" in doc["body"]


def test_the_index_follows_publication_changes(county):
    message, _ = accepted(county["reviewer"], county["edu"], subject="水库移民后期扶持补助")
    assert get_index().search("移民").total == 1
    services.edit_public(county["reviewer"], message, public=False,
                         subject=message.public_subject, body=message.public_body)
    db.session.commit()
    assert get_index().search("移民").total == 0
    private, _ = accepted(county["reviewer"], county["edu"], subject="农村危房改造补助",
                          publish=False)
    assert get_index().search("危房改造").total == 0
    services.reply(county["officer"], private, "您好！此事已经办理完毕，谢谢。")
    db.session.commit()
    assert get_index().search("危房改造").total == 0


def test_search_rebuilds_list_the_published_messages_only(app, county):
    accepted(county["reviewer"], county["edu"], subject="公开一")
    answered(county["reviewer"], county["officer"], subject="公开二")
    accepted(county["reviewer"], county["edu"], subject="不公开", publish=False)
    write(county["edu"], subject="未受理")
    docs = list(all_search_docs())
    assert count_public() == len(docs) == 2
    assert sorted(d["title"] for d in docs) == ["公开一", "公开二"]
    rebuilt, total = all_documents(app)
    assert total == 2 and {d["id"] for d in rebuilt} == {d["id"] for d in docs}
