"""The catalog in memory: tracks, their vectors and filter columns; exact filtered vector search.

Filters become boolean masks over numpy columns and the scores of every track are one matrix-vector
product, so filtered search is exact (recall 1.0 against brute force) and takes a few milliseconds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from core.errors import InvalidInput, StoreError
from core.types import FEATURES, Candidate, SearchFilters, Track
from tools.catalog_names import track_artist_names  # noqa: F401  (re-exported)
from tools.normalize import fold, norm_artist, split_artists
from tools.store import BuildInfo

if TYPE_CHECKING:
    from tools.ann import ProjectedSearch
    from tools.columns import TrackColumns


@dataclass
class CatalogStats:
    tracks: int
    explicit: dict[str, int]
    genres: int
    year_min: int | None
    year_max: int | None
    build_id: str
    location: str
    backend: str
    embedder: str
    search: str


class Catalog:
    """Tracks + unit vectors + column arrays for masks. Thread-safe for reads."""

    def __init__(self, tracks: Sequence[Track], vectors: np.ndarray, build: BuildInfo | None = None) -> None:
        if len(tracks) != len(vectors):
            raise StoreError(f"catalog has {len(tracks)} tracks but {len(vectors)} vectors")
        from tools.columns import TrackColumns

        cols = tracks if isinstance(tracks, TrackColumns) else TrackColumns.from_tracks(tracks)
        self.tracks: TrackColumns = cols
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.build = build
        self.ann: ProjectedSearch | None = None  # shortlist-and-rerank search for big catalogs (tools.ann.attach)
        self.ids: list[str] = cols.text["id"]
        self.index = {tid: n for n, tid in enumerate(self.ids)}
        num = cols.numeric
        self.year = num["year"].astype(np.int32)
        self.tempo = num["tempo"]
        self.duration = num["duration_ms"]
        self.popularity = num["popularity"].astype(np.float32)
        self.explicit_ok = np.array([e == "false" for e in cols.text["explicit"]], dtype=bool)
        self.features = {f: num[f] for f in FEATURES}
        self.credits: list[list[str]] = cols.text["credits"]
        self.genre_lists: list[list[str]] = cols.text["genres"]
        self._artist_index = _postings([_with_parts(c, a) for c, a in zip(self.credits, cols.text["artists"], strict=True)])
        self._genre_index = _postings(self.genre_lists)

    @classmethod
    def load(cls, build: BuildInfo, projected_min_tracks: int | None = None) -> Catalog:
        """Open a store build (see tools.store); a damaged one raises StoreError, never a traceback.
        Catalogs of `projected_min_tracks` or more (default tools.ann.ANN_MIN_TRACKS; 0 = never) get the
        projected search."""
        from tools.columns import TrackColumns

        try:
            cols = TrackColumns.load(build.path)
            vectors = np.load(build.path / "vectors.npy")
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"catalog store {str(build.path)!r} is corrupt ({exc.__class__.__name__}); "
                             "run `segue ingest --rebuild`") from exc
        catalog = cls(cols, vectors, build)
        if projected_min_tracks != 0:
            from tools.ann import attach

            attach(catalog, projected_min_tracks)  # big catalogs search a projection first (tools/ann.py)
        return catalog

    def __len__(self) -> int:
        return len(self.tracks)

    def get(self, track_id: str) -> Track | None:
        n = self.index.get(track_id)
        return None if n is None else self.tracks[n]

    @cached_property
    def genres(self) -> list[str]:
        """Every genre label in the catalog, most common first."""
        return sorted(self._genre_index, key=lambda g: (-len(self._genre_index[g]), g))

    def genre_rows(self, genre: str) -> np.ndarray:
        """Rows of the tracks carrying exactly this genre label."""
        return self._genre_index.get(genre, np.zeros(0, dtype=np.int64))

    def genre_count(self, genre: str) -> int:
        return len(self._genre_index.get(genre, ()))

    @cached_property
    def song_aliases(self) -> dict[str, str]:
        """'artist|title' for every name a track credits → the catalog's song key (tools/song_identity.py)."""
        from tools.song_identity import key_aliases

        text = self.tracks.text
        return key_aliases(text["title"], text["artists"], text["song_key"])

    def song_of(self, key: str) -> str:
        """The catalog's song key for an outside 'artist|title' key (a playlist row, a listening-history entry)."""
        return self.song_aliases.get(key, key)

    @cached_property
    def artist_names(self) -> dict[str, str]:
        """Normalised artist name → display name, for every primary artist."""
        out: dict[str, str] = {}
        for artists in self.tracks.text["artists"]:
            for a in artists:
                out.setdefault(norm_artist(a), a)
        return out

    def matching_genres(self, term: str) -> list[str]:
        """Catalog genres containing the term as whole words ('punk' → 'pop punk', 'punk rock', …)."""
        return list(_matching_genres(tuple(self.genres), fold(term)))

    def genre_mask(self, terms: Iterable[str]) -> np.ndarray:
        mask = np.zeros(len(self.tracks), dtype=bool)
        for term in terms:
            for g in self.matching_genres(term):
                mask[self._genre_index[g]] = True
        return mask

    def artist_mask(self, names: Iterable[str]) -> np.ndarray:
        mask = np.zeros(len(self.tracks), dtype=bool)
        for name in names:
            idx = self._artist_index.get(norm_artist(name))
            if idx is not None:
                mask[idx] = True
        return mask

    def mask(self, f: SearchFilters) -> np.ndarray:
        """Boolean mask of the tracks passing every hard filter."""
        m = np.ones(len(self.tracks), dtype=bool)
        if f.explicit == "exclude":
            m &= self.explicit_ok
        if f.genres:
            m &= self.genre_mask(f.genres)
        if f.exclude_genres:
            m &= ~self.genre_mask(f.exclude_genres)
        if f.artists:
            m &= self.artist_mask(f.artists)
        if f.exclude_artists:
            m &= ~self.artist_mask(f.exclude_artists)
        if f.year_min is not None:
            m &= self.year >= f.year_min
        if f.year_max is not None:
            m &= (self.year <= f.year_max) & (self.year > 0)
        if f.tempo_min is not None:
            m &= self.tempo >= f.tempo_min
        if f.tempo_max is not None:
            m &= self.tempo <= f.tempo_max
        if f.max_duration_ms is not None:
            m &= self.duration <= f.max_duration_ms
        for name, (lo, hi) in f.features.items():
            col = self.features[name]
            m &= (col >= lo) & (col <= hi)
        return m

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.vectors @ query.astype(np.float32)

    def search_vector(self, query: np.ndarray, filters: SearchFilters | None = None, k: int = 50,
                      mask: np.ndarray | None = None) -> list[Candidate]:
        """Top-k tracks by cosine similarity among those passing the filters (exact scores; on catalogs with
        a projected index the top-k membership is approximate, see tools/ann.py)."""
        if k < 1:
            raise InvalidInput(f"k must be at least 1, got {k!r}")
        m = self.mask(filters or SearchFilters()) if mask is None else mask
        if self.ann is not None:
            rows, best = self.ann.search(query, m, k)
            return [Candidate.model_construct(track=self.tracks[i], score=s) for i, s in zip(rows.tolist(), best.tolist(), strict=True)]
        scores = np.where(m, self.scores(query), -np.inf)
        top = top_k(scores, k)
        return [Candidate.model_construct(track=self.tracks[i], score=float(scores[i])) for i in top]

    def search(self, text: str, filters: SearchFilters | None = None, k: int = 50) -> list[Candidate]:
        """Semantic search by text with hard filters."""
        if not text or not text.strip():
            raise InvalidInput("search text is empty")
        return self.search_vector(embed_query(text), filters, k)

    def stats(self) -> CatalogStats:
        years = self.year[self.year > 0]
        counts = {v: 0 for v in ("true", "false", "unknown")}
        for e in self.tracks.text["explicit"]:
            counts[e] += 1
        b = self.build
        return CatalogStats(
            tracks=len(self.tracks), explicit=counts, genres=len(self._genre_index),
            year_min=int(years.min()) if len(years) else None, year_max=int(years.max()) if len(years) else None,
            build_id=b.build_id if b else "memory", location=str(b.path) if b else "memory",
            backend=b.manifest.get("backend", "") if b else "memory", embedder=b.manifest.get("embedder", "") if b else "",
            search=self.ann.describe() if self.ann is not None else "exact (every passing vector scored)",
        )


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k best finite scores, best first (ties broken by index: deterministic)."""
    finite = int(np.isfinite(scores).sum())
    k = min(k, finite)
    if k == 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    return sorted(part.tolist(), key=lambda i: (-scores[i], i))


def _with_parts(credits: list[str], artists: list[str]) -> list[str]:
    """A track's credited names plus each name inside a combined credit ('Bob Marley & The Wailers' → 'bob marley',
    'wailers'), so blocking or asking for an artist also covers the credits they share."""
    return list(dict.fromkeys(credits + [p for a in artists for p in split_artists(a)]))


def _postings(lists: list[list[str]]) -> dict[str, np.ndarray]:
    out: dict[str, list[int]] = {}
    for n, names in enumerate(lists):
        for name in names:
            out.setdefault(name, []).append(n)
    return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


@lru_cache(maxsize=4096)
def _matching_genres(genres: tuple[str, ...], term: str) -> tuple[str, ...]:
    if not term:
        return ()
    pattern = re.compile(rf"(^|\s){re.escape(term)}($|\s)")
    return tuple(g for g in genres if pattern.search(fold(g)))


@lru_cache(maxsize=2048)
def _embed_cached(text: str) -> bytes:
    from tools.embeddings import query_embedder

    return query_embedder().embed([text])[0].tobytes()


def embed_query(text: str) -> np.ndarray:
    return np.frombuffer(_embed_cached(text.strip()), dtype=np.float32)


def tracks_by_ids(catalog: Catalog, ids: Sequence[str]) -> list[Track]:
    """Resolve ids to catalog tracks, dropping any id the catalog does not hold."""
    return [t for t in (catalog.get(i) for i in ids) if t is not None]
