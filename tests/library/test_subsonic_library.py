"""A real Subsonic server (Supysonic) over real files: the acceptance scenario through the `segue` command line,
bad credentials and unreachable servers as one-line errors, plays and stars into the profile."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from core.errors import InvalidInput, NotFound, StoreError
from tests.library.server import PASSWORD, USER, api, free_port
from tools.library.owned import playable_id
from tools.library.store import LibraryStore
from tools.library.subsonic import ERRORS, SubsonicClient, subsonic_error

pytestmark = pytest.mark.server


def test_acceptance_generate_saves_an_owned_playlist_on_the_server(server, segue, songs, settings):
    url, _ = server
    code, out, err = segue("library", "add", "subsonic", url, "--user", USER, "--name", "home", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["matched"] == sum(s.catalog_id is not None and not s.via_mbid for s in songs)
    code, out, err = segue("generate", "feel-good songs for a sunny afternoon", "--count", "6", "--library", "home",
                           "--save", "--json")
    assert code == 0, err
    playlist = json.loads(out)
    saved_id = playlist["saved"]["id"]
    remote = api(url, "getPlaylist", id=saved_id)["playlist"]
    state = LibraryStore(settings.library_root).state("home")
    catalog_of = {t.key: playable_id("home", t) for t in state.tracks}  # catalog id, or own_… for estimated songs
    assert [catalog_of[e["id"]] for e in remote["entry"]] == [t["id"] for t in playlist["tracks"]]  # Segue's order
    assert len(playlist["tracks"]) == 6 and {c["name"]: c["met"] for c in playlist["constraints"]}["owned"]
    assert remote["comment"] == "\n\n".join(s["text"] for s in playlist["segments"])

    code, out, err = segue("refine", playlist["id"], "calmer", "--json")
    assert code == 0, err
    refined = json.loads(out)["playlist"]
    assert refined["library"] == "home" and {t["id"] for t in refined["tracks"]} <= set(catalog_of.values())
    code, out, err = segue("library", "save", refined["id"], "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["id"] == saved_id and again["updated"]  # the same server playlist, updated
    lists = api(url, "getPlaylists")["playlists"]["playlist"]
    assert [p["id"] for p in lists] == [saved_id]  # no second copy
    entries = api(url, "getPlaylist", id=saved_id)["playlist"]["entry"]
    assert [catalog_of[e["id"]] for e in entries] == [t["id"] for t in refined["tracks"]]


def test_wrong_password_is_one_line_and_saves_nothing(server, segue):
    url, _ = server
    code, out, err = segue("library", "add", "subsonic", url, "--user", USER, "--name", "wrongpw", password="nope")
    assert code == 2 and "error 40: wrong user name or password" in err and len(err.strip().splitlines()) == 1
    code, out, _ = segue("library", "list", "--json")
    assert "wrongpw" not in {r["name"] for r in json.loads(out)}


def test_missing_secret_unreachable_server_and_api_key(server, segue):
    url, _ = server
    code, _, err = segue("library", "add", "subsonic", url, "--user", USER, "--name", "nopw", password=None)
    assert code == 2 and "SEGUE_SUBSONIC_PASSWORD" in err
    code, _, err = segue("library", "add", "subsonic", f"http://127.0.0.1:{free_port()}", "--user", USER, "--name", "down")
    assert code == 3 and "cannot reach subsonic server" in err and "Traceback" not in err
    code, _, err = segue("library", "add", "subsonic", url, "--name", "key", password=None, SEGUE_SUBSONIC_API_KEY="k")
    assert code == 2 and "does not accept API keys" in err


def test_token_auth_falls_back_to_the_password_and_errors_map(server):
    url, _ = server
    with SubsonicClient(url, USER, password=PASSWORD) as client:
        assert client.ping() == "password"  # Supysonic has no token auth: code 10, then enc: password
        with pytest.raises(NotFound, match="error 70"):
            client.playlist("00000000-0000-0000-0000-000000000000")
    for code, (cls, meaning) in ERRORS.items():
        exc = subsonic_error(url, code, "")
        assert isinstance(exc, cls) and meaning in str(exc) and "\n" not in str(exc)
    assert isinstance(subsonic_error(url, 40, "x"), InvalidInput) and isinstance(subsonic_error(url, 0, ""), StoreError)


def test_stars_feed_the_profile_once(server, deps, songs):
    from agent.library import import_plays, libraries
    from tools.library.models import LibraryConfig
    from tools.library.sync import sync_library

    url, _ = server
    settings = deps.settings.model_copy(update={"subsonic_password": SecretStr(PASSWORD)})
    store = libraries(deps)
    if "starred" not in store.names():
        store.add(LibraryConfig(name="starred", kind="subsonic", url=url, user=USER, listener="lib-star"))
    state, _ = sync_library("starred", store, deps.catalog, settings)
    song = next(t for t in state.tracks if t.catalog_id)
    api(url, "star", id=song.key)
    state, _ = sync_library("starred", store, deps.catalog, settings)
    first = import_plays(state, deps)
    assert first.imported == 1 and first.user_id == "lib-star"
    assert import_plays(state, deps).imported == 0  # idempotent
    assert {u.user_id: u.events for u in deps.profiles.list_users()}["lib-star"] == 1
    api(url, "unstar", id=song.key)
    state, _ = sync_library("starred", store, deps.catalog, settings)
    assert import_plays(state, deps).removed == 1


def test_server_songs_the_catalog_lacks_are_analysed_and_sequenced(server, segue, songs, settings):
    """Supysonic's `download` feeds the analysis; the estimated songs play in a --library playlist saved back."""
    pytest.importorskip("librosa")
    from tests.library.test_audio import tempo_ok

    url, _ = server
    code, out, err = segue("library", "add", "subsonic", url, "--user", USER, "--name", "heard", "--json")
    assert code == 0, err
    report = json.loads(out)
    signals = [s for s in songs if s.signal]
    assert report["estimated"] == len(signals)
    assert report["analysed"] == report["estimated"] + report["features_unknown"]  # every unmatched song was tried
    assert report["features_unknown"] == len(report["undecodable"]) >= 1  # the 2 s song (and what else Supysonic lists)
    state = LibraryStore(settings.library_root).state("heard")
    by_title = {t.title: t for t in state.tracks}
    for s in signals:
        audio = by_title[s.title].audio
        assert tempo_ok(audio.tempo, s.signal[0]) and (audio.key, audio.mode) == s.signal[1:]
        assert by_title[s.title].duration_ms == 40_000  # the server's duration of the file
    owned = LibraryStore(settings.library_root).owned("heard")
    code, out, err = segue("generate", "an afternoon mix", "--count", str(len(owned)), "--library", "heard",
                           "--save", "--json")
    assert code == 0, err
    playlist = json.loads(out)
    played = {t["title"]: t for t in playlist["tracks"] if t["features_from"] == "audio"}
    assert set(played) == {s.title for s in signals}
    entries = api(url, "getPlaylist", id=playlist["saved"]["id"])["playlist"]["entry"]
    assert {by_title[s.title].key for s in signals} <= {e["id"] for e in entries}  # saved on the server too
    code, out, err = segue("library", "sync", "heard", "--json")
    assert code == 0 and json.loads(out)["analysed"] == 0  # nothing new to analyse


