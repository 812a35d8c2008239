"""Forms of the officer's desk, the leader's sign-off and dual reporting."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import choices
from .models import ItemKind

REQUIRED = "此项必填。"


def optional_int(value):
    """Coerce a posted choice; anything else becomes None, which the services refuse
    with a Chinese message (WTForms' own messages are English)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ItemForm(FlaskForm):
    # Choices are checked by the services (with Chinese messages), not by WTForms.
    kind = SelectField("信息类型", choices=choices((k.value, k.label) for k in ItemKind),
                       validate_choice=False,
                       description="图片、视频、音频信息保存后在下方上传文件。")
    title = StringField("标题", validators=[DataRequired("请填写标题。"), Length(max=200)])
    summary = TextAreaField("摘要", validators=[Optional(), Length(max=500)],
                            description="一两句话概括内容，500 字以内；"
                                        "视频、音频信息请在此填写说明。",
                            render_kw={"rows": 3})
    body = TextAreaField("正文", validators=[Optional()],
                         description="直接输入文字即可，空一行为新段落；也可粘贴带格式的内容"
                                     "（加粗、列表、表格、链接），其他格式会被去除。",
                         render_kw={"rows": 16})
    # Checked on the server; no "required" attribute, which HTML allows only on a select
    # whose first option is an empty placeholder (this one starts with a real column).
    column_id = SelectField("报送栏目", coerce=optional_int, validate_choice=False,
                            validators=[InputRequired("请选择报送栏目。")],
                            render_kw={"required": False})
    event_at = DateTimeLocalField("事件发生时间", format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()],
                                  description="北京时间。紧急信息必须填写。")
    event_place = StringField("事件地点", validators=[Optional(), Length(max=100)])
    urgent = BooleanField("重大/紧急信息（须在事件发生后 2 小时内报送到中心）")
    dual_department_id = SelectField(
        "双报部门", coerce=optional_int, validate_choice=False,
        description="条块双报：该事项属于某县直部门业务管辖时选择该部门，部门须在规定时间内报送。")


class CorrectionForm(FlaskForm):
    """The proposed text of a published item (更正稿) and why it is changed."""

    title = StringField("标题", validators=[DataRequired("请填写标题。"), Length(max=200)])
    summary = TextAreaField("摘要", validators=[Optional(), Length(max=500)],
                            render_kw={"rows": 3})
    body = TextAreaField("正文", validators=[Optional()], render_kw={"rows": 16},
                         description="在已发布的正文上直接修改；空一行为新段落。")
    reason = TextAreaField("更正理由", validators=[DataRequired("请填写更正理由。"),
                                                Length(max=1000)], render_kw={"rows": 3},
                           description="说明更正了什么、为什么更正，供签发领导和中心审核。")


class UploadForm(FlaskForm):
    file = FileField("选择文件", validators=[FileRequired("请选择要上传的文件。")])
    caption = StringField("图片说明", validators=[Optional(), Length(max=300)],
                          description="说明图片内容，也供视障读者的读屏软件朗读。")


class CaptionForm(FlaskForm):
    caption = StringField("说明", validators=[Optional(), Length(max=300)])


class ActionForm(FlaskForm):
    """A workflow step; the comment is required where the step needs a reason."""

    action = HiddenField()
    comment = TextAreaField("理由", validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 3})
    # Signing off past word check findings (错敏词) needs this.
    confirm_words = BooleanField("已核对错敏词，确认签发")


class ContestForm(FlaskForm):
    reason = TextAreaField("异议理由", validators=[DataRequired("请填写异议理由。"),
                                                Length(max=2000)],
                           description="说明该事项为何不属于本部门业务管辖，中心将作出裁定。",
                           render_kw={"rows": 4})


class AcknowledgeForm(FlaskForm):
    note = TextAreaField("情况说明", validators=[DataRequired("请填写情况说明。"),
                                             Length(max=500)],
                         description="例如：已派员核实，将于 3 个工作日内报送本部门信息。",
                         render_kw={"rows": 2})


class RulingForm(FlaskForm):
    decision = SelectField("裁定结果", validate_choice=False, choices=choices([
        ("uphold", "须报：部门仍须报送（重新计算期限）"), ("waive", "免报：异议成立")]))
    comment = TextAreaField("裁定理由", validators=[DataRequired("请填写裁定理由。"),
                                                 Length(max=2000)], render_kw={"rows": 3})


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""
