"""A real Subsonic server for tests: Supysonic (`supysonic-cli` adds a user and a folder and scans it,
`supysonic-server -S waitress` serves it on a free loopback port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

USER, PASSWORD = "alice", "s3cret-pass"


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "supysonic.conf").write_text(
        f"[base]\ndatabase_uri = sqlite:///{home}/supysonic.db\n"
        f"[webapp]\ncache_dir = {home}/cache\nlog_level = WARNING\nmount_webui = no\nonline_lyrics = no\n"
        f"[daemon]\nsocket = {home}/daemon.sock\nrun_watcher = no\n", encoding="utf-8")
    return {**os.environ, "HOME": str(home)}


def cli(home: Path, env: dict[str, str], *args: str, timeout_s: float = 120) -> str:
    done = subprocess.run([bin_path("supysonic-cli"), *args], cwd=home, env=env, capture_output=True, text=True,
                          timeout=timeout_s)
    if done.returncode != 0:
        raise RuntimeError(f"supysonic-cli {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def scan(home: Path, env: dict[str, str], timeout_s: float = 120) -> None:
    cli(home, env, "folder", "scan", "-f", "music", timeout_s=timeout_s)


@contextmanager
def supysonic(home: Path, music: Path, scan_timeout_s: float = 120):
    """(base URL, rescan) of a running server over `music`; stopped on exit."""
    env = write_config(home)
    cli(home, env, "user", "add", USER, "-p", PASSWORD)
    cli(home, env, "folder", "add", "music", str(music))
    scan(home, env, scan_timeout_s)
    port = free_port()
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([bin_path("supysonic-server"), "-S", "waitress", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        yield url, lambda: scan(home, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"supysonic-server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/rest/ping.view", params=params(), timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("supysonic-server did not become ready")


def params(**extra: str) -> dict[str, str]:
    return {"u": USER, "p": PASSWORD, "v": "1.12.0", "c": "segue-test", "f": "json", **extra}


def api(url: str, endpoint: str, **extra) -> dict:
    return httpx.get(f"{url}/rest/{endpoint}.view", params=params(**extra), timeout=10).json()["subsonic-response"]
