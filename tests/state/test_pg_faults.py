"""PostgreSQL down: the prompted, profile, history and playlist routes answer 503 problem+json with
Retry-After, `/readyz` names the database, `POST /generate` without a listener still works, and everything
recovers when the server is back — also when the app started while it was down. No restart."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

pytestmark = pytest.mark.postgres

PROBLEM = "application/problem+json"
BODY = {"prompt": "melancholy indie folk for a rainy night", "count": 8}


@pytest.fixture
def own_cluster():
    """A cluster of this test's own: it is stopped and started while the session one serves other tests."""
    from bench.pg_cluster import binaries, start_cluster

    if binaries() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    cluster = start_cluster()
    yield cluster
    cluster.remove()


def pg_settings(settings, url: str):
    return settings.model_copy(update={"database_url": SecretStr(url)})


def app_over(settings):
    from agent.deps import build_deps
    from app import create_app

    deps = build_deps(settings)
    return deps, TestClient(create_app(lambda: deps, settings=settings, warm=False), raise_server_exceptions=False)


def assert_unavailable(response) -> dict:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM) and response.headers["retry-after"].isdigit()
    return response.json()


def until(client: TestClient, method: str, path: str, status: int, timeout: float = 20.0, **kw):
    deadline = time.monotonic() + timeout
    while True:
        response = client.request(method, path, **kw)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_database_down_is_503_and_recovers(own_cluster, settings):
    deps, client = app_over(pg_settings(settings, own_cluster.create_database("faults")))
    with client:
        made = client.post("/users/fault-listener/prompted", json={"prompt": "calm piano", "count": 6})
        assert made.status_code == 201, made.text
        pid, kept = made.json()["id"], made.json()["versions"][0]["playlist"]["id"]
        assert client.get("/readyz").json()["checks"]["database"] == "ok"

        own_cluster.stop()
        for method, path, kw in (("GET", "/users/fault-listener/prompted", {}), ("GET", f"/users/fault-listener/prompted/{pid}", {}),
                                 ("POST", f"/users/fault-listener/prompted/{pid}/refresh", {}),
                                 ("GET", "/users/fault-listener/profile", {}), ("GET", f"/playlists/{kept}", {}),
                                 ("POST", "/users/fault-listener/history", {"json": {"events": [{"track_id": deps.catalog.ids[0]}]}})):
            problem = assert_unavailable(client.request(method, path, **kw))
            assert "unavailable" in problem["detail"], (path, problem)
        ready = assert_unavailable(client.get("/readyz"))
        assert "database" in ready["detail"]
        started = time.perf_counter()
        generated = client.post("/generate", json=BODY)  # no listener: the embedded catalog path needs no database
        assert generated.status_code == 200 and len(generated.json()["tracks"]) == 8
        assert time.perf_counter() - started < 10

        own_cluster.start()
        assert until(client, "GET", "/readyz", 200).status_code == 200
        assert client.get(f"/users/fault-listener/prompted/{pid}").status_code == 200
        assert client.post(f"/users/fault-listener/prompted/{pid}/refresh").json()["version"] == 2
        assert client.get(f"/playlists/{kept}").status_code == 200
    deps.playlists.close()


def test_start_up_with_the_database_down_recovers_later(own_cluster, settings):
    url = own_cluster.create_database("late")
    own_cluster.stop()
    deps, client = app_over(pg_settings(settings, url))
    assert deps.playlists is not None and deps.prompted is not None and deps.profiles is not None
    with client:
        assert_unavailable(client.get("/users/pl-cardio/prompted"))
        assert_unavailable(client.get("/users/pl-cardio/profile"))
        assert client.post("/generate", json=BODY).status_code == 200
        own_cluster.start()
        listed = until(client, "GET", "/users/pl-cardio/prompted", 200)  # schema migrated and seeds loaded now
        assert listed.status_code == 200 and listed.json() == []
        profile = client.get("/users/pl-cardio/profile").json()
        assert not profile["cold_start"]
        assert client.post("/users/pl-cardio/prompted", json={"prompt": "road trip rock", "count": 6}).status_code == 201
        assert client.get("/readyz").status_code == 200
    deps.playlists.close()
