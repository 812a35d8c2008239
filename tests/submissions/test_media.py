"""Tests of portal.submissions.media.

Every file is generated here: images with Pillow, video and audio with ffmpeg
(those tests are skipped when ffmpeg/ffprobe are not installed), hostile files
by hand.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from portal.submissions import media
from portal.submissions.media import (
    Limits,
    MediaError,
    StoredMedia,
    media_paths,
    save_upload,
    sweep,
)

NOW = datetime(2026, 11, 5, 8, 30, tzinfo=UTC)
MB = 1024 * 1024
MARKER = "SECRET-7f3a"  # planted in every kind of image metadata
METADATA_KEYS = {"exif", "xmp", "icc_profile", "comment", "Comment", "XML:com.adobe.xmp"}

needs_ffmpeg = pytest.mark.skipif(
    not media.ffmpeg_available(), reason="ffmpeg/ffprobe not installed"
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


def upload(root: Path, data: bytes, filename: str, kind: str, **kwargs) -> StoredMedia:
    return save_upload(io.BytesIO(data), filename, kind, root, now=NOW, **kwargs)


def assert_nothing_left(root: Path) -> None:
    """Only the (empty) scratch directory may remain after a refusal."""
    assert [p for p in root.rglob("*") if p != root / ".tmp"] == []


def assert_refused(root: Path, data: bytes, filename: str, kind: str, match: str, **kwargs):
    with pytest.raises(MediaError, match=match):
        upload(root, data, filename, kind, **kwargs)
    assert_nothing_left(root)


def stored_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def describe(path: Path) -> dict:
    """Format, size, mode and metadata of an image file, read completely."""
    with Image.open(path) as im:
        im.load()
        exif = im.getexif()
        return {
            "format": im.format,
            "size": im.size,
            "mode": im.mode,
            "info": set(im.info),
            "exif": dict(exif),
            "gps": dict(exif.get_ifd(0x8825)),
        }


def image_bytes(fmt: str, size=(1600, 900), mode="RGB", **save_kwargs) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def box(box_type: bytes, payload: bytes = b"") -> bytes:
    """An ISO-BMFF box with a 32-bit size."""
    return struct.pack(">I4s", 8 + len(payload), box_type) + payload


def ftyp(major: bytes = b"isom", compatible: bytes = b"isomiso2mp41") -> bytes:
    return box(b"ftyp", major + b"\0\0\2\0" + compatible)


MOOV = box(b"moov", box(b"mvhd", bytes(100)))
MDAT_PAYLOAD = bytes(1000)
MINIMAL_MP4 = ftyp() + MOOV + box(b"mdat", MDAT_PAYLOAD)

MPEG1_FRAME = b"\xff\xfb\x90\x00" + bytes(413)  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417 bytes
MPEG2_FRAME = b"\xff\xf3\x80\x00" + bytes(204)  # MPEG-2 Layer III, 64 kbit/s, 22.05 kHz: 208 bytes
ID3_TAG = b"ID3\x04\x00\x00" + bytes([0, 0, 1, 0]) + bytes(128)  # synchsafe size 128


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, bytes]:
    """Real media made by ffmpeg: name -> file content."""
    if not media.ffmpeg_available():
        pytest.skip("ffmpeg/ffprobe not installed")
    out = tmp_path_factory.mktemp("samples")
    video = ["-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p"]
    sine = ["-f", "lavfi", "-i", "sine=duration=1"]
    recipes = {
        "mp4": [*video, "clip.mp4"],
        "webm": [*video, "-c:v", "libvpx", "clip.webm"],
        "mkv": [*video, "clip.mkv"],
        "mp3": [*sine, "tone.mp3"],
        "m4a": [*sine, "tone.m4a"],
        # ffmpeg 5.1 (Debian 12) writes a 90° display matrix for this tag.
        "rotated": ["-i", "clip.mp4", "-c", "copy", "-metadata:s:v", "rotate=90", "rotated.mp4"],
        # Written to a pipe, the Segment keeps its "unknown" size, as in live recordings.
        "live_webm": [*video, "-c:v", "libvpx", "-f", "webm", "pipe:1"],
    }
    samples = {}
    for name, args in recipes.items():
        result = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", *args],
            cwd=out, check=True, capture_output=True,
        )
        samples[name] = result.stdout if args[-1] == "pipe:1" else (out / args[-1]).read_bytes()
    return samples


# --- Images -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, filename, mime, extension",
    [
        ("JPEG", r"C:\Users\张三\照片.JPG", "image/jpeg", ".jpg"),
        ("PNG", "chart.png", "image/png", ".png"),
        ("GIF", "banner.gif", "image/png", ".png"),  # first frame, stored as PNG
        ("WEBP", "photo.webp", "image/webp", ".webp"),
    ],
)
def test_accepts_image_formats_and_writes_thumb_and_page_renditions(
    root, fmt, filename, mime, extension
):
    stored = upload(root, image_bytes(fmt), filename, "image")

    assert re.fullmatch(rf"2026/11/[0-9a-f]{{32}}\{extension}", stored.path)
    assert (stored.kind, stored.mime, stored.width, stored.height) == ("image", mime, 1600, 900)
    main = root / stored.path
    assert stored.size == main.stat().st_size
    assert stored.sha256 == hashlib.sha256(main.read_bytes()).hexdigest()
    assert stored.original_filename == filename.rsplit("\\", 1)[-1]
    assert describe(main)["size"] == (1600, 900)
    assert {name: describe(root / path)["size"] for name, path in stored.renditions.items()} == {
        "thumb": (320, 180),
        "page": (1200, 675),
    }
    assert stored_files(root) == sorted(media_paths(stored))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_strips_exif_gps_xmp_icc_and_comments_from_image_and_renditions(root, fmt):
    exif = Image.Exif()
    exif[0x010F] = MARKER  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 9.0)})
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{MARKER}</x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    kwargs = {"exif": exif, "icc_profile": icc}
    if fmt == "PNG":
        kwargs["pnginfo"] = info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp)
        info.add_text("Comment", MARKER)
    else:
        kwargs["xmp"] = xmp.encode()
    if fmt == "JPEG":
        kwargs["comment"] = MARKER
    data = image_bytes(fmt, **kwargs)
    source = describe(io.BytesIO(data))
    assert source["gps"] and {"exif", "xmp", "icc_profile"} <= source["info"]

    stored = upload(root, data, f"photo.{fmt.lower()}", "image")

    for path in media_paths(stored):
        found = describe(root / path)
        assert (found["exif"], found["gps"]) == ({}, {}), path
        assert not found["info"] & METADATA_KEYS, path
        assert MARKER.encode() not in (root / path).read_bytes(), path


def test_applies_exif_orientation_then_drops_it(root):
    # Left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    image = Image.new("RGB", (200, 100), "blue")
    image.paste("red", (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)

    stored = upload(root, buffer.getvalue(), "phone.jpg", "image")

    assert (stored.width, stored.height) == (100, 200)
    assert describe(root / stored.path)["exif"] == {}
    with Image.open(root / stored.path) as upright:
        red, green, blue = upright.getpixel((50, 25))
        assert red > 200 and blue < 60  # the left half is now on top


def test_keeps_transparency_and_writes_webp_renditions_for_it(root):
    data = image_bytes("GIF", size=(400, 300), mode="P", transparency=0)

    stored = upload(root, data, "logo.gif", "image")

    assert describe(root / stored.path)["mode"] == "RGBA"
    for path in stored.renditions.values():
        assert path.endswith(".webp")
        assert describe(root / path)["mode"] == "RGBA"


def test_re_encoding_drops_a_script_appended_to_a_jpeg(root):
    # Cameras append real data after a JPEG's end (MPF, gain maps): keep the photo, drop the rest.
    data = image_bytes("JPEG") + b"<?php system($_GET['c']); ?>"

    stored = upload(root, data, "innocent.jpg", "image")

    for path in media_paths(stored):
        assert b"<?php" not in (root / path).read_bytes()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_refuses_png_and_webp_with_data_after_their_end(root, fmt):
    data = image_bytes(fmt) + b"<?php system($_GET['c']); ?>"
    assert_refused(root, data, f"innocent.{fmt.lower()}", "image", "末尾附带了图片以外的数据")


@pytest.mark.parametrize(
    "size, limits",
    [((8000, 6000), Limits()), ((10000, 10000), Limits(max_image_pixels=10**9))],
    ids=["over-portal-limit", "over-pillow-limit"],
)
def test_refuses_decompression_bomb(root, size, limits):
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 20_000  # tiny file, tens of millions of pixels

    assert_refused(root, buffer.getvalue(), "bomb.png", "image", "图片尺寸过大", limits=limits)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_refuses_truncated_image(root, fmt):
    data = image_bytes(fmt)
    assert_refused(
        root, data[: len(data) // 2], f"cut.{fmt.lower()}", "image", "图片文件已损坏或不完整"
    )


def test_refuses_to_run_when_truncated_images_are_allowed_globally(root, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        upload(root, image_bytes("PNG"), "a.png", "image")
    assert_nothing_left(root)


@pytest.mark.parametrize(
    "data, filename",
    [
        (image_bytes("TIFF"), "scan.jpg"),
        (image_bytes("BMP"), "icon.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.gif"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "doc.webp"),
    ],
    ids=["tiff", "bmp", "svg", "html", "pdf"],
)
def test_refuses_content_that_is_not_an_accepted_image(root, data, filename):
    assert_refused(root, data, filename, "image", "只接受 JPEG、PNG、GIF、WebP 格式的图片")


@pytest.mark.parametrize(
    "filename, kind, match",
    [
        ("logo.svg", "image", "只接受 JPEG、PNG、GIF、WebP"),
        ("scan.tif", "image", "只接受 JPEG、PNG、GIF、WebP"),
        ("photo.png", "video", "只接受 MP4、WebM"),
        ("clip.mp4", "audio", "只接受 MP3、M4A"),
    ],
)
def test_refuses_filename_extension_of_another_kind(root, filename, kind, match):
    assert_refused(root, image_bytes("PNG"), filename, kind, match)


# --- Limits and arguments -----------------------------------------------------


class ZeroStream(io.RawIOBase):
    """An endless upload that counts what was read from it."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = bytes(len(buffer))
        self.consumed += len(buffer)
        return len(buffer)