def test_supysonic_refuses_token_and_api_key_auth_with_code_10(server):
    """Supysonic 0.7.9 keeps only sha1(salt + password), so it cannot check a Subsonic token (md5(password +
    salt)); its `authorize` reads `u` and `p` alone, and a missing one is error 10. The client falls back."""
    import hashlib

    url, _ = server
    token = {"u": USER, "t": hashlib.md5(f"{PASSWORD}abc123".encode()).hexdigest(), "s": "abc123"}  # noqa: S324
    for auth in (token, {"apiKey": "any-key"}):
        body = httpx.get(f"{url}/rest/ping.view", params={"v": "1.16.1", "c": "segue-test", "f": "json", **auth},
                         timeout=10).json()["subsonic-response"]
        assert body["status"] == "failed" and body["error"]["code"] == 10, body
    with SubsonicClient(url, USER, password=PASSWORD) as client:
        assert client.ping() == "password" and client.playlist_ids() is not None


def test_token_and_api_key_requests_follow_the_protocol():
    """What the client sends (no server here accepts either, see above): a fresh salt per request and
    t = md5(password + salt); the OpenSubsonic apiKey alone, without u."""
    import hashlib

    sent: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(dict(request.url.params))
        return httpx.Response(200, json={"subsonic-response": {"status": "ok", "version": "1.16.1"}})

    with SubsonicClient("http://music.test", USER, password=PASSWORD, transport=httpx.MockTransport(answer)) as client:
        assert client.ping() == "token"
        client.call("ping")
    first, second = sent
    for params in sent:
        assert params["t"] == hashlib.md5(f"{PASSWORD}{params['s']}".encode()).hexdigest()  # noqa: S324
        assert "p" not in params and params["u"] == USER
    assert first["s"] != second["s"]
    sent.clear()
    with SubsonicClient("http://music.test", None, api_key="k-123", transport=httpx.MockTransport(answer)) as client:
        assert client.ping() == "apikey"
    assert sent[0]["apiKey"] == "k-123" and not {"u", "p", "t", "s"} & set(sent[0])
