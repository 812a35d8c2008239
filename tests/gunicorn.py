"""Real gunicorn servers for tests that need separate processes: the portal on the test's
database and instance folder, started, waited for, and stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_config: dict, log_path: Path, *, workers: int, env: dict | None = None):
    """Serve the portal of ``app_config`` with ``workers`` sync workers; yields the base URL
    once it answers. ``env`` adds ``PORTAL_*`` settings; the log goes to ``log_path``."""
    port = free_port()
    full_env = {**os.environ,
                "PORTAL_INSTANCE_PATH": app_config["INSTANCE_PATH"],
                "PORTAL_SECRET_KEY": app_config["SECRET_KEY"],
                "PORTAL_DATABASE_URL": app_config["DATABASE_URL"],
                "PORTAL_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(
                    app_config["SQLALCHEMY_ENGINE_OPTIONS"]),
                "PORTAL_BASE_URL": app_config["BASE_URL"], **(env or {})}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "portal:create_app()"],
            env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/robots.txt", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{base} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
