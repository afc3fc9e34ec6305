"""End-to-end offline `/generate` latency and throughput against a baseline measured in the same run.

In-process (`agent.generate.generate`, every request pays its query embedding) and over HTTP (uvicorn on
127.0.0.1, a bounded async httpx loop). Baseline: the same pipeline with candidates from Chroma's
`where`-filtered query instead of the in-memory exact search. Also prints where the time goes (per-stage
medians and a profile: pyinstrument when installed, else cProfile).

    python -m bench.generate [--requests 120] [--http-requests 200] [--concurrency 4] [--home DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

PROMPTS = [
    "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes",
    "upbeat pop punk for a run, no explicit, 15 songs",
    "90s hip hop throwbacks", "late night jazz", "house music around 124 bpm",
    "sad songs like Phoebe Bridgers", "road trip classic rock, an hour", "dinner party jazz, 20 songs",
    "angry metal workout", "romantic r&b for date night", "summer reggaeton party, no explicit",
    "country but no Taylor Swift", "2000s emo nostalgia, 25 songs", "lofi beats to relax",
    "edm that builds to a peak", "kid-friendly pop for a car ride", "wind down for sleep, start slow",
    "focus music for studying, no vocals", "80s synthpop", "indie folk for a cabin weekend",
]
REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- shared helpers


def pct(ms: list[float]) -> tuple[float, float, float]:
    if not ms:
        return (float("nan"),) * 3  # type: ignore[return-value]
    q = np.percentile(ms, [50, 95, 99])
    return float(q[0]), float(q[1]), float(q[2])


def table(title: str, rows: list[tuple[str, list[float], str]], unit: str = "ms") -> None:
    """Print `name  p50 p95 p99  n  note` rows under a title."""
    print(f"\n{title}")
    print(f"  {'':52} {'p50':>9} {'p95':>9} {'p99':>9} {'n':>5}  ({unit})")
    for name, ms, note in rows:
        p50, p95, p99 = pct(ms)
        print(f"  {name:52} {p50:9.1f} {p95:9.1f} {p99:9.1f} {len(ms):5}  {note}")


def timed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def bench_home(catalog_root: Path) -> Path:
    """A throwaway SEGUE_HOME whose catalog is the given store (linked, not copied): playlists and profiles
    written by the benchmark never land in the user's stores."""
    home = Path(tempfile.mkdtemp(prefix="bench-", dir=REPO / ".segue"))
    (home / "catalog").symlink_to(catalog_root.resolve(), target_is_directory=True)
    return home


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@contextlib.contextmanager
def server(home: Path, extra_env: dict[str, str] | None = None, ready_timeout: float = 300.0,
           workers: int = 1) -> Iterator[tuple[str, int]]:
    """`uvicorn app:app` on a free 127.0.0.1 port with the catalog loaded; yields (base URL, pid)."""
    port = free_port()
    env = {**os.environ, "SEGUE_HOME": str(home), "SEGUE_PROVIDER": "offline", **(extra_env or {})}
    env.pop("OPENAI_API_KEY", None)
    argv = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    with process_server(argv, f"http://127.0.0.1:{port}", "/readyz", ready_timeout, cwd=REPO, env=env) as running:
        yield running


