"""Refine, export, search, users and health routes over the fixture catalog and stores."""

from __future__ import annotations

import pytest
from api_helpers import assert_problem

from tools.normalize import fold


@pytest.fixture
def playlist(client):
    return make_playlist(client)


def make_playlist(client):
    response = client.post("/generate", json={"prompt": "hip hop workout bangers", "count": 10})
    assert response.status_code == 200
    return response.json()


def test_refine_returns_new_kept_playlist_and_consistent_diff(state_client):
    client, playlist = state_client, make_playlist(state_client)
    response = client.post(f"/playlists/{playlist['id']}/refine", json={"instruction": "no explicit, drop the rap"})
    assert response.status_code == 200, response.text
    result = response.json()
    new = result["playlist"]
    assert result["parent_id"] == playlist["id"] and new["id"] != playlist["id"]
    old_ids = {t["id"] for t in playlist["tracks"]}
    new_ids = {t["id"] for t in new["tracks"]}
    diff = result["diff"]
    assert {d["id"] for d in diff["kept"]} | {d["id"] for d in diff["removed"]} == old_ids
    assert {d["id"] for d in diff["kept"]} | {d["id"] for d in diff["added"]} == new_ids
    assert all(t["explicit"] is False for t in new["tracks"])
    assert not any("rap" in fold(g).split() or "hip hop" in fold(g) for t in new["tracks"] for g in t["genres"])
    assert all(d["reason"] for d in diff["removed"])
    assert {c["field"] for c in result["changes"]} >= {"explicit", "exclude_genres"}
    assert client.get(f"/playlists/{new['id']}").json()["tracks"] == new["tracks"]


@pytest.mark.parametrize("body", [{"instruction": ""}, {"instruction": "x" * 501}, {"instruction": 3}, {},
                                  {"instruction": "?!"}, {"instruction": "  \t "}])
def test_refine_bad_instructions_are_422(client, playlist, body):
    assert_problem(client.post(f"/playlists/{playlist['id']}/refine", json=body), 422)


def test_a_blank_instruction_is_refused_like_an_empty_one(client, playlist):
    url = f"/playlists/{playlist['id']}/refine"
    empty = assert_problem(client.post(url, json={"instruction": ""}), 422)
    blank = assert_problem(client.post(url, json={"instruction": "   "}), 422)
    assert blank["detail"] == empty["detail"] == "body.instruction: String should have at least 1 character"


@pytest.mark.parametrize(("fmt", "media"), [("m3u8", "mpegurl"), ("xspf", "xspf+xml"), ("jspf", "jspf+json")])
def test_export_downloads_a_playlist_file(client, playlist, fmt, media):
    response = client.get(f"/playlists/{playlist['id']}/export/{fmt}")
    assert response.status_code == 200
    assert media in response.headers["content-type"]
    assert f"segue-{playlist['id']}.{fmt}" in response.headers["content-disposition"]
    for t in playlist["tracks"]:
        assert f"https://open.spotify.com/track/{t['id']}" in response.text
    assert_problem(client.get(f"/playlists/{playlist['id']}/export/mp3"), 422)


def test_search_applies_hard_filters(client):
    response = client.get("/tracks/search", params={"q": "angry rap", "k": 15, "explicit": "exclude", "year_min": 2005})
    assert response.status_code == 200
    hits = response.json()
    assert len(hits) == 15
    assert all(h["track"]["explicit"] is False and h["track"]["year"] >= 2005 for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    genre = client.get("/tracks/search", params=[("q", "guitar"), ("genre", "punk"), ("k", "5")]).json()
    assert genre and all(any("punk" in fold(g).split() for g in h["track"]["genres"]) for h in genre)
    track_id = hits[0]["track"]["id"]
    assert client.get(f"/tracks/{track_id}").json()["id"] == track_id
    assert_problem(client.get("/tracks/no-such-track"), 404)


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "jazz", "k": 0}, {"q": "jazz", "k": 10**9},
                                    {"q": "jazz", "explicit": "sometimes"}, {"q": "jazz", "year_min": "old"}, {}])
def test_search_bad_queries_are_422(client, params):
    assert_problem(client.get("/tracks/search", params=params), 422)


def test_history_then_profile(state_client, deps):
    client = state_client
    tracks = [t for t in deps.catalog.tracks if "Norah Jones" in t.artists][:4]
    events = [{"track_id": t.id, "liked": True} for t in tracks] + [{"artist": "Nobody Known", "title": "Nothing"}]
    report = client.post("/users/api-test-listener/history", json={"events": events})
    assert report.status_code == 200, report.text
    assert report.json()["imported"] == len(tracks) and report.json()["unknown_count"] == 1
    profile = client.get("/users/api-test-listener/profile").json()
    assert profile["user_id"] == "api-test-listener" and not profile["cold_start"]
    assert "Norah Jones" in profile["artist_affinities"]


def test_users_bad_input(client, make_app, deps_without):
    from fastapi.testclient import TestClient

    assert_problem(client.post("/users/u1/history", json={"events": []}), 422)
    assert_problem(client.post("/users/u1/history", json={"events": [{"liked": True}]}), 422)
    assert_problem(client.get("/users/bad%20id/profile"), 422)
    with TestClient(make_app(deps_without("profiles")), raise_server_exceptions=False) as c:
        assert_problem(c.get("/users/u1/profile"), 503)


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["tracks"] > 1000
    assert set(ready["checks"].values()) == {"ok"}


def test_playlists_survive_a_restart(state_client, state_deps):
    from agent.playlist_store import open_playlist_store

    playlist = make_playlist(state_client)
    reopened = open_playlist_store(state_deps.settings)  # a new engine on the same database, as after a restart
    try:
        assert reopened.get(playlist["id"]).model_dump(mode="json")["tracks"] == playlist["tracks"]
        assert reopened.count() >= 1
        assert reopened.journal_mode() == ("wal" if state_deps.settings.database_url is None else "server")
    finally:
        reopened.close()
