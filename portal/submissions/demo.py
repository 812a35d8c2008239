"""The example county's reporting over the last six closed months and this one.

Every item is made the way people make them: written by the unit's officer,
moved through the workflow (``apply``) by the officer, the leader and a center
reviewer, with photos and a video stored through the upload checks. Only then
are its timestamps moved back to a date in the past, so that histories, month
counts, dual-report due dates and 迟报 marks look as they would have.

Idempotent: each example has a key in ``Item.external_id`` and is made once.
"""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from .. import clock
from ..accounts.models import Role, Unit, UnitKind, User
from ..alerts.models import Alert
from ..demo import seeder
from ..extensions import db
from ..site.models import Column
from . import corrections, dual, services, workflow
from . import media as media_files
from .models import Correction, DualReport, Item, ItemEvent, ItemStatus

TOWN_TOPICS = [
    ("{u}召开安全生产工作会议", "会议传达了全县安全生产工作会议精神，分析了当前安全生产形势，"
                      "对道路交通、"
     "危化品、建筑施工、森林防火等重点领域隐患排查整治工作作出部署。"),
    ("{u}开展秋季森林防火宣传活动", "工作人员深入各村组发放宣传资料、悬挂横幅，"
                        "提醒群众不在林区野外用火，"
     "并对护林员队伍开展了扑火技能培训。"),
    ("{u}推进农村人居环境整治", "各村组织党员干部和群众集中清理房前屋后和道路沿线垃圾杂物，"
     "累计清运垃圾一百余吨，整治沟渠二十余公里。"),
    ("{u}举办中国农民丰收节庆祝活动", "活动设置农产品展销、农耕技能比赛和文艺演出等环节，"
     "吸引周边群众三千余人参加，现场销售特色农产品十余万元。"),
    ("{u}组织开展防汛应急演练", "演练模拟强降雨引发山洪险情，检验了预警发布、人员转移、"
                      "抢险救援等环节，"
     "进一步提升了基层防汛应急处置能力。"),
    ("{u}完成高标准农田建设年度任务", "今年新建高标准农田一万二千亩，配套修建机耕路、灌溉渠系，"
     "项目区粮食亩产预计提高一成以上。"),
    ("{u}召开乡村振兴工作推进会", "会议听取了各村产业发展、基础设施建设和集体经济发展情况汇报，"
     "对下一阶段重点任务进行了安排。"),
    ("{u}开展“我为群众办实事”走访活动", "镇村干部分组入户走访困难群众、空巢老人和留守儿童，"
     "收集意见建议四十余条，现场解决实际问题十五件。"),
    ("{u}开展燃气安全专项检查", "检查组对辖区餐饮场所、液化气供应站逐一检查，"
                      "发现并督促整改隐患十二处。"),
    ("{u}启动冬季供暖保障工作", "各村对困难群众取暖情况进行摸排，储备应急物资，确保群众温暖过冬。"),
    ("{u}召开村“两委”干部培训会", "培训围绕基层治理、惠民政策和村务公开展开，"
                        "参训干部一百二十余人。"),
    ("{u}开展春季植树造林活动", "机关干部和群众在荒山荒坡植树三千余株，进一步改善了生态环境。"),
]
# Each department reports on its own field; the common topics fill the rest.
DEPT_TOPICS = {
    "D01": [("{u}开展营商环境专项督查", "督查组深入企业和窗口单位，"
                              "梳理企业反映的问题并建立整改台账。")],
    "D02": [("{u}部署2026年中考招生工作", "会议解读了今年中考招生政策，对报名、考试组织、"
                                 "志愿填报和录取等"
             "环节提出明确要求，确保招生工作公平公正。"),
            ("{u}开展校园安全隐患排查", "检查组对全县中小学校舍、食堂、消防设施逐校检查，"
                              "督促整改隐患。")],
    "D04": [("{u}开展城乡低保动态管理核查", "工作人员入户核查低保家庭收入和财产状况，"
                                "做到应保尽保、应退尽退。")],
    "D06": [("{u}举办“春风行动”专场招聘会", "六十余家企业提供就业岗位一千二百余个，"
                                 "现场达成就业意向三百余人。")],
    "D08": [("{u}开展重点河段水质监测", "监测人员对柳河、青山河八个断面取样检测，"
                              "水质均达到考核要求。")],
    "D10": [("{u}推进农村公路提质改造", "今年计划改造农村公路八十公里，目前已完工五十二公里，"
             "同步完善交通安全设施。")],
    "D11": [("{u}部署冬春季水利建设工作", "今冬明春计划实施小型水库除险加固、"
                               "灌区续建配套等项目二十余个。")],
    "D12": [("{u}召开全县秋粮收购工作会议", "会议要求各收储企业敞开收购、优质优价，"
                                "严禁压级压价和“打白条”。")],
    "D14": [("{u}举办桃源古镇文化旅游节", "旅游节期间举办非遗展演、特色美食展销等活动，"
                               "接待游客五万余人次。")],
    "D15": [("{u}开展义诊进乡村活动", "医疗专家深入乡村为群众免费测量血压血糖、开展健康咨询，"
             "服务群众六百余人次。")],
    "D17": [("{u}组织开展地质灾害应急演练", "演练模拟强降雨引发滑坡险情，多部门协同开展预警、"
                                "转移和救援。")],
    "D18": [("{u}开展食品安全专项检查", "检查组重点检查学校食堂、农贸市场和小餐饮店，"
                              "对发现的问题当场责令整改。")],
}
DEPT_COMMON = [
    ("{u}召开党风廉政建设工作会议", "会议通报了近期典型案例，"
                        "对落实全面从严治党主体责任提出具体要求。"),
    ("{u}开展“宪法宣传周”普法活动", "干部职工走上街头发放宣传资料、解答群众咨询，"
                         "发放资料两千余份。"),
    ("{u}召开重点工作推进会", "会议逐项听取重点工作进展，对滞后事项明确责任人和完成时限。"),
    ("{u}开展安全生产大检查", "检查组对系统内重点单位逐一检查，发现隐患当场交办、限期整改。"),
    ("{u}组织干部职工参加业务能力培训", "培训围绕政策法规和办事流程展开，"
                          "进一步提升了服务群众的能力。"),
]
RETURN_REASONS = ["请补充活动的具体时间、参加人数等要素。", "标题与内容不符，请修改标题。",
                  "正文数据需要核实后再报。"]
