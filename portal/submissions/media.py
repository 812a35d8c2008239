"""Validation and storage of uploaded images, video and audio.

``save_upload`` spools an upload into ``media_root/.tmp/``, decides from the
content alone whether it is an accepted format, and only then moves the final
files into ``media_root/YYYY/MM/`` under a random name:

* Images (JPEG, PNG, GIF, WebP) are decoded completely with Pillow and
  re-encoded without any metadata (EXIF including GPS, XMP, ICC profile,
  comments), upright according to their EXIF orientation, together with a
  ``thumb`` and a ``page`` rendition. Only the first frame of an animated image
  is kept, and a GIF is stored as PNG: re-encoding every frame of an untrusted
  animation is a resource risk the portal does not need.
* Video (MP4, WebM) and audio (MP3, M4A) get a structural walk of the container.
  When ffprobe and ffmpeg are installed (as in every deployment: ``MEDIA_USE_FFMPEG``)
  they must parse the file too, give the duration and, for video, a JPEG poster
  frame, and the file is remuxed without re-encoding and without any metadata (a
  phone's GPS position, device, owner), MP4 with its index first (faststart).
  Without ffmpeg the file is stored byte for byte.

Every refusal raises ``MediaError``, whose text is shown to the user, and
leaves no file behind. ``sweep`` removes files that nothing refers to.

The module is self-contained: it works on streams and paths, not on Flask.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, NamedTuple

from PIL import Image, ImageFile, ImageOps

__all__ = [
    "Limits",
    "MediaError",
    "StoredMedia",
    "ffmpeg_available",
    "media_paths",
    "save_upload",
    "sweep",
]

CHUNK_SIZE = 64 * 1024
_MB = 1024 * 1024


class MediaError(ValueError):
    """Refused upload; str(e) is a clear Chinese message for the user."""


@dataclass
class Limits:
    """Per-kind upload limits."""

    image_bytes: int = 20 * _MB
    video_bytes: int = 500 * _MB
    audio_bytes: int = 100 * _MB
    max_image_pixels: int = 40_000_000  # above this: decompression bomb, refused


@dataclass
class StoredMedia:
    """An accepted upload; every path is relative to media_root, in POSIX form."""

    kind: str  # "image" | "video" | "audio"
    path: str  # e.g. "2026/11/<uuid hex>.jpg"
    mime: str
    size: int  # bytes of the stored file
    sha256: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds (video/audio), None when ffprobe absent
    poster: str | None = None  # JPEG poster frame for video, None when ffmpeg absent
    # images: {"thumb": path, "page": path}
    renditions: dict[str, str] = field(default_factory=dict)
    original_filename: str = ""


class _Format(NamedTuple):
    ext: str
    mime: str
    demuxer: str  # forced on ffprobe/ffmpeg so they never guess another (riskier) format


_MP4 = _Format(".mp4", "video/mp4", "mp4")
_WEBM = _Format(".webm", "video/webm", "webm")
_MP3 = _Format(".mp3", "audio/mpeg", "mp3")
_M4A = _Format(".m4a", "audio/mp4", "mp4")

_KIND_LABELS = {"image": "图片", "video": "视频", "audio": "音频"}
_KIND_EXTENSIONS = {
    "image": {".jpg", ".jpeg", ".png", ".gif", ".webp"},
    "video": {".mp4", ".webm"},
    "audio": {".mp3", ".m4a"},
}
_FORMAT_MESSAGES = {
    "image": "只接受 JPEG、PNG、GIF、WebP 格式的图片",
    "video": "只接受 MP4、WebM 格式的视频",
    "audio": "只接受 MP3、M4A 格式的音频",
}
_NO_STREAM_MESSAGES = {
    "video": "文件中没有可播放的视频画面",
    "audio": "文件中没有可播放的音频",
}

# Decoded format -> (stored format, extension, MIME type).
_IMAGE_OUTPUT = {
    "JPEG": ("JPEG", ".jpg", "image/jpeg"),
    "PNG": ("PNG", ".png", "image/png"),
    "GIF": ("PNG", ".png", "image/png"),
    "WEBP": ("WEBP", ".webp", "image/webp"),
}
_SAVE_OPTIONS: dict[str, dict[str, int]] = {
    "JPEG": {"quality": 88},
    "WEBP": {"quality": 88},
    "PNG": {},
}
# Bounding boxes; None leaves the height free so long infographics stay readable.
_RENDITION_BOXES = {"thumb": (320, 240), "page": (1200, None)}

# ftyp brands of the MP4 family. QuickTime ("qt  "), HEIF/AVIF and 3GP are
# ISO-BMFF too, but not formats the portal accepts.
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6",
    b"mp41", b"mp42", b"avc1", b"dash", b"M4A ", b"M4V ",
}
# Real files have a handful of top-level boxes (a few thousand when
# fragmented); the cap keeps a file of tiny boxes from keeping the walk busy.
_MAX_TOP_LEVEL_ELEMENTS = 100_000

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE_ID = 0x4282
_SEGMENT_ID = 0x18538067
_TRACKS_ID = 0x1654AE6B
_CLUSTER_ID = 0x1F43B675
_MAX_EBML_HEADER = 1024  # real EBML headers are about 40 bytes

_MP3_FRAMES_TO_CHECK = 8
# Layer III bitrates in kbit/s by bitrate index (0 = free format, refused).
_MP3_BITRATES = {
    "mpeg1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "mpeg2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Version bits -> sample rates by index; version 1 is reserved.
_MP3_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

_PROBE_TIMEOUT = 30  # seconds; ffprobe only reads headers and indexes
_POSTER_TIMEOUT = 60


class _Malformed(Exception):
    """A container that claims to be a known format but is not well formed."""


@dataclass
class _Draft:
    """A validated upload still in the scratch directory."""

    file: Path
    mime: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    poster: Path | None = None
    renditions: dict[str, Path] = field(default_factory=dict)


class _Scratch:
    """The files of one upload in ``media_root/.tmp``; removed on exit unless committed."""

    def __init__(self, media_root: Path) -> None:
        self.dir = media_root / ".tmp"
        self._token = uuid.uuid4().hex
        self._paths: list[Path] = []

    def __enter__(self) -> _Scratch:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Committed files have been moved away already, hence missing_ok.
        for path in self._paths:
            path.unlink(missing_ok=True)

    def path(self, suffix: str) -> Path:
        """A new scratch path named after this upload's random token."""
        path = self.dir / f"{self._token}{suffix}"
        self._paths.append(path)
        return path

    def commit(self, paths: list[Path], destination: Path) -> None:
        """Move ``paths`` into ``destination``: all of them or, on failure, none."""
        destination.mkdir(parents=True, exist_ok=True)
        moved: list[Path] = []
        try:
            for path in paths:
                os.replace(path, destination / path.name)
                moved.append(destination / path.name)
        except BaseException:
            for path in moved:
                path.unlink(missing_ok=True)
            raise


