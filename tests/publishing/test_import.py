"""``flask import-items FILE.jsonl``: good lines kept, bad lines reported, idempotent, indexed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.search import service as search
from portal.submissions.models import Item, ItemEvent, ItemKind, ItemStatus


def line(**fields) -> str:
    record = {"external_id": "old-1", "title": "县政府召开安全生产工作会议",
              "body": "<p>会议部署冬季安全生产工作。</p>", "column": "news", "unit": "yjj",
              "kind": "text", "submitted_at": "2019-05-01T09:00:00+08:00",
              "published_at": "2019-05-01T10:30:00+08:00"}
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False)


def write(tmp_path, lines) -> str:
    path = tmp_path / "old-site.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def items() -> list[Item]:
    db.session.expire_all()
    return db.session.scalars(select(Item).order_by(Item.external_id)).all()


def test_good_lines_are_imported_published_and_indexed(runner, tmp_path, unit):
    path = write(tmp_path, [
        line(),
        line(external_id="old-2", title="2019年春耕生产动员会", column="政府文件",
             unit="县应急管理局", kind="图片", body="<p>动员<script>alert(1)</script>会</p>"),
        line(external_id="old-3", title="已撤下的旧信息", status="withdrawn"),
    ])
    result = runner.invoke(args=["import-items", path])
    assert result.exit_code == 0, result.output
    assert "共读取 3 行：导入 3 条，已存在跳过 0 条，出错 0 行。" in result.output
    first, second, third = items()
    assert first.status == ItemStatus.published and first.column.slug == "news"
    assert first.published_at == datetime(2019, 5, 1, 2, 30, tzinfo=UTC)
    assert first.first_submitted_at == datetime(2019, 5, 1, 1, 0, tzinfo=UTC)
    assert second.column.slug == "documents" and second.kind == ItemKind.image
    assert second.unit_id == unit.id
    assert "<script>" not in second.body_html and "alert" not in second.body_html
    assert third.status == ItemStatus.withdrawn and third.withdrawn_at is not None
    [event] = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == first.id)).all()
    assert event.action == "import" and "old-1" in event.comment
    index = search.get_index()
    assert index.search("安全生产").total == 1 and index.search("2019年").total == 1
    assert index.search("旧信息").total == 0  # withdrawn: not public


def test_import_is_idempotent_by_external_id(runner, tmp_path, unit):
    path = write(tmp_path, [line(), line(external_id="old-2")])
    runner.invoke(args=["import-items", path])
    again = runner.invoke(args=["import-items", path])
    assert "导入 0 条，已存在跳过 2 条" in again.output
    assert len(items()) == 2


def test_bad_lines_are_reported_with_numbers_and_good_lines_kept(runner, tmp_path, unit):
    path = write(tmp_path, [
        line(external_id="ok-1"),
        "{not json",
        line(external_id="bad-col", column="no-such-column"),
        line(external_id="bad-unit", unit="不存在的局"),
        line(external_id="bad-time", published_at="2019-05-01T10:30:00"),
        line(external_id="bad-kind", kind="movie"),
        line(external_id="missing", title=...),
        "",
        line(external_id="bad-status", status="draft"),
        line(external_id="page-col", column="profile"),
        line(external_id="before", published_at="2019-04-30T10:00:00+08:00"),
        "[1, 2]",
        line(external_id="ok-2", title="第二条好的信息"),
        line(external_id="x" * 101),
    ])
    result = runner.invoke(args=["import-items", path])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "第 2 行：不是有效的 JSON" in out
    assert "第 3 行：栏目不存在：no-such-column" in out
    assert "第 4 行：单位不存在：不存在的局" in out
    assert "第 5 行：字段 published_at 须带时区偏移" in out
    assert "第 6 行：类型无效：movie" in out
    assert "第 7 行：缺少字段：title" in out
    assert "第 9 行：状态无效：draft" in out
    assert "第 10 行：栏目「县情风貌」不发布信息条目" in out
    assert "第 11 行：published_at 早于 submitted_at" in out
    assert "第 12 行：每行应为一个 JSON 对象" in out
    assert "第 14 行：字段 external_id 超过 100 个字符" in out
    assert "第 8 行" not in out  # a blank line is not an error
    assert "共读取 14 行：导入 2 条，已存在跳过 0 条，出错 11 行。" in out
    assert [i.external_id for i in items()] == ["ok-1", "ok-2"]


def test_missing_file_and_wrong_encoding_are_refused(runner, tmp_path):
    assert runner.invoke(args=["import-items", str(tmp_path / "none.jsonl")]).exit_code != 0
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(line().encode("gbk"))
    result = runner.invoke(args=["import-items", str(path)])
    assert result.exit_code != 0 and "不是 UTF-8 编码" in result.output
    assert items() == []
