"""`segue library sync`: read what the library owns, match it to the catalog, write the result as a new build.
Nothing is switched in until the whole sync succeeded."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InvalidInput, StoreError
from core.settings import Settings
from tools.library.analysis import Analysis, analyse_tracks, folder_file, subsonic_file
from tools.library.folder import scan
from tools.library.match import CatalogMatcher, match_stats
from tools.library.models import FileProblem, LibraryConfig, LibraryState, OwnedTrack, SyncReport
from tools.library.store import LibraryStore
from tools.library.subsonic import SubsonicClient

if TYPE_CHECKING:
    from tools.catalog import Catalog

Progress = Callable[[str, int, int], None]


def client_for(config: LibraryConfig, settings: Settings) -> SubsonicClient:
    """A client for a Subsonic library; the secret comes from the settings (environment), never from disk."""
    if config.kind != "subsonic" or not config.url:
        raise InvalidInput(f"library {config.name!r} is a {config.kind} library, not a Subsonic server")
    password = settings.subsonic_password.get_secret_value() if settings.subsonic_password else None
    api_key = settings.subsonic_api_key.get_secret_value() if settings.subsonic_api_key else None
    auth = config.auth if (config.auth != "apikey" or api_key) and (config.auth == "apikey" or password) else None
    return SubsonicClient(config.url, config.user, password=password, api_key=api_key, auth=auth,
                          timeout_s=settings.library_timeout_s)


def read_library(config: LibraryConfig, previous: LibraryState | None, settings: Settings,
                 store: LibraryStore) -> tuple[list[OwnedTrack], list[FileProblem], int]:
    """(tracks, problems, reused) from the server or the folder."""
    if config.kind == "folder":
        folder = Path(config.path or "")
        if not folder.is_dir():
            raise InvalidInput(f"library {config.name!r}: folder {str(folder)!r} is gone; the last sync stays current")
        old = {t.key: t for t in previous.tracks} if previous else {}
        return scan(folder, old)
    with client_for(config, settings) as client:
        tracks = list(client.songs(settings.library_page_size))
        if client.auth != config.auth:
            store.save_config(config.model_copy(update={"auth": client.auth}))
    return tracks, [], 0


def sync_library(name: str, store: LibraryStore, catalog: Catalog, settings: Settings,
                 matcher: CatalogMatcher | None = None, progress: Progress | None = None) -> tuple[LibraryState, SyncReport]:
    started = time.perf_counter()
    config = store.config(name)
    try:
        previous = store.state(name)
    except StoreError:
        previous = None  # a damaged last state: this sync replaces it
    tracks, problems, reused = read_library(config, previous, settings, store)
    matcher = matcher or CatalogMatcher(catalog, settings.library_match_min_score)
    matcher.mbids = store.mbid_index() | matcher.mbids
    matched, _ = matcher.match_all(tracks)
    matched = [matcher_second_pass(matcher, t) for t in matched]  # MBIDs learned later in this run
    analysis = analyse(store.config(name), matched, store, settings, progress)
    matched = analysis.tracks
    stats = match_stats(matched)
    build = catalog.build.build_id if catalog.build is not None else "memory"
    state = LibraryState(name=name, kind=config.kind, synced_at=time.time(), catalog_build=build, tracks=matched,
                         problems=problems, stats=stats)
    store.write_state(state)
    report = SyncReport(name=name, kind=config.kind, tracks=stats.tracks, matched=stats.matched,
                        match_rate=round(stats.rate, 4), by_method=stats.by_method, estimated=stats.estimated,
                        features_unknown=stats.features_unknown, analysed=analysis.analysed,
                        analysis_seconds=analysis.seconds, analysis_note=analysis.note,
                        undecodable=analysis.problems[:50], unreadable=len(problems), problems=problems[:50],
                        reused=reused, seconds=round(time.perf_counter() - started, 3), listener=config.listener)
    return state, report


def analyse(config: LibraryConfig, tracks: list[OwnedTrack], store: LibraryStore, settings: Settings,
            progress: Progress | None) -> Analysis:
    """Features from the audio of the tracks the catalog does not hold (tools/library/analysis.py)."""
    folder = store.folder(config.name)
    if config.kind == "folder":
        return analyse_tracks(tracks, folder, settings, folder_file, progress)
    with client_for(config, settings) as client:
        fetch = subsonic_file(client, int(settings.library_download_max_mb * 1_000_000))
        return analyse_tracks(tracks, folder, settings, fetch, progress)


def matcher_second_pass(matcher: CatalogMatcher, track: OwnedTrack) -> OwnedTrack:
    if track.catalog_id or not track.mbid or track.mbid not in matcher.mbids:
        return track
    return track.model_copy(update={"catalog_id": matcher.mbids[track.mbid], "match": "mbid", "match_score": 100.0})
