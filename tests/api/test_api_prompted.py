"""`/users/{id}/prompted`: the interface clients and tests agree on, and its errors as problem+json."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def deps(state_deps):
    """The same routes on SQLite and on PostgreSQL."""
    return state_deps


def test_create_list_show_refresh_edit_delete(client):
    made = client.post("/users/api-pp/prompted", json={"prompt": "rainy day coffee, mellow indie", "schedule": "weekly",
                                                       "count": 8})
    assert made.status_code == 201, made.text
    pp = made.json()
    assert pp["id"].startswith("pp_") and pp["schedule"] == "weekly" and pp["next_refresh_at"]
    first = pp["versions"][0]
    assert first["version"] == 1 and first["diff"] is None and len(first["playlist"]["tracks"]) == 8
    assert set(first["playlist"]) >= {"id", "tracks", "segments", "constraints", "spec"}  # the POST /generate shape

    listed = client.get("/users/api-pp/prompted").json()
    assert [p["id"] for p in listed] == [pp["id"]] and len(listed[0]["versions"]) == 1

    new = client.post(f"/users/api-pp/prompted/{pp['id']}/refresh")
    assert new.status_code == 201 and new.json()["version"] == 2 and new.json()["diff"]["added"]
    shown = client.get(f"/users/api-pp/prompted/{pp['id']}").json()
    assert [v["version"] for v in shown["versions"]] == [2, 1]
    assert client.get(f"/playlists/{new.json()['playlist']['id']}").status_code == 200  # kept like any playlist

    edited = client.patch(f"/users/api-pp/prompted/{pp['id']}", json={"prompt": "calm piano", "schedule": "manual"})
    assert edited.status_code == 200 and edited.json()["lineage"] == 2 and edited.json()["next_refresh_at"]
    assert client.delete(f"/users/api-pp/prompted/{pp['id']}").status_code == 204
    gone = client.get(f"/users/api-pp/prompted/{pp['id']}")
    assert gone.status_code == 404 and gone.headers["content-type"].startswith(PROBLEM)


def test_bad_input_and_unknown_ids(client):
    for body in ({"prompt": "   "}, {"prompt": "jazz", "schedule": "hourly"}, {"prompt": "jazz", "count": 0},
                 {"prompt": "jazz", "extra": 1}):
        r = client.post("/users/api-pp2/prompted", json=body)
        assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM), body
    assert client.get("/users/never-seen-listener/prompted").status_code == 404
    assert client.post("/users/pl-cardio/prompted/pp_00000000/refresh").status_code == 404
    assert client.patch("/users/pl-cardio/prompted/not-an-id", json={"schedule": "daily"}).status_code == 422


def test_a_known_listener_without_prompted_playlists_gets_an_empty_list(client):
    assert client.get("/users/pl-cardio/prompted").json() == []