@pytest.mark.parametrize(
    "kind, limits, message",
    [
        ("image", Limits(), "图片文件过大，上限为 20 MB"),
        ("video", Limits(video_bytes=3 * MB), "视频文件过大，上限为 3 MB"),
        ("audio", Limits(audio_bytes=100 * 1024), "音频文件过大，上限为 100 KB"),
    ],
)
def test_refuses_oversize_upload_as_soon_as_it_exceeds_the_limit(root, kind, limits, message):
    stream = ZeroStream()
    with pytest.raises(MediaError, match=message):
        save_upload(stream, "upload", kind, root, limits=limits)
    limit = {"image": limits.image_bytes, "video": limits.video_bytes, "audio": limits.audio_bytes}
    assert stream.consumed <= limit[kind] + media.CHUNK_SIZE
    assert_nothing_left(root)


def test_refuses_empty_upload(root):
    assert_refused(root, b"", "empty.jpg", "image", "上传的文件是空的")


def test_unknown_kind_is_a_programming_error_not_a_refusal(root):
    with pytest.raises(ValueError, match="unknown media kind") as caught:
        upload(root, image_bytes("PNG"), "a.png", "document")
    assert not isinstance(caught.value, MediaError)


def test_defaults_to_the_current_utc_month(root):
    stored = save_upload(io.BytesIO(image_bytes("PNG")), "a.png", "image", root)
    assert stored.path.startswith(datetime.now(UTC).strftime("%Y/%m/"))


