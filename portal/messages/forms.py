"""Forms: the citizen's message, query and rating; the center's and the unit's actions.

The staff forms carry a prefix (``accept-…``, ``reply-…``) because several of
them share the message's page and their fields must have distinct ids.
Validators reuse the services' rules, so a form and a service never disagree.
"""

from flask import current_app
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..accounts.models import UnitKind
from ..accounts.services import normalise_email
from ..errors import DomainError
from ..forms import Form, choices
from . import services
from .models import CATEGORY_LABELS, RATING_LABELS, REFUSAL_LABELS, Message
from .privacy import PhoneError, normalise_phone


def _length(label: str, minimum: int, maximum: int) -> Length:
    return Length(min=minimum, max=maximum,
                  message=f"{label}应为 {minimum}–{maximum} 个字。")


def _phone(form, field) -> None:
    try:
        field.data = normalise_phone(field.data)
    except PhoneError as e:
        raise ValidationError(str(e)) from None


def _email(form, field) -> None:
    try:
        field.data = normalise_email(field.data)
    except DomainError as e:
        raise ValidationError(e.message) from None


def unit_choices(units, empty: str | None = None) -> list[SelectChoice]:
    """Units grouped as 县直部门 / 乡镇街道 for a select, with an optional empty first choice."""
    return choices([("", empty)] if empty else []) + [
        SelectChoice(str(u.id), u.name,
                     optgroup="县直部门" if u.kind == UnitKind.department else "乡镇/街道")
        for u in units]


