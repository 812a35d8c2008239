"""Forms for login, passwords, units and accounts."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import Form, choices
from .models import ROLE_LABELS, UNIT_KIND_LABELS

REQUIRED = "此项必填。"


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    captcha = StringField("验证码", validators=[Optional(), Length(max=10)],
                          description="输入图片中的 4 个字符，不区分大小写",
                          render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class SetPasswordForm(Form):
    password = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired(REQUIRED), EqualTo("password", "两次输入的密码不一致。")],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)],
                            render_kw={"autocomplete": "current-password"})


class UnitForm(Form):
    code = StringField("单位代码", validators=[DataRequired(REQUIRED), Length(max=32)],
                       description="字母、数字、下划线或连字符，例如 xz-dongcheng")
    name = StringField("单位名称", validators=[DataRequired(REQUIRED), Length(max=100)])
    kind = SelectField("单位类型",
                       choices=choices((k.value, v) for k, v in UNIT_KIND_LABELS.items()))
    email = StringField("单位邮箱（接收市民留言提醒）", validators=[Optional(), Length(max=254)])
    counted = BooleanField("计入每月报送考核", default=True)
    skip_signoff = BooleanField("无需分管领导签发（信息直接报送中心）")
    reply_signoff = BooleanField("市民留言的答复须经分管领导签发后发布")


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)],
                           description="3–64 个字母、数字、点、下划线或连字符")
    name = StringField("姓名", validators=[Optional(), Length(max=50)])
    email = StringField("电子邮箱", validators=[Optional(), Length(max=254)],
                        description="设置密码的链接将发送到此邮箱")
    unit_id = SelectField("所属单位", coerce=int)
    role = SelectField("角色", choices=choices((k.value, v) for k, v in ROLE_LABELS.items()))


class UnitImportForm(Form):
    file = FileField("CSV 文件（表头 code,name,kind，UTF-8 编码）",
                     validators=[FileRequired("请选择要导入的 CSV 文件。")])


class UserImportForm(Form):
    file = FileField("CSV 文件（表头 username,unit_code,role,name,email，UTF-8 或 GBK 编码）",
                     validators=[FileRequired("请选择要导入的 CSV 文件。")])


class CalendarDayForm(Form):
    day = DateField("日期", validators=[DataRequired("请填写正确的日期。")])
    is_workday = SelectField("类型",
                             choices=choices([("0", "节假日（不上班）"), ("1", "调休上班日")]))
    note = StringField("说明", validators=[Optional(), Length(max=100)],
                       description="例如：2027年春节")


class ConfirmForm(Form):
    """An empty form: a button that posts with a CSRF token."""