# --- Video --------------------------------------------------------------------


def test_accepts_complete_mp4_structure_without_ffmpeg(root):
    stored = upload(root, MINIMAL_MP4, "clip.mp4", "video", use_ffmpeg=False)

    assert re.fullmatch(r"2026/11/[0-9a-f]{32}\.mp4", stored.path)
    assert (stored.mime, stored.size) == ("video/mp4", len(MINIMAL_MP4))
    assert (stored.duration, stored.poster, stored.width, stored.height) == (None,) * 4
    assert (root / stored.path).read_bytes() == MINIMAL_MP4  # stored byte for byte
    assert stored_files(root) == [stored.path]


@pytest.mark.parametrize(
    "mdat",
    [
        struct.pack(">I4sQ", 1, b"mdat", 16 + len(MDAT_PAYLOAD)) + MDAT_PAYLOAD,
        struct.pack(">I4s", 0, b"mdat") + MDAT_PAYLOAD,
    ],
    ids=["64-bit-largesize", "size-0-to-end-of-file"],
)
def test_box_walk_follows_largesize_and_to_end_boxes(root, mdat):
    stored = upload(root, ftyp() + MOOV + mdat, "clip.mp4", "video", use_ffmpeg=False)
    assert stored.mime == "video/mp4"


@pytest.mark.parametrize(
    "data",
    [
        ftyp() + box(b"free"),  # header only, 40 bytes
        ftyp() + MOOV,  # no mdat
        ftyp() + box(b"mdat", MDAT_PAYLOAD),  # no moov
        MINIMAL_MP4[:-10],  # truncated
        MINIMAL_MP4 + b"<?php system($_GET['c']); ?>",  # appended data
        ftyp() + MOOV + struct.pack(">I4s", 4, b"mdat"),  # box smaller than its header
    ],
    ids=["header-only", "no-mdat", "no-moov", "truncated", "appended", "bad-size"],
)
def test_refuses_malformed_mp4_structure(root, data):
    assert_refused(root, data, "clip.mp4", "video", "视频文件已损坏或不完整", use_ffmpeg=False)