class MessageForm(Form):
    """The citizen's message (写留言)."""

    category = SelectField("留言类型", choices=choices(
        [("", "请选择")] + [(k.value, v) for k, v in CATEGORY_LABELS.items()]),
        validators=[DataRequired("请选择留言类型。")])
    unit = SelectField("写给", description="不清楚该找哪个单位时，请选择“不确定”，"
                                         "由县网络信息中心分派给相关单位办理。")
    subject = StringField("留言标题", validators=[
        DataRequired("请填写留言标题。"),
        _length("留言标题", services.SUBJECT_MIN, services.SUBJECT_MAX)])
    body = TextAreaField("留言内容", validators=[
        DataRequired("请填写留言内容。"),
        _length("留言内容", services.BODY_MIN, services.BODY_MAX)],
        description=f"请写清事情经过、地点和您的诉求，{services.BODY_MAX} 字以内。"
                    "请不要在内容中填写身份证号、电话等个人信息。",
        render_kw={"rows": 10, "maxlength": services.BODY_MAX})
    name = StringField("姓名", validators=[
        DataRequired("请填写姓名。"),
        Length(max=services.NAME_MAX, message=f"姓名不能超过 {services.NAME_MAX} 个字。")],
        render_kw={"autocomplete": "name"})
    phone = TelField("联系电话", validators=[
        DataRequired("请填写联系电话。"), Length(max=30, message="联系电话过长。"), _phone],
                     description="手机号码，或带区号的固定电话（如 0371-12345678）。"
                                 "仅供办理单位联系您，不会公开。",
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = EmailField("电子邮箱（选填）", validators=[Optional(), Length(max=254), _email],
                       description="填写后，留言答复时会发邮件通知您。不会公开。",
                       render_kw={"autocomplete": "email"})
    publish_allowed = BooleanField("同意在留言板公开我的留言和答复（公开时姓名只显示姓氏，"
                                   "电话和邮箱一律不公开）")
    # A honeypot: hidden from people by CSS, filled in by form-filling robots.
    website = StringField("请勿填写此项", render_kw={"tabindex": "-1", "autocomplete": "off"})

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = unit_choices(units, "不确定（由网络信息中心分派）")


class QueryForm(Form):
    """Look a message up with its number and query code (留言查询)."""

    number = StringField("留言编号", validators=[DataRequired("请填写留言编号。"), Length(max=30)],
                         description="例如 2026-000123", render_kw={"autocomplete": "off"})
    code = StringField("查询码", validators=[DataRequired("请填写查询码。"), Length(max=30)],
                       description="提交留言时显示的 10 位查询码，例如 AB3CD-EF4GH",
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    captcha = StringField("验证码", validators=[Optional(), Length(max=10)],
                          description="输入图片中的 4 个字符，不区分大小写",
                          render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class RateForm(Form):
    """The citizen's rating of the reply (number and code travel along, checked again)."""

    number = HiddenField()
    code = HiddenField()
    rating = RadioField("您对答复是否满意？", choices=choices(
        (k.value, v) for k, v in RATING_LABELS.items()),
        validators=[InputRequired("请选择满意、基本满意或不满意。")])
    comment = TextAreaField("评价意见（选填）", validators=[Optional(), Length(
        max=services.RATING_COMMENT_MAX,
        message=f"评价意见不能超过 {services.RATING_COMMENT_MAX} 个字。")],
        render_kw={"rows": 3})


# ---- staff ---------------------------------------------------------------------------

class PublicTextMixin:
    public = BooleanField("在留言板公开")
    public_subject = StringField("公开标题", validators=[
        DataRequired("请填写公开标题。"), Length(max=services.SUBJECT_MAX)])
    public_body = TextAreaField("公开内容", validators=[
        DataRequired("请填写公开内容。"), Length(max=services.BODY_MAX)],
        description="公开前请删去姓名、住址、身份证号、电话等个人信息。"
                    "电话号码、邮箱和身份证号会被自动遮盖。", render_kw={"rows": 8})

    def fill_public(self, message: Message) -> None:
        # Never pre-ticked at acceptance: the center ticks it after reading the redacted text.
        self.public.data = message.public if message.status != "new" else False
        self.public_subject.data = message.public_subject
        self.public_body.data = message.public_body
        if not message.publish_allowed:
            self.public.render_kw = {"disabled": True}
            self.public.description = "留言人未同意公开。"


class AcceptForm(PublicTextMixin, Form):
    unit = SelectField("办理单位", validators=[DataRequired("请选择办理单位。")])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, prefix="accept", **kwargs)
        self.unit.choices = unit_choices(units, "请选择")


class PublicTextForm(PublicTextMixin, Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="public", **kwargs)


class RefuseForm(Form):
    reason = SelectField("不予受理理由", choices=choices(
        [("", "请选择")] + [(k.value, v) for k, v in REFUSAL_LABELS.items()]),
        validators=[DataRequired("请选择不予受理的理由。")])
    channel = SelectField("应通过的渠道",
                          description="理由为“属信访/纪检渠道”时必选，将告知留言人。")
    note = TextAreaField("给留言人的说明（选填）", validators=[
        Optional(), Length(max=services.REASON_MAX)], render_kw={"rows": 3},
        description="例如：重复留言请注明原留言编号。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="refuse", **kwargs)
        self.channel.choices = choices(
            [("", "（不适用）")] + [(c, c) for c in current_app.config["MESSAGE_REFUSAL_CHANNELS"]])


class ExtendForm(Form):
    days = IntegerField("延长工作日数", validators=[InputRequired("请填写延长的工作日数。")])
    reason = TextAreaField("延期理由", validators=[
        DataRequired("请填写延期理由。"), Length(max=services.REASON_MAX)], render_kw={"rows": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="extend", **kwargs)
        maximum = current_app.config["MESSAGE_MAX_EXTENSION_WORKING_DAYS"]
        self.days.validators = [self.days.validators[0], NumberRange(
            1, maximum, f"延长的工作日数应在 1 到 {maximum} 之间。")]
        self.days.render_kw = {"min": 1, "max": maximum}


class TransferForm(Form):
    unit = SelectField("转至单位", validators=[DataRequired("请选择转至的单位。")])
    reason = TextAreaField("转办理由", validators=[
        DataRequired("请填写转办理由。"), Length(max=services.REASON_MAX)], render_kw={"rows": 3},
        description="例如：该事项属县住房和城乡建设局职责。")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, prefix="transfer", **kwargs)
        self.unit.choices = unit_choices(units, "请选择")


class ReplyForm(Form):
    text = TextAreaField("答复内容", validators=[
        DataRequired("请填写答复内容。"),
        _length("答复内容", services.REPLY_MIN, services.REPLY_MAX)], render_kw={"rows": 10},
        description="答复将以本单位名义署名发布；请勿写入留言人的电话、住址等个人信息。")
    confirm_words = BooleanField("已核对答复中的错敏词提示，确认发布",
                                 description="答复与报送信息一样经过错敏词检查；有提示时须核对后勾选。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reply", **kwargs)


class DecideForm(Form):
    """The center's decision on a unit's transfer or extension request."""

    decision = RadioField("审批", choices=choices([("approve", "同意"), ("refuse", "不同意")]),
                          validators=[InputRequired("请选择同意或不同意。")])
    note = TextAreaField("审批意见（不同意时必填）", validators=[
        Optional(), Length(max=services.REASON_MAX)], render_kw={"rows": 2})

    def __init__(self, *args, request_id: int | None = None, **kwargs):
        super().__init__(*args, prefix=f"decide{request_id or ''}", **kwargs)
