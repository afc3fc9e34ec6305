"""The profile store under concurrency (8 threads × 1,000 acknowledged writes; 8 × 250 in CI) and killed
mid-write (SIGKILL of a writer process): every acknowledged event is there, versions count every write,
integrity check ok."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from agent.models import GenerateRequest
from tools.profile_store import SqliteProfileStore
from tools.profiles import PlayEvent

THREADS, READERS = 8, 1


def event_counts(path) -> dict[str, tuple[int, int]]:
    """user → (stored events, version), read with plain SQLite (not through the store under test)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT u.user_id, COUNT(e.id), u.version FROM users u "
                          "LEFT JOIN events e ON e.user_id = u.user_id GROUP BY u.user_id").fetchall()
    return {u: (n, v) for u, n, v in rows}


def stored_counts(store) -> dict[str, tuple[int, int]]:
    """event_counts for either backend, read with the plain driver (psycopg for PostgreSQL)."""
    if isinstance(store, SqliteProfileStore):
        return event_counts(store.path)
    import psycopg

    url = store.db.engine.url
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as conn:
        rows = conn.execute("SELECT u.user_id, COUNT(e.id), u.version FROM listeners u "
                            "LEFT JOIN play_events e ON e.user_id = u.user_id GROUP BY u.user_id").fetchall()
    return {u: (n, v) for u, n, v in rows}


def test_eight_threads_of_acknowledged_writes_all_land(profile_store_on):
    check_concurrent_writes(profile_store_on(), 250)


@pytest.mark.slow
def test_eight_threads_of_1000_acknowledged_writes_all_land(profile_store_on):
    check_concurrent_writes(profile_store_on(), 1000)


def check_concurrent_writes(store, writes: int) -> None:
    catalog = store.catalog
    ids = catalog.ids[:THREADS * 50]
    acked = [0] * THREADS
    errors: list[BaseException] = []
    stop_reading = threading.Event()

    def writer(n: int) -> None:
        try:
            for i in range(writes):
                event = PlayEvent(track_id=ids[(n * 50 + i) % len(ids)], liked=i % 3 == 0, skipped=i % 7 == 0)
                assert store.add_events(f"rel-user-{n}", [event]).imported == 1
                acked[n] += 1
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    def reader() -> None:
        while not stop_reading.is_set():  # profiles are read (and cached) while they change
            for n in range(THREADS):
                store.get_profile(f"rel-user-{n}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    start = time.perf_counter()
    for t in threads + readers:
        t.start()
    for t in threads:
        t.join()
    stop_reading.set()
    for t in readers:
        t.join()
    seconds = time.perf_counter() - start
    print(f"profile store: {THREADS}×{writes} acknowledged writes + {READERS} reader in {seconds:.1f}s")
    assert errors == [] and acked == [writes] * THREADS
    counts = stored_counts(store)
    assert all(counts[f"rel-user-{n}"] == (writes, writes) for n in range(THREADS)), counts
    assert all(store.get_profile(f"rel-user-{n}").history_size == writes for n in range(THREADS))
    assert store.integrity_check() == "ok"


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tools.catalog import Catalog
    from tools.profile_store import SqliteProfileStore
    from tools.profiles import PlayEvent
    from tools.store import current_build

    catalog = Catalog.load(current_build(Path(sys.argv[1])))
    store = SqliteProfileStore(Path(sys.argv[2]), catalog, seed_file=None)
    user = sys.argv[3]
    for i in range(100000):
        store.add_events(user, [PlayEvent(track_id=catalog.ids[i % 500], liked=i % 2 == 0)])
        print(i + 1, flush=True)  # acknowledged: the transaction committed
""")


def start_writer(settings, path, user: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(settings.store_root), str(path), user],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def read_acks(proc: subprocess.Popen, until: int) -> int:
    last = 0
    for line in proc.stdout:
        last = int(line)
        if last >= until:
            break
    return last


@pytest.mark.parametrize("kill_after", [1, 137, 613])
def test_killed_writer_loses_nothing_it_acknowledged(tmp_path, settings, catalog, kill_after):
    path = tmp_path / "profiles.sqlite"
    SqliteProfileStore(path, catalog, seed_file=None)  # schema first, so both writers start equal
    victim, survivor = start_writer(settings, path, "victim"), start_writer(settings, path, "survivor")
    try:
        acked = read_acks(victim, kill_after)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        rest = victim.stdout.read()  # acknowledgements already in the pipe when the kill landed
        acked = max([acked] + [int(x) for x in rest.split()])
        survived = read_acks(survivor, kill_after + 50)  # the other process keeps writing after the kill
    finally:
        survivor.kill()
        survivor.wait()
    counts = event_counts(path)
    stored, version = counts["victim"]
    assert stored >= acked >= kill_after and stored <= acked + 1 and version == stored
    assert counts["survivor"][0] >= survived
    store = SqliteProfileStore(path, catalog, seed_file=None)
    assert store.integrity_check() == "ok"
    assert store.get_profile("victim").history_size == stored
    store.add_events("victim", [PlayEvent(track_id=catalog.ids[0])])  # the store takes writes again
    assert event_counts(path)["victim"][0] == stored + 1


def test_blocked_list_written_by_another_process_applies_at_once(profile_store_on, deps):
    """Profiles are cached per listener; a write from any process (or replica) bumps the version, so the next
    request sees the new blocked list (no stale cache leaks a just-blocked artist)."""
    import dataclasses

    from agent.generate import generate

    mine = profile_store_on("shared")
    other = profile_store_on("shared")  # stands for another worker process or replica
    run = dataclasses.replace(deps, profiles=mine)
    req = GenerateRequest(prompt="eminem and drake rap", user_id="rel-fresh", count=10)
    before = generate(req, run)
    assert any("Eminem" in t.artists for t in before.tracks)
    other.set_blocked("rel-fresh", artists=["Eminem"], genres=[], explicit=True)
    after = generate(req, run)
    assert after.tracks and not any("Eminem" in t.artists for t in after.tracks)
    assert all(t.explicit is False for t in after.tracks)