SEND_BACK_REASONS = ["请核实参会人数。", "请补充现场图片说明。"]
DECLINE_REASON = "内容与已发布信息重复，不予采用。"
WITHDRAW_REASON = "信息中的数据有误，撤稿更正。"
COLOURS = [(196, 40, 40), (30, 94, 160), (40, 130, 70), (200, 140, 20), (110, 60, 150),
           (20, 140, 150)]

# The steps of each path: (action, who acts, comment, hours after the previous step).
PATHS = {
    "draft": [],
    "sent_back": [("submit", "officer", "", 0), ("send_back", "leader", "SEND_BACK", 3)],
    "awaiting_signoff": [("submit", "officer", "", 0)],
    "submitted": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2)],
    "scheduled": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2),
                  ("schedule", "reviewer", "", 3)],
    "published": [("submit", "officer", "", 0), ("sign_off", "leader", "", 1),
                  ("publish", "reviewer", "", 2)],
    "returned": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2),
                 ("return", "reviewer", "RETURN", 4)],
    "revised": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2),
                ("return", "reviewer", "RETURN", 4), ("resubmit", "officer", "", 20),
                ("sign_off", "leader", "", 2), ("publish", "reviewer", "", 3)],
    "declined": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2),
                 ("decline", "reviewer", DECLINE_REASON, 6)],
    "withdrawn": [("submit", "officer", "", 0), ("sign_off", "leader", "", 2),
                  ("publish", "reviewer", "", 4), ("withdraw", "reviewer", WITHDRAW_REASON, 30)],
}


@dataclass
class Example:
    key: str
    unit: Unit
    title: str
    body: str
    at: datetime            # when the officer started it (UTC)
    path: str
    kind: str = "text"
    column: str = "news"
    images: int = 0
    urgent_hours: float | None = None  # event this long before it reached the center
    dual_department: Unit | None = None
    extra: dict = field(default_factory=dict)


