"""Citizens' personal data: phone numbers checked and normalised, names masked,
and personal data scrubbed out of text meant for the public.

Pure functions, no database: the rules are easy to read and to test.
"""

from __future__ import annotations

import re

# Full-width digits and signs typed with a Chinese input method count as ASCII.
_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}
_FOLD_DIGITS = str.maketrans(_DIGITS)
_FOLD = str.maketrans({**_DIGITS, "（": "(", "）": ")", "－": "-", "—": "-", "＋": "+", "　": " "})

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# Area code (3 or 4 digits, with or without brackets), a 7 or 8 digit local
# number (never starting with 0), an optional extension (转 / 分机 / ext).
_LANDLINE = re.compile(
    r"^(?:\((0\d{2,3})\)|(0\d{2,3})-?)([1-9]\d{6,7})(?:(?:-|转|分机|ext\.?|x)(\d{1,6}))?$",
    re.IGNORECASE)

# Compound surnames (复姓) that keep both characters when a name is masked.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 "
    "端木 独孤 南宫 西门 百里 呼延 万俟 闻人 澹台 公冶 太史 申屠 钟离 宗政 濮阳 "
    "淳于 单于 赫连 拓跋 司空 东郭 南门 羊舌 第五 梁丘 左丘 谷梁 微生 公羊 乐正".split())

# Things that identify a person wherever they appear in a text. Digits next to
# other digits are left alone, so a date or a document number is not mangled.
_CN_DIGIT = "[〇零一二三四五六七八九幺]"
_SEP = r"[\s\-－.·]?"
_SCRUB_PATTERNS = [
    # e-mail
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    # resident ID card number (18 characters with the birth date inside)
    re.compile(r"(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)"),
    # mobile, in any spacing or punctuation: 138 1234 5678, 138-1234-5678, +86 138…
    re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)"),
    # a mobile in Chinese numerals: 一三九一二三四五六七八
    re.compile(rf"一[三四五六七八九](?:\s?{_CN_DIGIT}){{9}}"),
    # landline with its area code, in any spacing, and an extension: 0371-6688 1234 转 801
    re.compile(rf"(?<!\d)(?:[(（]0\d{{2,3}}[)）]\s?|0\d{{2,3}}{_SEP})[1-9](?:{_SEP}\d){{6,7}}"
               r"(?:\s?(?:[-－]|转|分机)\s?\d{1,6})?(?!\d)"),
    # QQ and WeChat ids written out
    re.compile(r"(?i)(?:QQ|扣扣)\s*(?:号码?)?\s*[:：]?\s*[1-9]\d{4,11}(?!\d)"),
    re.compile(r"(?i)(?:微信|weixin|wechat|vx|wx)\s*(?:号)?\s*[:：]?\s*"
               r"[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])"),
    # a home's door: 3号楼2单元501室, 5栋1单元302, 12幢602室, 2单元301室
    re.compile(r"(?:\d+|[一二三四五六七八九十]+)\s*(?:号楼|栋|幢|座)\s*"
               r"(?:(?:\d+|[一二三四五六七八九十]+)\s*单元\s*)?\d{2,5}\s*(?:室|号|户)?"),
    re.compile(r"(?:\d+|[一二三四五六七八九十]+)\s*单元\s*\d{2,5}\s*(?:室|号|户)?"),
    re.compile(r"(?<!\d)\d{3,5}\s*室"),
]
MASK = "***"


def fold(text: str | None) -> str:
    """``text`` with full-width digits, brackets, hyphens and spaces made ASCII."""
    return (text or "").translate(_FOLD)


class PhoneError(ValueError):
    """The text is not a mainland mobile or landline number; ``str(e)`` is Chinese."""


def normalise_phone(raw: str | None) -> str:
    """A mobile as 11 digits, a landline as ``0371-12345678`` (``-123`` extension).

    Raises :class:`PhoneError` with a message for the citizen otherwise.
    """
    text = re.sub(r"\s+", "", fold(raw))
    if not text:
        raise PhoneError("请填写联系电话。")
    if m := _MOBILE.match(text.replace("-", "")):
        return m.group(1)
    if m := _LANDLINE.match(text):
        area, local, ext = m.group(1) or m.group(2), m.group(3), m.group(4)
        return f"{area}-{local}" + (f"-{ext}" if ext else "")
    raise PhoneError("联系电话格式不正确：请填写 11 位手机号码，或带区号的固定电话"
                     "（如 0371-12345678，分机可写作 0371-12345678-123）。")


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张三丰 → 张**, 欧阳娜娜 → 欧阳**, Li Lei → L**.

    Keeps the surname (both characters of a compound surname when the name is
    longer than it) and replaces each remaining character with ``*``.
    """
    name = re.sub(r"\s+", " ", (name or "").strip())
    if not name:
        return "匿名"
    if not _is_chinese(name):
        return name[0] + "**"
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def _is_chinese(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" or c in "·•" for c in text)


def scrub(text: str | None, *, name: str = "", phone: str = "", email: str | None = None,
          staff: bool = False) -> str:
    """``text`` with the citizen's own name, phone and e-mail, and any other phone
    number, e-mail address or ID card number, replaced for publication.

    ``staff``: the text was written by a unit (a reply): only the citizen's own data
    comes out; the unit's hotlines and addresses are published as written."""
    out = (text or "").translate(_FOLD_DIGITS) if not staff else (text or "")
    for own in filter(None, [email, phone, phone.replace("-", "") if phone else ""]):
        out = out.replace(own, MASK)
    for pattern in () if staff else _SCRUB_PATTERNS:
        out = pattern.sub(MASK, out)
    name = (name or "").strip()
    if len(name) >= 2:
        out = out.replace(name, mask_name(name))
    return out
