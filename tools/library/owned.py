"""The owned set as a catalog mask (candidate search scores only what the library owns), and the tracks a
library adds that the catalog does not hold: owned files with tempo, key and energy estimated from their audio."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from core.types import Track
from tools.normalize import song_key

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.content_filter import ContentPolicy
    from tools.library.models import OwnedTrack

OWN_PREFIX = "own_"
# Estimated tracks know tempo, key, loudness and energy. The other features get these stand-ins so scoring can
# run; they are never shown (PlaylistTrack sends null) nor narrated, and keep such a track out of rules they
# would decide (instrumentalness 0: never "instrumental"; speechiness low: not talk).
STAND_IN = {"valence": 0.5, "danceability": 0.5, "acousticness": 0.5, "instrumentalness": 0.0, "speechiness": 0.05,
            "liveness": 0.1}


def owned_mask(policy: ContentPolicy, catalog: Catalog) -> np.ndarray:
    """True for every catalog row the policy's library owns; all True without a library."""
    if policy.owned is None:
        return np.ones(len(catalog), dtype=bool)
    return _mask(policy.owned, catalog).copy()


@lru_cache(maxsize=8)
def _mask(owned: frozenset[str], catalog: Catalog) -> np.ndarray:
    mask = np.zeros(len(catalog), dtype=bool)
    rows = [n for i in owned if (n := catalog.index.get(i)) is not None]
    mask[rows] = True
    return mask


def estimated_id(library: str, key: str) -> str:
    """A stable id for an owned track known only from its audio: 'own_' + 16 hex digits."""
    return OWN_PREFIX + hashlib.sha256(f"{library}\0{key}".encode()).hexdigest()[:16]


def playable_id(library: str, t: OwnedTrack) -> str | None:
    """The id a playlist knows the owned track by: its catalog match, its estimated id, or None (features unknown)."""
    return t.catalog_id or (estimated_id(library, t.key) if t.audio else None)


def estimated_track(library: str, t: OwnedTrack) -> Track:
    """An owned track with estimated features as a Track (features_from='audio')."""
    assert t.audio is not None
    a = t.audio
    return Track(id=estimated_id(library, t.key), title=t.title, artists=[t.artist], album=t.album, year=t.year,
                 genres=[g for g in [t.genre.strip().lower()] if g], explicit=None, duration_ms=t.duration_ms or 0,
                 popularity=0, tempo=a.tempo, key=a.key, mode=a.mode, camelot=a.camelot, energy=a.energy,
                 loudness=a.loudness, song_key=song_key(t.artist, t.title), sources=["library"],
                 features_from="audio", **STAND_IN)