@seeder(30)
def seed_items() -> list[str]:
    have = set(db.session.scalars(select(Item.external_id).where(Item.external_id.like("demo:%"))))
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    if "T01" not in units or "D01" not in units:
        return []  # not the example county
    people = _people()
    columns = {c.slug: c for c in db.session.scalars(select(Column))}
    rng = random.Random(2026)
    made = 0
    for example in _examples(units, rng):
        if example.key in have:
            continue
        _make(example, people, columns, rng)
        made += 1
    return [f"报送信息 {made} 条（含图片、视频、双报和紧急信息）。"] if made else []


@seeder(31)
def seed_corrections() -> list[str]:
    """Two corrections of 城关镇's latest published items: one published (the page shows
    更新于, the revisions a word diff), one waiting for the leader's sign-off."""
    if db.session.scalar(select(Correction.id).limit(1)) is not None:
        return []
    town = db.session.scalar(select(Unit).where(Unit.code == "T01"))
    if town is None:
        return []
    people = _people()
    officer, leader = people.get((town.id, Role.officer)), people.get((town.id, Role.leader))
    reviewer = db.session.scalar(select(User).where(User.role == Role.reviewer, User.active)
                                 .order_by(User.id).limit(1))
    latest = db.session.scalars(select(Item).where(
        Item.unit_id == town.id, Item.status == ItemStatus.published, Item.kind == "text")
        .order_by(Item.published_at.desc()).limit(2)).all()
    if None in (officer, leader, reviewer) or len(latest) < 2:
        return []
    done, waiting = latest
    fixed = corrections.propose(
        officer, done, title=done.title, summary=done.summary,
        body=done.body_html + "<p>（本文第一段中的日期已更正。）</p>",
        reason="补充更正说明，原文日期表述不准确。")
    corrections.act(fixed, "submit", officer)
    corrections.act(fixed, "sign_off", leader, confirm_words=True)
    corrections.publish(fixed, reviewer)
    pending = corrections.propose(officer, waiting, title=waiting.title + "（更正）",
                                  summary=waiting.summary, body=waiting.body_html,
                                  reason="标题需注明为更正稿。")
    corrections.act(pending, "submit", officer)
    # The example's history is months old: its alerts are read, but for what still waits.
    db.session.execute(update(Alert).where(
        Alert.read_at.is_(None), Alert.kind.not_in(("urgent_signoff", "dual_created")))
        .values(read_at=clock.now()))
    return ["更正 2 份（1 份已发布，1 份待领导签发）。"]


def _people() -> dict[tuple[int, Role], User]:
    found: dict[tuple[int, Role], User] = {}
    for user in db.session.scalars(select(User).where(User.active).order_by(User.id)):
        found.setdefault((user.unit_id, user.role), user)
    return found


def _examples(units: dict[str, Unit], rng: random.Random) -> list[Example]:
    """Six closed months and this one: most units meet the quota of 4, a few fall short."""
    now = clock.now()
    today = clock.local(now)
    reporting = [u for u in units.values() if u.kind != UnitKind.center and u.active]
    reporting.sort(key=lambda u: u.code)
    lagging = {"T11", "T12", "D19", "D20", "D21", "D22"}
    examples: list[Example] = []
    for back in range(6, -1, -1):
        year, month = today.year, today.month - back
        while month < 1:
            year, month = year - 1, month + 12
        start, end = clock.month_bounds(year, month)
        # Leave room for the steps after an item's start (up to a day and a half).
        last = min(end, now - timedelta(days=2))
        if last <= start:
            continue
        for unit in reporting:
            count = rng.choice([1, 2, 3] if unit.code in lagging else [4, 4, 5, 5, 6])
            if back == 0:
                count = max(1, round(count * min(1, today.day / 28)) + 1)
            topics = (TOWN_TOPICS if unit.kind == UnitKind.township
                      else DEPT_TOPICS.get(unit.code, []) + DEPT_COMMON)
            for k in range(count):
                title, text = topics[(k + back * 3 + int(unit.code[1:])) % len(topics)]
                at = _office_hours(start + (last - start) * rng.uniform(0.02, 0.92), rng)
                # The first township shows a bit of everything on its desks.
                path = (FIRST_UNIT_PATHS[k % len(FIRST_UNIT_PATHS)]
                        if unit.code == "T01" and back == 0 else _path_for(back, rng))
                kind = "image" if rng.random() < 0.14 else "text"
                column = "gallery" if kind == "image" else TEXT_COLUMNS[(k + back) % 5]
                examples.append(Example(
                    key=f"demo:{unit.code}:{year}-{month:02d}:{k}", unit=unit,
                    title=title.format(u=unit.name), body=_body(unit, text, at), at=at,
                    path=path, kind=kind, column=column,
                    images=rng.randint(1, 3) if kind == "image" else 0))
    examples += _special(units, now)
    return examples


