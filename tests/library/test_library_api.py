"""Saving over the HTTP API to a real Subsonic server (Supysonic) and to a folder: `"save": true` on
POST /generate and on refine, POST /playlists/{id}/save; the playlist on the server in Segue's order, a re-save
updating the same server id, problem+json for a missing library, an unreachable server and save without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.library.server import USER, api, free_port
from tools.library.models import LibraryConfig
from tools.library.owned import playable_id

PROMPT = "feel-good songs for a sunny afternoon"


def server_order(url: str, playlist_id: str, state) -> list[str]:
    """The playlist ids of a server playlist's entries (catalog id, or own_… for a song known from its audio), in
    the server's order."""
    catalog_of = {t.key: playable_id(state.name, t) for t in state.tracks}
    return [catalog_of[e["id"]] for e in api(url, "getPlaylist", id=playlist_id)["playlist"]["entry"]]


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


@pytest.mark.server
def test_generate_refine_and_save_over_the_api_update_one_server_playlist(server, synced, lib_client):
    url, _ = server
    state = synced(LibraryConfig(name="home", kind="subsonic", url=url, user=USER))
    r = lib_client.post("/generate", json={"prompt": PROMPT, "count": 6, "library": "home", "save": True})
    assert r.status_code == 200, r.text
    playlist = r.json()
    saved = playlist["saved"]
    assert saved["kind"] == "subsonic" and saved["library"] == "home" and not saved["updated"] and saved["tracks"] == 6
    assert server_order(url, saved["id"], state) == [t["id"] for t in playlist["tracks"]]  # Segue's order
    owned = next(c for c in playlist["constraints"] if c["name"] == "owned")
    assert owned["met"] and owned["actual"] == "6 of 6 owned"
    assert lib_client.get(f"/playlists/{playlist['id']}").json()["saved"] == saved  # kept with where it went

    r = lib_client.post(f"/playlists/{playlist['id']}/refine", json={"instruction": "calmer", "save": True})
    assert r.status_code == 200, r.text
    refined = r.json()["playlist"]
    assert refined["saved"]["id"] == saved["id"] and refined["saved"]["updated"]
    assert server_order(url, saved["id"], state) == [t["id"] for t in refined["tracks"]]

    r = lib_client.post(f"/playlists/{refined['id']}/save")
    assert r.status_code == 200, r.text
    assert r.json()["saved"]["id"] == saved["id"] and r.json()["saved"]["updated"]
    assert [p["id"] for p in api(url, "getPlaylists")["playlists"]["playlist"]] == [saved["id"]]  # no second copy


@pytest.mark.server
def test_an_unreachable_server_is_503_with_retry_after_and_the_save_can_be_retried(server, synced, lib_client, lib_deps):
    from agent.library import libraries

    url, _ = server
    state = synced(LibraryConfig(name="away", kind="subsonic", url=url, user=USER))
    store = libraries(lib_deps)
    store.save_config(store.config("away").model_copy(update={"url": f"http://127.0.0.1:{free_port()}"}))
    r = lib_client.post("/generate", json={"prompt": PROMPT, "count": 5, "library": "away", "save": True})
    body = problem(r, 503)
    assert r.headers["retry-after"] == "5" and body["type"] == "/problems/store-unavailable"
    assert "cannot reach subsonic server" in body["detail"]
    playlist_id = body["detail"].split("POST /playlists/")[1].split("/save")[0]
    kept = lib_client.get(f"/playlists/{playlist_id}").json()
    assert kept["saved"] is None and kept["library"] == "away"  # made and kept, not saved

    store.save_config(store.config("away").model_copy(update={"url": url}))  # the server is back
    r = lib_client.post(f"/playlists/{playlist_id}/save")
    assert r.status_code == 200, r.text
    assert server_order(url, r.json()["saved"]["id"], state) == [t["id"] for t in kept["tracks"]]


def test_save_needs_a_library_that_exists(music, synced, lib_client):
    folder = synced(LibraryConfig(name="files", kind="folder", path=str(music)))
    assert folder.stats.matched
    body = problem(lib_client.post("/generate", json={"prompt": PROMPT, "count": 5, "save": True}), 422)
    assert "save needs a library" in body["detail"]
    body = problem(lib_client.post("/generate", json={"prompt": PROMPT, "library": "nope", "save": True}), 404)
    assert "no library named 'nope'" in body["detail"]

    plain = lib_client.post("/generate", json={"prompt": PROMPT, "count": 5}).json()
    body = problem(lib_client.post(f"/playlists/{plain['id']}/save"), 422)
    assert "not made from a library" in body["detail"]
    body = problem(lib_client.post(f"/playlists/{plain['id']}/refine", json={"instruction": "calmer", "save": True}), 422)
    assert "save needs a library" in body["detail"]
    body = problem(lib_client.post(f"/playlists/{plain['id']}/save", json={"library": "files"}), 422)
    assert "is not owned in library 'files'" in body["detail"]  # a catalog playlist is not the library's
    problem(lib_client.post("/playlists/pl_0000000000000000/save"), 404)
    body = problem(lib_client.post(f"/playlists/{plain['id']}/save", json={"library": "Bad Name"}), 422)
    assert body["errors"][0]["loc"][-1] == "library"


def test_save_to_a_folder_library_writes_an_m3u8_of_its_files(music, synced, lib_client):
    state = synced(LibraryConfig(name="files", kind="folder", path=str(music)))
    r = lib_client.post("/generate", json={"prompt": PROMPT, "count": 5, "library": "files", "save": True})
    assert r.status_code == 200, r.text
    playlist = r.json()
    saved = playlist["saved"]
    assert saved["kind"] == "m3u8" and Path(saved["path"]).parent == music and saved["tracks"] == 5
    paths = [line for line in Path(saved["path"]).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    id_of = {t.path: playable_id("files", t) for t in state.tracks}  # a catalog match, or an id from the audio
    assert [id_of[p] for p in paths] == [t["id"] for t in playlist["tracks"]] and all(Path(p).is_file() for p in paths)
    again = lib_client.post(f"/playlists/{playlist['id']}/save").json()["saved"]
    assert again["path"] == saved["path"] and again["updated"]
    Path(saved["path"]).unlink()
