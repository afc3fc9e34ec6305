"""Libraries in the pipeline: the owned-only restriction of a request (a hard constraint, reported with the
others), and delivery where the music plays — a Subsonic playlist (narration in its comment; a refined
playlist replaces its first version's copy), an M3U8 of real file paths, JSPF with MusicBrainz ids."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.deps import Deps
from agent.models import ConstraintReport, Playlist, SavedPlaylist, Track
from core.errors import InvalidInput, NotFound, SegueError
from tools.content_filter import ContentPolicy
from tools.library.models import LibraryConfig, LibraryState, OwnedTrack
from tools.library.owned import playable_id
from tools.library.store import LibraryStore, write_atomic

MB_RECORDING = "https://musicbrainz.org/recording/"
MB_TRACK_EXT = "https://musicbrainz.org/doc/jspf#track"
MB_PLAYLIST_EXT = "https://musicbrainz.org/doc/jspf#playlist"


def libraries(deps: Deps) -> LibraryStore:
    store = deps.extra.get("libraries")
    if store is None:
        store = deps.extra["libraries"] = LibraryStore(deps.settings.library_root)
    return store


def listener_library(user_id: str, deps: Deps) -> tuple[str, str] | None:
    """(name, current build) of the first synced library (by name) whose listener is this user — the one their
    Home daylist draws from — or None."""
    store = libraries(deps)
    for name in store.names():
        try:
            config, build = store.config(name), store.current_id(name)
        except SegueError:
            continue  # an unreadable library config: Home goes on without it
        if config.listener == user_id and build is not None:
            return name, build
    return None


def with_library(policy: ContentPolicy, name: str | None, deps: Deps) -> ContentPolicy:
    """The policy restricted to what the library owns and can sequence (matched to the catalog, or with features
    estimated from its audio): only owned tracks can pass."""
    if not name:
        return policy
    store = libraries(deps)
    owned = store.owned(name)
    if not owned:
        state = store.state(name)
        total = len(state.tracks) if state else 0
        raise InvalidInput(f"library {name!r} has no track matched to the catalog or analysed from its audio "
                           f"({total} tracks, features unknown); nothing it owns can be sequenced")
    return policy.stricter(ContentPolicy(library=name, owned=owned))


def owned_report(tracks: list[Track], policy: ContentPolicy) -> list[ConstraintReport]:
    if policy.owned is None:
        return []
    owned = sum(t.id in policy.owned for t in tracks)
    return [ConstraintReport(name="owned", target=f"only tracks in library {policy.library!r}",
                             actual=f"{owned} of {len(tracks)} owned", met=owned == len(tracks))]


# ---------------------------------------------------------------- owned tracks of a playlist


def owned_by_id(state: LibraryState) -> dict[str, OwnedTrack]:
    """Playable id (catalog id, or the estimated track's own id) → the owned copy to play (starred, then most
    played, then first listed)."""
    best: dict[str, OwnedTrack] = {}
    for t in state.tracks:
        if key := playable_id(state.name, t):
            old = best.get(key)
            if old is None or (t.starred, t.play_count) > (old.starred, old.play_count):
                best[key] = t
    return best


def owned_estimate(t: Any, policy: ContentPolicy) -> bool:
    """A track of the policy's library that the catalog does not hold (features estimated from its audio)."""
    return getattr(t, "features_from", "catalog") == "audio" and policy.owned is not None and t.id in policy.owned


def owned_entries(playlist: Playlist, state: LibraryState) -> list[tuple[Any, OwnedTrack]]:
    """(playlist track, owned copy) in playlist order; a track the library does not own is an error."""
    owned = owned_by_id(state)
    pairs = []
    for t in playlist.tracks:
        if t.kind != "music":
            continue
        copy = owned.get(t.id)
        if copy is None:
            raise InvalidInput(f"{t.title!r} ({t.id}) is not owned in library {state.name!r}; "
                               "generate the playlist with --library first")
        pairs.append((t, copy))
    return pairs


def narration_text(playlist: Playlist) -> str:
    return "\n\n".join(s.text for s in sorted(playlist.segments, key=lambda s: s.before_position))


def playlist_name(playlist: Playlist) -> str:
    title = " ".join(playlist.prompt.split())
    return "Segue · " + (title if len(title) <= 80 else title[:79] + "…")


def lineage_root(playlist_id: str, deps: Deps) -> str:
    """The first version of a refined playlist (the id a server copy is remembered by)."""
    seen, current = set(), playlist_id
    while deps.playlists is not None and current not in seen:
        seen.add(current)
        parent = deps.playlists.parent_of(current)
        if not parent:
            break
        current = parent
    return current


# ---------------------------------------------------------------- save


_save_locks: dict[tuple[str, str], threading.Lock] = {}
_save_locks_guard = threading.Lock()


def save_lock(name: str, root: str) -> threading.Lock:
    """One save at a time per library and lineage in this process, so two concurrent saves of a playlist (or
    of its refinements) update one server copy instead of creating two."""
    with _save_locks_guard:
        return _save_locks.setdefault((name, root), threading.Lock())


def save_playlist(playlist: Playlist, deps: Deps, name: str | None = None) -> SavedPlaylist:
    """Save to the playlist's library: a Subsonic playlist, or an M3U8 beside a folder library's files."""
    name = name or playlist.library
    if not name:
        raise InvalidInput(f"playlist {playlist.id} was not made from a library, so there is nowhere to save it: "
                           "make it with a library (--library NAME, or \"library\" on the API) or name one to save to")
    store = libraries(deps)
    config = store.config(name)
    state = store.state(name)
    if state is None:
        raise InvalidInput(f"library {name!r} was never synced; run `segue library sync {name}`")
    pairs = owned_entries(playlist, state)
    root = lineage_root(playlist.id, deps)
    with save_lock(name, root):
        return save_pairs(playlist, pairs, root, config, deps)