FIRST_UNIT_PATHS = ["awaiting_signoff", "returned", "draft", "published", "submitted"]
# Text items go mostly to 政务信息, some to 政务公开 and 政府文件, as counties report them.
TEXT_COLUMNS = ["news", "news", "open", "news", "documents"]


def _office_hours(at: datetime, rng: random.Random) -> datetime:
    """The same day, at a time an office works (China time)."""
    local = clock.local(at).replace(hour=rng.randint(8, 15), minute=rng.randint(0, 59))
    return clock.from_local(local.replace(tzinfo=None))


def _path_for(back: int, rng: random.Random) -> str:
    if back >= 1:
        return rng.choices(["published", "revised", "declined", "withdrawn"],
                           [80, 10, 7, 3])[0]
    return rng.choices(["published", "submitted", "awaiting_signoff", "draft", "returned",
                        "sent_back", "scheduled", "revised", "declined"],
                       [40, 15, 10, 10, 8, 4, 4, 5, 4])[0]


def _body(unit: Unit, text: str, at: datetime) -> str:
    day = clock.local(at)
    return (f"{day.month}月{day.day}日，{unit.name}{text}\n\n"
            f"下一步，{unit.name}将持续跟踪落实情况，及时报送工作进展。")


def _special(units: dict[str, Unit], now: datetime) -> list[Example]:
    """Dual-report pairs, urgent items, a video and an audio item."""
    days = timedelta(days=1)
    return [
        # Dual reporting: fulfilled, pending (response started), overdue, contested, waived.
        Example("demo:dual:fulfilled", units["T01"], "城关镇开展秋粮收购价格巡查",
                "城关镇联合县农业农村局对辖区内收购点开展价格巡查，督促明码标价。",
                now - 60 * days, "published", dual_department=units["D12"],
                extra={"response": "published"}),
        Example("demo:dual:pending", units["T03"], "西城街道开展地质灾害隐患点排查",
                "街道组织对辖区五处地质灾害隐患点逐一排查，落实监测责任人。",
                now - 1 * days, "submitted", dual_department=units["D17"],
                extra={"response": "draft"}),
        Example("demo:dual:overdue", units["T05"], "桃源镇中心小学开展消防安全演练",
                "桃源镇中心小学组织全校师生开展消防疏散演练，一千二百余名师生参加。",
                now - 20 * days, "published", dual_department=units["D02"]),
        Example("demo:dual:contested", units["T07"], "石桥镇开展河道垃圾集中清理",
                "石桥镇组织志愿者对石桥河沿岸开展垃圾清理，清理河道八公里。",
                now - 3 * days, "submitted", dual_department=units["D08"],
                extra={"contest": "河道保洁由县水利局负责，请改由水利局双报。"}),
        Example("demo:dual:waived", units["T09"], "枫林乡召开村级财务公开工作会",
                "枫林乡召开会议，要求各村按季度公开村级财务收支情况。",
                now - 40 * days, "published", dual_department=units["D11"],
                extra={"contest": "村级财务公开不属于水利局业务管辖。",
                       "ruling": "异议成立，免于双报。"}),
        # Urgent information: on time, late (迟报), and one still within its two hours.
        Example("demo:urgent:ontime", units["T04"], "柳河镇发生一起道路交通事故 伤者已送医救治",
                "事故发生后，镇政府立即组织交警、卫健等部门赶赴现场处置，伤者已送县医院救治，"
                "无生命危险。", now - 12 * days, "published", urgent_hours=1.2),
        Example("demo:urgent:late", units["T06"], "青山镇突发山洪灾害 群众已安全转移",
                "受强降雨影响，青山镇两个村发生山洪，镇村干部连夜转移群众一百二十余人，"
                "无人员伤亡。",
                now - 45 * days, "published", urgent_hours=5.5),
        Example("demo:urgent:open", units["T08"], "龙泉镇一民房发生火灾 火势已扑灭",
                "龙泉镇一民房因电线老化起火，消防救援人员及时赶到扑灭，无人员伤亡。",
                now - timedelta(minutes=30), "awaiting_signoff", urgent_hours=0.7),
        # A video and an audio item.
        Example("demo:video", units["D14"], "县文化和旅游局发布桃源古镇宣传短片",
                "短片展示了桃源古镇的历史风貌和非遗文化，欢迎广大游客前来观光。",
                now - 9 * days, "published", kind="video", column="video"),
        Example("demo:audio", units["D04"], "县民政局解读最低生活保障新政策（音频）",
                "本期音频解读了城乡最低生活保障申请条件和办理流程。",
                now - 15 * days, "published", kind="audio"),
    ]