def save_upload(
    stream: BinaryIO,
    filename: str,
    kind: str,
    media_root: Path,
    *,
    limits: Limits | None = None,
    now: datetime | None = None,
    use_ffmpeg: bool = True,
) -> StoredMedia:
    """Validate an uploaded file and store it under ``media_root/YYYY/MM/``.

    ``stream`` is read in chunks of ``CHUNK_SIZE`` and given up as soon as it
    exceeds the limit for ``kind`` ("image", "video" or "audio"). The decision
    rests on the content; ``filename`` only has to carry an extension of that
    kind (or none) and is kept, without its directory, as
    ``original_filename``. ``now`` (default: current UTC time) picks the
    YYYY/MM folder. With ``use_ffmpeg=False``, or when ffprobe/ffmpeg are not
    installed, video and audio are judged on their container structure alone
    and get no duration or poster.

    Raises ``MediaError`` with a Chinese message when the upload is refused;
    no file is left behind in that case. Raises ``ValueError`` for an unknown
    ``kind`` (a programming error).
    """
    if kind not in _KIND_LABELS:
        raise ValueError(f"unknown media kind {kind!r}")
    limits = limits or Limits()
    now = now or datetime.now(UTC)
    # Old browsers send the client's full path, with either separator.
    original = filename.replace("\\", "/").rsplit("/", 1)[-1]
    extension = Path(original).suffix.lower()
    if extension and extension not in _KIND_EXTENSIONS[kind]:
        raise MediaError(_FORMAT_MESSAGES[kind])

    media_root = Path(media_root)
    max_bytes = {
        "image": limits.image_bytes,
        "video": limits.video_bytes,
        "audio": limits.audio_bytes,
    }[kind]
    with _Scratch(media_root) as scratch:
        upload = scratch.path(".upload")
        _spool(stream, upload, max_bytes, kind)
        if kind == "image":
            draft = _process_image(upload, scratch, limits)
        else:
            draft = _process_av(upload, scratch, kind, use_ffmpeg=use_ffmpeg)

        folder = f"{now:%Y/%m}"
        stored = StoredMedia(
            kind=kind,
            path=f"{folder}/{draft.file.name}",
            mime=draft.mime,
            size=draft.file.stat().st_size,
            sha256=_sha256(draft.file),
            width=draft.width,
            height=draft.height,
            duration=draft.duration,
            poster=f"{folder}/{draft.poster.name}" if draft.poster else None,
            renditions={name: f"{folder}/{path.name}" for name, path in draft.renditions.items()},
            original_filename=original,
        )
        derived = [*draft.renditions.values(), *([draft.poster] if draft.poster else [])]
        scratch.commit([draft.file, *derived], media_root / folder)
    return stored


