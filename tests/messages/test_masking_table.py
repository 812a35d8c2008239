"""What masking must catch and what it must leave (issue 10): real-world spellings of phones,
ids and addresses that citizens type, and the dates, document numbers, amounts and hotlines
that must stay readable on the public board."""

from __future__ import annotations

import pytest

from portal.messages.privacy import MASK, scrub

MUST_MASK = [
    ("我的电话13912345678", "13912345678"),
    ("电话 139 1234 5678 ", "139 1234 5678"),
    ("手机139-1234-5678", "139-1234-5678"),
    ("手机：139.1234.5678", "139.1234.5678"),
    ("+86 139 1234 5678", "139 1234 5678"),
    ("８６１３９１２３４５６７８", "139"),
    ("联系１３９１２３４５６７８", "１３９１２３４５６７８"),
    ("电话一三九一二三四五六七八", "一三九一二三四五六七八"),
    ("座机0371-66881234", "66881234"),
    ("座机 0371-6688 1234", "6688 1234"),
    ("(0371)66881234", "66881234"),
    ("（0371）6688-1234转801", "6688-1234"),
    ("037166881234", "037166881234"),
    ("身份证410102199001011234", "410102199001011234"),
    ("身份证号41010219900101123X", "41010219900101123X"),
    ("邮箱zhangsan@example.com", "zhangsan@example.com"),
    ("QQ:123456789", "123456789"),
    ("qq号 987654321", "987654321"),
    ("微信：zhang_san88", "zhang_san88"),
    ("加我vx wang-xiao-2024", "wang-xiao-2024"),
    ("我住幸福家园3号楼2单元501室", "501"),
    ("家在5栋1单元302", "302"),
    ("12幢602室漏水", "602"),
    ("2单元301室", "301"),
]

MUST_KEEP = [
    "2026年11月3日上午",
    "2026-11-03",
    "根据〔2026〕12号文件",
    "国办发〔2017〕47号",
    "补贴标准1500元",
    "共计123456元",
    "请拨打12345政务服务热线",
    "遇险请拨打110或119",
    "供电服务热线95598",
    "邮编450000",
    "10:30在社区开会",
    "第3季度",
    "县政府3号楼会议室",
    "2026年度",
    "一三九团",
    "一二三四五",
    "人口12万",
    "面积3.5平方公里",
    "编号2026-000123的留言",
    "GB/T 2260-2007",
]


@pytest.mark.parametrize("text, secret", MUST_MASK, ids=[t for t, _ in MUST_MASK])
def test_personal_data_is_masked(text, secret):
    out = scrub(text)
    assert secret not in out and MASK in out, out


@pytest.mark.parametrize("text", MUST_KEEP)
def test_ordinary_numbers_stay(text):
    assert scrub(text) == text


def test_the_table_is_big_enough():
    assert len(MUST_MASK) >= 20 and len(MUST_KEEP) >= 20


def test_staff_text_keeps_its_hotlines_and_addresses():
    reply = "请拨打县教育局热线 0371-6688 1234，或到人民路88号3号楼201室办理。"
    assert scrub(reply, name="张三", phone="13912345678", staff=True) == reply