# ---- making one example -------------------------------------------------------------

def _make(example: Example, people, columns, rng: random.Random) -> Item | None:
    officer = people.get((example.unit.id, Role.officer))
    leader = people.get((example.unit.id, Role.leader))
    reviewer = next((u for (_, role), u in people.items() if role == Role.reviewer), None)
    if officer is None or leader is None or reviewer is None:
        return None
    if example.kind in ("video", "audio") and not media_files.ffmpeg_available():
        return None  # no ffmpeg to make the file: the example county simply has none
    column = columns.get(example.column) or columns["news"]
    now = clock.now()
    urgent_at = now - timedelta(hours=example.urgent_hours) if example.urgent_hours else None
    item = services.create_item(officer, services.ItemData(
        title=example.title, kind=example.kind, body=example.body, column_id=column.id,
        summary=example.body.split("\n")[0][:120] if example.kind != "text" else "",
        urgent=urgent_at is not None, event_at=urgent_at,
        event_place=example.unit.name if urgent_at else "",
        dual_department_id=example.dual_department.id if example.dual_department else None))
    item.external_id = example.key
    _attach(item, officer, example, rng)
    actors = {"officer": officer, "leader": leader, "reviewer": reviewer}
    steps = _walk(item, PATHS[example.path], actors, rng)
    # Everything happened "now"; move it back to the example's date.
    _backdate(item, example.at, steps)
    if example.dual_department is not None:
        _dual(item, example, people, columns, rng)
    return item


def _walk(item: Item, steps, actors, rng) -> list[tuple[str, float]]:
    """Apply ``steps``; each step's action and the hours after the start it happened at."""
    hours, done = 0.5, []
    for action, who, comment, after in steps:
        if action == "schedule":
            item.publish_at = clock.now() + timedelta(days=2)
        comment = {"RETURN": rng.choice(RETURN_REASONS),
                   "SEND_BACK": rng.choice(SEND_BACK_REASONS)}.get(comment, comment)
        workflow.apply(item, action, actors[who], comment or None)
        hours += after + rng.uniform(0, 1)
        done.append((action, hours))
    return done


def _backdate(item: Item, start: datetime, steps: list[tuple[str, float]]) -> None:
    """Give each event the time of its step: writing first, then the workflow steps.

    Events a step causes (迟报, a dual-report obligation) take that step's time.
    """
    events = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id)
                                .order_by(ItemEvent.id)).all()
    pending, at, to_center = list(steps), start, []
    for n, event in enumerate(events):
        if pending and event.action == pending[0][0] and event.to_status is not None:
            at = start + timedelta(hours=pending.pop(0)[1])
        elif len(pending) == len(steps):
            at = start + timedelta(minutes=6 * n)  # still writing: created, files added
        event.at = at
        if event.to_status == ItemStatus.submitted:
            to_center.append(at)
        if event.to_status == ItemStatus.published:
            item.published_at = at
        if event.to_status == ItemStatus.withdrawn:
            item.withdrawn_at = at
    if item.event_at is not None and to_center:
        # Keep the distance between the event and its arrival at the center.
        item.event_at = to_center[0] - (item.first_submitted_at - item.event_at)
    item.created_at = start
    item.updated_at = at
    item.first_submitted_at = to_center[0] if to_center else None
    item.submitted_at = to_center[-1] if to_center else None
    for m in item.media:
        m.created_at = start
    db.session.flush()


