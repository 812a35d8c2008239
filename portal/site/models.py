"""Columns (栏目) of the public site.

They live in this base package, below submissions and publishing, because an
officer chooses a target column when submitting and the site's navigation is
built from them. What each kind of column shows is plugged in by the packages
above (see ``site.views.column_view``).
"""

from __future__ import annotations

import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.spec import Audited
from ..extensions import db, str_enum


class ColumnKind(enum.StrEnum):
    news = "news"            # a list of items (政务信息, 政务公开, 政府文件)
    gallery = "gallery"      # image items as a grid (图库)
    video = "video"          # video items (视频信息)
    page = "page"            # one page the admin edits (县情风貌, 便民服务)
    units = "units"          # the department directory (县直部门)
    messages = "messages"    # the citizens' message board (市民留言)
    notices = "notices"      # the monitor's monthly notices (工作通报)


class Column(db.Model):
    __tablename__ = "site_column"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[ColumnKind] = mapped_column(str_enum(ColumnKind))
    position: Mapped[int] = mapped_column(default=0)
    # Officers may choose it as the target of a submission.
    open_to_submissions: Mapped[bool] = mapped_column(default=False)
    in_nav: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    # The 指引's column type and keywords for the page's meta tags (None: by kind / by name).
    column_type: Mapped[str | None] = mapped_column(String(10))
    keywords: Mapped[str] = mapped_column(String(200), default="")
    # The text of a page column (县情风貌, 便民服务), sanitised HTML.
    page_html: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Column {self.slug} {self.name}>"

    @property
    def type_label(self) -> str:
        """The 指引's ColumnType: as set, or by the column's kind."""
        return self.column_type or TYPE_BY_SLUG.get(self.slug) or TYPE_BY_KIND.get(
            self.kind.value, "信息发布")


# The columns of 范文8, in the order of the site's navigation.
# ColumnType of 政府网站发展指引 (国办发〔2017〕47号) for each kind of column.
COLUMN_TYPES = ("信息发布", "解读回应", "办事服务", "互动交流", "专题专栏", "机构职能")
TYPE_BY_KIND = {"news": "信息发布", "notices": "信息发布", "gallery": "信息发布",
                "video": "信息发布", "page": "信息发布", "units": "机构职能",
                "messages": "互动交流"}
# Columns whose type is not their kind's.
TYPE_BY_SLUG = {"services": "办事服务"}

DEFAULT_COLUMNS = [
    ("profile", "县情风貌", ColumnKind.page, False, "本县概况、历史沿革、自然资源与风土人情"),
    ("open", "政务公开", ColumnKind.news, True, "政府信息公开、重点领域信息"),
    ("units", "县直部门", ColumnKind.units, False, "县直各部门及其发布的信息"),
    ("news", "政务信息", ColumnKind.news, True, "各乡镇、各部门报送的政务动态"),
    ("services", "便民服务", ColumnKind.page, False, "办事指南、便民电话、常用查询"),
    ("documents", "政府文件", ColumnKind.news, True, "县政府及办公室文件"),
    ("messages", "市民留言", ColumnKind.messages, False, "写信给政府，查询办理结果"),
    ("video", "视频信息", ColumnKind.video, True, "视频新闻与专题"),
    ("gallery", "图库", ColumnKind.gallery, True, "图片新闻"),
    ("notices", "工作通报", ColumnKind.notices, False, "政务信息报送情况通报"),
]


def ensure_default_columns() -> None:
    """Create the standard columns that are missing (idempotent; never overwrites)."""
    have = set(db.session.scalars(db.select(Column.slug)))
    for position, (slug, name, kind, open_, desc) in enumerate(DEFAULT_COLUMNS):
        if slug not in have:
            db.session.add(Column(slug=slug, name=name, kind=kind, position=position * 10,
                                  open_to_submissions=open_, description=desc,
                                  column_type=TYPE_BY_SLUG.get(slug)))
    db.session.flush()
