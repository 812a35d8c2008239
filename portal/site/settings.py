"""The page identity the 政府网站发展指引 asks every page to carry (主办/承办, 网站标识码, ICP
and 公安 备案, 党政机关标识, contact), set by the admin on the site page.

Defaults come from the configuration (``SITE_*`` in ``portal/config.py`` or the instance
config); what the admin saves is kept in the database, wins over the configuration, and
is recorded in the audit trail. Templates read the merged values as ``site.<key>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.spec import Audited
from ..extensions import db


class SiteSetting(db.Model):
    __tablename__ = "site_setting"
    __audit__ = Audited()

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    max_length: int
    url: bool = False
    help: str = ""


FIELDS = [
    Field("name", "网站名称", 60),
    Field("domain", "网站域名", 100, help="例如 www.example.gov.cn"),
    Field("sponsor", "主办单位", 60),
    Field("operator", "承办单位", 60),
    Field("id_code", "网站标识码", 20),
    Field("icp", "ICP 备案号", 40, help="例如 豫ICP备12345678号"),
    Field("icp_url", "ICP 备案查询地址", 200, url=True),
    Field("psb", "公安机关备案号", 40, help="例如 豫公网安备 41010002000001号"),
    Field("psb_url", "公安机关备案查询地址", 200, url=True),
    Field("party_gov_link", "党政机关网站标识链接", 300, url=True,
          help="中央编办核发的标识链接（尚未获得时留空）"),
    Field("party_gov_image", "党政机关网站标识图片地址", 300, url=True),
    Field("phone", "联系电话", 40),
    Field("address", "联系地址", 100),
    Field("keywords", "网站关键词", 200, help="用逗号分隔，供搜索引擎和首页元数据使用"),
]
KEYS = {f.key for f in FIELDS}


def site_values() -> dict[str, str | None]:
    """Every ``SITE_*`` setting, the admin's saved values over the configuration's (cached for
    the request)."""
    # Cached on the request (not in ``g``: an app context may outlive a request, as in tests).
    cached = getattr(request, "_site_values", None) if has_request_context() else None
    if cached is not None:
        return cached
    values = {k[5:].lower(): v for k, v in current_app.config.items() if k.startswith("SITE_")}
    try:
        saved = dict(db.session.execute(db.select(SiteSetting.key, SiteSetting.value)).all())
    except Exception:  # no table yet (before `db upgrade`), or the database is down
        db.session.rollback()
        saved = {}
    values.update({k: (v or None) for k, v in saved.items() if k in KEYS})
    if has_request_context():
        request._site_values = values
    return values


def save(values: dict[str, str]) -> int:
    """Store the admin's values (blank: back to the configuration's); how many changed."""
    from ..errors import DomainError

    changed = 0
    for field in FIELDS:
        value = (values.get(field.key) or "").strip()
        if len(value) > field.max_length:
            raise DomainError(f"{field.label}不能超过 {field.max_length} 个字符。")
        if value and field.url and not value.startswith(("https://", "http://", "/")):
            raise DomainError(f"{field.label}应以 https://、http:// 或 / 开头。")
        row = db.session.get(SiteSetting, field.key)
        if not value:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None:
            db.session.add(SiteSetting(key=field.key, value=value))
            changed += 1
        elif row.value != value:
            row.value = value
            changed += 1
    db.session.flush()
    if has_request_context():
        request._site_values = None
    return changed
