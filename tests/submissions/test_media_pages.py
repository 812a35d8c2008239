"""Media through the pages: uploads refused or kept, files served with Range, the sweep."""

import io
import os
import struct
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from portal.extensions import db
from portal.submissions import media as media_files
from portal.submissions import services, workflow
from portal.submissions.models import ItemStatus, Media
from tests.submissions.factories import jpeg, make_item, move

S = ItemStatus


def root(app) -> Path:
    return Path(app.instance_path) / "media"


def files_on_disk(app) -> list[str]:
    base = root(app)
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()) \
        if base.exists() else []


def post_file(client, item, data: bytes, filename: str, caption="现场照片"):
    return client.post(f"/desk/items/{item.id}/media", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), "caption": caption})


def fetch(client, url, **kwargs):
    """GET a file and close the response (send_file keeps the file open until then)."""
    with client.get(url, **kwargs) as r:
        r.data  # noqa: B018  (read before closing)
        return r


def png(size=(320, 200), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


FTYP = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41")
TIFF = io.BytesIO()
Image.new("RGB", (64, 64)).save(TIFF, "TIFF")

BAD_FILES = [
    ("image", png((8000, 6000), "1"), "bomb.png", "图片尺寸过大"),
    ("image", jpeg()[:2000], "cut.jpg", "图片文件已损坏或不完整"),
    ("image", png() + b"<script>alert(document.cookie)</script>", "chart.png",
     "末尾附带了图片以外的数据"),
    ("image", TIFF.getvalue(), "scan.tif", "只接受 JPEG、PNG、GIF、WebP 格式的图片"),
    ("image", TIFF.getvalue(), "scan.jpg", "只接受 JPEG、PNG、GIF、WebP 格式的图片"),
    ("image", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.svg", "只接受 JPEG、PNG、GIF、WebP 格式的图片"),
    ("video", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "clip.mp4",
     "只接受 MP4、WebM 格式的视频"),
    ("video", FTYP, "header-only.mp4", "视频文件已损坏或不完整"),
    ("video", FTYP + box(b"moov", bytes(100)) + struct.pack(">I4s", 5000, b"mdat") + bytes(800),
     "truncated.mp4", "视频文件已损坏或不完整"),
    ("image", jpeg((1600, 1200), (200, 30, 30)) + os.urandom(60_000), "huge.jpg",
     "图片文件过大，上限为 50 KB"),
]


@pytest.mark.parametrize("kind, data, filename, message", BAD_FILES,
                         ids=["bomb", "truncated-jpeg", "png-script", "tiff", "tiff-as-jpg",
                              "svg", "html-as-mp4", "header-only-mp4", "truncated-mp4",
                              "oversize"])
def test_bad_files_are_refused_with_a_message_and_leave_nothing(app, client, login, county,
                                                                 kind, data, filename, message):
    app.config["IMAGE_MAX_MB"] = 50 / 1024
    # A text item takes photos; a video item its one video.
    item = make_item(county.officer, kind="text" if kind == "image" else kind,
                     column_slug="video" if kind == "video" else "news")
    login(county.officer)
    r = post_file(client, item, data, filename)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert message in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Media)) == 0
    assert files_on_disk(app) == []


def test_an_image_needs_a_caption(app, client, login, county):
    item = make_item(county.officer)
    login(county.officer)
    r = post_file(client, item, jpeg(), "photo.jpg", caption="")
    assert r.status_code == 400 and "请填写图片说明" in r.get_data(as_text=True)
    assert files_on_disk(app) == []


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 9.0)})
    return jpeg((1600, 1000), exif=exif.tobytes())


def test_gps_is_removed_from_every_served_version_of_a_photo(app, client, login, county):
    data = _gps_jpeg()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry a location
    item = make_item(county.officer)
    login(county.officer)
    assert post_file(client, item, data, "IMG_0001.JPG").status_code == 302
    row = db.session.scalar(db.select(Media))
    for variant in ("file", "page", "thumb"):
        r = fetch(client, f"/media/{row.id}/{variant}")
        assert r.status_code == 200 and r.mimetype == "image/jpeg"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        with Image.open(io.BytesIO(r.data)) as served:
            assert dict(served.getexif()) == {} and "exif" not in served.info, variant
        assert b"PhoneMaker" not in r.data


