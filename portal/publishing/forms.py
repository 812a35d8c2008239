"""Forms of the review queue, the word check list, the page editor and the search page."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form, choices
from .models import TERM_KIND_LABELS

REQUIRED = "此项必填。"
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class PublishForm(Form):
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="可在发布前修改标题，修改记入处理记录")
    column_id = SelectField("发布到栏目", coerce=int)
    publish_at = DateTimeLocalField("定时发布（北京时间）", format=LOCAL_FORMATS,
                                    validators=[Optional()],
                                    description="留空则立即发布")
    unpublish_at = DateTimeLocalField("到期下线（北京时间）", format=LOCAL_FORMATS,
                                      validators=[Optional()],
                                      description="留空则长期发布")
    confirm_words = BooleanField("我已逐一核对错敏词，确认发布")


def _reason_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired("请填写理由。"), Length(max=2000)])


class ReturnForm(Form):
    return_reason = _reason_field("退回理由（信息员将看到）")


class DeclineForm(Form):
    decline_reason = _reason_field("不予采用的理由")


class WithdrawForm(Form):
    withdraw_reason = _reason_field("撤稿理由")


class RestoreForm(Form):
    restore_reason = _reason_field("恢复发布的理由")


class EditForm(Form):
    """The reviewer's small edit of an item, recorded as a revision with the reason."""

    edit_title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=200)])
    edit_summary = TextAreaField("摘要", validators=[Optional(), Length(max=500)],
                                 render_kw={"rows": 2})
    edit_body = TextAreaField("正文", validators=[Optional()], render_kw={"rows": 12},
                              description="空一行为新段落。")
    edit_reason = _reason_field("修改理由（记入修订记录，报送单位可见）")


class CorrectionPublishForm(Form):
    confirm_words = BooleanField("我已逐一核对错敏词，确认发布更正")


class ConfirmForm(Form):
    """A bare form for buttons that only need the CSRF token."""


class TermForm(Form):
    term = StringField("词语", validators=[DataRequired(REQUIRED), Length(max=50)],
                       description="例如错误写法「人名政府」")
    kind = SelectField("类型", choices=choices((k.value, v) for k, v in TERM_KIND_LABELS.items()))
    suggestion = StringField("建议改为", validators=[Optional(), Length(max=100)],
                             description="正确或规范的写法，例如「人民政府」")
    note = StringField("备注", validators=[Optional(), Length(max=200)])


class PageForm(Form):
    body = TextAreaField("页面内容", validators=[DataRequired("页面内容不能为空。")],
                         render_kw={"data-editor": "rich"},
                         description="可使用段落、标题（h2–h4）、列表、表格和链接；"
                                     "脚本和样式会被自动去除。")


class SearchForm(Form):
    """The public search form (GET: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = StringField("关键词", validators=[Optional(), Length(max=100)])
    column = SelectField("栏目", validators=[Optional()])
    unit = SelectField("发布单位", validators=[Optional()])
    date_from = DateField("起始日期", validators=[Optional()])
    date_to = DateField("截止日期", validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("截止日期不能早于起始日期。")