def media_paths(stored: StoredMedia) -> list[str]:
    """Every relative path an upload produced: the file, its renditions and poster."""
    return [stored.path, *stored.renditions.values(), *([stored.poster] if stored.poster else [])]


def sweep(
    media_root: Path,
    referenced: set[str],
    *,
    dry_run: bool = True,
    older_than: timedelta = timedelta(hours=1),
) -> list[str]:
    """Find (and unless ``dry_run``, delete) media files nothing refers to.

    Looks at ``media_root/YYYY/MM/*`` and leftovers in ``media_root/.tmp/``.
    A file is swept when its relative POSIX path is not in ``referenced``
    (build it with ``media_paths``) and it was modified more than
    ``older_than`` ago, which spares uploads whose database row is not
    committed yet. Returns the swept relative paths, sorted.
    """
    media_root = Path(media_root)
    cutoff = time.time() - older_than.total_seconds()
    candidates = [*media_root.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*"), *media_root.glob(".tmp/*")]
    swept = []
    for path in sorted(candidates):
        relative = path.relative_to(media_root).as_posix()
        try:
            info = path.lstat()
        except FileNotFoundError:  # an upload in progress moved it out of .tmp
            continue
        if relative in referenced or not stat.S_ISREG(info.st_mode) or info.st_mtime > cutoff:
            continue
        swept.append(relative)
        if not dry_run:
            path.unlink(missing_ok=True)
    return swept


def ffmpeg_available() -> bool:
    """Whether ffprobe and ffmpeg are both on PATH (Debian package ``ffmpeg``)."""
    return shutil.which("ffprobe") is not None and shutil.which("ffmpeg") is not None


def _spool(stream: BinaryIO, destination: Path, max_bytes: int, kind: str) -> None:
    """Copy ``stream`` to ``destination`` chunk by chunk, refusing it once it is too big."""
    size = 0
    with open(destination, "xb") as out:
        while chunk := stream.read(CHUNK_SIZE):
            size += len(chunk)
            if size > max_bytes:
                raise MediaError(f"{_KIND_LABELS[kind]}文件过大，上限为 {_format_size(max_bytes)}")
            out.write(chunk)
    if size == 0:
        raise MediaError("上传的文件是空的")


def _format_size(size: int) -> str:
    if size >= _MB:
        return f"{round(size / _MB, 1):g} MB"
    if size >= 1024:
        return f"{round(size / 1024, 1):g} KB"
    return f"{size} 字节"


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# --- Images -------------------------------------------------------------------


def _process_image(upload: Path, scratch: _Scratch, limits: Limits) -> _Draft:
    """Re-encode an accepted image and its renditions, all without metadata."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Process-wide switch; silently accepting truncated uploads is worse than failing loudly.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is set; not validating images")
    image, source_format = _decode_image(upload, limits)
    _refuse_trailing_data(upload, source_format)
    stored_format, extension, mime = _IMAGE_OUTPUT[source_format]
    main = scratch.path(extension)
    image.save(main, stored_format, **_SAVE_OPTIONS[stored_format])

    # JPEG cannot carry transparency; WebP can and browsers all show it.
    rendition_format, rendition_ext = (
        ("WEBP", ".webp") if image.mode == "RGBA" else ("JPEG", ".jpg")
    )
    renditions = {}
    for name, (max_width, max_height) in _RENDITION_BOXES.items():
        rendition = image.copy()
        rendition.thumbnail((max_width, max_height or image.height))  # only ever shrinks
        renditions[name] = scratch.path(f"-{name}{rendition_ext}")
        rendition.save(renditions[name], rendition_format, **_SAVE_OPTIONS[rendition_format])
    return _Draft(main, mime, width=image.width, height=image.height, renditions=renditions)


def _decode_image(path: Path, limits: Limits) -> tuple[Image.Image, str]:
    """Fully decode the first frame; return it upright and metadata-free, with its format."""
    too_big = f"图片尺寸过大（超过 {limits.max_image_pixels / 10_000:g} 万像素），请缩小后再上传"
    # Pillow's own bomb check (global MAX_IMAGE_PIXELS) only warns below twice
    # its limit; make that warning an error here without touching global state.
    # catch_warnings is not thread-safe, so the explicit pixel check below is
    # the guard that counts; this one adds Pillow's opinion when it is stricter.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with open(path, "rb") as fh, Image.open(fh, formats=list(_IMAGE_OUTPUT)) as im:
                # Image.open only parsed the header: refuse before allocating pixels.
                if im.width * im.height > limits.max_image_pixels:
                    raise MediaError(too_big)
                im.load()  # decodes everything, so truncated files fail here
                return _without_metadata(ImageOps.exif_transpose(im)), im.format
        except MediaError:
            raise
        except Image.UnidentifiedImageError:
            raise MediaError(_FORMAT_MESSAGES["image"]) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError(too_big) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise MediaError("图片文件已损坏或不完整") from None


def _refuse_trailing_data(path: Path, source_format: str) -> None:
    """Refuse a PNG or WebP with bytes after its end (a script or archive smuggled along).

    Their containers say exactly where they end, so nothing legitimate follows.
    JPEG is left to re-encoding: cameras append real data after EOI (MPF, gain maps).
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        if source_format == "WEBP":
            f.seek(4)
            end = 8 + struct.unpack("<I", f.read(4))[0]
            end += end % 2  # RIFF pads odd sizes
        elif source_format == "PNG":
            end = 8
            while True:
                f.seek(end)
                header = f.read(8)
                if len(header) < 8:
                    raise MediaError("图片文件已损坏或不完整")
                length, chunk = struct.unpack(">I4s", header)
                end += 12 + length
                if chunk == b"IEND":
                    break
        else:
            return
    if size > end:
        raise MediaError("图片文件末尾附带了图片以外的数据，请用看图软件另存后再上传")


def _without_metadata(image: Image.Image) -> Image.Image:
    """Convert to RGBA, RGB or L (what every target encoder takes) and drop all metadata."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "L" if image.mode in ("1", "L") else "RGB"
    clean = image.convert(mode)  # always a new image, without the source's parsed EXIF
    # Encoders pick up comment and ICC profile from info; exif/xmp live there too.
    clean.info.clear()
    return clean


# --- Video and audio ----------------------------------------------------------


def _process_av(upload: Path, scratch: _Scratch, kind: str, *, use_ffmpeg: bool) -> _Draft:
    """Check a video or audio container, then have ffprobe/ffmpeg parse it if wanted and present."""
    identify = _identify_video if kind == "video" else _identify_audio
    try:
        container, verified = identify(upload)
    except _Malformed:
        raise MediaError(f"{_KIND_LABELS[kind]}文件已损坏或不完整") from None
    main = scratch.path(container.ext)
    os.replace(upload, main)
    draft = _Draft(main, container.mime)
    if not (use_ffmpeg and ffmpeg_available()):
        if not verified:
            raise MediaError("无法确认该 WebM 视频完整，请转换为 MP4 后再上传")
        return draft

    draft.duration = _ffprobe_duration(main, container, kind)
    _without_av_metadata(main, container, scratch, kind)
    if kind == "video":
        draft.poster = scratch.path("-poster.jpg")
        at = min(1.0, draft.duration / 2) if draft.duration else 0.0
        _run_tool(
            ["ffmpeg", "-nostdin", "-v", "error", "-protocol_whitelist", "file",
             "-f", container.demuxer, "-ss", f"{at:.3f}", "-i", f"file:{main}",
             "-frames:v", "1", "-y", f"file:{draft.poster}"],
            timeout=_POSTER_TIMEOUT, kind=kind,
        )
        try:
            # ffmpeg applies the rotation matrix, so this is the displayed size
            # (portrait for phone videos), unlike the coded size ffprobe reports.
            with Image.open(draft.poster, formats=["JPEG"]) as poster:
                draft.width, draft.height = poster.size
        except OSError:
            raise MediaError("无法从视频中读取画面，文件可能已损坏") from None
    return draft


def _without_av_metadata(path: Path, container: _Format, scratch: _Scratch, kind: str) -> None:
    """Remux (no re-encoding) keeping only the video and audio streams, without the
    container's, streams' and chapters' metadata: a phone's GPS position (©xyz, loci),
    device, owner and title go; MP4/M4A get their index first (faststart) for streaming."""
    clean = scratch.path(f"-clean{container.ext}")
    args = ["ffmpeg", "-nostdin", "-v", "error", "-protocol_whitelist", "file",
            "-f", container.demuxer, "-i", f"file:{path}",
            "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-dn", "-sn",
            "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    if container.demuxer == "mp4":
        args += ["-movflags", "+faststart"]
    if container.demuxer == "mp3":
        args += ["-write_id3v1", "0", "-id3v2_version", "0"]
    _run_tool([*args, "-f", container.demuxer, "-y", f"file:{clean}"],
              timeout=_POSTER_TIMEOUT, kind=kind)
    os.replace(clean, path)


def _ffprobe_duration(path: Path, container: _Format, kind: str) -> float | None:
    """Require ffprobe to parse the file and find a stream of ``kind``; return the duration."""
    result = _run_tool(
        ["ffprobe", "-v", "error", "-protocol_whitelist", "file", "-f", container.demuxer,
         "-show_entries", "format=duration:stream=codec_type", "-of", "json", f"file:{path}"],
        timeout=_PROBE_TIMEOUT, kind=kind,
    )
    info = json.loads(result.stdout)
    if kind not in {stream.get("codec_type") for stream in info.get("streams", [])}:
        raise MediaError(_NO_STREAM_MESSAGES[kind])
    try:
        return float(info["format"]["duration"])
    except (KeyError, ValueError):  # missing, or "N/A"
        return None


def _run_tool(args: list[str], *, timeout: float, kind: str) -> subprocess.CompletedProcess[bytes]:
    """Run ffprobe/ffmpeg; a failure or timeout refuses the upload."""
    try:
        result = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise MediaError(f"{_KIND_LABELS[kind]}文件处理超时，请换一个文件再试") from None
    if result.returncode != 0:
        raise MediaError(f"{_KIND_LABELS[kind]}文件已损坏或无法播放")
    return result


def _identify_video(path: Path) -> tuple[_Format, bool]:
    """Return the container and whether its structure was fully verified."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[4:8] == b"ftyp" and _has_mp4_brand(f):
            _check_iso_bmff(f)
            return _MP4, True
        if head[:4] == _EBML_MAGIC:
            return _WEBM, _check_webm(f)
    raise MediaError(_FORMAT_MESSAGES["video"])


def _identify_audio(path: Path) -> tuple[_Format, bool]:
    """Return the container and whether its structure was fully verified (always, for audio)."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[4:8] == b"ftyp" and _has_mp4_brand(f):
            _check_iso_bmff(f)
            return _M4A, True
        if head[:3] == b"ID3" or _mp3_frame_length(head[:4]) is not None:
            _check_mp3(f)
            return _MP3, True
    raise MediaError(_FORMAT_MESSAGES["audio"])


def _has_mp4_brand(f: BinaryIO) -> bool:
    """Whether the leading ftyp box names an MP4-family brand (major or compatible)."""
    f.seek(0)
    box_size = struct.unpack(">I", f.read(4))[0]
    f.seek(8)
    body = f.read(min(max(box_size - 8, 0), 1024))
    # Body: major brand, minor version, then compatible brands.
    brands = {body[:4]} | {body[i : i + 4] for i in range(8, len(body) - 3, 4)}
    return bool(brands & _MP4_BRANDS)


def _check_iso_bmff(f: BinaryIO) -> None:
    """Walk the top-level boxes after the leading ftyp: moov and mdat present, sizes ending at EOF.

    This refuses header-only, truncated and appended-to files, which content
    sniffers based on the first bytes accept.
    """
    file_size = os.fstat(f.fileno()).st_size
    types: list[bytes] = []
    position = 0
    while position < file_size:
        if len(types) == _MAX_TOP_LEVEL_ELEMENTS:
            raise _Malformed
        f.seek(position)
        header = f.read(8)
        if len(header) < 8:
            raise _Malformed
        box_size, box_type = struct.unpack(">I4s", header)
        header_size = 8
        if box_size == 1:  # 64-bit "largesize" follows the type
            large = f.read(8)
            if len(large) < 8:
                raise _Malformed
            box_size, header_size = struct.unpack(">Q", large)[0], 16
        elif box_size == 0:  # the box extends to the end of the file
            box_size = file_size - position
        if box_size < header_size:
            raise _Malformed
        types.append(box_type)
        position += box_size
    if position != file_size or not {b"moov", b"mdat"} <= set(types):
        raise _Malformed


def _check_webm(f: BinaryIO) -> bool:
    """Check the EBML header and Segment of a WebM file.

    Returns True when the Segment and its top-level children end exactly at
    EOF and include Tracks and a Cluster; False when sizes are unknown (live
    recordings such as the browser's MediaRecorder write them that way), which
    only a successful ffprobe can vouch for.
    """
    file_size = os.fstat(f.fileno()).st_size
    f.seek(0)
    _, header_size = _ebml_element(f)
    if header_size is None or header_size > _MAX_EBML_HEADER:
        raise _Malformed
    header = f.read(header_size)
    if len(header) != header_size:
        raise _Malformed
    if _ebml_doctype(header) != b"webm":  # e.g. "matroska": a format the portal does not take
        raise MediaError(_FORMAT_MESSAGES["video"])

    segment_id, segment_size = _ebml_element(f)
    if segment_id != _SEGMENT_ID:
        raise _Malformed
    if segment_size is None:
        return False
    position = f.tell()
    if position + segment_size != file_size:
        raise _Malformed
    ids: list[int] = []
    while position < file_size:
        if len(ids) == _MAX_TOP_LEVEL_ELEMENTS:
            raise _Malformed
        f.seek(position)
        child_id, child_size = _ebml_element(f)
        if child_size is None:
            return False
        ids.append(child_id)
        position = f.tell() + child_size
    if position != file_size or not {_TRACKS_ID, _CLUSTER_ID} <= set(ids):
        raise _Malformed
    return True


def _ebml_doctype(header: bytes) -> bytes | None:
    """The DocType string among the children of the EBML header element."""
    children = io.BytesIO(header)
    while children.tell() < len(header):
        child_id, child_size = _ebml_element(children)
        if child_size is None:
            raise _Malformed
        data = children.read(child_size)
        if len(data) != child_size:
            raise _Malformed
        if child_id == _EBML_DOCTYPE_ID:
            return data.rstrip(b"\0")
    return None


def _ebml_element(f: BinaryIO) -> tuple[int, int | None]:
    """Read an element header: (element ID, data size, or None for "unknown size")."""
    element_id, _ = _ebml_vint(f, max_length=4)
    raw_size, length = _ebml_vint(f, max_length=8)
    size = raw_size ^ (1 << 7 * length)  # clear the length-marker bit
    return element_id, None if size == (1 << 7 * length) - 1 else size


def _ebml_vint(f: BinaryIO, *, max_length: int) -> tuple[int, int]:
    """Read an EBML variable-length integer: (value including its marker bit, length in bytes)."""
    first = f.read(1)
    if not first or first[0] == 0:
        raise _Malformed
    length = 9 - first[0].bit_length()  # position of the first set bit
    rest = f.read(length - 1)
    if length > max_length or len(rest) != length - 1:
        raise _Malformed
    return int.from_bytes(first + rest, "big"), length


def _check_mp3(f: BinaryIO) -> None:
    """Skip an ID3v2 tag, then follow a chain of consecutive MPEG Layer III frames."""
    file_size = os.fstat(f.fileno()).st_size
    f.seek(0)
    tag = f.read(10)
    offset = 0
    if tag[:3] == b"ID3":
        if len(tag) < 10 or any(byte & 0x80 for byte in tag[6:10]):
            raise _Malformed
        # Synchsafe size: 7 bits per byte, excluding the header and the optional footer.
        tag_size = tag[6] << 21 | tag[7] << 14 | tag[8] << 7 | tag[9]
        offset = 10 + tag_size + (10 if tag[5] & 0x10 else 0)
    for _ in range(_MP3_FRAMES_TO_CHECK):
        f.seek(offset)
        frame_length = _mp3_frame_length(f.read(4))
        if frame_length is None or offset + frame_length > file_size:
            raise _Malformed
        offset += frame_length


def _mp3_frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG-1/2/2.5 Layer III frame starting with ``header``, or None."""
    if len(header) < 4:
        return None
    bits = int.from_bytes(header, "big")
    version = bits >> 19 & 0b11  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = bits >> 17 & 0b11  # 1: Layer III
    bitrate_index = bits >> 12 & 0b1111
    rate_index = bits >> 10 & 0b11
    padding = bits >> 9 & 1
    if (
        bits >> 21 != 0x7FF  # frame sync
        or version == 1
        or layer != 1
        or bitrate_index in (0, 15)
        or rate_index == 3
    ):
        return None
    sample_rate = _MP3_SAMPLE_RATES[version][rate_index]
    if version == 3:
        return 144 * _MP3_BITRATES["mpeg1"][bitrate_index] * 1000 // sample_rate + padding
    return 72 * _MP3_BITRATES["mpeg2"][bitrate_index] * 1000 // sample_rate + padding
