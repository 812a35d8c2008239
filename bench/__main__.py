"""County-scale benchmark: ``make bench`` (``BENCH_ARGS="--items 5000 --duration 3"`` for a
quick run).

1. Builds, once and deterministically, a county of ten years: 150 units, 100,000
   published items of realistic length and every kind, 30,000 citizen messages and
   2,000 small images, in an instance folder of its own (``instance/bench-…``), reused
   by the next run with the same sizes; and its search index, once per index format
   (timing the full rebuild).
2. Checks search recall on the whole corpus: strings of 2–6 Chinese characters cut from
   the documents must find every document that contains them (``search_recall``).
3. Times one monitor month run in-process (seconds and SQL statements), and each public
   page rendered afresh, one request at a time, with the page cache off (what every
   page costs once after a publication).
4. Serves the county with gunicorn (2 sync workers, SQLite or
   ``PORTAL_BENCH_DATABASE_URL``) and drives it from a separate process with ``wrk``
   (``-t2 -c16``, asking for brotli/gzip as browsers do): a static file (the baseline of
   the same run), home, a column's first and 500th page, an item, a unit page, the
   message board, a feed, the sitemap, and a fixed set of searches (common and rare
   words, two words, quoted phrases, OR/NOT; one connection per worker, see ``main``).
5. Reads each worker's resident memory after the load.

Prints one table (target, pass/fail per line) and writes it as JSON to
``<folder>/results.json``. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event, insert, select
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
TOWNS = ["城关", "东关", "西城", "柳河", "桃源", "青山", "石桥", "白沙", "枫林", "龙泉", "双河",
         "杨庄"]
TOPICS = ["安全生产", "乡村振兴", "人居环境整治", "防汛抗旱", "森林防火", "营商环境", "医保政策",
          "中考招生", "河长制", "退役军人服务", "低保审核", "疫情防控", "耕地保护", "燃气安全",
          "食品安全", "家庭医生签约", "农村公路", "就业援助"]
SENTENCES = [
    "会议要求各部门压实责任，确保各项措施落实到位。",
    "检查组深入一线，对重点区域和薄弱环节逐一排查。",
    "全年共完成投资三千二百万元，惠及群众一万余人。",
    "下一步将继续完善长效机制，巩固提升工作成效。",
    "现场共发放宣传资料八百余份，解答群众咨询一百二十人次。",
    "各乡镇要结合实际，制定具体实施方案，明确时间节点。",
    "对排查发现的问题建立台账，实行销号管理，限期整改到位。",
    "活动得到了广大群众的积极参与和一致好评。",
]
SEARCHES = ["安全生产", "乡村振兴", "防汛", "退役军人", "家庭医生签约服务", "燃气",
            "安全生产 隐患", "乡村振兴 产业", '"压实责任"', '"限期整改到位"',
            "防汛 OR 抗旱", "安全 NOT 燃气", "考招", "府召开"]
ANCHOR = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
# A page rendered afresh (after a publication, nothing cached) within a quarter second.
UNCACHED_MS = 250.0  # "now" of the county, for determinism


def _targets(static_rps: float) -> dict[str, tuple[str, float]]:
    half = 0.5 * static_rps
    page = {"rps": (">=", half), "p99_ms": ("<=", 50.0)}
    return {
        "home": page, "column p1": page, "column p500": page, "item": page,
        "unit": page, "message board": page, "feed": page, "sitemap": page,
        "search (query set)": {"p50_ms": ("<=", 100.0), "p99_ms": ("<=", 400.0)},
    }


# ---- building the county -----------------------------------------------------------------

def _png(rnd: random.Random) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
              ).save(buf, "PNG")
    return buf.getvalue()


def build_county(units_n: int, items_n: int, messages_n: int, images_n: int, years: int,
                 media_root: Path) -> None:
    """Insert units, items, media and messages in bulk (not through the services)."""
    from portal.accounts.models import Unit, UnitKind
    from portal.extensions import db
    from portal.messages.models import Category, Message, MessageStatus
    from portal.site.models import Column, ColumnKind, ensure_default_columns
    from portal.submissions.models import Item, ItemKind, ItemStatus, Media

    ensure_default_columns()
    rnd = random.Random(2026)
    db.session.add(Unit(code="center", name="网络信息中心", kind=UnitKind.center, counted=False))
    for i in range(units_n):
        kind = UnitKind.township if i < units_n // 3 else UnitKind.department
        name = f"{rnd.choice(TOWNS)}{'镇' if kind == UnitKind.township else '局'}{i:03d}"
        db.session.add(Unit(code=f"U{i:03d}", name=name, kind=kind,
                            created_at=ANCHOR - timedelta(days=365 * years)))
    db.session.commit()
    unit_ids = db.session.scalars(select(Unit.id).where(Unit.kind != UnitKind.center)).all()
    columns = db.session.scalars(select(Column).where(Column.open_to_submissions)).all()
    gallery = [c.id for c in columns if c.kind == ColumnKind.gallery] or [columns[0].id]
    video = [c.id for c in columns if c.kind == ColumnKind.video] or [columns[0].id]
    text_columns = [c.id for c in columns if c.kind in (ColumnKind.news, ColumnKind.notices)]
    span = years * 365 * 24 * 60
    image_every = max(1, items_n // max(1, images_n))

    def items():
        for n in tqdm(range(items_n), desc="信息", unit="条"):
            at = ANCHOR - timedelta(minutes=rnd.randrange(span))
            topic = rnd.choice(TOPICS)
            kind = (ItemKind.image if n % image_every == 0 and n // image_every < images_n
                    else rnd.choices([ItemKind.text, ItemKind.video, ItemKind.audio],
                                     [0.9, 0.06, 0.04])[0])
            column_id = (rnd.choice(gallery) if kind == ItemKind.image else
                         rnd.choice(video) if kind == ItemKind.video
                         else rnd.choice(text_columns))
            paragraphs = "".join(
                f"<p>{at:%Y年%m月%d日}，围绕{topic}工作，"
                + "".join(rnd.choices(SENTENCES, k=rnd.randint(2, 6))) + "</p>"
                for _ in range(rnd.randint(1, 8)))
            yield dict(
                kind=kind, title=f"{rnd.choice(TOWNS)}扎实推进{topic}工作（{n}）",
                summary=f"部署{topic}重点任务。", body_html=paragraphs, column_id=column_id,
                unit_id=rnd.choice(unit_ids), created_at=at, updated_at=at,
                first_submitted_at=at, submitted_at=at, published_at=at + timedelta(hours=3),
                status=ItemStatus.published, urgent=rnd.random() < 0.01, event_place="")

    _insert(Item, items())
    db.session.commit()
    media_root.mkdir(parents=True, exist_ok=True)
    image_items = db.session.scalars(select(Item.id).where(Item.kind == ItemKind.image)
                                     .order_by(Item.id)).all()
    rows = []
    for item_id in tqdm(image_items, desc="图片", unit="张"):
        data = _png(rnd)
        path = f"bench/{item_id}.png"
        (media_root / "bench").mkdir(exist_ok=True)
        (media_root / path).write_bytes(data)
        rows.append(dict(item_id=item_id, kind="image", path=path, mime="image/png",
                         size=len(data), sha256="0" * 64, width=64, height=48, thumb=path,
                         page=path, caption="现场图片", position=0,
                         original_filename="photo.png", created_at=ANCHOR))
    _insert(Media, rows)
    categories = list(Category)

    def messages():
        for n in tqdm(range(messages_n), desc="留言", unit="条"):
            at = ANCHOR - timedelta(minutes=rnd.randrange(span))
            unit_id = rnd.choice(unit_ids)
            answered = rnd.random() < 0.9
            topic = rnd.choice(TOPICS)
            yield dict(
                number=f"B{n:06d}", category=rnd.choice(categories),
                status=MessageStatus.answered if answered else MessageStatus.accepted,
                addressed_unit_id=unit_id, unit_id=unit_id, subject=f"关于{topic}的咨询",
                body="请问相关政策如何办理？", public_subject=f"关于{topic}的咨询",
                public_body="请问相关政策如何办理？", name="张三", phone="13800000000",
                publish_allowed=True, public=True, code_hash="x", created_at=at,
                accepted_at=at, due_at=at + timedelta(days=7),
                answered_at=at + timedelta(days=3) if answered else None)

    _insert(Message, messages())
    db.session.commit()


def _insert(model, rows, size: int = 5000) -> None:
    """Bulk-insert ``rows`` (dicts) into ``model``'s table, ``size`` at a time."""
    from portal.extensions import db

    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            db.session.execute(insert(model), batch)
            batch = []
    if batch:
        db.session.execute(insert(model), batch)


