"""The response contract: `explicit` is a JSON boolean or null everywhere (never a string a client could take
for true), every track carries its audio features, and the OpenAPI schema says so."""

from __future__ import annotations

import json

import pytest

AUDIO_FRACTIONS = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")
ADDED = ("acousticness", "instrumentalness", "speechiness", "loudness")
MIXED = "2000s hip hop party"  # in the fixture catalog: explicit, clean and unknown-status tracks


def track_flags(tracks: list[dict]) -> list[object]:
    flags = [t["explicit"] for t in tracks]
    assert all(f is None or isinstance(f, bool) for f in flags), flags  # never a string
    return flags


def enums(node: object) -> list[list]:
    """Every `enum` list anywhere in a JSON schema."""
    if isinstance(node, dict):
        return ([node["enum"]] if "enum" in node else []) + [e for v in node.values() for e in enums(v)]
    return [e for v in node for e in enums(v)] if isinstance(node, list) else []


def test_generate_sends_explicit_as_boolean_or_null(client, deps):
    response = client.post("/generate", json={"prompt": MIXED, "count": 20})
    assert response.status_code == 200, response.text
    tracks = response.json()["tracks"]
    flags = track_flags(tracks)
    assert {True, False, None} <= set(flags)  # tri-state stays tri-state
    assert all(t["explicit"] is deps.catalog.get(t["id"]).explicit for t in tracks)
    kept = client.get(f"/playlists/{response.json()['id']}")
    assert track_flags(kept.json()["tracks"]) == flags


@pytest.mark.parametrize("body", [{"prompt": MIXED, "count": 20, "allow_explicit": False},
                                  {"prompt": "2000s hip hop party, no explicit", "count": 20}])
def test_clean_playlists_hold_only_false(client, body):
    """Unknown status counts as explicit (fail closed): the same request without the policy has both."""
    response = client.post("/generate", json=body)
    assert response.status_code == 200, response.text
    playlist = response.json()
    assert len(playlist["tracks"]) == 20 and track_flags(playlist["tracks"]) == [False] * 20
    report = next(c for c in playlist["constraints"] if c["name"] == "explicit")
    assert report["met"] and report["actual"] == "0 explicit/unknown"
    unfiltered = client.post("/generate", json={"prompt": MIXED, "count": 20}).json()["tracks"]
    assert {True, None} <= set(track_flags(unfiltered))


def test_stream_events_send_booleans(client):
    from test_api_generate import sse

    response = client.post("/generate/stream", json={"prompt": MIXED, "count": 12, "allow_explicit": False})
    events = sse(response.text)
    tracks = [d for n, d in events if n == "track"]
    assert tracks and track_flags(tracks) == [False] * len(tracks)
    assert track_flags(events[-1][1]["tracks"]) == [False] * len(tracks)
    events = sse(client.post("/generate/stream", json={"prompt": MIXED, "count": 20}).text)
    flags = track_flags([d for n, d in events if n == "track"])
    assert {True, False, None} <= set(flags) and track_flags(events[-1][1]["tracks"]) == flags


def test_every_track_carries_its_audio_features(client, deps):
    tracks = client.post("/generate", json={"prompt": "rainy sunday coffee, mellow indie", "count": 12}).json()["tracks"]
    assert len(tracks) == 12
    for t in tracks:
        full = deps.catalog.get(t["id"])
        for name in (*AUDIO_FRACTIONS, "loudness", "tempo"):
            assert isinstance(t[name], float), (name, t)
            assert t[name] == pytest.approx(getattr(full, name), abs=1e-6)
        assert all(0 <= t[name] <= 1 for name in AUDIO_FRACTIONS)
        assert -60 <= t["loudness"] <= 5


def test_search_and_track_send_booleans(client, deps):
    hits = client.get("/tracks/search", params={"q": "hip hop party", "k": 100}).json()
    flags = [h["track"]["explicit"] for h in hits]
    assert {True, False, None} <= set(flags) and all(f is None or isinstance(f, bool) for f in flags)
    for value in (True, False, None):
        track_id = next(h["track"]["id"] for h in hits if h["track"]["explicit"] is value)
        assert client.get(f"/tracks/{track_id}").json()["explicit"] is value


def test_refine_and_daylist_send_booleans(client):
    playlist = client.post("/generate", json={"prompt": MIXED, "count": 10}).json()
    refined = client.post(f"/playlists/{playlist['id']}/refine", json={"instruction": "no explicit"}).json()
    assert track_flags(refined["playlist"]["tracks"]) == [False] * len(refined["playlist"]["tracks"])
    daylist = client.post("/daylist", json={"user_id": "pl-cardio", "at": "2026-11-27T07:30:00Z"})
    assert daylist.status_code == 200, daylist.text
    assert track_flags(daylist.json()["tracks"])


def test_openapi_schema_says_boolean_or_null(app):
    schemas = app.openapi()["components"]["schemas"]
    for name in ("PlaylistTrack", "Track"):
        prop = schemas[name]["properties"]["explicit"]
        assert sorted(s["type"] for s in prop["anyOf"]) == ["boolean", "null"], name
        assert "explicit" in schemas[name]["required"] and prop["description"]
    track = schemas["PlaylistTrack"]
    for name in ADDED:
        prop = track["properties"][name]
        assert name in track["required"] and prop["description"]
        assert sorted(s["type"] for s in prop["anyOf"]) == ["null", "number"]
    assert all(track["properties"][n]["anyOf"][0] == {"type": "number", "minimum": 0.0, "maximum": 1.0}
               for n in AUDIO_FRACTIONS)
    assert not [e for e in enums(schemas) if {"true", "false", "unknown"} & set(e)]


def test_a_playlist_kept_before_the_change_is_sent_in_the_new_shape(client, deps):
    """Kept playlists of the earlier shape (explicit as "true"/"false"/"unknown", no loudness and friends)
    still load: the flags come out as booleans or null, the missing features as null."""
    import sqlite3

    new = client.post("/generate", json={"prompt": MIXED, "count": 10}).json()
    old = new | {"id": "pl_keptbeforechange"}
    old["tracks"] = [{k: v for k, v in t.items() if k not in ADDED}
                     | {"explicit": {True: "true", False: "false", None: "unknown"}[t["explicit"]]} for t in new["tracks"]]
    with sqlite3.connect(deps.playlists.path) as db:
        db.execute("INSERT OR REPLACE INTO playlists (id, parent_id, created_at, body) VALUES (?, ?, 0, ?)",
                   (old["id"], None, json.dumps(old)))
    got = client.get(f"/playlists/{old['id']}").json()
    assert track_flags(got["tracks"]) == track_flags(new["tracks"])
    assert all(t[name] is None for t in got["tracks"] for name in ADDED)
