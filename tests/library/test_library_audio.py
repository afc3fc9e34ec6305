"""A folder library's own audio: unmatched tracks get tempo, key and energy estimated from their files and are
sequenced (never narrated as fact); analysis is incremental and an undecodable file is reported, not fatal;
M4A files are read, matched and analysed; playlists use the owned files' real lengths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.library.music import Song, write_song
from tests.library.test_audio import tempo_ok
from tools.library.models import LibraryConfig
from tools.library.store import LibraryStore
from tools.library.sync import sync_library

pytest.importorskip("librosa")


def folder_store(tmp_path: Path, folder: Path, name: str = "files") -> LibraryStore:
    store = LibraryStore(tmp_path / "libraries")
    store.add(LibraryConfig(name=name, kind="folder", path=str(folder)))
    return store


def test_unmatched_tracks_get_features_from_their_audio(tmp_path, music, songs, settings, catalog):
    state, report = sync_library("files", folder_store(tmp_path, music), catalog, settings)
    by_title = {t.title: t for t in state.tracks}
    for s in songs:
        owned = by_title[s.title]
        if s.signal:
            bpm, tonic, mode = s.signal
            assert owned.features == "audio" and owned.catalog_id is None
            assert tempo_ok(owned.audio.tempo, bpm) and (owned.audio.key, owned.audio.mode) == (tonic, mode)
        elif s.catalog_id:
            assert owned.features == "catalog" and owned.audio is None  # matched tracks are not analysed
    assert report.analysed == 3 and report.analysis_seconds > 0  # the two songs and the 2 s one


def test_analysis_is_incremental_and_survives_an_interrupted_sync(tmp_path, music, settings, catalog, monkeypatch):
    lib = tmp_path / "music"
    shutil.copytree(music, lib)
    store = folder_store(tmp_path, lib)
    sync_library("files", store, catalog, settings)
    signal = next(t for t in store.state("files").tracks if t.features == "audio")
    os.utime(signal.path, (0, Path(signal.path).stat().st_mtime + 5))  # changed: analysed again
    monkeypatch.setattr("tools.library.store.switch_current", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        sync_library("files", store, catalog, settings)
    monkeypatch.undo()
    assert LibraryStore(store.root).state("files").tracks == store.state("files").tracks  # the previous build
    _, report = sync_library("files", store, catalog, settings)
    assert report.analysed == 0 and report.estimated == 2  # the interrupted sync's analysis was kept


def test_an_undecodable_file_stays_unknown_and_is_reported(tmp_path, settings, catalog, songs):
    lib = tmp_path / "music"
    lib.mkdir()
    song = next(s for s in songs if s.signal)
    path = write_song(lib, 0, song)
    data = bytearray(path.read_bytes())
    start = data.index(b"\xff\xf8")  # the first FLAC frame: everything from here on becomes noise
    data[start:] = os.urandom(len(data) - start)
    path.write_bytes(bytes(data))
    state, report = sync_library("files", folder_store(tmp_path, lib), catalog, settings)
    assert report.tracks == 1 and report.features_unknown == 1 and report.estimated == 0
    assert report.undecodable[0].path == str(path) and report.undecodable[0].reason
    assert state.tracks[0].features == "unknown"


def test_m4a_files_are_read_matched_and_analysed(tmp_path, settings, catalog, songs):
    pytest.importorskip("av")
    from tests.library.signals import song as music
    from tests.library.signals import write_m4a
    from tools.library.folder import audio_files

    lib = tmp_path / "m4a"
    lib.mkdir()
    known = next(s for s in songs if s.catalog_id and not s.mbid and not s.via_mbid and s.seconds <= 10)
    unknown = next(s for s in songs if s.signal)
    write_m4a(lib / "known.m4a", music(100, 2, 0, seconds=20), title=known.title, artist=known.artist, album=known.album)
    write_m4a(lib / "unknown.m4a", music(*unknown.signal, seconds=30), title=unknown.title, artist=unknown.artist)
    assert [p.name for p in audio_files(lib)] == ["known.m4a", "unknown.m4a"]
    state, report = sync_library("files", folder_store(tmp_path, lib), catalog, settings)
    by_title = {t.title: t for t in state.tracks}
    assert report.unreadable == 0 and by_title[known.title].catalog_id == known.catalog_id
    assert by_title[known.title].album == known.album and by_title[known.title].duration_ms == pytest.approx(20_000, abs=100)
    estimate = by_title[unknown.title].audio
    assert tempo_ok(estimate.tempo, unknown.signal[0]) and (estimate.key, estimate.mode) == unknown.signal[1:]


def test_a_library_playlist_sequences_estimated_tracks_without_narrating_their_estimates(deps, music, songs):
    from agent.generate import generate
    from agent.grounding import build_facts
    from agent.library import export_library_playlist, libraries
    from agent.models import GenerateRequest

    store = libraries(deps)
    if "estimated" not in store.names():
        store.add(LibraryConfig(name="estimated", kind="folder", path=str(music)))
    state, _ = sync_library("estimated", store, deps.catalog, deps.settings)
    owned = store.owned("estimated")
    estimated = {t.title: t for t in state.tracks if t.features == "audio"}
    playlist = generate(GenerateRequest(prompt="songs for a party", count=len(owned), library="estimated"), deps)
    assert {t.id for t in playlist.tracks} <= owned and {c.name: c.met for c in playlist.constraints}["owned"]
    played = [t for t in playlist.tracks if t.features_from == "audio"]
    assert {t.title for t in played} == set(estimated)  # sequenced, with their estimates
    for t in played:
        audio = estimated[t.title].audio
        assert (t.tempo, t.camelot, t.energy) == (audio.tempo, audio.camelot, audio.energy)
        assert t.valence is None and t.danceability is None  # not estimated: not shown
        assert "BPM" not in t.why or "estimated" in t.why
    facts = build_facts(played_tracks(playlist, deps, "estimated"), playlist.spec, playlist.prompt, [])
    assert all(f.bpm == 0 and not f.moods for f in facts.tracks if f.title in estimated)
    catalog_bpms = {round(t.tempo) for t in playlist.tracks if t.features_from == "catalog"}
    narration = " ".join(s.text for s in playlist.segments)
    for t in played:
        if round(t.tempo) not in catalog_bpms:
            assert f"{round(t.tempo)} BPM" not in narration and f"{round(t.tempo)} beats" not in narration
    m3u8 = export_library_playlist(playlist, deps, "m3u8")
    assert all(estimated[t.title].path in m3u8 for t in played)


def played_tracks(playlist, deps, library):
    from agent.library_source import owned

    lib = owned(deps, library)
    return [lib.get(t.id, deps.catalog) for t in playlist.tracks]


def test_playlists_use_the_owned_files_lengths(tmp_path, deps, songs):
    from agent.generate import generate
    from agent.library import libraries
    from agent.models import GenerateRequest

    lib = tmp_path / "lengths"
    lib.mkdir()
    picked = [s for s in songs if s.catalog_id and not s.mbid and not s.via_mbid and s.seconds <= 10][:8]
    for n, s in enumerate(picked):
        write_song(lib, n, Song(s.title, s.artist, s.album, s.catalog_id, seconds=180.0))  # FLAC: 3:00, mostly silence
    store = libraries(deps)
    if "lengths" not in store.names():
        store.add(LibraryConfig(name="lengths", kind="folder", path=str(lib)))
    state, _ = sync_library("lengths", store, deps.catalog, deps.settings)
    assert all(t.catalog_id and t.duration_ms == 180_000 for t in state.tracks)
    playlist = generate(GenerateRequest(prompt="anything good", minutes=12, library="lengths"), deps)
    assert [t.duration_ms for t in playlist.tracks] == [180_000] * 4
    assert sum(deps.catalog.get(t.id).duration_ms for t in playlist.tracks) != 4 * 180_000  # the catalog says otherwise
    report = {c.name: c for c in playlist.constraints}["duration"]
    assert report.met and report.actual == "12.0 min"