# ---- measuring ---------------------------------------------------------------------------

def search_recall(index, samples: int) -> dict:
    """Recall of the index against plain substring containment, on the whole corpus.

    ``samples`` strings of 2–6 Chinese characters are cut at random from the documents
    (words, parts of words, spans across words).  For each, the documents whose title or
    body contains it are counted by brute force; the quoted string must find exactly
    that many (a phrase finds only documents containing it), the unquoted one at least
    as many, and where at most 100 documents contain it both must find exactly those.
    """
    from portal.search import service as search

    docs, total = search.all_documents()
    texts = [(doc["id"], doc.get("title") or "", doc.get("body") or "")
             for doc in tqdm(docs, total=total, desc="召回", unit="篇")]
    rnd = random.Random(7)
    runs = [run for _, title, body in rnd.sample(texts, min(2000, len(texts)))
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", title + "。" + body)]
    strings: set[str] = set()
    while runs and len(strings) < samples:
        run = rnd.choice(runs)
        size = rnd.randint(2, min(6, len(run)))
        start = rnd.randrange(len(run) - size + 1)
        strings.add(run[start:start + size])
    missed = []
    for text in tqdm(sorted(strings), desc="召回核对", unit="条"):
        containing = {doc_id for doc_id, title, body in texts if text in title or text in body}
        quoted = index.search(f'"{text}"', pagelen=100)
        plain = index.search(text, pagelen=100)
        ok = quoted.total == len(containing) and plain.total >= len(containing)
        if ok and len(containing) <= 100:
            ok = {h.id for h in quoted.hits} == containing
            if plain.total <= 100:
                ok = ok and containing <= {h.id for h in plain.hits}
        if not ok:
            missed.append(text)
    value = 100.0 * (len(strings) - len(missed)) / max(1, len(strings))
    return {"value": value, "target": (">=", 100.0), "strings": len(strings),
            "missed": missed[:20]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LAT = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(base: str, paths: list[str], duration: int, connections: int) -> dict:
    """Run wrk against ``paths`` (round robin) and read req/s, p50 and p99 (ms)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = ", ".join(json.dumps(p) for p in paths)
        # As a browser asks: compressed if the portal compresses.
        script.write(f"local paths = {{{quoted}}}\nlocal i = 0\n"
                     'local headers = {["Accept-Encoding"] = "br, gzip"}\n'
                     "request = function()\n  i = i % #paths + 1\n"
                     "  return wrk.format(nil, paths[i], headers)\nend\n")
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
             "-s", script.name, base], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {pct: float(v) * _UNIT_MS[u] for pct, v, u in _LAT.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                        r"timeout (\d+)", out)
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "timeouts": sum(map(int, sockets.groups())) if sockets else 0}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--images", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per line")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--recall-samples", type=int, default=300,
                        help="strings sampled from the corpus for the recall check")
    parser.add_argument("--build-only", action="store_true",
                        help="build (or reuse) the county and its index, measure nothing")
    args = parser.parse_args(argv)

    from portal import clock, create_app
    from portal.extensions import db
    from portal.monitor import services
    from portal.search import service as search
    from portal.site.models import Column, ColumnKind
    from portal.submissions.models import Item

    folder = ROOT / "instance" / (f"bench-{args.units}u-{args.items}i-{args.messages}m-"
                                  f"{args.images}p-{args.years}y")
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'portal.db'}"
    config = {"SECRET_KEY": "bench", "DATABASE_URL": url, "INSTANCE_PATH": str(folder),
              "RATELIMIT_ENABLED": False, "BASE_URL": "http://bench.test"}
    app = create_app(config)
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                     "sizes": vars(args), "lines": {}}
    built = folder / "BUILT.json"
    with app.app_context():
        if not built.exists():
            db.drop_all()
            db.create_all()
            t = time.perf_counter()
            build_county(args.units, args.items, args.messages, args.images, args.years,
                         folder / "media")
            built.write_text(json.dumps({"build_s": time.perf_counter() - t}))
        indexed = folder / "INDEXED.json"
        state, _ = search.get_index().state()
        if state != "ok" or not indexed.exists():
            # Built once per county and search engine: a new index format rebuilds it.
            docs, total = search.all_documents()
            t = time.perf_counter()
            with tqdm(total=total, desc="索引", unit="篇") as bar:
                search.get_index().rebuild(docs, total=total,
                                           progress=lambda done: bar.update(done - bar.n))
            indexed.write_text(json.dumps({"documents": total,
                                           "rebuild_s": time.perf_counter() - t}))
        info = json.loads(indexed.read_text())
        print(f"county: {folder} ({info['documents']} documents)")
        results["lines"]["search rebuild (s)"] = {"value": info["rebuild_s"],
                                                  "target": ("<=", 240.0)}
        if args.build_only:
            return 0
        results["lines"]["search recall (%)"] = search_recall(search.get_index(),
                                                              args.recall_samples)
        statements = 0

        def count(*_a, **_k):
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        year, month = clock.previous_month()
        t = time.perf_counter()
        services.run_month(year, month)
        run_s = time.perf_counter() - t
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()  # measure only: the notice is not kept
        results["lines"]["monitor month run (s)"] = {"value": run_s, "target": ("<=", 1.0),
                                                     "statements": statements}
        item_id = db.session.scalar(select(Item.id).order_by(Item.id.desc()).limit(1))
        news = db.session.scalar(select(Column).where(Column.kind == ColumnKind.news))
        board = db.session.scalar(select(Column).where(Column.kind == ColumnKind.messages))
        in_news = db.session.query(Item).filter(Item.column_id == news.id).count()
        deep = min(500, max(1, in_news // app.config["PUBLISHING_PAGE_SIZE"]))
        news_slug, board_slug = news.slug, board.slug if board else None
        # After a publication every page is rendered afresh (once per worker, or once
        # with Redis): how long that takes, one request at a time, without the cache.
        app.config["PAGE_CACHE_ENABLED"] = False
        client = app.test_client()
        for name, path in (("home", "/"), ("column p1", f"/column/{news_slug}"),
                           (f"column p{deep}", f"/column/{news_slug}?page={deep}"),
                           ("item", f"/items/{item_id}"), ("feed", "/feed.atom"),
                           ("sitemap", "/sitemap.xml")):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                assert client.get(path).status_code == 200, path
                times.append(time.perf_counter() - t)
            results["lines"][f"{name} uncached (ms)"] = {
                "value": 1000 * sorted(times)[1], "target": ("<=", UNCACHED_MS)}
        db.engine.dispose()

    port = _free_port()
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(folder), "PORTAL_SECRET_KEY": "bench",
           "PORTAL_DATABASE_URL": url, "PORTAL_RATELIMIT_ENABLED": "false",
           "PORTAL_BASE_URL": "http://bench.test"}
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "portal:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    pages = {
        "static file": ["/static/css/portal.css"],
        "home": ["/"],
        "column p1": [f"/column/{news_slug}"],
        f"column p{deep}": [f"/column/{news_slug}?page={deep}"],
        "item": [f"/items/{item_id}"],
        "unit": ["/units/U001"],
        "message board": [f"/column/{board_slug}"] if board_slug else ["/"],
        "feed": ["/feed.atom"],
        "sitemap": ["/sitemap.xml"],
        "search (query set)": [f"/search?q={quote(q)}" for q in SEARCHES],
    }
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        measured = {}
        for name, paths in pages.items():
            # Searches are not cached: with more connections than workers their latency
            # would be mostly queueing (16 connections on 2 workers wait 8 deep). They
            # are measured with one connection per worker, every worker busy all along.
            connections = args.workers if name.startswith("search") else args.connections
            wrk(base, paths, 1, connections)  # warm-up (each worker's first render)
            measured[name] = wrk(base, paths, args.duration, connections)
            measured[name]["connections"] = connections
            print(f"  {name:20} {measured[name]['rps']:9.1f} req/s", flush=True)
        rss = [_rss_mb(pid) for pid in _workers(server.pid)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    static = measured.pop("static file")
    results["lines"]["static file"] = {**static}
    targets = _targets(static["rps"])
    targets[f"column p{deep}"] = targets.pop("column p500")
    for name, m in measured.items():
        results["lines"][name] = {**m, "targets": targets.get(name, {})}
    results["lines"]["worker memory (MB)"] = {"value": max(rss or [0]), "target": ("<=", 200.0),
                                              "each": rss}
    return report(results, folder)


def _ok(value, target) -> bool:
    op, limit = target
    return value is not None and (value >= limit if op == ">=" else value <= limit)


def report(results: dict, folder: Path) -> int:
    failed = False
    print(f"\n{'line':26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  target")
    for name, line in results["lines"].items():
        if "rps" in line:
            checks = [(k, t, _ok(line[k], t)) for k, t in line.get("targets", {}).items()]
            bad = line.get("non_2xx", 0) + line.get("timeouts", 0)
            text = ", ".join(f"{k} {op} {limit:.0f} {'ok' if ok else 'MISSED'}"
                             for k, (op, limit), ok in checks) or "baseline"
            if bad:
                text += f", {bad} errors/timeouts"
            failed |= any(not ok for *_, ok in checks) or bool(bad)
            print(f"{name:26} {line['rps']:9.1f} {line['p50_ms'] or 0:8.1f} "
                  f"{line['p99_ms'] or 0:8.1f}  {text}")
            line["pass"] = all(ok for *_, ok in checks) and not bad
        else:
            ok = _ok(line["value"], line["target"])
            line["pass"] = ok
            failed |= not ok
            extra = (f" ({line['statements']} SQL statements)" if "statements" in line
                     else f" ({line['strings']} strings)" if "strings" in line else "")
            print(f"{name:26} {line['value']:9.2f}{extra}  {line['target'][0]} "
                  f"{line['target'][1]:.0f} {'ok' if ok else 'MISSED'}")
    results["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\n{folder / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
