"""Talk entries in the response contract: `explicit` is the show's flag as true, false or null, and an episode
has no audio features, so all of its audio fields are null (never 0.0). The API and `segue generate --json`
send the same shape."""

from __future__ import annotations

import json

import pytest

AUDIO = ("tempo", "key", "mode", "camelot", "energy", "valence", "danceability", "acousticness", "instrumentalness",
         "speechiness", "loudness")
MIXED = "upbeat indie with one news episode in the middle"


def check_entries(tracks: list[dict], talk, catalog) -> None:
    for t in tracks:
        assert t["explicit"] is None or isinstance(t["explicit"], bool), t
        if t["kind"] == "talk":
            assert t["explicit"] is talk.get(t["id"]).explicit
            assert {name: t[name] for name in AUDIO} == dict.fromkeys(AUDIO), t
        else:
            full = catalog.get(t["id"])
            assert t["explicit"] is full.explicit
            assert all(t[name] == pytest.approx(getattr(full, name), abs=1e-6) for name in AUDIO if name != "camelot")


@pytest.fixture
def talk_client(talk_deps):
    from fastapi.testclient import TestClient

    from app import create_app

    with TestClient(create_app(lambda: talk_deps, settings=talk_deps.settings, warm=False)) as c:
        yield c


def test_api_mixed_playlist_entries(talk_client, talk, catalog):
    response = talk_client.post("/generate", json={"prompt": MIXED, "count": 10})
    assert response.status_code == 200, response.text
    tracks = response.json()["tracks"]
    assert [t["kind"] for t in tracks].count("talk") == 1
    check_entries(tracks, talk, catalog)


def test_api_talk_only_with_unknown_and_known_flags(talk_client, talk, catalog):
    tracks = talk_client.post("/generate", json={"prompt": "comedy podcasts only", "count": 12}).json()["tracks"]
    assert tracks and all(t["kind"] == "talk" for t in tracks)
    assert {t["explicit"] for t in tracks} == {True, False, None}  # the show's flag, or null where none is given
    check_entries(tracks, talk, catalog)


def test_cli_json_is_the_api_contract(cli, talk, catalog):
    out = cli("generate", MIXED, "--count", "10", "--json")
    assert out.returncode == 0, out.stderr
    playlist = json.loads(out.stdout)
    assert [t["kind"] for t in playlist["tracks"]].count("talk") == 1
    check_entries(playlist["tracks"], talk, catalog)
    out = cli("generate", "2000s hip hop party", "--count", "20", "--clean", "--json")
    assert out.returncode == 0, out.stderr
    assert [t["explicit"] for t in json.loads(out.stdout)["tracks"]] == [False] * 20
