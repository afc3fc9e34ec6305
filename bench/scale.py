"""The scale run: the real catalog expanded to N synthetic tracks (default 1,000,000; tools/synthetic.py),
ingested into a Chroma server (`chroma run` on 127.0.0.1) and an embedded store, then filtered search and
generate against it. Search methods, all measured in the same run against a numpy brute force:
the projected shortlist + exact rerank that big catalogs use (tools/ann.py, the default from 200k tracks),
the exact numpy scan (Catalog.search_vector without it), and Chroma `where` on the server and embedded
(baselines). A sweep shows recall and latency of other projection sizes. Everything lives under
.segue/synthetic/N; the stores are reused by later runs.

    python -m bench.scale [--tracks 1000000] [--queries 360] [--generate 40] [--embedded-tracks 100000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.generate import free_port, pct, process_server, rss_mb, table
from bench.search import FILTERS, QUERIES

BATCH = 5000
HNSW = {"space": "cosine", "ef_construction": 32}  # scale-test index: twice the ingest rate of the default 100;
# only the Chroma `where` baseline queries it


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

    from tools.store import upsert_batch

    total = len(catalog)
    done = collection.count()
    start = time.perf_counter()
    columns = (TextColumn(f"ingest {label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns) as bar:
        task = bar.add_task(label, total=total, completed=done, rate="")

        def upsert(lo: int) -> int:
            hi = min(lo + BATCH, total)
            upsert_batch(collection, catalog.ids[lo:hi], catalog.vectors[lo:hi], metadatas(catalog.tracks, lo, hi))
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
    """`chroma run` on a free 127.0.0.1 port (output in chroma-server.log beside `path`); yields (url, pid)."""
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    argv = [shutil.which("chroma") or "chroma", "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with open(path.parent / "chroma-server.log", "ab") as log, \
            process_server(argv, f"http://127.0.0.1:{port}", "/api/v2/heartbeat", 60.0, 30.0,
                           stdout=log, stderr=subprocess.STDOUT) as running:
        yield running


def wait_idle(collection, pid: int, timeout: float = 300) -> None:
    """Load the server's index with one query, then wait until the server stops using CPU (it loads and
    compacts segments after a start), so no timing below runs beside that work."""
    collection.query(query_embeddings=[np.ones(384, dtype=np.float32) / 384 ** 0.5], n_results=1, include=[])
    deadline, ticks = time.monotonic() + timeout, os.sysconf("SC_CLK_TCK")
    while time.monotonic() < deadline:
        before = cpu_seconds(pid, ticks)
        time.sleep(2.0)
        if cpu_seconds(pid, ticks) - before < 0.1:  # under 5 % of a core
            return


def cpu_seconds(pid: int, ticks: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# --------------------------------------------------------------------------- search


def reference(catalog, q: np.ndarray, mask: np.ndarray, k: int) -> list[str]:
    """Brute force, independent of Catalog.search_vector: full scores, stable sort of the passing rows."""
    idx = np.flatnonzero(mask)
    s = catalog.vectors[idx] @ q
    order = np.lexsort((idx, -s))[:k]
    return [catalog.ids[i] for i in idx[order]]


_TRUTH: dict[tuple[str, int, int], set[str]] = {}


def truth(catalog, text: str, f_index: int, k: int) -> set[str]:
    """The reference top-k of one query × filter pair, computed once per run."""
    from tools.catalog import embed_query

    key = (text, f_index, k)
    if key not in _TRUTH:
        _TRUTH[key] = set(reference(catalog, embed_query(text), catalog.mask(FILTERS[f_index]), k))
    return _TRUTH[key]


def search_rows(catalog, methods: dict[str, Any], n: int, k: int = 50,
                limits: dict[str, int] | None = None) -> tuple[list, dict[str, float]]:
    """Time each method over n query × filter pairs, one method after the other so none runs in the shadow
    of another's memory traffic (slow baselines over their first `limits[name]` pairs only); recall@k
    against the reference, which is computed for every pair before any timing."""
    from tools.catalog import embed_query

    pairs = [(embed_query(QUERIES[i % len(QUERIES)]), i % len(FILTERS), QUERIES[i % len(QUERIES)]) for i in range(n)]
    wants = [truth(catalog, text, f_index, k) for _, f_index, text in pairs]
    times: dict[str, list[float]] = {m: [] for m in methods}
    recalls: dict[str, list[float]] = {m: [] for m in methods}
    for name, fn in methods.items():
        limit = (limits or {}).get(name, n)
        # untimed warm-up: one pass over the same pairs (the slow baselines: one query, which loads a cold
        # server index); steady-state latency, not the first touch of pages after the reference scans
        for q, f_index, _ in pairs[: 1 if limit < n else n]:
            fn(q, FILTERS[f_index], k)
        for (q, f_index, _), want in list(zip(pairs, wants, strict=True))[:limit]:
            start = time.perf_counter()
            got = fn(q, FILTERS[f_index], k)
            times[name].append((time.perf_counter() - start) * 1000)
            recalls[name].append(len(want & {c.track.id for c in got}) / max(1, len(want)))
    rows = [(name, times[name], f"recall@{k} {np.mean(recalls[name]):.3f}") for name in methods]
    return rows, {name: float(np.mean(r)) for name, r in recalls.items()}


def with_ann(catalog, ann):
    """A search function that runs Catalog.search_vector with the given search helper (None = exact scan)."""

    def search(q, f, k):
        saved, catalog.ann = catalog.ann, ann
        try:
            return catalog.search_vector(q, f, k=k)
        finally:
            catalog.ann = saved

    return search


def generate_rows(catalog, n: int, variants: dict[str, Any]) -> list:
    """In-process generate latency per search variant (Deps built around the already loaded catalog)."""
    from agent.deps import Deps
    from bench.generate import run_in_process
    from core.settings import Settings

    deps = Deps(settings=Settings(provider="offline"), catalog=catalog)
    rows = []
    for name, ann in variants.items():
        catalog.ann = ann
        run_in_process(deps, n)  # warm-up over the same requests: tracks first touched, caches filled
        ms, stages = run_in_process(deps, n)
        rows.append((name, ms, f"candidates p50 {pct(stages['candidates'])[0]:.0f} ms, selection p50 {pct(stages['selection'])[0]:.0f} ms"))
    return rows


def sweep_rows(catalog, n: int) -> list:
    """Recall and latency of other projection sizes (each built here, ~5 s per size at 1M tracks)."""
    from tools.ann import ProjectedSearch

    rows = []
    for dims in (64, 96, 128):
        index = ProjectedSearch(catalog.vectors, dims=dims)
        for shortlist in (500, 1000, 2000):
            index.shortlist = shortlist
            (row,), _ = search_rows(catalog, {f"dims {dims}, shortlist {shortlist}": with_ann(catalog, index)}, n)
            rows.append(row)
    return rows


def run(tracks: int = 1_000_000, queries: int = 360, gen_n: int = 40, embedded_tracks: int | None = None, seed: int = 0,
        baseline_queries: int = 12, sweep: bool = True) -> dict:
    from core.settings import get_settings
    from tools.ann import ProjectedSearch
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
    gc.freeze()  # as tools.ingest.open_catalog does
    load_s, (load_rss, _) = time.perf_counter() - start, rss_mb(os.getpid())
    projected = catalog.ann or ProjectedSearch(catalog.vectors)
    index_mb = projected.nbytes / 2**20
    print(f"\n{len(catalog):,} tracks ({base.manifest['count']:,} real) in {build.path}: written in {synth_s:.0f} s, "
          f"loaded in {load_s:.1f} s (projection {index_mb:,.0f} MB included)")
    embedded_tracks = len(catalog) if embedded_tracks is None else min(embedded_tracks, len(catalog))
    with chroma_server(home / "chroma-server") as (url, pid):
        server_col = open_or_create(chroma_client(None, url))
        rate_server = ingest(server_col, catalog, "chroma server")
        emb_col = open_or_create(chroma_client(build.path / "chroma", None))
        rate_emb = ingest(emb_col, _Prefix(catalog, embedded_tracks), "embedded")
        wait_idle(server_col, pid)
        methods = {"projected shortlist + exact rerank (tools/ann.py)": with_ann(catalog, projected),
                   "exact numpy scan, no projection (baseline)": with_ann(catalog, None),
                   "chroma `where`, server (baseline)": lambda q, f, k: chroma_search(catalog, server_col, q, f, k)}
        if embedded_tracks == len(catalog):
            methods["chroma `where`, embedded (baseline)"] = lambda q, f, k: chroma_search(catalog, emb_col, q, f, k)
        slow = {name: baseline_queries for name in methods if "chroma" in name}
        s_rows, recalls = search_rows(catalog, methods, queries, limits=slow)
        g_rows = generate_rows(catalog, gen_n, {"generate, projected search": projected, "generate, exact search": None})
        server_rss = rss_mb(pid)
    client_rss = rss_mb(os.getpid())
    print(f"\n## Scale: {len(catalog):,} tracks")
    print(f"  ingest chroma server: {rate(rate_server)}; embedded: {rate(rate_emb)} (over {embedded_tracks:,} tracks)")
    table(f"Filtered search at {len(catalog):,} tracks, k=50", s_rows)
    if sweep:
        table("Projection sizes (dims × shortlist), same queries", sweep_rows(catalog, queries))
    table(f"Generate (offline, in-process) at {len(catalog):,} tracks", g_rows)
    print(f"\n  memory (MB): this process after load {load_rss:,.0f}, at the end {client_rss[0]:,.0f} (peak {client_rss[1]:,.0f}); "
          f"chroma server {server_rss[0]:,.0f} (peak {server_rss[1]:,.0f})")
    print(f"  on disk (MB): synthetic build {dir_mb(build.path) - dir_mb(build.path / 'chroma'):,.0f}, "
          f"embedded chroma {dir_mb(build.path / 'chroma'):,.0f}, server chroma {dir_mb(home / 'chroma-server'):,.0f}")
    return {"search": {n: pct(ms) for n, ms, _ in s_rows}, "recall": recalls, "generate": {n: pct(ms) for n, ms, _ in g_rows},
            "ingest": {"server": rate_server, "embedded": rate_emb}, "load_s": load_s, "rss": client_rss, "server_rss": server_rss}


def rate(docs_per_s: float) -> str:
    return "store reused (ingested by an earlier run)" if docs_per_s != docs_per_s else f"{docs_per_s:,.0f} docs/s"


class _Prefix:
    """The first n tracks of a catalog, for an ingest-throughput sample."""

    def __init__(self, catalog, n: int) -> None:
        self.ids, self.vectors, self.tracks, self._n = catalog.ids[:n], catalog.vectors[:n], catalog.tracks, n

    def __len__(self) -> int:
        return self._n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=360, help="query × filter pairs to time")
    parser.add_argument("--generate", type=int, default=40, help="generate requests per variant")
    parser.add_argument("--embedded-tracks", type=int, default=100_000,
                        help="ingest this many tracks into the embedded store (a throughput sample; 0 = all)")
    parser.add_argument("--baseline-queries", type=int, default=12, help="pairs timed for the slow Chroma `where` baselines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sweep", dest="sweep", action="store_false", help="skip the projection-size sweep")
    args = parser.parse_args()
    run(args.tracks, args.queries, args.generate, args.embedded_tracks or None, args.seed, args.baseline_queries, args.sweep)


if __name__ == "__main__":
    main()
