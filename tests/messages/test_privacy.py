"""Personal data: phone numbers checked and normalised, names masked, texts scrubbed."""

import pytest

from portal.messages.privacy import PhoneError, mask_name, normalise_phone, scrub


@pytest.mark.parametrize("raw, normal", [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),          # full-width digits
    ("0371-12345678", "0371-12345678"),
    ("037112345678", "0371-12345678"),
    ("(0371)12345678", "0371-12345678"),
    ("（0371）12345678", "0371-12345678"),            # full-width brackets
    ("010-62345678", "010-62345678"),
    ("0398-2345678", "0398-2345678"),                 # 7-digit local number
    ("0371-12345678-123", "0371-12345678-123"),       # extension
    ("0371-12345678转8001", "0371-12345678-8001"),
])
def test_mainland_mobiles_and_landlines_are_accepted_and_normalised(raw, normal):
    assert normalise_phone(raw) == normal


@pytest.mark.parametrize("raw", [
    "", "12345", "12912345678",       # no mobile starts with 12
    "1391234567", "139123456789",     # 10 and 12 digits
    "12345678",                       # a landline without its area code
    "0371-02345678",                  # a local number never starts with 0
    "abc13912345678", "13912345678x", "+1 415 555 0100",
])
def test_anything_else_is_refused_with_a_chinese_message(raw):
    with pytest.raises(PhoneError, match="联系电话"):
        normalise_phone(raw)


@pytest.mark.parametrize("name, masked", [
    ("张三丰", "张**"),
    ("张三", "张*"),           # two characters: the surname and one mask
    ("欧阳娜娜", "欧阳**"),     # a compound surname keeps both characters
    ("欧阳修", "欧阳*"),
    ("司马", "司*"),           # a two-character name that looks like a compound surname
    ("  李 雷 ", "李**"),           # stray spaces
    ("阿卜杜·热合曼", "阿******"),
    ("Li Lei", "L**"),
    ("王", "王*"),
    ("", "匿名"),
])
def test_names_are_masked_keeping_only_the_surname(name, masked):
    assert mask_name(name) == masked


def test_scrub_removes_phones_mails_ids_and_the_writers_name():
    text = ("我是张三丰，电话 139 1234 5678，座机（0371）62345678转123，邮箱 zsf@example.com，"
            "身份证 41010219900307123X。另外邻居电话13800138000。"
            "2026年10月1日，文号豫政〔2026〕12号。")
    out = scrub(text, name="张三丰", phone="13912345678", email="zsf@example.com")
    for secret in ("139 1234 5678", "62345678", "zsf@", "41010219900307123X", "13800138000",
                   "张三丰"):
        assert secret not in out
    assert "张**" in out
    # Dates and document numbers are not phone numbers.
    assert "2026年10月1日" in out and "〔2026〕12号" in out


def test_scrub_catches_the_writers_own_landline_written_without_a_hyphen():
    out = scrub("请打037162345678找我", phone="0371-62345678")
    assert "62345678" not in out
