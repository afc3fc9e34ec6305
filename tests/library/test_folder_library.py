"""A folder library on real files: tags read with mutagen, unreadable and tagless files reported, catalog
matches (exact, fuzzy, MBID), incremental rescans, an interrupted sync, playlists of owned tracks only."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.errors import InvalidInput
from tests.library.music import Song, write_song
from tools.library.store import LibraryStore
from tools.library.sync import sync_library


@pytest.fixture
def folder_lib(tmp_path, music, settings, catalog):
    from tools.library.models import LibraryConfig

    store = LibraryStore(tmp_path / "libraries")
    store.add(LibraryConfig(name="files", kind="folder", path=str(music)))
    return store


def test_sync_reads_tags_matches_and_reports_bad_files(folder_lib, songs, settings, catalog):
    state, report = sync_library("files", folder_lib, catalog, settings)
    assert report.tracks == len(songs)
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert reasons["zz tagless.flac"] == "no title/artist tags"
    assert reasons["zz corrupt.mp3"].startswith(("unreadable", "not an audio file"))
    by_title = {t.title: t for t in state.tracks}
    for song in songs:
        owned = by_title[song.title]
        assert owned.catalog_id == song.catalog_id, song
        assert owned.mbid == song.mbid
    assert report.by_method["mbid"] == 1 and report.by_method["fuzzy"] == 1
    unmatched = [s for s in songs if s.catalog_id is None]
    assert report.estimated == sum(s.signal is not None for s in unmatched) == 2  # the 40 s songs
    assert report.features_unknown == len(unmatched) - 2 == 1  # the 2 s one: too short to analyse
    assert [p.reason for p in report.undecodable] == ["too short to analyse (2 s of audio; at least 15 s needed)"]
    assert {t.features for t in state.tracks} == {"catalog", "audio", "unknown"}
    assert report.match_rate == pytest.approx(sum(s.catalog_id is not None for s in songs) / len(songs), abs=1e-3)
    assert {Path(t.path).suffix for t in state.tracks} == {".flac", ".mp3", ".ogg", ".opus"}


def test_rescan_is_incremental(folder_lib, songs, settings, catalog, music, tmp_path):
    sync_library("files", folder_lib, catalog, settings)
    _, again = sync_library("files", folder_lib, catalog, settings)
    assert again.reused == again.tracks == len(songs)
    assert again.analysed == 0 and again.estimated == 2  # the earlier analysis is kept
    changed = next(p for p in music.iterdir() if p.name.startswith("000"))
    os.utime(changed, (changed.stat().st_atime, changed.stat().st_mtime + 5))
    _, third = sync_library("files", folder_lib, catalog, settings)
    assert third.reused == len(songs) - 1 and third.tracks == len(songs)


def test_fuzzy_match_needs_the_same_length(catalog, tmp_path, settings, songs):
    from tools.library.folder import scan
    from tools.library.match import CatalogMatcher

    fuzzy = next(s for s in songs if s.seconds > 10)
    write_song(tmp_path, 0, Song(fuzzy.title, fuzzy.artist, "", None, seconds=2.0))  # same near-title, 2 s long
    tracks, _, _ = scan(tmp_path)
    assert CatalogMatcher(catalog).match(tracks[0]) == (None, "none", 0.0)


def test_interrupted_sync_keeps_the_previous_state(folder_lib, settings, catalog, monkeypatch, music):
    first, _ = sync_library("files", folder_lib, catalog, settings)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("tools.library.store.switch_current", killed)
    with pytest.raises(KeyboardInterrupt):
        sync_library("files", folder_lib, catalog, settings)
    monkeypatch.undo()
    fresh = LibraryStore(folder_lib.root)
    assert fresh.state("files").synced_at == first.synced_at
    assert fresh.owned("files") == folder_lib.owned("files")
    assert not [p for p in (folder_lib.root / "files" / "builds").iterdir() if p.name.startswith(".tmp")]


def test_a_vanished_folder_is_a_clear_error(tmp_path, settings, catalog):
    from tools.library.models import LibraryConfig

    gone = tmp_path / "gone"
    gone.mkdir()
    store = LibraryStore(tmp_path / "libraries")
    store.add(LibraryConfig(name="gone", kind="folder", path=str(gone)))
    sync_library("gone", store, catalog, settings)
    gone.rmdir()
    with pytest.raises(InvalidInput, match="is gone; the last sync stays current"):
        sync_library("gone", store, catalog, settings)
    assert store.state("gone") is not None


def test_generate_from_the_folder_only_plays_owned_tracks_and_saves_m3u8(deps, music, songs):
    from agent.generate import generate
    from agent.library import export_library_playlist, libraries, save_playlist
    from agent.models import GenerateRequest
    from tools.library.models import LibraryConfig

    store = libraries(deps)
    if "myfiles" not in store.names():
        store.add(LibraryConfig(name="myfiles", kind="folder", path=str(music)))
    sync_library("myfiles", store, deps.catalog, deps.settings)
    owned = store.owned("myfiles")
    playlist = generate(GenerateRequest(prompt="songs for a party", count=6, library="myfiles"), deps)
    assert len(playlist.tracks) == 6 and {t.id for t in playlist.tracks} <= owned
    report = {c.name: c for c in playlist.constraints}["owned"]
    assert report.met and report.actual == "6 of 6 owned"
    deps.playlists.save(playlist)
    saved = save_playlist(playlist, deps)
    lines = Path(saved.path).read_text(encoding="utf-8").splitlines()
    paths = [line for line in lines if not line.startswith("#")]
    assert len(paths) == 6 and all(Path(p).is_file() and Path(p).parent == music for p in paths)
    again = save_playlist(playlist, deps)
    assert again.path == saved.path and again.updated
    doc = json.loads(export_library_playlist(playlist, deps, "jspf"))["playlist"]
    assert "https://musicbrainz.org/doc/jspf#playlist" in doc["extension"]
    mbid_titles = {s.title: s.mbid for s in songs if s.mbid and not s.via_mbid}
    for item in doc["track"]:
        if item["title"] in mbid_titles:
            assert item["identifier"] == ["https://musicbrainz.org/recording/" + mbid_titles[item["title"]]]
        assert item["location"][0].startswith("file://")


def test_an_unknown_or_empty_library_is_refused(deps, tmp_path):
    from agent.generate import generate
    from agent.library import libraries
    from agent.models import GenerateRequest
    from core.errors import NotFound
    from tools.library.models import LibraryConfig

    with pytest.raises(NotFound, match="no library named 'nosuch'"):
        generate(GenerateRequest(prompt="anything", library="nosuch"), deps)
    empty = tmp_path / "empty"
    empty.mkdir()
    store = libraries(deps)
    if "empty" not in store.names():
        store.add(LibraryConfig(name="empty", kind="folder", path=str(empty)))
    sync_library("empty", store, deps.catalog, deps.settings)
    with pytest.raises(InvalidInput, match="no track matched to the catalog"):
        generate(GenerateRequest(prompt="anything", library="empty"), deps)


def test_api_generate_with_a_library(client, deps, music):
    from agent.library import libraries
    from tools.library.models import LibraryConfig

    store = libraries(deps)
    if "apifiles" not in store.names():
        store.add(LibraryConfig(name="apifiles", kind="folder", path=str(music)))
        sync_library("apifiles", store, deps.catalog, deps.settings)
    body = client.post("/generate", json={"prompt": "calm evening", "count": 5, "library": "apifiles"}).json()
    assert {t["id"] for t in body["tracks"]} <= store.owned("apifiles") and body["library"] == "apifiles"
    assert client.post("/generate", json={"prompt": "x", "library": "Bad Name!"}).status_code == 422
    assert client.post("/generate", json={"prompt": "x", "library": "nolib"}).status_code == 404


def test_mcp_library_tools(deps, music):
    import anyio
    from mcp import Client

    from agent.library import libraries
    from tests.agent.test_mcp_server import params
    from tools.library.models import LibraryConfig

    store = libraries(deps)
    if "mcpfiles" not in store.names():
        store.add(LibraryConfig(name="mcpfiles", kind="folder", path=str(music)))
        sync_library("mcpfiles", store, deps.catalog, deps.settings)

    async def main():
        async with Client(params(deps.settings), read_timeout_seconds=120) as client:
            listed = await client.call_tool("libraries", {})
            made = await client.call_tool("generate", {"prompt": "quiet morning", "count": 4, "library": "mcpfiles"})
            saved = await client.call_tool("library_save", {"playlist_id": made.structured_content["id"]})
            return listed, made, saved

    listed, made, saved = anyio.run(main)
    assert "mcpfiles" in {lib["name"] for lib in listed.structured_content["result"]}
    assert {t["id"] for t in made.structured_content["tracks"]} <= store.owned("mcpfiles")
    assert saved.structured_content["kind"] == "m3u8" and saved.structured_content["tracks"] == 4