@pytest.mark.parametrize(
    "data",
    [
        ftyp(b"qt  ", b"qt  ") + MOOV + box(b"mdat", MDAT_PAYLOAD),
        ftyp(b"heic", b"mif1heic") + MOOV + box(b"mdat", MDAT_PAYLOAD),
        ftyp(b"3gp4", b"3gp4") + MOOV + box(b"mdat", MDAT_PAYLOAD),
        MOOV + ftyp() + box(b"mdat", MDAT_PAYLOAD),
    ],
    ids=["quicktime", "heif", "3gp", "ftyp-not-first"],
)
def test_refuses_iso_media_that_is_not_mp4(root, data):
    assert_refused(root, data, "clip.mp4", "video", "只接受 MP4、WebM 格式的视频")


def test_refuses_html_renamed_to_mp4(root):
    data = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    assert_refused(root, data, "movie.mp4", "video", "只接受 MP4、WebM 格式的视频")


@needs_ffmpeg
def test_ffprobe_refuses_mp4_whose_structure_holds_no_playable_video(root):
    assert_refused(root, MINIMAL_MP4, "clip.mp4", "video", "文件中没有可播放的视频画面")


@pytest.mark.parametrize("name, mime", [("mp4", "video/mp4"), ("webm", "video/webm")])
def test_accepts_video_with_duration_size_and_poster(root, samples, name, mime):
    stored = upload(root, samples[name], f"clip.{name}", "video")

    assert stored.path.endswith(f".{name}")
    assert stored.mime == mime
    assert stored.duration == pytest.approx(2.0, abs=0.2)
    assert (stored.width, stored.height) == (160, 120)
    assert stored.poster == stored.path.rsplit(".", 1)[0] + "-poster.jpg"
    assert describe(root / stored.poster)["format"] == "JPEG"
    assert stored_files(root) == sorted(media_paths(stored))


def test_reports_display_size_of_rotated_phone_video(root, samples):
    stored = upload(root, samples["rotated"], "portrait.mp4", "video")
    assert (stored.width, stored.height) == (120, 160)


@pytest.mark.parametrize("name", ["mp4", "webm"])
def test_accepts_real_video_on_structure_alone_without_ffmpeg(root, samples, name):
    stored = upload(root, samples[name], f"clip.{name}", "video", use_ffmpeg=False)
    assert (stored.duration, stored.poster, stored.width) == (None, None, None)
    assert stored_files(root) == [stored.path]


def test_accepts_unknown_size_webm_only_when_ffprobe_vouches_for_it(root, samples):
    live = samples["live_webm"]
    assert b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" in live[:64]  # unknown size

    assert_refused(root, live, "live.webm", "video", "无法确认该 WebM 视频完整", use_ffmpeg=False)
    stored = upload(root, live, "live.webm", "video")
    assert stored.mime == "video/webm" and stored.poster


