"""Two `segue serve` replicas with separate SEGUE_HOME folders, one PostgreSQL and one `chroma run` server behave
as one service: history imported on one moves the other's profile and prompted playlists, prompted playlists
made on one are listed and refreshed on the other, a refresh racing on both writes one version, and a replica
killed in the middle of a refresh leaves no half-written version. The second replica never ingests: it copies
the search snapshot published with the server's build (SEGUE_SNAPSHOT_DIR)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from state_helpers import chroma_server, segue

pytestmark = [pytest.mark.server, pytest.mark.postgres]


class Service:
    """One database, one Chroma server, a shared snapshot directory; replicas started on demand."""

    def __init__(self, root: Path, raw: Path, db_url: str, chroma_url: str) -> None:
        self.root, self.raw, self.db_url, self.chroma_url = root, raw, db_url, chroma_url
        self.stack = contextlib.ExitStack()

    def env(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEGUE_") and k not in ("OPENAI_API_KEY",)}
        return env | {"SEGUE_HOME": str(self.root / name), "SEGUE_RAW_DATA_DIR": str(self.raw),
                      "SEGUE_CHROMA_URL": self.chroma_url, "SEGUE_SNAPSHOT_DIR": str(self.root / "shared"),
                      "SEGUE_DATABASE_URL": self.db_url, "SEGUE_PROVIDER": "offline", "SEGUE_REFRESH_INTERVAL_S": "0"}

    def replica(self, name: str) -> tuple[str, int]:
        """A started `segue serve` (ready: catalog loaded, stores answer); returns (url, pid)."""
        from bench.generate import free_port, process_server

        port = free_port()
        log = self.stack.enter_context(open(self.root / f"{name}.log", "ab"))
        argv = [segue(), "serve", "--port", str(port), "--log-level", "warning"]
        return self.stack.enter_context(process_server(argv, f"http://127.0.0.1:{port}", "/readyz", 180.0, 20.0,
                                                       env=self.env(name), stdout=log, stderr=subprocess.STDOUT))

    def sql(self, query: str, *args) -> list[tuple]:
        with psycopg.connect(self.db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            return conn.execute(query, args).fetchall()


@pytest.fixture(scope="module")
def service(tmp_path_factory, fixture_raw, pg_cluster):
    root = tmp_path_factory.mktemp("replicas")
    with chroma_server(root / "chroma") as chroma_url:
        svc = Service(root, fixture_raw, pg_cluster.create_database("replicas"), chroma_url)
        done = subprocess.run([segue(), "ingest"], env=svc.env("a"), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]  # replica a ingests into the server and publishes
        with svc.stack:
            svc.a, svc.b = svc.replica("a"), svc.replica("b")
            yield svc


def call(url: str, method: str, path: str, **kw) -> httpx.Response:
    return httpx.request(method, url + path, timeout=60, **kw)


def test_the_second_replica_copied_the_snapshot_instead_of_ingesting(service, catalog):
    from tools.store import current_build

    a, b = current_build(service.root / "a" / "catalog"), current_build(service.root / "b" / "catalog")
    assert a is not None and b is not None and a.build_id == b.build_id
    assert b.manifest["backend"] == "chroma-server" and b.manifest["count"] == len(catalog)
    assert not (b.path / "chroma").exists()  # nothing was written for or by an ingest here
    for url in (service.a[0], service.b[0]):
        ready = call(url, "GET", "/readyz").json()
        assert ready["checks"] == {"catalog": "ok", "playlists": "ok", "database": "ok", "profiles": "ok",
                                   "chroma": "ok"} and ready["tracks"] == len(catalog)
    q = {"q": "late night jazz piano", "k": 10, "year_min": 2000}
    ids = [[h["track"]["id"] for h in call(url, "GET", "/tracks/search", params=q).json()] for url in (service.a[0], service.b[0])]
    assert ids[0] == ids[1] and len(ids[0]) == 10


def test_history_on_one_replica_moves_the_other(service, catalog):
    (a, _), (b, _) = service.a, service.b
    user = "replica-listener"
    jazz = [t.id for t in catalog.tracks if "Norah Jones" in t.artists][:6]
    assert call(b, "GET", f"/users/{user}/profile").json()["cold_start"]  # b has never heard of them
    assert call(a, "POST", f"/users/{user}/history", json={"events": [{"track_id": i, "liked": True} for i in jazz]}).status_code == 200
    assert service.sql("SELECT revision FROM listener_revisions WHERE user_id = %s", user) == [(1,)]
    profile = call(b, "GET", f"/users/{user}/profile").json()
    assert not profile["cold_start"] and "Norah Jones" in profile["artist_affinities"]

    made = call(b, "POST", f"/users/{user}/prompted", json={"prompt": "mellow jazz vocals", "count": 8})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert [p["id"] for p in call(a, "GET", f"/users/{user}/prompted").json()] == [pid]
    first = {t["id"] for t in made.json()["versions"][0]["playlist"]["tracks"]}
    liked = sorted(first - set(jazz))[:3]
    call(b, "POST", f"/users/{user}/history", json={"events": [{"track_id": i, "liked": True} for i in liked]})
    refreshed = call(a, "POST", f"/users/{user}/prompted/{pid}/refresh")  # a sees the likes b recorded
    assert refreshed.status_code == 201 and refreshed.json()["version"] == 2
    all_liked = set(liked) | set(jazz)  # both imports were likes
    back = [t for t in refreshed.json()["playlist"]["tracks"] if t["id"] in all_liked and t["id"] in first]
    assert all("you liked it" in t["why"] for t in back) and refreshed.json()["freshness"]["carried_liked"] == len(back)
    assert [v["version"] for v in call(b, "GET", f"/users/{user}/prompted/{pid}").json()["versions"]] == [2, 1]
    assert service.sql("SELECT revision FROM listener_revisions WHERE user_id = %s", user)[0][0] >= 4


@contextlib.contextmanager
def row_locked(service: Service, pid: str):
    """Hold the prompted playlist's row: a refresh then writes its version row and waits before it can commit."""
    with psycopg.connect(service.db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("SELECT 1 FROM prompted WHERE id = %s FOR UPDATE", (pid,))
        yield conn


def wait_for_lock_waiters(service: Service, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = service.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        if waiting[0][0] >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{n} refreshes did not reach the database together")


def make_prompted(service: Service, user: str) -> str:
    made = call(service.a[0], "POST", f"/users/{user}/prompted", json={"prompt": "upbeat indie rock", "count": 8})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def test_a_refresh_racing_on_both_replicas_writes_one_version(service):
    user, results = "race-listener", {}
    pid = make_prompted(service, user)
    with row_locked(service, pid):
        threads = [threading.Thread(target=lambda u=url: results.update({u: call(u, "POST", f"/users/{user}/prompted/{pid}/refresh")}))
                   for url in (service.a[0], service.b[0])]
        for t in threads:
            t.start()
        wait_for_lock_waiters(service, 2)  # both have written version 2 and wait: the race is on
    for t in threads:
        t.join(timeout=60)
    bodies = [r.json() for r in results.values()]
    assert [r.status_code for r in results.values()] == [201, 201]
    assert bodies[0]["version"] == bodies[1]["version"] == 2 and bodies[0]["playlist"]["id"] == bodies[1]["playlist"]["id"]
    assert service.sql("SELECT version FROM prompted_versions WHERE prompted_id = %s ORDER BY version", pid) == [(1,), (2,)]


def test_a_replica_killed_mid_refresh_leaves_no_half_written_version(service):
    from agent.prompted.models import PromptedVersion

    user = "kill-listener"
    pid = make_prompted(service, user)
    victim_url, victim_pid = service.replica("c")  # a third replica, also from the shared snapshot
    with row_locked(service, pid):
        doomed = threading.Thread(target=_ignore, args=(call, victim_url, "POST", f"/users/{user}/prompted/{pid}/refresh"))
        doomed.start()
        wait_for_lock_waiters(service, 1)  # its version 2 is written, not committed
        os.kill(victim_pid, signal.SIGKILL)
    doomed.join(timeout=60)
    after = call(service.b[0], "POST", f"/users/{user}/prompted/{pid}/refresh")  # the number is free again
    assert after.status_code == 201 and after.json()["version"] == 2
    rows = service.sql("SELECT version, body FROM prompted_versions WHERE prompted_id = %s ORDER BY version", pid)
    assert [v for v, _ in rows] == [1, 2]
    assert all(PromptedVersion.model_validate_json(body).version == v for v, body in rows)
    shown = call(service.a[0], "GET", f"/users/{user}/prompted/{pid}").json()
    assert [v["version"] for v in shown["versions"]] == [2, 1] and shown["last_error"] is None


def _ignore(fn, *args, **kw) -> None:
    try:
        fn(*args, **kw)
    except httpx.HTTPError:
        pass  # the replica was killed while this request waited
