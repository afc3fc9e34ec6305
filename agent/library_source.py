"""A library as a candidate source: matched tracks take their owned file's real length, and owned tracks the
catalog does not hold — tempo, key and energy estimated from their audio at sync — join the pool as candidates
of their own, scored by their text (title, artist, genre tag) against the prompt on the catalog pool's scale."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from agent.candidates import POOL, text_vector
from agent.deps import Deps
from agent.models import Candidate, PlaylistSpec, Track
from tools.catalog import Catalog
from tools.content_filter import ContentPolicy
from tools.library.models import LibraryState
from tools.library.owned import estimated_track
from tools.moods import tempo_word


@dataclass
class Owned:
    """One library build as the pipeline sees it."""

    lengths: dict[str, int]  # catalog id → the owned copy's length in ms
    estimated: list[Track]  # owned tracks known only from their audio
    vectors: np.ndarray  # their text vectors, row per estimated track

    def get(self, track_id: str, catalog: Catalog) -> Track | None:
        """The track a playlist of this library plays under that id (catalog features, owned length)."""
        t = catalog.get(track_id)
        if t is not None:
            return with_length(t, self.lengths)
        return next((e for e in self.estimated if e.id == track_id), None)


def owned(deps: Deps, name: str) -> Owned:
    """Cached per library build."""
    from agent.library import libraries, owned_by_id

    store = libraries(deps)
    key = (name, store.current_id(name))
    cache = deps.extra.setdefault("owned_sources", {})
    if key not in cache:
        state = store.state(name)
        cache.clear()
        cache[key] = build_owned(state, owned_by_id(state) if state else {})
    return cache[key]


def build_owned(state: LibraryState | None, copies: dict[str, Any]) -> Owned:
    lengths = {i: t.duration_ms for i, t in copies.items() if t.catalog_id and t.duration_ms}
    estimated = [estimated_track(state.name, t) for t in copies.values() if not t.catalog_id] if state else []
    return Owned(lengths=lengths, estimated=estimated, vectors=_embed([estimate_text(t) for t in estimated]))


def estimate_text(t: Track) -> str:
    """Like the catalog's track text (tools/catalog_build.py), from what the owned file says."""
    parts = [f"{t.title} by {t.artist}", *t.genres[:1], tempo_word(t.tempo)]
    if t.year:
        parts.append(f"{t.year // 10 * 10}s")
    return ". ".join(p for p in parts if p)


def _embed(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    from tools.embeddings import normalise, query_embedder

    return normalise(np.asarray(query_embedder().embed(texts), dtype=np.float32))


def with_length(t: Track, lengths: dict[str, int]) -> Track:
    ms = lengths.get(t.id)
    return t if not ms or ms == t.duration_ms else t.model_copy(update={"duration_ms": ms})


def library_pool(music: list[Candidate], spec: PlaylistSpec, policy: ContentPolicy, deps: Deps, profile: Any = None,
                 exclude_ids: Collection[str] = ()) -> list[Candidate]:
    """The catalog candidates with owned lengths, plus the library's estimated tracks (best POOL of them)."""
    if not policy.library:
        return music
    lib = owned(deps, policy.library)
    out = [c if (t := with_length(c.track, lib.lengths)) is c.track else Candidate.model_construct(track=t, score=c.score)
           for c in music]
    return out + estimated_candidates(lib, spec, deps.catalog, [c.score for c in music], profile, exclude_ids)


def estimated_candidates(lib: Owned, spec: PlaylistSpec, catalog: Catalog, pool_scores: list[float], profile: Any,
                         exclude_ids: Collection[str]) -> list[Candidate]:
    """Each estimated track's text similarity to the prompt, placed at the same quantile of the catalog pool's
    scores that it reaches among the catalog's own text similarities (the pool may be scored by sound)."""
    keep = [n for n, t in enumerate(lib.estimated) if t.id not in exclude_ids]
    if not keep:
        return []
    query = text_vector(spec, catalog, profile)
    mine = lib.vectors[keep] @ query
    if pool_scores:
        reference = np.sort(catalog.scores(query))
        share = np.searchsorted(reference, mine) / len(reference)
        mine = np.quantile(np.asarray(pool_scores), share)
    best = np.argsort(-mine, kind="stable")[:POOL]
    return [Candidate.model_construct(track=lib.estimated[keep[n]], score=float(mine[n])) for n in best]
