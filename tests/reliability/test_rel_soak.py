"""Soak (opt-in, -m slow): the real server (uvicorn on 127.0.0.1, fixture store, offline) under a bounded load
loop for a few minutes → 0 errors and no memory growth after warm-up; then SIGTERM with requests in flight →
every one of them completes and the server exits cleanly. All traffic stays on loopback and stops by itself."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.settings import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.server]
SOAK_S = float(os.environ.get("REL_SOAK_SECONDS", "180"))
WARMUP_S = min(45.0, SOAK_S / 3)
CLIENTS = 3
WORDS = ("rainy", "sunday", "indie", "punk", "jazz", "late night", "workout", "chill", "sad", "happy", "90s",
         "dance", "acoustic", "no explicit", "without drake", "metal", "road trip", "focus", "party", "soul")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def server(settings, tmp_path):
    """uvicorn over a private copy of the fixture home; yields (base url, process, log file)."""
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGUE_", "OPENAI"))}
    env |= {"SEGUE_HOME": str(home), "SEGUE_RAW_DATA_DIR": str(settings.raw_data_dir), "SEGUE_PROVIDER": "offline"}
    cmd = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--timeout-graceful-shutdown", "60"]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=(tmp_path / "server.log").open("wb"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server did not become ready")
    try:
        yield base, proc, tmp_path / "server.log"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def one_round(client: httpx.Client, rng: random.Random) -> list[str]:
    """A mix of what clients do: generate, fetch, refine, export, search, profile, bad input. Returns errors."""
    errors: list[str] = []

    def expect(response: httpx.Response, *ok: int) -> httpx.Response:
        if response.status_code not in ok:
            errors.append(f"{response.request.method} {response.request.url.path}: {response.status_code}")
        return response

    prompt = " ".join(rng.sample(WORDS, 3)) + f" {rng.randint(0, 10**6)}"
    made = expect(client.post("/generate", json={"prompt": prompt, "count": rng.randint(5, 25),
                                                 "seed": rng.randint(0, 9)}), 200)
    if made.status_code == 200:
        pid = made.json()["id"]
        expect(client.get(f"/playlists/{pid}"), 200)
        expect(client.get(f"/playlists/{pid}/export/m3u8"), 200)
        if rng.random() < 0.3:
            expect(client.post(f"/playlists/{pid}/refine", json={"instruction": rng.choice(["less upbeat", "more 90s"])}),
                   200)
    expect(client.get("/tracks/search", params={"q": rng.choice(WORDS), "k": 10}), 200)
    expect(client.get("/readyz"), 200)
    expect(client.post("/generate", json={"prompt": ""}), 422)
    expect(client.post("/generate", content=b"x" * 70_000, headers={"content-type": "application/json"}), 413)
    return errors


def load(base: str, until: float, seed: int, stats: dict) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < until:
            try:
                stats["errors"] += one_round(client, rng)
            except httpx.HTTPError as exc:
                stats["errors"].append(f"transport: {exc!r}")
            stats["rounds"] += 1


def test_soak_then_graceful_shutdown(server):
    base, proc, log_path = server
    stats: dict = {"errors": [], "rounds": 0}
    start = time.monotonic()
    until = start + SOAK_S
    workers = [threading.Thread(target=load, args=(base, until, n, stats)) for n in range(CLIENTS)]
    for w in workers:
        w.start()
    samples: list[tuple[float, float]] = []
    while any(w.is_alive() for w in workers):
        samples.append((time.monotonic() - start, rss_mb(proc.pid)))
        time.sleep(2)
    for w in workers:
        w.join()
    after_warmup = [mb for t, mb in samples if t >= WARMUP_S]
    third = max(1, len(after_warmup) // 3)
    early, late = sorted(after_warmup[:third])[third // 2], max(after_warmup[-third:])
    print(f"soak: {SOAK_S:.0f}s, {CLIENTS} clients, {stats['rounds']} rounds, {len(stats['errors'])} errors; "
          f"RSS after warm-up {early:.0f} MB → end {late:.0f} MB (peak {max(mb for _, mb in samples):.0f} MB)")
    assert stats["errors"] == [], stats["errors"][:10]
    assert stats["rounds"] >= CLIENTS * 5
    assert late <= early * 1.10 + 15, (early, late)
    check_graceful_shutdown(base, proc)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log and "ERROR" not in log, log[-2000:]


def check_graceful_shutdown(base: str, proc: subprocess.Popen, in_flight: int = 6) -> None:
    """SIGTERM while `in_flight` large requests run: all answer 200, then the server exits by itself."""

    def big(n: int) -> tuple[int, float]:
        body = {"prompt": f"long road trip mix {n}", "count": 100, "minutes": 400, "seed": n}
        status = httpx.post(f"{base}/generate", json=body, timeout=120).status_code
        return status, time.monotonic()

    with ThreadPoolExecutor(in_flight) as pool:
        futures = [pool.submit(big, n) for n in range(in_flight)]
        time.sleep(0.5)  # the requests are sent and being served
        term = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        results = [f.result() for f in futures]
    print(f"shutdown: {sum(done > term for _, done in results)} of {in_flight} requests finished after SIGTERM")
    assert [status for status, _ in results] == [200] * in_flight
    assert any(done > term for _, done in results)  # they really were in flight
    # uvicorn shuts down gracefully, then re-raises the signal it caught: exit status -SIGTERM (or 0)
    assert proc.wait(timeout=60) in (0, -signal.SIGTERM)
