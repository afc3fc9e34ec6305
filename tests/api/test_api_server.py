"""The real server: uvicorn on 127.0.0.1 over the fixture store, answering /generate like the in-process app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.settings import REPO_ROOT

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("server did not become ready")


def start_server(settings, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SEGUE_HOME": str(settings.home), "SEGUE_RAW_DATA_DIR": str(settings.raw_data_dir),
           "SEGUE_PROVIDER": "offline"}
    cmd = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.fixture
def server(deps, tmp_path):
    """A uvicorn process on a free loopback port, stopped with SIGTERM after the test."""
    port = free_port()
    proc = start_server(deps.settings, port, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_real_server_generates_and_keeps_playlists(server, deps):
    response = httpx.post(f"{server}/generate", json={"prompt": "rainy Sunday coffee, mellow indie", "count": 7}, timeout=60)
    assert response.status_code == 200, response.text
    playlist = response.json()
    assert len(playlist["tracks"]) == 7 and playlist["provider"] == "offline"
    assert all(deps.catalog.get(t["id"]) is not None for t in playlist["tracks"])
    again = httpx.get(f"{server}/playlists/{playlist['id']}", timeout=10)
    assert again.json()["tracks"] == playlist["tracks"]
    assert deps.playlists.get(playlist["id"]).id == playlist["id"]  # the same SQLite store, from this process
    bad = httpx.post(f"{server}/generate", content=b"x" * (1024 * 1024), headers={"content-type": "application/json"})
    assert bad.status_code == 413 and bad.headers["content-type"].startswith("application/problem+json")
