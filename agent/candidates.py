"""spec (+ profile) → candidates: hard filters from the spec and policy, semantic queries from the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

from agent.models import Candidate, PlaylistSpec, SearchFilters
from agent.wishes import with_wish_filters
from tools.catalog import Catalog, embed_query
from tools.content_filter import ContentPolicy
from tools.embeddings import normalise
from tools.library.owned import owned_mask

POOL = 400


def search_filters(spec: PlaylistSpec, policy: ContentPolicy) -> SearchFilters:
    """The hard filters of a spec and a policy as catalog search filters."""
    max_ms = [m for m in (policy.max_track_ms, int(spec.max_track_minutes * 60000) if spec.max_track_minutes else None) if m]
    return with_wish_filters(SearchFilters(
        explicit="exclude" if "exclude" in (spec.explicit, policy.explicit) else "allow",
        exclude_artists=list(dict.fromkeys(spec.exclude_artists + policy.blocked_artists)),
        exclude_genres=list(dict.fromkeys(spec.exclude_genres + policy.blocked_genres)),
        year_min=spec.year_min, year_max=spec.year_max, tempo_min=spec.tempo_min, tempo_max=spec.tempo_max,
        max_duration_ms=min(max_ms) if max_ms else None,
    ), spec)


def query_text(spec: PlaylistSpec) -> str:
    """What the semantic search looks for: the free text plus recognised genres and moods."""
    parts = [spec.query, " ".join(spec.genres), " ".join(spec.moods)]
    if spec.seed_artists:
        parts.append("like " + ", ".join(spec.seed_artists))
    return " ".join(p for p in parts if p).strip() or "popular songs"


def query_vector(spec: PlaylistSpec, catalog: Catalog, profile: Any = None) -> np.ndarray:
    """Blend of the text query, the seed artists' centroid and (weighted) the listener's taste centroid."""
    vec = embed_query(query_text(spec))
    seeds = catalog.artist_mask(spec.seed_artists) if spec.seed_artists else None
    if seeds is not None and seeds.any():
        vec = vec + catalog.vectors[seeds].mean(axis=0)
    centroid = getattr(profile, "embedding_centroid", None)
    if centroid is not None and len(centroid) == len(vec) and spec.taste_weight > 0:
        vec = vec + spec.taste_weight * np.asarray(centroid, dtype=np.float32)
    return normalise(vec[None, :])[0]


BAND = 0.25  # a mood's feature target t keeps tracks within [t - BAND, t + BAND] while the pool is rich
BAND_FEATURES = ("energy", "valence", "acousticness")
HITS_DISCOVERY, HITS_POPULARITY = 0.25, 50  # "hits", "classics": familiar songs first


def feature_band(spec: PlaylistSpec, catalog: Catalog) -> np.ndarray | None:
    """Tracks near the mood's energy/valence/acousticness targets, and popular ones when the prompt asks
    for hits (None when the spec sets neither)."""
    targets = {f: v for f, v in spec.feature_targets.items() if f in BAND_FEATURES}
    hits = spec.discovery <= HITS_DISCOVERY
    if not targets and not hits:
        return None
    m = catalog.popularity >= HITS_POPULARITY if hits else np.ones(len(catalog), dtype=bool)
    for f, v in targets.items():
        col = catalog.features[f]
        m &= (col >= v - BAND) & (col <= v + BAND)
    return m


def wanted(spec: PlaylistSpec, catalog: Catalog, broaden: bool = False) -> np.ndarray | None:
    """Tracks of the asked genres, by the seed artists, or in the seed artists' own genres.
    broaden: also genres sharing the last word ('electric blues' → 'blues')."""
    if not (spec.genres or spec.seed_artists):
        return None
    terms = list(spec.genres)
    if broaden:
        terms += [g.split()[-1] for g in spec.genres if " " in g]
    m = catalog.genre_mask(terms) if terms else np.zeros(len(catalog), dtype=bool)
    if spec.seed_artists:
        seeds = catalog.artist_mask(spec.seed_artists)
        m |= seeds
        m |= catalog.genre_mask(_top_genres(catalog, seeds, 3))
    return m


def _top_genres(catalog: Catalog, mask: np.ndarray, n: int) -> list[str]:
    counts: dict[str, int] = {}
    for i in np.flatnonzero(mask)[:200]:
        for g in catalog.genre_lists[i][:4]:
            counts[g] = counts.get(g, 0) + 1
    return sorted(counts, key=lambda g: (-counts[g], g))[:n]


def gather(spec: PlaylistSpec, policy: ContentPolicy, catalog: Catalog, profile: Any = None,
           k: int = POOL) -> list[Candidate]:
    """Candidates passing every hard filter, from the most specific pool that is rich enough:
    wanted genres/artists within the mood's feature band, then without the band, then broadened
    genres, then the band alone, then everything that passes the hard filters."""
    vec = query_vector(spec, catalog, profile)
    hard = catalog.mask(search_filters(spec, policy)) & owned_mask(policy, catalog)  # a library: owned tracks only
    enough = max(60, 4 * (spec.target_count() or int((spec.minutes or 60) / 3.5)))
    band, genre = feature_band(spec, catalog), wanted(spec, catalog)
    layers = [genre & band if genre is not None and band is not None else None, genre,
              wanted(spec, catalog, broaden=True) if genre is not None else None, band]
    pool: dict[str, Candidate] = {}
    for layer in [*layers, np.ones(len(catalog), dtype=bool)]:
        if layer is None:
            continue
        for c in catalog.search_vector(vec, k=k, mask=hard & layer):
            pool.setdefault(c.track.id, c)
        if len(pool) >= enough:
            break
    return list(pool.values())
