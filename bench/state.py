"""State stores, SQLite vs PostgreSQL side by side: the daily refresh of 1,000 listeners' prompted playlists
(the `segue prompted refresh --due` path, and two worker threads) and the stores' read/write latencies.

Both backends hold the same data: 1,000 listeners with 20 play events each and one daily prompted playlist
each (first version made), then every playlist is refreshed once more (version 2: previous versions read, the
diff and freshness computed, a conditional insert). Baselines in the same run: `generate()` alone for the same
requests (no store: the floor a refresh cannot beat) and one `SELECT 1` transaction per backend.

PostgreSQL is a throwaway cluster started here (initdb/pg_ctl on 127.0.0.1, default durable settings: fsync on,
synchronous commit) unless `--database-url` names one; SQLite is the default WAL file with synchronous=NORMAL.

    python -m bench.state [--listeners 1000] [--threads 2] [--quick] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.generate import PROMPTS, bench_home, pct

EVENTS = 20
Samples = dict[str, list[float]]


def timed(samples: Samples, name: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    samples[name].append((time.perf_counter() - start) * 1000)
    return result


def open_deps(settings, catalog):
    from agent.deps import Deps
    from agent.playlist_store import open_playlist_store
    from agent.prompted.store import PromptedStore
    from tools.profile_db import open_profiles

    playlists = open_playlist_store(settings)
    return Deps(settings=settings, catalog=catalog, profiles=open_profiles(settings, catalog), playlists=playlists,
                prompted=PromptedStore(playlists.db))


def histories(catalog, n: int, seed: int = 0) -> list[list]:
    from tools.profiles import PlayEvent

    rng = random.Random(seed)
    return [[PlayEvent(track_id=catalog.ids[rng.randrange(len(catalog))], liked=rng.random() < 0.2,
                       skipped=rng.random() < 0.1) for _ in range(EVENTS)] for _ in range(n)]


def populate(deps, n: int, samples: Samples) -> list:
    """n listeners with a history and a daily prompted playlist each; returns the playlists."""
    from agent.prompted.models import PromptedIn
    from agent.state_db import bump_revision

    made = []
    for i, events in enumerate(histories(deps.catalog, n)):
        user = f"bench-{i:05d}"
        timed(samples, "profile: add 20 events", lambda: deps.profiles.add_events(user, events))  # noqa: B023
        timed(samples, "profile: read, recomputed after a write", lambda: deps.profiles.get_profile(user))  # noqa: B023
        timed(samples, "profile: read, cached", lambda: deps.profiles.get_profile(user))  # noqa: B023
        timed(samples, "listener revision: bump", lambda: bump_revision(deps.playlists.db, user))  # noqa: B023
        body = PromptedIn(prompt=PROMPTS[i % len(PROMPTS)], schedule="daily", count=12)
        made.append(timed(samples, "prompted: create", lambda: deps.prompted.create(user, body)))  # noqa: B023
    return made


def first_versions(deps, made: list, threads: int) -> None:
    from agent.prompted.refresh import refresh

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda pp: refresh(pp, deps, deps.prompted), made))


def read_latencies(deps, made: list, samples: Samples, n: int = 500) -> None:
    for pp in made[:n]:
        timed(samples, "prompted: get with every version", lambda: deps.prompted.get(pp.user_id, pp.id))  # noqa: B023
        timed(samples, "prompted: list a listener's (latest version)", lambda: deps.prompted.list_for(pp.user_id))  # noqa: B023
        playlist = deps.prompted.versions(pp.id, 1)[0].playlist
        timed(samples, "playlist: save", lambda: deps.playlists.save(playlist))  # noqa: B023
        timed(samples, "playlist: get", lambda: deps.playlists.get(playlist.id))  # noqa: B023
        timed(samples, "SELECT 1 transaction (baseline)", lambda: deps.playlists.db.rows("SELECT 1"))


def daily_refresh(deps, made: list, threads: int, samples: Samples) -> dict[str, float]:
    """Version 2 of every playlist: half through refresh_due (sequential, the cron path), half on `threads`
    worker threads. Returns playlists/s for each."""
    from agent.prompted import refresh as refresh_mod

    real_add = deps.prompted.add_version

    def add_version(*args: Any, **kw: Any) -> Any:
        return timed(samples, "prompted: add a version (conditional insert)", lambda: real_add(*args, **kw))

    deps.prompted.add_version = add_version
    half = len(made) // 2
    for pp in made[half:]:  # not due yet: the cron pass below takes only the first half
        deps.prompted.db.run("UPDATE prompted SET next_refresh_at = :t WHERE id = :id", t=time.time() + 10 * 86_400, id=pp.id)
    start = time.perf_counter()
    done = refresh_mod.refresh_due(deps, deps.prompted, now=time.time() + 2 * 86_400, limit=len(made))
    due_s = time.perf_counter() - start
    assert done["refreshed"] == half, done
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        wrote = list(pool.map(lambda pp: refresh_mod.refresh(pp, deps, deps.prompted)[1], made[half:]))
    threaded_s = time.perf_counter() - start
    assert all(wrote)
    del deps.prompted.add_version
    return {"due": half / due_s, "threads": (len(made) - half) / threaded_s}


def generate_floor(deps, made: list, threads: int, n: int) -> float:
    """playlists/s of generate() alone for the same requests (no store involved)."""
    import dataclasses

    from agent.generate import generate
    from agent.prompted.refresh import request_for

    bare = dataclasses.replace(deps, playlists=None, prompted=None)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda pp: generate(request_for(pp, 2, []), bare), made[:n]))
    return n / (time.perf_counter() - start)


def run_backend(label: str, settings, catalog, n: int, threads: int) -> tuple[Samples, dict[str, float]]:
    print(f"\n{label}: {n} listeners …", flush=True)
    deps = open_deps(settings, catalog)
    samples: Samples = defaultdict(list)
    try:
        made = populate(deps, n, samples)
        first_versions(deps, made, threads)
        read_latencies(deps, made, samples)
        rates = daily_refresh(deps, made, threads, samples)
        rates["floor"] = generate_floor(deps, made, threads, min(n, 200))
        versions = deps.prompted.db.rows("SELECT COUNT(*) FROM prompted_versions")[0][0]
        assert versions == 2 * n, versions
    finally:
        deps.playlists.close()
    return samples, rates


def side_by_side(results: dict[str, Samples]) -> None:
    labels = list(results)
    print(f"\nStore latencies (ms, p50 / p99)\n  {'':48}" + "".join(f"{lb:>22}" for lb in labels) + "   ratio p50")
    for name in results[labels[0]]:
        cells = [pct(results[lb].get(name, []))[::2] for lb in labels]
        ratio = cells[1][0] / cells[0][0] if len(cells) > 1 and cells[0][0] else float("nan")
        print(f"  {name:48}" + "".join(f"{p50:>11.2f} /{p99:>8.2f}" for p50, p99 in cells) + f"   {ratio:8.1f}×")


def run(listeners: int = 1000, threads: int = 2, database_url: str | None = None) -> dict[str, dict[str, float]]:
    from pydantic import SecretStr

    from bench.pg_cluster import start_cluster
    from core.settings import Settings
    from tools.ingest import open_catalog

    base = Settings(provider="offline")
    catalog = open_catalog(base)
    home = bench_home(base.store_root)
    cluster = None if database_url else start_cluster(fast=False)
    url = database_url or cluster.create_database("bench_state")  # type: ignore[union-attr]
    try:
        results, rates = {}, {}
        for label, db in (("SQLite", None), ("PostgreSQL", url)):
            settings = base.model_copy(update={"home": home, "database_url": SecretStr(db) if db else None})
            results[label], rates[label] = run_backend(label, settings, catalog, listeners, threads)
    finally:
        if cluster is not None:
            cluster.remove()
        shutil.rmtree(home, ignore_errors=True)
    side_by_side(results)
    print(f"\nDaily refresh of {listeners} listeners' prompted playlists (playlists/s)")
    print(f"  {'':48}{'SQLite':>12}{'PostgreSQL':>12}")
    for key, name in (("due", "refresh --due (sequential, cron path)"), ("threads", f"refresh, {threads} worker threads"),
                      ("floor", f"generate() alone, {threads} threads (baseline)")):
        print(f"  {name:48}{rates['SQLite'][key]:>12.1f}{rates['PostgreSQL'][key]:>12.1f}")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="100 listeners (a smoke run)")
    parser.add_argument("--database-url", help="an existing PostgreSQL database to use (it gets Segue's tables)")
    args = parser.parse_args()
    run(100 if args.quick else args.listeners, args.threads, args.database_url)


if __name__ == "__main__":
    main()
