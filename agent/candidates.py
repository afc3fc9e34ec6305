"""spec (+ profile) → candidates: hard filters from the spec and policy, semantic queries from the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

from agent.models import Candidate, PlaylistSpec, SearchFilters
from tools.catalog import Catalog, embed_query
from tools.content_filter import ContentPolicy
from tools.embeddings import normalise

POOL = 400


def search_filters(spec: PlaylistSpec, policy: ContentPolicy) -> SearchFilters:
    """The hard filters of a spec and a policy as catalog search filters."""
    max_ms = [m for m in (policy.max_track_ms, int(spec.max_track_minutes * 60000) if spec.max_track_minutes else None) if m]
    return SearchFilters(
        explicit="exclude" if "exclude" in (spec.explicit, policy.explicit) else "allow",
        exclude_artists=list(dict.fromkeys(spec.exclude_artists + policy.blocked_artists)),
        exclude_genres=list(dict.fromkeys(spec.exclude_genres + policy.blocked_genres)),
        year_min=spec.year_min, year_max=spec.year_max, tempo_min=spec.tempo_min, tempo_max=spec.tempo_max,
        max_duration_ms=min(max_ms) if max_ms else None,
    )


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


def gather(spec: PlaylistSpec, policy: ContentPolicy, catalog: Catalog, profile: Any = None,
           k: int = POOL) -> list[Candidate]:
    """Candidates passing every hard filter; wanted genres and seed artists first, widened when scarce."""
    filters = search_filters(spec, policy)
    vec = query_vector(spec, catalog, profile)
    hard = catalog.mask(filters)
    pool: dict[str, Candidate] = {}
    if spec.genres or spec.seed_artists:
        soft = np.zeros(len(catalog), dtype=bool)
        if spec.genres:
            soft |= catalog.genre_mask(spec.genres)
        if spec.seed_artists:
            soft |= catalog.artist_mask(spec.seed_artists)
        for c in catalog.search_vector(vec, k=k, mask=hard & soft):
            pool[c.track.id] = c
    if len(pool) < k // 2:
        for c in catalog.search_vector(vec, k=k, mask=hard):
            pool.setdefault(c.track.id, c)
    return list(pool.values())