@pytest.mark.parametrize("use_ffmpeg", [True, False], ids=["ffprobe", "structure-only"])
@pytest.mark.parametrize("name", ["mp4", "webm"])
def test_refuses_truncated_video(root, samples, name, use_ffmpeg):
    data = samples[name]
    assert_refused(
        root, data[: len(data) * 2 // 3], f"clip.{name}", "video", "视频文件已损坏或不完整",
        use_ffmpeg=use_ffmpeg,
    )


@pytest.mark.parametrize("use_ffmpeg", [True, False], ids=["ffprobe", "structure-only"])
@pytest.mark.parametrize("name", ["mp4", "webm"])
def test_refuses_video_with_appended_data(root, samples, name, use_ffmpeg):
    data = samples[name] + b"<?php system($_GET['c']); ?>"
    assert_refused(
        root, data, f"clip.{name}", "video", "视频文件已损坏或不完整", use_ffmpeg=use_ffmpeg
    )


def test_refuses_matroska_that_is_not_webm(root, samples):
    assert_refused(root, samples["mkv"], "clip.webm", "video", "只接受 MP4、WebM 格式的视频")


def test_refuses_sound_only_file_as_video(root, samples):
    assert_refused(root, samples["m4a"], "clip.mp4", "video", "文件中没有可播放的视频画面")


# --- Audio --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, mime", [("mp3", "audio/mpeg"), ("m4a", "audio/mp4")]
)
def test_accepts_audio_with_duration(root, samples, name, mime):
    stored = upload(root, samples[name], f"speech.{name}", "audio")

    assert re.fullmatch(rf"2026/11/[0-9a-f]{{32}}\.{name}", stored.path)
    assert stored.mime == mime
    assert stored.duration == pytest.approx(1.0, abs=0.1)
    assert (stored.poster, stored.renditions) == (None, {})
    assert stored_files(root) == [stored.path]


@pytest.mark.parametrize("name", ["mp3", "m4a"])
def test_accepts_real_audio_on_structure_alone_without_ffmpeg(root, samples, name):
    stored = upload(root, samples[name], f"speech.{name}", "audio", use_ffmpeg=False)
    assert stored.duration is None


@pytest.mark.parametrize(
    "data",
    [MPEG1_FRAME * 10, ID3_TAG + MPEG1_FRAME * 10, MPEG2_FRAME * 10],
    ids=["mpeg1", "id3-then-mpeg1", "mpeg2"],
)
def test_follows_mpeg_audio_frame_chain(root, data):
    stored = upload(root, data, "speech.mp3", "audio", use_ffmpeg=False)
    assert (stored.mime, stored.path[-4:]) == ("audio/mpeg", ".mp3")


@pytest.mark.parametrize(
    "data",
    [
        MPEG1_FRAME * 3 + b"junk" * 500,  # chain breaks after three frames
        ID3_TAG + b"junk" * 500,  # a tag and no audio
        MPEG1_FRAME * 3,  # too short to be sure
    ],
    ids=["broken-chain", "tag-only", "too-short"],
)
def test_refuses_broken_mpeg_audio(root, data):
    assert_refused(root, data, "speech.mp3", "audio", "音频文件已损坏或不完整", use_ffmpeg=False)


@pytest.mark.parametrize("data", [b"this is not audio\n" * 200, os.urandom(4096)])
def test_refuses_garbage_named_mp3(root, data):
    assert_refused(root, data, "song.mp3", "audio", "只接受 MP3、M4A 格式的音频")


def test_refuses_silent_video_as_audio(root, samples):
    assert_refused(root, samples["mp4"], "speech.m4a", "audio", "文件中没有可播放的音频")


# --- Sweep --------------------------------------------------------------------


def make_old(root: Path, relative_paths) -> None:
    two_hours_ago = time.time() - 2 * 3600
    for relative in relative_paths:
        os.utime(root / relative, (two_hours_ago, two_hours_ago))


def test_sweep_dry_run_lists_orphans_and_deletes_nothing(root):
    orphan = upload(root, image_bytes("PNG"), "a.png", "image")
    make_old(root, media_paths(orphan))
    before = stored_files(root)

    assert sweep(root, set()) == sorted(media_paths(orphan))
    assert stored_files(root) == before


def test_sweep_deletes_old_orphans_and_keeps_referenced_and_recent_files(root):
    kept = upload(root, image_bytes("PNG"), "kept.png", "image")
    orphan = upload(root, image_bytes("JPEG"), "orphan.jpg", "image")
    recent = upload(root, image_bytes("WEBP"), "recent.webp", "image")  # row not committed yet
    leftover = root / ".tmp" / "deadbeef.upload"  # from a crashed worker
    leftover.write_bytes(b"partial")
    make_old(root, [*media_paths(kept), *media_paths(orphan), ".tmp/deadbeef.upload"])

    swept = sweep(root, set(media_paths(kept)), dry_run=False)

    assert swept == sorted([*media_paths(orphan), ".tmp/deadbeef.upload"])
    assert stored_files(root) == sorted([*media_paths(kept), *media_paths(recent)])


def test_sweep_honours_older_than(root):
    orphan = upload(root, image_bytes("PNG"), "a.png", "image")
    assert sweep(root, set()) == []
    assert sweep(root, set(), older_than=timedelta(0)) == sorted(media_paths(orphan))
