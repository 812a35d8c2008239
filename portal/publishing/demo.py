"""The example county's page texts, its word check list, and a fresh search index."""

from __future__ import annotations

from sqlalchemy import select

from ..demo import seeder
from ..extensions import db
from ..site.models import Column
from . import services
from .models import TermKind, WordTerm

PROFILE = """
<h2>县情概况</h2>
<p>示范县位于省境中部，东西宽 48 公里，南北长 62 公里，总面积 2196 平方公里。全县辖 8 个镇、
3 个乡、2 个街道，187 个行政村、21 个社区，户籍人口 52.3 万人。县人民政府驻城关镇。</p>
<h2>历史沿革</h2>
<p>示范县历史悠久，西汉始置县，历代因之。1949 年 10 月解放后设示范县人民政府，
1983 年起隶属现地级市。</p>
<h2>自然资源</h2>
<p>境内属暖温带大陆性季风气候，年平均气温 14.2℃，年降水量 780 毫米。柳河、青山河两条河流
贯穿全境，森林覆盖率 38.6%，已探明煤炭、石灰岩、石英砂等矿产 17 种。</p>
<h2>经济社会发展</h2>
<ul>
<li>2025 年全县地区生产总值 286.4 亿元，同比增长 6.1%。</li>
<li>粮食播种面积 96 万亩，连续 12 年稳定在 90 万亩以上。</li>
<li>城镇居民人均可支配收入 41236 元，农村居民人均可支配收入 20458 元。</li>
</ul>
<h2>风土人情</h2>
<p>县内有省级文物保护单位 6 处，桃源古镇、青山森林公园为国家 AAAA 级旅游景区；
柳河剪纸、石桥花鼓列入省级非物质文化遗产名录。</p>
"""

SERVICES = """
<h2>办事指南</h2>
<ul>
<li>县政务服务中心：城关镇人民路 88 号，工作日 9:00–12:00、13:30–17:30（夏季 14:30–18:00）。</li>
<li>社保、医保、不动产登记、企业开办等 326 项事项实行“一窗受理、集成服务”。</li>
<li>可网上办理的事项请登录省政务服务网，选择“示范县”站点。</li>
</ul>
<h2>便民电话</h2>
<table>
<caption>常用服务电话</caption>
<thead><tr><th scope="col">服务</th><th scope="col">电话</th></tr></thead>
<tbody>
<tr><td>政务服务便民热线</td><td>12345</td></tr>
<tr><td>县政务服务中心咨询</td><td>0000-6123456</td></tr>
<tr><td>县医疗保障局医保咨询</td><td>0000-6234567</td></tr>
<tr><td>县人力资源和社会保障局社保咨询</td><td>0000-6345678</td></tr>
<tr><td>县供水公司报修</td><td>0000-6456789</td></tr>
</tbody>
</table>
<h2>常用查询</h2>
<ul>
<li>社保缴费、医保报销进度：携带身份证到县政务服务中心 3 号窗口查询。</li>
<li>市民留言办理结果：在本站“市民留言”栏目输入查询码查询。</li>
</ul>
"""

# Wrong forms of official names and other frequent slips (易错词), and wording
# that official guidance on 规范表述 asks to avoid (敏感词).
TERMS = [
    ("人名政府", TermKind.typo, "人民政府", "“民”误作“名”"),
    ("县人民政腐", TermKind.typo, "县人民政府", ""),
    ("国务院办工厅", TermKind.typo, "国务院办公厅", ""),
    ("国务院办公亭", TermKind.typo, "国务院办公厅", ""),
    ("中共中英", TermKind.typo, "中共中央", ""),
    ("中共中央办工厅", TermKind.typo, "中共中央办公厅", ""),
    ("全国人大长委会", TermKind.typo, "全国人大常委会", ""),
    ("全国人民代表大全", TermKind.typo, "全国人民代表大会", ""),
    ("社会主意", TermKind.typo, "社会主义", ""),
    ("两学一作", TermKind.typo, "两学一做", ""),
    ("四个意思", TermKind.typo, "四个意识", ""),
    ("不忘初衷", TermKind.typo, "不忘初心", "“不忘初心、牢记使命”"),
    ("精准扶平", TermKind.typo, "精准扶贫", ""),
    ("乡村振新", TermKind.typo, "乡村振兴", ""),
    ("安全生厂", TermKind.typo, "安全生产", ""),
    ("防汛抗汗", TermKind.typo, "防汛抗旱", ""),
    ("营商坏境", TermKind.typo, "营商环境", ""),
    ("人居坏境", TermKind.typo, "人居环境", ""),
    ("一如继往", TermKind.typo, "一如既往", ""),
    ("再接再励", TermKind.typo, "再接再厉", ""),
    ("按步就班", TermKind.typo, "按部就班", ""),
    ("截止目前", TermKind.typo, "截至目前", "表示“到某时为止”用“截至”"),
    ("台湾总统", TermKind.sensitive, "台湾地区领导人", "涉台用语规范"),
    ("台湾国", TermKind.sensitive, "中国台湾", "涉台用语规范"),
    ("中华民国", TermKind.sensitive, "", "涉台用语，须按规范表述"),
    ("港澳台国家", TermKind.sensitive, "港澳台地区", ""),
    ("香港政府", TermKind.sensitive, "香港特区政府", ""),
    ("澳门政府", TermKind.sensitive, "澳门特区政府", ""),
    ("北朝鲜", TermKind.sensitive, "朝鲜", "外交用语规范"),
    ("南朝鲜", TermKind.sensitive, "韩国", "外交用语规范"),
]


@seeder(40)
def seed_publishing() -> list[str]:
    lines = []
    for slug, text in (("profile", PROFILE), ("services", SERVICES)):
        column = db.session.scalar(select(Column).where(Column.slug == slug))
        if column is not None and not column.page_html:
            services.save_page(None, column, text)
            lines.append(f"已填写「{column.name}」页面。")
    have = {t.lower() for t in db.session.scalars(select(WordTerm.term))}
    added = 0
    for term, kind, suggestion, note in TERMS:
        if term.lower() not in have:
            services.save_term(None, term, kind, suggestion, note)
            added += 1
    if added:
        lines.append(f"错敏词 {added} 条。")
    return lines

