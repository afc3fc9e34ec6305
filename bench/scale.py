"""The scale run: the real catalog expanded to N synthetic tracks (default 1,000,000; tools/synthetic.py),
ingested into a Chroma server (`chroma run` on 127.0.0.1) and an embedded store, then filtered search and
generate against it. Search methods, all measured in the same run against a numpy brute force:
exact numpy masks (Catalog.search_vector), Chroma `where` on the server and embedded (baselines), and
the adaptive path of tools/ann.py over the server's HNSW index. Everything lives under .segue/synthetic/N.

    python -m bench.scale [--tracks 1000000] [--queries 60] [--generate 40] [--skip-embedded]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.generate import free_port, pct, rss_mb, table
from bench.search import FILTERS, QUERIES

BATCH = 5000
HNSW = {"space": "cosine", "ef_construction": 32}  # scale-test index: twice the ingest rate of the default 100;
# the adaptive search queries with ef = n_results (hundreds to thousands), so recall is measured, not assumed


# --------------------------------------------------------------------------- ingest


def metadatas(cols, start: int, stop: int) -> list[dict[str, Any]]:
    """The same four fields tools.store.track_metadata writes, read straight from the columns."""
    num = cols.numeric
    ex = cols.text["explicit"][start:stop]
    year, tempo, dur = num["year"][start:stop].tolist(), num["tempo"][start:stop].tolist(), num["duration_ms"][start:stop].tolist()
    return [{"explicit": e, "year": y, "tempo": float(t), "duration_ms": d} for e, y, t, d in zip(ex, year, tempo, dur, strict=True)]


def ingest(collection, catalog, label: str, threads: int = 2) -> float:
    """Upsert every track (id, vector, metadata), `threads` batches in flight, with a progress bar; returns docs/s."""
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total = len(catalog)
    done = collection.count()
    start = time.perf_counter()
    columns = (TextColumn(f"ingest {label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns) as bar:
        task = bar.add_task(label, total=total, completed=done, rate="")

        def upsert(lo: int) -> int:
            hi = min(lo + BATCH, total)
            collection.upsert(ids=catalog.ids[lo:hi], embeddings=catalog.vectors[lo:hi], metadatas=metadatas(catalog.tracks, lo, hi))
            return hi - lo

        with ThreadPoolExecutor(threads) as pool:
            for n in pool.map(upsert, range(done - done % BATCH, total, BATCH)):
                done_now = bar.tasks[0].completed + n
                bar.update(task, completed=done_now, rate=f"{(done_now - done) / (time.perf_counter() - start):,.0f} docs/s")
    elapsed = time.perf_counter() - start
    return (total - done) / elapsed if total > done else float("nan")


def open_or_create(client):
    return client.get_or_create_collection("segue_tracks", configuration={"hnsw": HNSW},
                                          embedding_function=None)


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, int]]:
    """`chroma run` on a free 127.0.0.1 port; yields (url, pid)."""
    import httpx

    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = open(path.parent / "chroma-server.log", "ab")
    proc = subprocess.Popen([shutil.which("chroma") or "chroma", "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"chroma server exited with {proc.returncode}; see {log.name}")
            time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# --------------------------------------------------------------------------- search


def reference(catalog, q: np.ndarray, mask: np.ndarray, k: int) -> list[str]:
    """Brute force, independent of Catalog.search_vector: full scores, stable sort of the passing rows."""
    idx = np.flatnonzero(mask)
    s = catalog.vectors[idx] @ q
    order = np.lexsort((idx, -s))[:k]
    return [catalog.ids[i] for i in idx[order]]


def search_rows(catalog, methods: dict[str, Any], n: int, k: int = 50,
                limits: dict[str, int] | None = None) -> tuple[list, dict[str, float]]:
    """Time each method over n query × filter pairs (slow baselines over their first `limits[name]` pairs
    only); recall@k against the reference."""
    from tools.catalog import embed_query

    pairs = [(QUERIES[i % len(QUERIES)], FILTERS[i % len(FILTERS)]) for i in range(n)]
    times: dict[str, list[float]] = {m: [] for m in methods}
    recalls: dict[str, list[float]] = {m: [] for m in methods}
    for n_pair, (text, f) in enumerate(pairs):
        q = embed_query(text)
        truth = set(reference(catalog, q, catalog.mask(f), k))
        for name, fn in methods.items():
            if limits and n_pair >= limits.get(name, n):
                continue
            start = time.perf_counter()
            got = fn(q, f, k)
            times[name].append((time.perf_counter() - start) * 1000)
            recalls[name].append(len(truth & {c.track.id for c in got}) / max(1, len(truth)))
    rows = [(name, times[name], f"recall@{k} {np.mean(recalls[name]):.3f}") for name in methods]
    return rows, {name: float(np.mean(r)) for name, r in recalls.items()}


def with_ann(catalog, ann):
    """A search function that runs Catalog.search_vector with the given index helper (None = exact scan)."""

    def search(q, f, k):
        saved, catalog.ann = catalog.ann, ann
        try:
            return catalog.search_vector(q, f, k=k)
        finally:
            catalog.ann = saved

    return search


def generate_rows(catalog, n: int, variants: dict[str, Any]) -> list:
    """In-process generate latency per search variant (Deps built around the already loaded catalog)."""
    from agent.config import Settings
    from agent.deps import Deps
    from bench.generate import run_in_process

    deps = Deps(settings=Settings(provider="offline"), catalog=catalog)
    rows = []
    for name, ann in variants.items():
        catalog.ann = ann
        run_in_process(deps, 3)
        ms, stages = run_in_process(deps, n)
        rows.append((name, ms, f"candidates p50 {pct(stages['candidates'])[0]:.0f} ms, selection p50 {pct(stages['selection'])[0]:.0f} ms"))
    return rows


def run(tracks: int = 1_000_000, queries: int = 60, gen_n: int = 40, embedded_tracks: int | None = None, seed: int = 0,
        baseline_queries: int = 12) -> dict:
    from agent.config import get_settings
    from tools.ann import AdaptiveSearch
    from tools.catalog import Catalog
    from tools.chroma_search import chroma_search
    from tools.store import chroma_client, current_build
    from tools.synthetic import write_store

    settings = get_settings()
    base = current_build(settings.store_root)
    if base is None:
        raise SystemExit("no real catalog to expand; run `segue ingest` first")
    home = settings.home / "synthetic" / str(tracks)
    start = time.perf_counter()
    build = write_store(base, tracks, home, seed, lambda d, t: print(f"\rsynthesising {d:,}/{t:,}", end="", flush=True))
    synth_s = time.perf_counter() - start
    start = time.perf_counter()
    catalog = Catalog.load(build)
    load_s, (load_rss, _) = time.perf_counter() - start, rss_mb(os.getpid())
    print(f"\n{len(catalog):,} tracks ({base.manifest['count']:,} real) in {build.path}: written in {synth_s:.0f} s, loaded in {load_s:.1f} s")
    embedded_tracks = len(catalog) if embedded_tracks is None else min(embedded_tracks, len(catalog))
    with chroma_server(home / "chroma-server") as (url, pid):
        server_col = open_or_create(chroma_client(None, url))
        rate_server = ingest(server_col, catalog, "chroma server")
        emb_col = open_or_create(chroma_client(build.path / "chroma", None))
        rate_emb = ingest(emb_col, _Prefix(catalog, embedded_tracks), "embedded")
        adaptive = AdaptiveSearch(catalog, server_col)
        methods = {"exact numpy masks (Catalog.search_vector)": with_ann(catalog, None),
                   "adaptive: chroma-server HNSW + mask (tools/ann.py)": with_ann(catalog, adaptive),
                   "chroma `where`, server (baseline)": lambda q, f, k: chroma_search(catalog, server_col, q, f, k)}
        if embedded_tracks == len(catalog):
            methods["chroma `where`, embedded (baseline)"] = lambda q, f, k: chroma_search(catalog, emb_col, q, f, k)
        slow = {name: baseline_queries for name in methods if "baseline" in name}
        s_rows, recalls = search_rows(catalog, methods, queries, limits=slow)
        g_rows = generate_rows(catalog, gen_n, {"generate, exact search": None, "generate, adaptive search": adaptive})
        server_rss = rss_mb(pid)
    client_rss = rss_mb(os.getpid())
    print(f"\n## Scale: {len(catalog):,} tracks")
    print(f"  ingest chroma server: {rate_server:,.0f} docs/s; embedded: {rate_emb:,.0f} docs/s (over {embedded_tracks:,} tracks)")
    table(f"Filtered search at {len(catalog):,} tracks, k=50", s_rows)
    table(f"Generate (offline, in-process) at {len(catalog):,} tracks", g_rows)
    print(f"\n  memory (MB): this process after load {load_rss:,.0f}, at the end {client_rss[0]:,.0f} (peak {client_rss[1]:,.0f}); "
          f"chroma server {server_rss[0]:,.0f} (peak {server_rss[1]:,.0f})")
    print(f"  on disk (MB): synthetic build {dir_mb(build.path) - dir_mb(build.path / 'chroma'):,.0f}, "
          f"embedded chroma {dir_mb(build.path / 'chroma'):,.0f}, server chroma {dir_mb(home / 'chroma-server'):,.0f}")
    return {"search": {n: pct(ms) for n, ms, _ in s_rows}, "recall": recalls, "generate": {n: pct(ms) for n, ms, _ in g_rows},
            "ingest": {"server": rate_server, "embedded": rate_emb}, "load_s": load_s, "rss": client_rss, "server_rss": server_rss}


class _Prefix:
    """The first n tracks of a catalog, for an ingest-throughput sample."""

    def __init__(self, catalog, n: int) -> None:
        self.ids, self.vectors, self.tracks, self._n = catalog.ids[:n], catalog.vectors[:n], catalog.tracks, n

    def __len__(self) -> int:
        return self._n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=60, help="query × filter pairs to time")
    parser.add_argument("--generate", type=int, default=40, help="generate requests per variant")
    parser.add_argument("--embedded-tracks", type=int, default=100_000,
                        help="ingest this many tracks into the embedded store (a throughput sample; 0 = all)")
    parser.add_argument("--baseline-queries", type=int, default=12, help="pairs timed for the slow Chroma `where` baselines")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    run(args.tracks, args.queries, args.generate, args.embedded_tracks or None, args.seed, args.baseline_queries)


if __name__ == "__main__":
    main()
