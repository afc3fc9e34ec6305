"""`GET /users/{id}/home`: typed shelves with true titles, streamed shelf by shelf, cached with ETag/304 and
invalidated by history and prompted-playlist changes."""

from __future__ import annotations

import json

from agent.home.shelves import SHELVES

ORDER = [f.__name__ for f in SHELVES]


def test_a_listeners_page_has_true_shelves(client, deps):
    r = client.get("/users/pl-cardio/home")
    assert r.status_code == 200 and r.headers["etag"].startswith('W/"')
    page = r.json()
    ids = [s["id"] for s in page["shelves"]]
    assert ids == sorted(ids, key=ORDER.index) and {"jump_back_in", "more_like", "daylist"} <= set(ids)
    for shelf in page["shelves"]:
        assert shelf["title"] and shelf["why"] and shelf["items"]
    more = next(s for s in page["shelves"] if s["id"] == "more_like")
    artist = more["title"].removeprefix("More like ")
    assert deps.profiles.get_profile("pl-cardio").artist_affinities.get(artist, 0) > 0  # a top artist of theirs
    assert all(artist not in i["subtitle"].split(", ") for i in more["items"])  # by other artists
    recent = set(deps.profiles.recent_ids("pl-cardio", 30))
    jump = next(s for s in page["shelves"] if s["id"] == "jump_back_in")
    assert {i["id"] for i in jump["items"]} <= recent


def test_shelves_keep_the_listeners_blocked_list(client, deps):
    from tools.profiles import PlayEvent

    ids = [t.id for t in list(deps.catalog.tracks)[:40]]
    deps.profiles.add_events("home-blocked", [PlayEvent(track_id=i) for i in ids])
    deps.profiles.set_blocked("home-blocked", [], [], explicit=True)
    page = client.get("/users/home-blocked/home").json()
    for shelf in page["shelves"]:
        for item in shelf["items"]:
            if item["kind"] == "track":
                assert deps.catalog.get(item["id"]).explicit is False


def test_stream_sends_one_shelf_per_event_cheapest_first(client):
    with client.stream("GET", "/users/pl-cardio/home", headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [line.removeprefix("event: ").strip() for line in r.iter_lines() if line.startswith("event:")]
    assert events[-1] == "done" and events.count("shelf") >= 3
    lines = client.get("/users/pl-cardio/home", headers={"Accept": "application/x-ndjson"}).text.splitlines()
    shelves = [json.loads(line) for line in lines]
    assert [s["id"] for s in shelves] == [s["id"] for s in client.get("/users/pl-cardio/home").json()["shelves"]]


def test_etag_304_and_invalidation(client):
    first = client.get("/users/pl-chill-home/home")
    assert first.status_code == 404  # never seen
    made = client.post("/users/home-etag/prompted", json={"prompt": "sunny morning acoustic", "schedule": "manual"})
    assert made.status_code == 201
    page = client.get("/users/home-etag/home")
    etag = page.headers["etag"]
    assert [s["id"] for s in page.json()["shelves"]][0] == "prompted"
    assert "popular" in [s["id"] for s in page.json()["shelves"]]  # cold start: a sensible page
    assert client.get("/users/home-etag/home", headers={"If-None-Match": etag}).status_code == 304
    client.post("/users/home-etag/history", json={"events": [{"artist": "Norah Jones", "title": "Don't Know Why"}]})
    changed = client.get("/users/home-etag/home", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    etag2 = changed.headers["etag"]
    pid = made.json()["id"]
    client.delete(f"/users/home-etag/prompted/{pid}")
    after = client.get("/users/home-etag/home", headers={"If-None-Match": etag2})
    assert after.status_code == 200 and "prompted" not in [s["id"] for s in after.json()["shelves"]]
