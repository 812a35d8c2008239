"""Small real media files made with ffmpeg for the tests (video with sound, MP3)."""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from pathlib import Path


def _ffmpeg(args: list[str], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{suffix}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(out)], check=True,
                       timeout=120)
        return out.read_bytes()


@cache
def make_mp4(seconds: int = 4) -> bytes:
    """An H.264/AAC MP4 with the moov box first, so a browser can seek over HTTP ranges."""
    return _ffmpeg(["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-movflags", "+faststart", "-shortest"], ".mp4")


@cache
def make_mp3(seconds: int = 2) -> bytes:
    return _ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=660:duration={seconds}",
                    "-c:a", "libmp3lame", "-b:a", "64k"], ".mp3")
