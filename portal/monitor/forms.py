"""Forms of the monitor: rules, quota overrides and exemptions, running a month."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import Form, choices
from .models import (
    BASIS_LABELS,
    INSTRUCTION_LABELS,
    LEVEL_LABELS,
    PENALTY_LABELS,
    RULE_LABELS,
)
from .presets import PRESET_LABELS
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


# ---- the assessment ----------------------------------------------------------------------

class AdoptionForm(Form):
    """One adoption of an item. ``target`` is "<outlet id>:<kind>" so that the outlet and
    its kind are chosen together (no script needed)."""

    target = SelectField("采用刊物（栏目）及类别", validators=[DataRequired("请选择采用的刊物。")])
    adopted_on = DateField("采用日期", validators=[InputRequired("请填写采用日期。")])
    commissioned = BooleanField("约稿信息")
    instruction_level = SelectField("领导批示", choices=choices(
        [("", "无"), *INSTRUCTION_LABELS.items()]), validators=[Optional()])
    instructed_by = StringField("批示领导", validators=[Optional(), Length(max=50)])
    instructed_on = DateField("批示日期", validators=[Optional()])
    note = StringField("备注", validators=[Optional(), Length(max=200)])


def target_choices(outlets) -> list:
    pairs = []
    for o in outlets:
        if o.kinds:
            pairs += [(f"{o.id}:{k}", f"{o.name}（{o.level_label}）— {k}") for k in o.kinds]
        else:
            pairs.append((f"{o.id}:", f"{o.name}（{o.level_label}）"))
    return choices(pairs)


class ReasonForm(Form):
    reason = StringField("撤销原因", validators=[DataRequired("请说明撤销的原因。"),
                                             Length(max=200)])


class BulkAdoptionForm(Form):
    text = TextAreaField("采用清单", validators=[Optional(), Length(max=200_000)],
                         description="每行一条：信息编号或完整标题、刊物（栏目）、类别、采用日期"
                                     "（可省略，默认为下面的日期），用制表符或逗号分隔；"
                                     "可直接从 Excel、WPS 表格复制粘贴。")
    upload = FileField("或上传 Excel（.xlsx）/ CSV 文件")
    adopted_on = DateField("默认采用日期", validators=[InputRequired("请填写默认采用日期。")])
    confirm = HiddenField()


class OutletForm(Form):
    code = StringField("代码", validators=[DataRequired("请填写代码。"), Length(max=32)],
                       description="小写字母、数字和下划线，例如 zbxx；计分办法用它对应刊物。")
    name = StringField("名称", validators=[DataRequired("请填写名称。"), Length(max=100)])
    level = SelectField("级别", choices=choices(LEVEL_LABELS.items()))
    kinds = StringField("区分的信息类别", validators=[Optional(), Length(max=200)],
                        description="用顿号或逗号分隔，例如：综合信息、简要信息；不区分则留空。")
    active = BooleanField("启用", default=True)


class SchemeForm(Form):
    name = StringField("名称", validators=[DataRequired("请填写名称。"), Length(max=100)])
    rule = SelectField("同一条信息多次采用", choices=choices(RULE_LABELS.items()))
    valid_from = StringField("自哪个月起执行", validators=[
        DataRequired("此项必填。"), Regexp(MONTH_RE, message=MONTH_MSG)],
        render_kw={"placeholder": "2027-01"})
    note = StringField("修改说明", validators=[DataRequired("请说明修改原因。"), Length(max=200)])


class PresetForm(Form):
    preset = SelectField("预设", choices=choices(PRESET_LABELS.items()))
    valid_from = StringField("自哪个月起执行", validators=[
        DataRequired("此项必填。"), Regexp(MONTH_RE, message=MONTH_MSG)],
        render_kw={"placeholder": "2027-01"})


class PenaltyForm(Form):
    kind = SelectField("类型", choices=choices(PENALTY_LABELS.items()))
    occurred_on = DateField("发生日期", validators=[InputRequired("请填写日期。")])
    note = StringField("事由", validators=[DataRequired("请写明事由。"), Length(max=200)])


class NoticeForm(Form):
    number = StringField("文号", validators=[Optional(), Length(max=50)],
                         render_kw={"placeholder": "例如：县信息〔2026〕11号"})
    recipients = StringField("主送机关", validators=[DataRequired("请填写主送机关。"),
                                                 Length(max=300)])
    opening = TextAreaField("导语（留空使用标准导语）", validators=[Optional(), Length(max=2000)])
    problems = TextAreaField("存在问题（留空则不列此节）",
                             validators=[Optional(), Length(max=5000)])
    requirements = TextAreaField("下步要求", validators=[DataRequired("请填写下步要求。"),
                                                     Length(max=5000)])
    signature = StringField("落款单位", validators=[DataRequired("请填写落款单位。"),
                                                Length(max=100)])


class PublishNoticeForm(Form):
    reason = StringField("修订原因（再次发布时必填，将显示在通报上）",
                         validators=[Optional(), Length(max=200)])


class ClassForm(Form):
    unit_kind = SelectField("单位类型", choices=choices([("township", "乡镇（街道）"),
                                                     ("department", "县直部门")]))
    code = StringField("类别", validators=[DataRequired("请填写类别，如 A。"), Length(max=10)])
    yearly_target = IntegerField("全年目标分值", validators=[
        InputRequired("此项必填。"), NumberRange(0, 100_000, "应在 0 到 100000 之间。")])
    monthly_quota = IntegerField("每月报送条数（不填按考核规则）", validators=[
        Optional(), NumberRange(0, 100, "应在 0 到 100 之间。")])
    note = StringField("说明", validators=[Optional(), Length(max=200)])