def test_files_are_served_with_range_requests_and_kept_private_until_published(
        app, client, login, county, actors):
    item = make_item(county.officer, kind="image", column_slug="gallery")
    row = item.media[0]
    login(county.officer)
    r = fetch(client, f"/media/{row.id}/file", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and len(r.data) == 100
    assert r.headers["Content-Range"] == f"bytes 0-99/{row.size}"
    assert r.headers["Cache-Control"] == "private, no-cache"
    client.post("/logout")
    assert fetch(client, f"/media/{row.id}/file").status_code == 404
    move(item, S.published, actors)
    r = fetch(client, f"/media/{row.id}/thumb")
    assert r.status_code == 200 and "public" in r.headers["Cache-Control"]
    # Media are never compressed, whole or in ranges, whatever the browser accepts.
    for headers in ({}, {"Range": "bytes=0-99"}):
        r = fetch(client, f"/media/{row.id}/file", headers={"Accept-Encoding": "br, gzip",
                                                             **headers})
        assert r.status_code in (200, 206) and "Content-Encoding" not in r.headers
        assert r.data == (services.media_root() / row.path).read_bytes()[:len(r.data)]
    workflow.apply(item, "withdraw", county.reviewer, "撤稿")
    db.session.commit()
    assert fetch(client, f"/media/{row.id}/file").status_code == 404


@pytest.mark.skipif(not media_files.ffmpeg_available(), reason="ffmpeg not installed")
def test_a_video_is_stored_with_its_poster_and_seekable(app, client, login, county, tmp_path):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p",
                    str(tmp_path / "clip.mp4")], check=True)
    data = (tmp_path / "clip.mp4").read_bytes()
    item = make_item(county.officer, kind="video", column_slug="video")
    login(county.officer)
    assert post_file(client, item, data, "新闻.mp4", caption="").status_code == 302
    row = db.session.scalar(db.select(Media))
    assert (row.kind, row.mime, row.width, row.height) == ("video", "video/mp4", 160, 120)
    assert 1.5 < row.duration < 2.5
    # Stored remuxed without metadata (see tests/security), so compare with what is stored.
    from portal.submissions.services import media_root
    stored = (media_root() / row.path).read_bytes()
    r = fetch(client, f"/media/{row.id}/file", headers={"Range": "bytes=100-"})
    assert r.status_code == 206 and r.mimetype == "video/mp4" and r.data == stored[100:]
    assert r.headers["Accept-Ranges"] == "bytes"
    assert fetch(client, f"/media/{row.id}/poster").mimetype == "image/jpeg"
    # One video per item.
    r = post_file(client, item, data, "again.mp4", caption="")
    assert r.status_code == 400 and "只能有一个视频文件" in r.get_data(as_text=True)
    db.session.expire_all()
    assert len(item.media) == 1


def test_captions_order_and_removal(app, client, login, county):
    item = make_item(county.officer, kind="image", column_slug="gallery")
    login(county.officer)
    assert post_file(client, item, jpeg(colour=(200, 0, 0)), "two.jpg", "第二张").status_code \
        == 302
    first, second = sorted(item.media, key=lambda m: m.position)
    assert client.post(f"/desk/media/{second.id}/move", data={"direction": "up"}).status_code \
        == 302
    db.session.expire_all()
    assert [m.caption for m in item.media] == ["第二张", "会议现场"]
    r = client.post(f"/desk/media/{first.id}/caption", data={"caption": ""})
    assert "请填写图片说明" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(f"/desk/media/{first.id}/caption", data={"caption": "主席台"})
    db.session.expire_all()
    assert first.caption == "主席台"
    paths = [second.path, second.thumb, second.page]
    assert client.post(f"/desk/media/{second.id}/remove").status_code == 302
    db.session.expire_all()
    assert [m.caption for m in item.media] == ["主席台"]
    assert not any((root(app) / p).exists() for p in paths)
    history = [e.action for e in item.events]
    assert history.count("media_add") == 2 and history.count("media_remove") == 1


def test_files_of_an_upload_whose_transaction_rolls_back_are_removed(app, county):
    item = make_item(county.officer)
    before = files_on_disk(app)
    row = services.attach_media(county.officer, item, io.BytesIO(jpeg()), "a.jpg", "说明")
    assert (root(app) / row.path).exists()
    db.session.rollback()
    assert files_on_disk(app) == before


def test_media_sweep_lists_orphans_and_deletes_only_with_the_flag(app, runner, county):
    make_item(county.officer, kind="image", column_slug="gallery")
    kept = files_on_disk(app)
    orphan = root(app) / "2026" / "01" / "orphan.jpg"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(jpeg())
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    for path in kept:
        os.utime(root(app) / path, (old, old))
    result = runner.invoke(args=["media", "sweep"])
    assert result.exit_code == 0 and "2026/01/orphan.jpg" in result.output
    assert "试运行" in result.output and orphan.exists()
    result = runner.invoke(args=["media", "sweep", "--delete"])
    assert "已删除 1 个孤立文件" in result.output and not orphan.exists()
    assert files_on_disk(app) == kept


def test_a_refused_upload_names_the_file_at_the_top_and_keeps_the_text(client, login, county):
    from tests.submissions.test_items import form

    item = make_item(county.officer, kind="image", column_slug="gallery")
    login(county.officer)
    page = client.get(f"/desk/items/{item.id}/edit").get_data(as_text=True)
    # the upload's inputs belong to the text's form, so both are posted together
    assert 'form="item-form"' in page and 'formenctype="multipart/form-data"' in page
    data = {**form(kind="image", column_id=str(item.column_id), title="城关镇举办丰收节（改）"),
            "file": (io.BytesIO(b"not an image at all"), "丰收节.jpg"), "caption": "现场"}
    r = client.post(f"/desk/items/{item.id}/media", data=data,
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    banner = html.split('class="panel attention upload-refused" role="alert"')[1]
    assert banner.index("文件「丰收节.jpg」未能上传") < 200
    assert html.index("upload-refused") < html.index('id="item-form"')  # above the form
    assert "您填写的标题和正文已保存" in banner
    assert 'value="城关镇举办丰收节（改）"' in html
    db.session.expire_all()
    assert db.session.get(type(item), item.id).title == "城关镇举办丰收节（改）"
