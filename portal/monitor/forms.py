"""Forms of the monitor: rules, quota overrides and exemptions, running a month."""

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import Form, choices
from .models import BASIS_LABELS
from .services import POINT_LABELS

MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_MSG = "月份格式应为 YYYY-MM，例如 2026-10。"


class RulesForm(Form):
    basis = SelectField("计入任务的信息", choices=choices(BASIS_LABELS.items()))
    quota = IntegerField("每月最少报送条数", validators=[InputRequired("此项必填。"),
                                                  NumberRange(0, 100, "应在 0 到 100 之间。")])
    day1 = IntegerField("第一次提醒：每月几日", validators=[Optional(), NumberRange(1, 28)])
    count1 = IntegerField("届时应已报送条数", validators=[Optional(), NumberRange(0, 100)])
    day2 = IntegerField("第二次提醒：每月几日", validators=[Optional(), NumberRange(1, 28)])
    count2 = IntegerField("届时应已报送条数", validators=[Optional(), NumberRange(0, 100)])
    day3 = IntegerField("第三次提醒：每月几日", validators=[Optional(), NumberRange(1, 28)])
    count3 = IntegerField("届时应已报送条数", validators=[Optional(), NumberRange(0, 100)])
    note = StringField("修改说明", validators=[DataRequired("请说明修改原因。"), Length(max=200)])


# One integer field per scoring rule, labelled in Chinese.
for _key, _label in POINT_LABELS.items():
    setattr(RulesForm, f"points_{_key}", IntegerField(
        f"{_label}（分）", validators=[InputRequired("此项必填。"),
                                   NumberRange(-100, 100, "应在 -100 到 100 之间。")]))


class QuotaRuleForm(Form):
    unit_id = SelectField("单位", coerce=int)
    kind = SelectField("类型", choices=choices([("override", "单独设定每月报送条数"),
                                              ("exempt", "免于考核")]))
    quota = IntegerField("每月报送条数（免于考核时不填）", validators=[Optional(),
                                                          NumberRange(0, 100)])
    valid_from = StringField("开始月份", validators=[DataRequired("此项必填。"),
                                                 Regexp(MONTH_RE, message=MONTH_MSG)],
                             render_kw={"placeholder": "2026-11"})
    valid_to = StringField("结束月份（不填表示长期）", validators=[
        Optional(), Regexp(MONTH_RE, message=MONTH_MSG)], render_kw={"placeholder": "2026-12"})
    reason = StringField("理由", validators=[DataRequired("请填写理由。"), Length(max=200)])


class RunForm(Form):
    note = StringField("修订说明（重新统计时填写）", validators=[Optional(), Length(max=200)])
