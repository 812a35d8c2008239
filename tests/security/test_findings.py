"""The findings of the penetration test (issue 14), each with the test that showed it.

Written before the fixes, as Plone does for its security fixes: each failed on the code
that had the hole.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from flask import g
from openpyxl import load_workbook

from portal.accounts.models import Role
from portal.extensions import db
from portal.submissions import media as media_files
from portal.submissions.models import ItemKind

# ---------------------------------------------------------------- open redirect


@pytest.mark.parametrize("target", [
    "/%09/evil.example/x", "/\t/evil.example/x", "//evil.example", "/\\evil.example",
    "\\\\evil.example", "https://evil.example/", "/%0d%0aSet-Cookie:x=1", "/\n/evil.example",
    "javascript:alert(1)", "/%5Cevil.example", " //evil.example",
])
def test_the_care_mode_switch_never_leaves_the_site(client, target):
    for mode in ("on", "off"):
        resp = client.get(f"/care-mode/{mode}", query_string={"next": target})
        assert resp.status_code == 302
        location = resp.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "evil" not in location and "\n" not in location and "\t" not in location


def test_the_care_mode_switch_keeps_a_local_page(client):
    resp = client.get("/care-mode/on", query_string={"next": "/column/news?page=2"})
    assert resp.headers["Location"] == "/column/news?page=2"


# ---------------------------------------------------------------- logout


def test_a_copied_session_cookie_is_dead_after_logout(app, client, login, make_user):
    officer = make_user(Role.officer)
    login(officer)
    assert client.get("/desk/submissions").status_code == 200
    with client.session_transaction() as sess:
        copied = dict(sess)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as sess:
        sess.update(copied)
    g.pop("_login_user", None)  # test requests share the test's app context
    assert thief.get("/desk/submissions").status_code == 302  # to the login page


# ---------------------------------------------------------------- formula injection


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_cells_never_hold_a_live_formula(prefix):
    from portal.monitor.exports import csv_bytes, xlsx

    evil = f'{prefix}HYPERLINK("http://evil.example","点我")'
    ws = load_workbook(io.BytesIO(xlsx("t", ["标题", "数"], [[evil, -3]]))).active
    cell = ws["A2"]
    # (openpyxl stores a carriage return as a line feed)
    assert cell.data_type == "s" and cell.value[0] == "'" and cell.value[2:] == evil[1:]
    assert ws["B2"].value == -3  # numbers stay numbers
    rows = list(csv.reader(io.StringIO(csv_bytes(["标题"], [[evil]]).decode("utf-8-sig"),
                                       newline="")))
    assert rows[1] == ["'" + evil]


# ---------------------------------------------------------------- odd input


@pytest.mark.parametrize("url", [
    "/items/99999999999999999999", "/media/99999999999999999999/file",
    "/desk/items/99999999999999999999", "/column/news?page=9223372036854775807",
    "/column/news?page=99999999999999999999999", "/search?q=县&page=9223372036854775807",
    "/unit/99999999999999999999",
])
def test_huge_numbers_are_not_found_not_a_server_error(client, login, make_user, url):
    login(make_user(Role.reviewer))
    assert client.get(url).status_code in (302, 404)


# ---------------------------------------------------------------- request bodies


def test_an_anonymous_big_post_is_refused_before_it_is_read(client):
    big = b"x" * (3 * 1024 * 1024)
    resp = client.post("/messages/new", data=b"body=" + big, csrf=False,
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 413
    resp = client.post("/desk/items/1/media", csrf=False, data=big,
                       content_type="multipart/form-data; boundary=xyz")
    assert resp.status_code == 413


# ---------------------------------------------------------------- current password


def test_the_current_password_check_is_throttled(client, login, make_user):
    login(make_user(Role.officer))
    codes = [client.post("/account/password", data={
        "current": f"wrong-{i}", "password": "New-pass-2026-x", "confirm": "New-pass-2026-x",
    }).status_code for i in range(8)]
    assert 429 in codes and codes.index(429) <= 6, codes


# ---------------------------------------------------------------- media in caches


def test_published_media_is_revalidated_not_cached_for_a_day(app, client, make_user, make_unit,
                                                            make_item):
    from portal.submissions.models import Media

    unit = make_unit()
    item = make_item(unit, published="2026-11-02 09:00")
    root = Path(app.instance_path) / "media" / "2026" / "11"
    root.mkdir(parents=True)
    (root / "a.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    row = Media(item=item, kind="image", path="2026/11/a.jpg", mime="image/jpeg", size=103,
                sha256="0" * 64, caption="图", original_filename="a.jpg", position=0)
    db.session.add(row)
    db.session.commit()
    resp = client.get(f"/media/{row.id}/file")
    assert resp.status_code == 200
    cache = resp.headers["Cache-Control"]
    resp.close()
    assert "no-cache" in cache and "max-age=86400" not in cache


# ---------------------------------------------------------------- location in video/audio


@pytest.mark.skipif(not media_files.ffmpeg_available(), reason="needs ffmpeg")
@pytest.mark.parametrize("kind, ext, args", [
    ("video", "mp4", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
                      "-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("audio", "m4a", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"]),
])
def test_video_and_audio_lose_their_location_and_other_metadata(tmp_path, kind, ext, args):
    tagged = tmp_path / f"phone.{ext}"
    subprocess.run(["ffmpeg", "-loglevel", "error", *args,
                    "-metadata", "location=+39.9042+116.4074/",
                    "-metadata", "com.apple.quicktime.location.ISO6709=+39.9042+116.4074/",
                    "-metadata", "title=张三的手机", "-metadata", "artist=张三",
                    "-movflags", "use_metadata_tags", str(tagged)], check=True)
    assert b"39.9042" in tagged.read_bytes()
    with tagged.open("rb") as f:
        stored = media_files.save_upload(f, tagged.name, kind, tmp_path / "media")
    data = (tmp_path / "media" / stored.path).read_bytes()
    assert b"39.9042" not in data and "张三".encode() not in data
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags",
                            "-of", "json", str(tmp_path / "media" / stored.path)],
                           capture_output=True, text=True, check=True).stdout
    assert "location" not in probe and "39.9042" not in probe
    assert stored.duration and stored.duration > 0.5
    if kind == "video":  # faststart: the index (moov) comes before the data (mdat)
        assert data.index(b"moov") < data.index(b"mdat")


def test_item_kinds_are_as_the_media_tests_expect():
    assert {ItemKind.video, ItemKind.audio} <= set(ItemKind)