@contextlib.contextmanager
def process_server(argv: list[str], url: str, probe: str, ready_timeout: float = 300.0, stop_timeout: float = 10.0,
                   **popen: Any) -> Iterator[tuple[str, int]]:
    """Start a server process, wait until `url + probe` answers 200 (or fail with RuntimeError), yield
    (url, pid); terminate it afterwards (killed if it does not stop within `stop_timeout`)."""
    import httpx

    proc = subprocess.Popen(argv, **popen)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + probe, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} not ready within {ready_timeout:g} s")
            time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def requests(n: int) -> list[dict]:
    """n request bodies cycling through the prompts with varying seeds."""
    return [{"prompt": PROMPTS[i % len(PROMPTS)], "seed": i // len(PROMPTS)} for i in range(n)]


# --------------------------------------------------------------------------- in-process


def run_in_process(deps, n: int, gen: Callable | None = None) -> tuple[list[float], dict[str, list[float]]]:
    """Latency of n generate calls (query embedding cache cleared before each) and per-stage timings."""
    from agent.generate import generate
    from agent.models import GenerateRequest
    from tools.catalog import _embed_cached

    gen = gen or generate
    ms: list[float] = []
    stages: dict[str, list[float]] = {}
    for body in requests(n):
        _embed_cached.cache_clear()
        request = GenerateRequest(**body)
        start = time.perf_counter()
        playlist = gen(request, deps)
        ms.append((time.perf_counter() - start) * 1000)
        for stage, t in playlist.timings_ms.items():
            stages.setdefault(stage, []).append(t)
    return ms, stages


@contextlib.contextmanager
def chroma_candidates(deps) -> Iterator[None]:
    """Baseline: candidates from Chroma's `where` query (tools.chroma_search) instead of the exact search."""
    import agent.candidates as cand
    from tools.chroma_search import chroma_search, open_collection

    collection = open_collection(deps.catalog)

    def gather(spec, policy, catalog, profile=None, k=cand.POOL):
        vec = cand.query_vector(spec, catalog, profile)
        return chroma_search(catalog, collection, vec, cand.search_filters(spec, policy), k=k)

    with mock.patch.object(cand, "gather", gather):
        yield


def profile_top(deps, n: int, top: int = 10) -> list[tuple[str, float, float]]:
    """(function, cumulative ms per request, share of the total) for the top functions over n requests."""
    from agent.generate import generate
    from agent.models import GenerateRequest
    from tools.catalog import _embed_cached

    bodies = [GenerateRequest(**b) for b in requests(n)]

    def work() -> None:
        for r in bodies:
            _embed_cached.cache_clear()
            generate(r, deps)

    try:
        from pyinstrument import Profiler
    except ImportError:
        return _cprofile_top(work, n, top)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    work()
    session = profiler.stop()
    totals: dict[str, float] = {}
    _walk(session.root_frame(), totals, set())
    root = max(totals.values())
    skip = ("<module>", "work", "profile_top", "[")
    rows = [(k, v) for k, v in totals.items() if not k.startswith(skip)]
    rows.sort(key=lambda kv: -kv[1])
    return [(k, v * 1000 / n, v / root) for k, v in rows[:top]]


def _walk(frame, totals: dict[str, float], active: set[str]) -> None:
    """Cumulative time per function, counting a recursive function once per outermost call."""
    if frame is None:
        return
    name = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    if name not in active:
        totals[name] = totals.get(name, 0.0) + frame.time
    for child in frame.children:
        _walk(child, totals, active | {name})


def _cprofile_top(work: Callable[[], None], n: int, top: int) -> list[tuple[str, float, float]]:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(work)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = sorted(((f"{fn} ({Path(file).name}:{line})", ct) for (file, line, fn), (_, _, _, ct, _) in stats.items()),
                  key=lambda kv: -kv[1])
    root = rows[0][1]
    rows = [r for r in rows if not r[0].startswith(("work", "<built-in method builtins.exec"))]
    return [(k, v * 1000 / n, v / root) for k, v in rows[:top]]


# --------------------------------------------------------------------------- over HTTP


async def load_loop(url: str, bodies: list[dict], concurrency: int, time_limit: float) -> tuple[list[float], float, int]:
    """Send the bodies with at most `concurrency` in flight, stopping at the time limit.
    Returns (latencies ms, wall seconds, errors)."""
    import httpx

    queue = list(reversed(bodies))
    ms: list[float] = []
    errors = 0
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while queue and time.perf_counter() - start < time_limit:
                body = queue.pop()
                t0 = time.perf_counter()
                r = await client.post("/generate", json=body)
                ms.append((time.perf_counter() - t0) * 1000)
                errors += r.status_code != 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ms, time.perf_counter() - start, errors


def run_http(home: Path, n: int, concurrency: int, time_limit: float) -> dict[str, tuple[list[float], float, int]]:
    """Sequential latency and concurrent throughput against a uvicorn server (warmed with one pass of the prompts)."""
    out = {}
    with server(home) as (url, _pid):
        asyncio.run(load_loop(url, requests(len(PROMPTS)), 2, time_limit))  # warm-up, not counted
        out["sequential"] = asyncio.run(load_loop(url, requests(n)[::2], 1, time_limit / 2))
        out[f"concurrency {concurrency}"] = asyncio.run(load_loop(url, requests(n), concurrency, time_limit))
    with server(home, workers=2) as (url, _pid):  # one process per core: generate is CPU-bound Python
        asyncio.run(load_loop(url, requests(len(PROMPTS)), 4, time_limit))
        out[f"concurrency {concurrency}, 2 workers"] = asyncio.run(load_loop(url, requests(n), concurrency, time_limit))
    return out


# --------------------------------------------------------------------------- main


def run(n: int = 120, http_n: int = 200, concurrency: int = 4, time_limit: float = 60.0, home: Path | None = None,
        profile_n: int = 40) -> dict[str, float]:
    """Run every part, print the tables, return the key figures."""
    import shutil

    from agent.deps import build_deps
    from core.settings import Settings

    base = Settings(home=home) if home else Settings()
    tmp_home = bench_home(base.store_root)
    try:
        deps = build_deps(Settings(home=tmp_home, provider="offline"))
        print(f"\n## Generate (offline), {len(deps.catalog):,} tracks")
        run_in_process(deps, len(PROMPTS))  # warm-up: model sessions, caches of genre matches
        ours, stages = run_in_process(deps, n)
        with chroma_candidates(deps):
            run_in_process(deps, 4)
            base_ms, base_stages = run_in_process(deps, n)
        rows = [("in-process, exact search (segue)", ours, ""),
                ("in-process, chroma `where` candidates (baseline)", base_ms,
                 f"candidates p50 {pct(base_stages.get('candidates', []))[0]:.1f} ms")]
        http = run_http(tmp_home, http_n, concurrency, time_limit)
        for name, (ms, wall, errors) in http.items():
            rows.append((f"HTTP {name}", ms, f"{len(ms) / wall:5.1f} playlists/s, {errors} errors"))
        table("End-to-end generate latency", rows)
        table("Where the time goes (per stage, in-process)", [(s, v, "") for s, v in stages.items()])
        print(f"\nProfile over {profile_n} requests (cumulative ms per request, share of generate)")
        for name, ms, share in profile_top(deps, profile_n):
            print(f"  {ms:8.1f} {share:6.1%}  {name}")
        conc = max((http[f"concurrency {concurrency}"], http[f"concurrency {concurrency}, 2 workers"]),
                   key=lambda r: len(r[0]) / r[1])
        figures = {"p50": pct(ours)[0], "p99": pct(ours)[2], "baseline_p50": pct(base_ms)[0],
                   "http_p50": pct(http["sequential"][0])[0], "http_p99": pct(http["sequential"][0])[2],
                   "throughput": len(conc[0]) / conc[1]}
        print(f"\nspeed-up over the baseline (p50): {figures['baseline_p50'] / figures['p50']:.2f}x; "
              f"throughput {figures['throughput']:.1f} playlists/s (target ≥ 20); "
              f"p50 {figures['p50']:.0f} ms (target ≤ 100), p99 {figures['p99']:.0f} ms (target ≤ 250)")
        return figures
    finally:
        shutil.rmtree(tmp_home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=120, help="in-process requests per variant")
    parser.add_argument("--http-requests", type=int, default=200, help="HTTP requests in the throughput loop")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per HTTP loop at most")
    parser.add_argument("--home", type=Path, default=None, help="SEGUE_HOME whose catalog to use (default: the real one)")
    args = parser.parse_args()
    run(args.requests, args.http_requests, args.concurrency, args.time_limit, args.home)


if __name__ == "__main__":
    main()
