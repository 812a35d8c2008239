"""Citizen messages of the example county: six months of them, in every state.

Runs the real services with past times (``at=``), so deadlines, histories,
e-mails and the search index are what the portal would have produced. Seeds
only a portal without messages, so running it again adds nothing. The phone
numbers are fake but valid in form (some are repeated in the message text, to
show that the public board scrubs them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from .. import clock
from ..accounts.models import Role, Unit, User
from ..demo import seeder
from ..extensions import db
from . import services
from .models import Message, MessageStatus


@dataclass(frozen=True)
class Example:
    unit: str | None          # the citizen's choice (None: 不确定)
    category: str
    subject: str
    body: str
    reply: str
    handled_by: str | None = None   # dispatched or transferred here instead
    refuse: str | None = None       # a refusal reason


EXAMPLES = [
    Example("D02", "consult", "新城小区适龄儿童属于哪所小学招生范围？",
            "我家住在新城小区，孩子明年9月上小学，请问新城小区属于哪所小学的招生范围？报名需要准备哪些材料？",
            "您好！根据《2026年县城区义务教育学校招生工作方案》，新城小区属于县实验小学招生范围。报名需提供户口簿、"
            "房产证明（或住房租赁备案证明）和儿童预防接种证明，具体报名时间以县教育局每年7月发布的招生公告为准。"),
    Example("D02", "complaint", "校外培训机构收费后迟迟不开课",
            "今年3月我给孩子在城关镇某培训机构报了暑期班，交了2800元，到现在也没有开课，机构电话也打不通，请相关部门督促退费。",
            "您好！接到留言后，县教育局会同县市场监督管理局对该机构进行了核查，已责令其在15日内为未开课学员全额退费，"
            "目前已退费37人。如您仍未收到退费，请携带缴费凭证到县教育局校外教育培训监管股登记。"),
    Example("D03", "consult", "夫妻投靠落户需要哪些手续？",
            "我是外县户口，结婚后想把户口迁到丈夫所在的城关镇，请问需要准备哪些材料，在哪里办理？",
            "您好！夫妻投靠落户需提供双方身份证、户口簿、结婚证及房屋产权证明，到城关派出所户籍窗口申请即可，"
            "符合“跨省通办”条件的无需回原籍开具准迁证。咨询电话：县公安局户政大队。"),
    Example("D04", "help", "母亲年老多病，家庭困难能否申请低保？",
            "我母亲今年78岁，患有高血压和糖尿病，常年吃药，我在外打零工收入不稳定，请问能否给母亲申请最低生活保障？",
            "您好！您可以向户籍所在地乡镇（街道）社会救助窗口提出申请，民政部门将对家庭收入、财产状况进行核查。"
            "经核查符合条件的，将按规定纳入最低生活保障；如因病支出较大，还可同时申请临时救助。"),
    Example("D06", "consult", "灵活就业人员如何缴纳养老保险？",
            "我在县城开网约车，属于灵活就业，想自己交职工养老保险，请问怎么办理，每年交多少钱？",
            "您好！灵活就业人员可持身份证到县社会保险服务中心或通过“河南社保”APP办理参保登记。"
            "缴费基数可在全省上年度社会平均工资的60%至300%之间自主选择，缴费比例为20%，可按月、按季或按年缴纳。"),
    Example("D09", "complaint", "小区电梯长期故障，物业不作为",
            "我住在幸福家园小区5号楼，电梯从上个月起坏了三次，每次都要等好几天才修，楼里老人上下楼很不方便，物业一直推脱。",
            "您好！县住房和城乡建设局已约谈该小区物业服务企业，责令其对5号楼电梯进行全面检修，并联合县市场监督管理局"
            "开展了安全检验。电梯已于本周恢复运行，物业已承诺建立24小时维修响应机制。"),
    Example("D08", "complaint", "工地夜间施工噪音扰民",
            "县城北环路与建设路交叉口的工地每天晚上11点以后还在施工，打桩声音很大，周边居民无法入睡。",
            "您好！经县生态环境局执法人员夜间现场检查，该工地确有夜间违规施工行为，已依法下达责令改正通知书并立案处罚。"
            "今后如需连续作业，施工单位须事先办理夜间施工证明并公告周边居民。"),
    Example("D10", "suggestion", "建议开通城区至高铁站的公交专线",
            "高铁站通车后，从县城去高铁站只能打车，单程要40多元，建议开通城区至高铁站的公交专线，方便群众出行。",
            "您好！感谢您的建议。县交通运输局已完成线路调研，计划于下月开通城区至高铁站的8路公交，"
            "首末班时间与高铁主要车次衔接，票价2元，具体站点将通过县政府网站向社会公布。"),
    Example("D12", "consult", "今年的耕地地力保护补贴什么时候发放？",
            "请问今年的耕地地力保护补贴标准是多少，什么时候发到一卡通上？",
            "您好！今年耕地地力保护补贴标准为每亩112元，经乡镇公示无异议后，将于10月底前通过惠民惠农财政补贴资金"
            "“一卡通”发放到户。如有疑问可咨询所在乡镇农业服务中心。"),
    Example("D15", "consult", "孩子接种流感疫苗需要预约吗？",
            "孩子今年5岁，想打流感疫苗，请问县里哪些地方可以接种，需不需要提前预约？",
            "您好！全县各乡镇卫生院和县疾控中心预防接种门诊均可接种流感疫苗，建议通过“健康县城”公众号提前预约，"
            "接种时请携带儿童预防接种证。"),
    Example("D18", "complaint", "超市销售过期食品",
            "我在县城某超市买的酸奶回家发现已经过期两天了，和超市反映后对方态度很差，只同意退货不肯赔偿。",
            "您好！县市场监督管理局执法人员已到该超市现场检查，发现部分食品超过保质期仍在销售，已依法立案调查。"
            "根据《食品安全法》，您可以要求经营者支付价款十倍的赔偿，局消费者权益保护股将协助您与商家协商。"),
    Example("D19", "consult", "到外省住院如何办理异地就医备案？",
            "我父亲要到郑州做手术，医保是在本县参保的城乡居民医保，请问异地就医怎么备案，报销比例有什么不同？",
            "您好！可通过“国家医保服务平台”APP或到县医疗保障服务中心窗口办理异地就医备案，备案后在就医地定点医院"
            "可直接结算。办理备案的转诊就医，报销比例与县外转诊政策一致。"),
    Example("D07", "consult", "农村宅基地确权登记怎么办理？",
            "我家在柳河镇的宅基地一直没有办证，请问现在办理宅基地和房屋确权登记需要什么材料？",
            "您好！请持户口簿、身份证、宅基地批准文件或村委会出具的证明，到县不动产登记中心或柳河镇便民服务中心申请，"
            "符合条件的将在20个工作日内颁发不动产权证书。"),
    Example("D11", "help", "村里灌溉水渠堵塞，麦田浇不上水",
            "双河镇李庄村东边的灌溉水渠被垃圾和淤泥堵住了，马上要浇越冬水，请帮忙协调清淤。",
            "您好！县水利局已会同双河镇政府组织人员和机械对该段水渠进行了清淤，清理淤泥约300立方米，"
            "目前渠道已恢复通水，可满足冬灌需要。"),
    Example("D14", "suggestion", "建议县图书馆周末延长开放时间",
            "县图书馆周末下午5点就闭馆了，上班族平时没时间，建议周末延长到晚上8点。",
            "您好！感谢您的建议。经研究，县图书馆自下月起周六、周日开放时间延长至晚上8点，"
            "并增设自助借还设备，欢迎广大读者前往。"),
    Example("D16", "consult", "退役军人优待证在哪里申领？",
            "我是2015年退役的士兵，请问退役军人优待证怎么申请，需要带什么材料？",
            "您好！您可持身份证、退役证件和近期免冠照片，到户籍所在乡镇（街道）退役军人服务站提交申请，"
            "审核通过后约30个工作日制证发放。"),
    Example("T01", "complaint", "背街小巷路灯长期不亮",
            "城关镇南大街向东的几条小巷路灯坏了一个多月，晚上一片漆黑，老人孩子出行很不安全。",
            "您好！城关镇已安排维修人员对南大街周边小巷的路灯进行了排查，更换灯具23盏、修复线路2处，"
            "目前已全部恢复照明。今后将每月巡查一次。"),
    Example("T03", "suggestion", "建议为老旧小区加装电梯",
            "西城街道纺织厂家属院都是六层老楼，住的大多是老人，建议纳入老旧小区改造为楼房加装电梯。",
            "您好！西城街道已将纺织厂家属院列入明年老旧小区改造计划，加装电梯需楼内业主协商一致，"
            "街道将组织召开业主意见征询会，并协助申请加装电梯财政补助。"),
    Example("T04", "help", "村道坑洼积水，雨天无法通行",
            "柳河镇王庄村通往镇上的村道坑坑洼洼，一下雨就积水，电动车都过不去，孩子上学很困难。",
            "您好！柳河镇已将王庄村道纳入今年农村公路提升工程，现已完成路面硬化1.2公里，并修建了排水边沟，"
            "道路已恢复通行。"),
    Example("T05", "complaint", "小区门口垃圾清运不及时",
            "桃源镇桃园新村门口的垃圾箱经常满了好几天没人清运，天热气味很大。",
            "您好！桃源镇已督促环卫公司调整清运频次，桃园新村垃圾收集点改为每日早晚各清运一次，"
            "并增设垃圾桶4个。欢迎您继续监督。"),
    Example("T07", "consult", "农村危房改造补助怎么申请？",
            "我家房子是上世纪八十年代的土坯房，墙体开裂，请问能不能申请危房改造补助？",
            "您好！危房改造补助对象为农村低收入群体等重点对象。请向所在村委会提出申请，经镇里组织房屋安全鉴定，"
            "符合条件的将纳入改造计划。石桥镇村镇建设办公室可提供咨询。"),
    Example("T10", "help", "楼上自来水水压太低",
            "龙泉镇龙泉花园小区高层住户自来水水压很低，早晚高峰基本没有水，请帮忙解决。",
            "您好！龙泉镇已协调县供水公司对该小区二次供水设备进行了检修，更换了加压水泵，"
            "目前高层住户供水已恢复正常。"),
    Example("T12", "suggestion", "建议在村卫生室增设慢性病取药点",
            "杨庄乡很多老人患有高血压、糖尿病，每月要到乡卫生院取药，路远不方便，建议在村卫生室就能取常用药。",
            "您好！杨庄乡卫生院已在全乡8个村卫生室配备高血压、糖尿病常用药品，签约家庭医生服务的患者"
            "可就近取药并按规定报销。"),
    Example(None, "complaint", "商铺占道经营，人行道无法通行",
            "城关镇人民路农贸市场门口的商铺把货物摆到人行道上，行人只能走机动车道，很危险。",
            "您好！城关镇已联合县城市管理部门对人民路农贸市场周边占道经营进行了集中整治，"
            "清理占道摊点15处，并安排专人每日巡查。", handled_by="T01"),
    Example(None, "consult", "以旧换新买家电的补贴怎么领？",
            "听说现在买家电可以享受以旧换新补贴，请问县里在哪些商场可以参加，补贴怎么领？",
            "您好！我县参与家电以旧换新的商户名单已在县商务局网站公布，购买一级能效家电可享受售价15%的补贴，"
            "在参与商户购买时直接抵扣，无需另行申领。", handled_by="D13"),
    Example("D09", "help", "小区主水管爆裂，停水两天",
            "我们小区的主水管前天爆裂，已经停水两天了，物业说要等供水部门来修。",
            "您好！县水利局已督促供水公司连夜抢修，已于今日上午恢复供水，并对该小区老化管网列入改造计划。",
            handled_by="D11"),
    Example(None, "complaint", "举报村干部侵占集体资金",
            "我要举报我们村村干部侵占村集体土地补偿款的问题。", "", refuse="other_channel"),
    Example("D18", "consult", "代办各类证件，价格优惠",
            "专业代办营业执照、食品经营许可证，价格优惠，加微信了解。", "", refuse="advertising"),
    Example("D03", "complaint", "（已处理的重复留言）小区门口车辆乱停",
            "同上一条留言，小区门口车辆乱停乱放。", "", refuse="duplicate"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "伟", "芳", "娜", "磊", "静", "明", "丽娟", "国庆",
         "红梅", "晓东", "子涵", "浩然", "雨欣", "军", "淑珍"]
COMPOUND = ["欧阳", "司马", "上官", "诸葛"]
RATINGS = ["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["dissatisfied"]
REPLY_DAYS = [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 8]   # some beyond the 5-day deadline
CHANNELS = {"other_channel": "县纪委监委（信访举报电话 12388，网站 www.12388.gov.cn）"}
COUNT = 84
RECENT = 10
MONTHS = 6


def _name(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice(COMPOUND) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"0398-{rng.randrange(2, 9)}{rng.randrange(10**6):06d}"
    return f"1{rng.choice('3456789')}{rng.randrange(10):d}{rng.randrange(10**8):08d}"


def _working_hours(day, rng: random.Random) -> datetime:
    return clock.from_local(datetime.combine(day, time(8 + rng.randrange(10), rng.randrange(60))))


def _office_time(after: datetime, rng: random.Random) -> datetime:
    """A moment in office hours (8:00–18:00 China time) soon after ``after``."""
    local = clock.local(after)
    day = local.date() if local.hour < 17 else local.date() + timedelta(days=1)
    return max(_working_hours(day, rng), after + timedelta(minutes=20))


@seeder(50)
def seed_messages() -> list[str]:
    if db.session.scalar(select(func.count()).select_from(Message)):
        return []
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    needed = {"center"} | {c for ex in EXAMPLES for c in (ex.unit, ex.handled_by) if c}
    if not needed <= set(units):
        return ["市民留言：示例单位不全，未添加示例留言。"]
    reviewer = db.session.scalar(select(User).where(User.unit_id == units["center"].id,
                                                    User.role == Role.reviewer).limit(1))
    staff = {u.unit_id: u for u in db.session.scalars(
        select(User).where(User.role == Role.officer, User.active))}
    rng = random.Random(20261001)
    now = clock.now()
    calendar = clock.work_calendar()
    span = timedelta(days=30 * MONTHS)
    receipts = []
    for i in range(COUNT):
        ex = EXAMPLES[i % len(EXAMPLES)]
        created = now - span + span * i / COUNT + timedelta(minutes=rng.randrange(600))
        if i >= COUNT - RECENT:  # a busier last week: some still in progress, in time
            created = now - timedelta(hours=(COUNT - i) * 16)
        waiting = i >= COUNT - 3  # the last few still wait for the center
        if waiting:
            created = now - timedelta(hours=(COUNT - i) * 3)
        name, phone = _name(rng), _phone(rng)
        body = ex.body
        if rng.random() < 0.2:  # some citizens leave their number in the text too
            body += f"我的联系电话{phone}，请尽快回复。"
        message, code = services.submit(
            category=ex.category, unit=units.get(ex.unit) if ex.unit else None,
            subject=ex.subject, body=body, name=name, phone=phone,
            email=f"citizen{i + 1}@example.com" if rng.random() < 0.4 else None,
            publish_allowed=rng.random() < 0.8, at=created)
        decided = _office_time(created + timedelta(hours=rng.randrange(20)), rng)
        if waiting or decided >= now:
            continue
        if ex.refuse:
            services.refuse(reviewer, message, ex.refuse, channel=CHANNELS.get(ex.refuse, ""),
                            at=decided)
            continue
        first = units[ex.unit or ex.handled_by]
        services.accept(reviewer, message, first, at=decided)
        moved = decided + timedelta(hours=2)
        if ex.unit and ex.handled_by and moved < now:  # misrouted: the unit asks, the center
            asked = services.request_transfer(staff[first.id], message, units[ex.handled_by],
                                              "该事项不属本单位职责，请转有关单位办理。",
                                              at=moved - timedelta(hours=1))
            services.decide(reviewer, asked, True, at=moved)
        if i % 13 == 5 and moved < now:
            services.extend(reviewer, message, 5, "涉及多个部门，需现场调查核实。", at=moved)
        if i % 7 == 3 and created > now - timedelta(days=45):
            continue  # left unanswered: overdue by now, or soon
        took = rng.choice(REPLY_DAYS) + (5 if message.extension_days else 0)
        if i % 9 == 4:
            took += 10   # some are left (or answered) well past the deadline
        answered = _working_hours(calendar.add_working_days(clock.local(decided).date(), took),
                                  rng)
        if answered >= now or answered <= decided:
            continue  # in progress (overdue or not)
        services.reply(staff[message.unit_id], message, ex.reply, at=answered)
        rated = answered + timedelta(days=1 + rng.randrange(5))
        if rng.random() < 0.55 and rated < now:
            services.rate(message, rng.choice(RATINGS), at=rated)
        elif len(receipts) < 3:
            receipts.append(f"  留言编号 {message.number}，查询码 {code}（已答复，可评价）")
    counts = dict(db.session.execute(select(Message.status, func.count())
                                     .group_by(Message.status)).all())
    summary = "，".join(f"{s.label} {counts.get(s, 0)}" for s in MessageStatus)
    return [f"市民留言：{COUNT} 条（{summary}）。可在“留言查询”试用：", *receipts]
