"""Units and accounts of the example county (示范县)."""

from sqlalchemy import select

from ..demo import DEMO_PASSWORD, seeder
from ..extensions import db
from . import passwords
from .models import Role, Unit, UnitKind, User

CENTER = ("center", "示范县网络信息中心")
TOWNSHIPS = ["城关镇", "东关街道", "西城街道", "柳河镇", "桃源镇", "青山镇", "石桥镇",
             "白沙乡", "枫林乡", "龙泉镇", "双河镇", "杨庄乡"]
DEPARTMENTS = ["县发展和改革局", "县教育局", "县公安局", "县民政局", "县财政局",
               "县人力资源和社会保障局", "县自然资源局", "县生态环境局", "县住房和城乡建设局",
               "县交通运输局", "县水利局", "县农业农村局", "县商务局", "县文化和旅游局",
               "县卫生健康委员会", "县退役军人事务局", "县应急管理局", "县市场监督管理局",
               "县医疗保障局", "县林业局", "县统计局", "县审计局"]


def demo_units() -> list[tuple[str, str, UnitKind]]:
    units = [(CENTER[0], CENTER[1], UnitKind.center)]
    units += [(f"T{i:02d}", n, UnitKind.township) for i, n in enumerate(TOWNSHIPS, 1)]
    units += [(f"D{i:02d}", n, UnitKind.department) for i, n in enumerate(DEPARTMENTS, 1)]
    return units


@seeder(10)
def seed_accounts() -> list[str]:
    hashed = passwords.hash_password(DEMO_PASSWORD)  # one scrypt hash shared by the examples
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    names = set(db.session.scalars(select(User.username)))
    for code, name, kind in demo_units():
        unit = existing.get(code)
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, counted=kind != UnitKind.center,
                        email=f"{code.lower()}@example-county.gov.cn")
            db.session.add(unit)
        people = ([("admin", Role.admin, "王管理"), ("reviewer1", Role.reviewer, "李审核"),
                   ("reviewer2", Role.reviewer, "赵审核"),
                   ("leader1", Role.leader, "孙主任")] if kind == UnitKind.center else
                  [(f"{code.lower()}-officer", Role.officer, f"{name}信息员"),
                   (f"{code.lower()}-leader", Role.leader, f"{name}分管领导")])
        for username, role, person in people:
            if username not in names:
                db.session.add(User(username=username, name=person, unit=unit, role=role,
                                    email=f"{username}@example-county.gov.cn",
                                    password_hash=hashed))
    return [
        "示例县登录账号（密码均为 " + DEMO_PASSWORD + "）：",
        "  管理员 admin；审核员 reviewer1、reviewer2；中心领导（通报审签）leader1",
        "  乡镇信息员 t01-officer … t12-officer，分管领导 t01-leader …",
        "  部门信息员 d01-officer … d22-officer，分管领导 d01-leader …",
    ]
