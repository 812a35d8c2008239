"""County-scale benchmark: ``make bench`` (or ``python -m bench --items 20000``).

Builds a county the size of a real one (150 units, a year of items, citizen
messages) in a scratch instance folder, then measures what the targets are
about and prints each number beside its target:

* the monthly run (time and SQL statements; must not grow with units);
* the compliance month table and its XLSX export;
* public pages (home, a column, an item, search) through the WSGI app;
* a full search-index rebuild and query latency;
* the process's peak memory.

Exit status 1 when a target is missed. ``PORTAL_BENCH_DATABASE_URL`` runs it
on PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select

TARGETS = {
    "monitor run (s)": 10.0,
    "month table page (ms)": 800.0,
    "month XLSX export (ms)": 1500.0,
    "home page (ms)": 300.0,
    "column page (ms)": 300.0,
    "item page (ms)": 200.0,
    "search query (ms)": 500.0,
    "index rebuild (docs/s)": 150.0,
    "peak memory (MB)": 600.0,
}
TOWNS = ["城关", "东关", "西城", "柳河", "桃源", "青山", "石桥", "白沙", "枫林", "龙泉", "双河",
         "杨庄"]
TOPICS = ["安全生产", "乡村振兴", "人居环境整治", "防汛抗旱", "森林防火", "营商环境", "医保政策",
          "中考招生", "河长制", "退役军人服务", "低保审核", "疫情防控"]


def build_county(n_units: int, n_items: int, n_messages: int) -> None:
    """Insert units, items and messages quickly (bulk, not through the services)."""
    from portal import clock
    from portal.accounts.models import Unit, UnitKind
    from portal.extensions import db
    from portal.messages.models import Category, Message, MessageStatus
    from portal.site.models import Column, ensure_default_columns
    from portal.submissions.models import Item, ItemKind, ItemStatus

    ensure_default_columns()
    rnd = random.Random(2026)
    center = Unit(code="center", name="网络信息中心", kind=UnitKind.center, counted=False)
    db.session.add(center)
    units = []
    for i in range(n_units):
        kind = UnitKind.township if i < n_units // 3 else UnitKind.department
        name = f"{rnd.choice(TOWNS)}{'镇' if kind == UnitKind.township else '局'}{i:03d}"
        units.append(Unit(code=f"U{i:03d}", name=name, kind=kind))
    db.session.add_all(units)
    db.session.flush()
    columns = db.session.scalars(select(Column).where(Column.open_to_submissions)).all()
    now = clock.now()
    for n in range(n_items):
        at = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
        topic = rnd.choice(TOPICS)
        unit = rnd.choice(units)
        published = rnd.random() < 0.8
        db.session.add(Item(
            kind=ItemKind.text, title=f"{unit.name}召开{topic}工作会议（{n}）",
            summary=f"{unit.name}部署{topic}工作。",
            body_html=f"<p>{at:%Y年%m月%d日}，{unit.name}召开{topic}工作会议，研究部署下一阶段"
                      f"{topic}重点任务。会议要求各部门压实责任，确保各项措施落实到位。</p>" * 3,
            column=rnd.choice(columns), unit=unit, created_at=at, updated_at=at,
            first_submitted_at=at, submitted_at=at,
            published_at=at + timedelta(hours=3) if published else None,
            status=ItemStatus.published if published else ItemStatus.submitted,
            urgent=rnd.random() < 0.03))
        if n % 2000 == 1999:
            db.session.flush()
    for n in range(n_messages):
        at = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
        unit = rnd.choice(units)
        answered = rnd.random() < 0.85
        db.session.add(Message(
            number=f"B{n:06d}", category=rnd.choice(list(Category)), status=(
                MessageStatus.answered if answered else MessageStatus.accepted),
            addressed_unit=unit, unit=unit, subject=f"关于{rnd.choice(TOPICS)}的咨询",
            body="请问相关政策如何办理？", public_subject=f"关于{rnd.choice(TOPICS)}的咨询",
            public_body="请问相关政策如何办理？", name="张三", phone="13800000000",
            publish_allowed=True, public=True, code_hash="x", created_at=at, accepted_at=at,
            due_at=at + timedelta(days=7),
            answered_at=at + timedelta(days=3) if answered else None))
    db.session.commit()


def timed(fn, repeat: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args(argv)

    from portal import clock, create_app
    from portal.accounts.models import Role, Unit, UnitKind, User
    from portal.extensions import db
    from portal.monitor import services
    from portal.search import service as search
    from portal.submissions.models import Item, ItemStatus

    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{scratch / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "INSTANCE_PATH": str(scratch),
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    results: dict[str, float] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        t = time.perf_counter()
        build_county(args.units, args.items, args.messages)
        print(f"county built: {args.units} units, {args.items} items, {args.messages} messages "
              f"in {time.perf_counter() - t:.1f} s ({scratch})")

        statements = 0

        def count(*_a, **_k):
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        year, month = clock.previous_month()
        t = time.perf_counter()
        services.run_month(year, month)
        results["monitor run (s)"] = time.perf_counter() - t
        event.remove(db.engine, "before_cursor_execute", count)
        print(f"monitor run: {statements} SQL statements for {args.units} units")

        docs, total = search.all_documents()
        t = time.perf_counter()
        search.get_index().rebuild(docs, total=total)
        results["index rebuild (docs/s)"] = total / (time.perf_counter() - t)

        center = db.session.scalar(select(Unit).where(Unit.kind == UnitKind.center))
        admin = User(username="bench-admin", unit=center, role=Role.admin, name="管理员")
        db.session.add(admin)
        db.session.commit()
        item_id = db.session.scalar(select(Item.id).where(Item.status == ItemStatus.published)
                                    .limit(1))
        admin_session = admin.get_id()

    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = admin_session
    ym = f"{year}-{month:02d}"
    public = app.test_client()

    def get(c, path):
        def do():
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return do

    results["month table page (ms)"] = timed(get(client, f"/monitor/month/{ym}"))
    results["month XLSX export (ms)"] = timed(get(client, f"/monitor/month/{ym}?format=xlsx"))
    results["home page (ms)"] = timed(get(public, "/"))
    results["column page (ms)"] = timed(get(public, "/column/news?page=3"))
    results["item page (ms)"] = timed(get(public, f"/items/{item_id}"))
    results["search query (ms)"] = timed(get(public, "/search?q=安全生产"))
    results["peak memory (MB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    failed = False
    print(f"\n{'measure':28} {'value':>10} {'target':>10}")
    for name, value in results.items():
        target = TARGETS[name]
        ok = value >= target if name.endswith("docs/s)") else value <= target
        failed |= not ok
        print(f"{name:28} {value:10.1f} {target:10.1f}  {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