def _attach(item: Item, officer: User, example: Example, rng: random.Random) -> None:
    if example.kind == "image":
        for n in range(example.images):
            data = _picture(example, n, rng)
            services.attach_media(officer, item, io.BytesIO(data), f"现场照片{n + 1}.jpg",
                                  f"{example.title}现场（{n + 1}）")
    elif example.kind in ("video", "audio"):
        data = _clip(example.kind)
        if data:
            services.attach_media(officer, item, io.BytesIO(data),
                                  "clip.mp4" if example.kind == "video" else "clip.mp3",
                                  example.title)


def _picture(example: Example, n: int, rng: random.Random) -> bytes:
    """A small photo-like JPEG: a sky-to-ground gradient, shapes and a label."""
    top, bottom = rng.choice(COLOURS), rng.choice(COLOURS)
    image = Image.new("RGB", (800, 500))
    draw = ImageDraw.Draw(image)
    for y in range(500):
        t = y / 499
        draw.line([(0, y), (800, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(
            top, bottom, strict=True)))
    for _ in range(6):
        x, y, r = rng.randint(0, 800), rng.randint(150, 500), rng.randint(20, 90)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice(COLOURS), outline="white")
    draw.rectangle([20, 20, 360, 70], fill=(255, 255, 255))
    draw.text((32, 36), f"{example.unit.code} {clock.local(example.at):%Y-%m-%d} #{n + 1}",
              fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


_CLIPS: dict[str, bytes] = {}


def _clip(kind: str) -> bytes | None:
    """A two-second test video (or a one-second tone) made by ffmpeg, cached per process."""
    if kind not in _CLIPS:
        source = (["-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=12",
                   "-pix_fmt", "yuv420p", "-movflags", "+faststart", "clip.mp4"]
                  if kind == "video" else
                  ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "clip.mp3"])
        with tempfile.TemporaryDirectory() as folder:
            result = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *source],
                                    cwd=folder, capture_output=True, timeout=60, check=False)
            out = Path(folder) / source[-1]
            _CLIPS[kind] = out.read_bytes() if result.returncode == 0 and out.exists() else b""
    return _CLIPS[kind] or None


def _dual(item: Item, example: Example, people, columns, rng) -> None:
    """Backdate the obligation, and play the department's side of it."""
    obligation = db.session.scalar(select(DualReport).where(DualReport.source_item_id == item.id))
    if obligation is None:
        return
    obligation.created_at = item.first_submitted_at
    obligation.due_at = dual.due_from(item.first_submitted_at)
    for event in item.events:
        if event.action == "dual_open":
            event.comment = (f"{obligation.department.name} 须在 {dual.due_text(obligation)}"
                             " 前报送本部门信息")
    department = obligation.department
    officer = people.get((department.id, Role.officer))
    leader = people.get((department.id, Role.leader))
    reviewer = next(u for (_, role), u in people.items() if role == Role.reviewer)
    start = item.first_submitted_at + timedelta(hours=20)
    if "contest" in example.extra:
        dual.contest(officer, obligation, example.extra["contest"])
        _last_event(item).at = start
        if "ruling" in example.extra:
            dual.rule(reviewer, obligation, "waive", example.extra["ruling"])
            obligation.ruled_at = start + timedelta(hours=26)
            _last_event(item).at = obligation.ruled_at
    response_path = example.extra.get("response")
    if response_path:
        response = dual.start_response(officer, obligation)
        response.external_id = f"{example.key}:response"
        response.body_html = services.body_from_input(
            f"{department.name}{example.body.rstrip('。')}，部门派员全程参与并加强后续监管。")
        response.title = f"{department.name}配合{item.unit.name}" + item.title.removeprefix(
            item.unit.name)
        _last_event(item).at = start
        steps = _walk(response, PATHS[response_path],
                      {"officer": officer, "leader": leader, "reviewer": reviewer}, rng)
        _backdate(response, start, steps)
        if obligation.fulfilled_at is not None:
            obligation.fulfilled_at = response.first_submitted_at
            for event in item.events:
                if event.action == "dual_fulfil":
                    event.at = response.first_submitted_at
    db.session.flush()


def _last_event(item: Item) -> ItemEvent:
    return db.session.scalar(select(ItemEvent).where(ItemEvent.item_id == item.id)
                             .order_by(ItemEvent.id.desc()).limit(1))