def save_pairs(playlist: Playlist, pairs: list[tuple[Any, OwnedTrack]], root: str, config: LibraryConfig,
               deps: Deps) -> SavedPlaylist:
    name, store = config.name, libraries(deps)
    if config.kind == "folder":
        path = Path(config.path or ".") / f"segue-{root}.m3u8"
        existed = path.exists()
        write_atomic(path, to_m3u8(playlist, pairs))
        return SavedPlaylist(library=name, kind="m3u8", path=str(path), updated=existed, tracks=len(pairs))
    from tools.library.sync import client_for

    song_ids = [copy.key for _, copy in pairs]
    remote = store.saved(name).get(root)
    with client_for(config, deps.settings) as client:
        if remote is not None:
            try:
                client.playlist(remote)
            except NotFound:
                remote = None  # deleted on the server: make a new one
        updated = remote is not None
        if remote is None:
            remote = client.create_playlist(playlist_name(playlist), song_ids)
        else:
            client.replace_playlist(remote, playlist_name(playlist), song_ids)
        client.describe_playlist(remote, narration_text(playlist)[:4000] or playlist.prompt)
    store.remember_saved(name, root, remote)
    return SavedPlaylist(library=name, kind="subsonic", id=remote, updated=updated, tracks=len(song_ids))


def save_and_keep(playlist: Playlist, deps: Deps, name: str | None = None) -> Playlist:
    """Save to the library and keep the playlist again with `saved` set (same id, same parent); the save stands
    even when the playlist store is down (the answer still says where it went)."""
    from tools.store_health import StoreUnavailable

    out = playlist.model_copy(update={"saved": save_playlist(playlist, deps, name)})
    if deps.playlists is not None:
        try:
            deps.playlists.save(out, parent_id=deps.playlists.parent_of(playlist.id))
        except StoreUnavailable:
            pass
    return out


# ---------------------------------------------------------------- files


def to_m3u8(playlist: Playlist, pairs: list[tuple[Any, OwnedTrack]]) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist_name(playlist)}"]
    for t, copy in pairs:
        seconds = round((copy.duration_ms or t.duration_ms) / 1000)
        lines.append(f"#EXTINF:{seconds},{_line(copy.artist)} - {_line(copy.title)}")
        lines.append(copy.path or copy.key)
    return "\n".join(lines) + "\n"


def to_jspf(playlist: Playlist, pairs: list[tuple[Any, OwnedTrack]], state: LibraryState) -> str:
    """JSPF with the MusicBrainz extension: recording MBIDs as identifiers where known."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    tracks = []
    for t, copy in pairs:
        item: dict[str, Any] = {"title": copy.title, "creator": copy.artist, "annotation": t.why,
                                "duration": copy.duration_ms or t.duration_ms, "trackNum": t.position}
        if copy.album:
            item["album"] = copy.album
        if copy.mbid:
            item["identifier"] = [MB_RECORDING + copy.mbid]
        if state.kind == "folder" and copy.path:
            item["location"] = [Path(copy.path).as_uri()]
        item["extension"] = {MB_TRACK_EXT: {"added_at": now, "artist_identifiers": [],
                                            "additional_metadata": {"segue": {"catalog_id": t.id, "library": state.name,
                                                                              "song_id": copy.key}}}}
        tracks.append(item)
    doc = {"playlist": {"title": playlist_name(playlist), "creator": "Segue", "annotation": narration_text(playlist),
                        "date": now, "identifier": f"urn:segue:playlist:{playlist.id}",
                        "extension": {MB_PLAYLIST_EXT: {"public": False, "last_modified_at": now,
                                                        "additional_metadata": {"segue": {"library": state.name}}}},
                        "track": tracks}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def export_library_playlist(playlist: Playlist, deps: Deps, fmt: str, name: str | None = None) -> str:
    name = name or playlist.library
    if not name:
        raise InvalidInput(f"playlist {playlist.id} was not made from a library; pass --library NAME")
    state = libraries(deps).state(name)
    if state is None:
        raise InvalidInput(f"library {name!r} was never synced; run `segue library sync {name}`")
    pairs = owned_entries(playlist, state)
    if fmt == "m3u8":
        return to_m3u8(playlist, pairs)
    if fmt == "jspf":
        return to_jspf(playlist, pairs, state)
    raise InvalidInput(f"unknown library export format {fmt!r}; use m3u8 or jspf")


_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _line(text: str) -> str:
    return _BREAKS.sub(" ", text).strip()


def import_plays(state: LibraryState, deps: Deps) -> Any:
    """A Subsonic library's play counts and stars into its listener's profile (idempotent; None when the
    library has no listener or there is no profile store)."""
    from tools.library.keyed_events import add_listens
    from tools.library.listens import subsonic_listens

    config = libraries(deps).config(state.name)
    if config.kind != "subsonic" or not config.listener or deps.profiles is None:
        return None
    listens = subsonic_listens(state.name, state.tracks)
    return add_listens(deps.profiles, config.listener, listens, f"subsonic:{state.name}",
                       replace_prefix=f"subsonic:{state.name}:")
