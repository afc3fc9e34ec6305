"""Server mode with the Chroma server down: /readyz and /generate answer 503 problem+json with Retry-After
(no hang, no 500), and both recover by themselves when the server returns."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rel_helpers import assert_problem

from core.settings import Settings

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    chroma = shutil.which("chroma", path=os.path.dirname(sys.executable)) or shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma CLI is not installed")
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            raise AssertionError(f"chroma exited with {proc.returncode}")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("chroma server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_status(client: TestClient, path: str, status: int, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


BODY = {"prompt": "melancholy indie folk for a rainy night", "count": 8}


def server_build(settings: Settings, catalog, n: int = 800):
    """A server-mode store build of the first `n` fixture tracks (the full ingest path is tested in
    tests/tools/test_store.py; a small build keeps this test fast)."""
    from tools.store import write_build

    tracks = [catalog.tracks[i] for i in range(n)]
    return write_build(settings.store_root, "rel-server-mode", tracks, catalog.vectors[:n],
                       catalog.build.manifest["embedder"], settings.chroma_url)


def test_chroma_down_is_503_with_retry_after_and_recovers(tmp_path, fixture_raw, catalog):
    from agent.deps import build_deps
    from app import create_app
    from tools.chroma_search import open_collection
    from tools.store_health import forget

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_chroma(tmp_path / "chroma", port)
    try:
        settings = Settings(home=tmp_path / "home", raw_data_dir=fixture_raw, chroma_url=url, provider="offline")
        build = server_build(settings, catalog)
        assert build.manifest["backend"] == "chroma-server"
        deps = build_deps(settings)
        forget()
        with TestClient(create_app(lambda: deps, settings=settings, warm=False),
                        raise_server_exceptions=False) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["chroma"] == "ok"
            assert client.post("/generate", json=BODY).status_code == 200

            stop(server)
            down = assert_problem(wait_status(client, "/readyz", 503), 503)
            assert "chroma" in down["detail"]
            start = time.perf_counter()
            refused = client.post("/generate", json=BODY)
            stream = client.post("/generate/stream", json=BODY)
            elapsed = time.perf_counter() - start
            problem = assert_problem(refused, 503)
            assert "chroma server" in problem["detail"] and refused.headers["retry-after"].isdigit()
            assert_problem(stream, 503)  # refused before the stream starts, not an error event inside a 200
            assert client.get("/readyz").headers["retry-after"].isdigit()
            assert elapsed < 3.0
            assert client.get("/healthz").status_code == 200  # the process itself is alive

            server = start_chroma(tmp_path / "chroma", port)
            back = wait_status(client, "/readyz", 200)
            assert back.status_code == 200 and back.json()["checks"]["chroma"] == "ok"
            again = client.post("/generate", json=BODY)
            assert again.status_code == 200 and len(again.json()["tracks"]) == 8
            assert open_collection(deps.catalog).count() == len(deps.catalog)  # the data survived the restart
    finally:
        stop(server)
        forget()
