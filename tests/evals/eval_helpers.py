"""Hand-built playlists from real fixture-catalog tracks, for scorer and metric tests."""

from __future__ import annotations

from collections.abc import Callable

from agent.models import ConstraintReport, Playlist, PlaylistSpec, Segment, Track
from agent.response import playlist_track
from tools.catalog import Catalog
from tools.normalize import norm_artist


def pick(catalog: Catalog, n: int, where: Callable[[Track], bool], distinct_artists: bool = True) -> list[Track]:
    """The first n catalog tracks matching `where` (distinct artists and songs by default)."""
    out: list[Track] = []
    artists: set[str] = set()
    songs: set[str] = set()
    for t in catalog.tracks:
        if not where(t) or t.song_key in songs or (distinct_artists and norm_artist(t.artist) in artists):
            continue
        out.append(t)
        artists.add(norm_artist(t.artist))
        songs.add(t.song_key)
        if len(out) == n:
            return out
    raise AssertionError(f"fixture catalog has fewer than {n} matching tracks")


def by_artist(catalog: Catalog, name: str, n: int = 1) -> list[Track]:
    return pick(catalog, n, lambda t: norm_artist(t.artist) == norm_artist(name), distinct_artists=False)


def make_playlist(tracks: list[Track], spec: PlaylistSpec | None = None, segments: list[Segment] | None = None,
                  constraints: list[ConstraintReport] | None = None, prompt: str = "test prompt") -> Playlist:
    return Playlist(id="pl_test", prompt=prompt, spec=spec or PlaylistSpec(count=len(tracks)),
                    tracks=[playlist_track(n, t, "") for n, t in enumerate(tracks, 1)],
                    segments=segments or [], constraints=constraints or [], filtered=[], provider="offline")
