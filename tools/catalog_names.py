"""Artist credits of a track, normalised: listed artists plus 'feat.' credits in the title."""

from __future__ import annotations

from collections.abc import Sequence

from core.types import Track
from tools.normalize import featured_artists, norm_artist


def track_artist_names(t: Track) -> list[str]:
    """Every artist credited on a track, normalised (used for blocking and artist search)."""
    return track_artist_names_of(t.title, t.artists)


def track_artist_names_of(title: str, artists: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([norm_artist(a) for a in artists] + featured_artists(title)))
