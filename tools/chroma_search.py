"""Search through Chroma's own query API with `where` filters — the path for a Chroma server, and the
baseline the exact in-memory search is measured against (bench/search.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.errors import StoreError
from core.types import Candidate, SearchFilters
from tools.catalog import Catalog
from tools.store import chroma_client


def open_collection(catalog: Catalog, url: str | None = None) -> Any:
    """The Chroma collection of the catalog's build, embedded or on the server it was ingested into."""
    build = catalog.build
    if build is None:
        raise StoreError("catalog has no store build")
    url = url if url is not None else build.manifest.get("chroma_url")
    try:
        client = chroma_client(None if url else build.path / "chroma", url)
        return client.get_collection(build.manifest["collection"], embedding_function=None)
    except Exception as exc:  # server down, collection missing
        raise StoreError(f"chroma store unavailable: {exc.__class__.__name__}: {exc}") from exc


def where_clause(f: SearchFilters) -> dict[str, Any] | None:
    """The filters Chroma can evaluate itself (explicit, year, tempo, duration)."""
    terms: list[dict[str, Any]] = []
    if f.explicit == "exclude":
        terms.append({"explicit": {"$eq": "false"}})
    for key, op, value in (("year", "$gte", f.year_min), ("year", "$lte", f.year_max),
                           ("tempo", "$gte", f.tempo_min), ("tempo", "$lte", f.tempo_max),
                           ("duration_ms", "$lte", f.max_duration_ms)):
        if value is not None:
            terms.append({key: {op: value}})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


def chroma_search(catalog: Catalog, collection: Any, query: np.ndarray, filters: SearchFilters, k: int = 50) -> list[Candidate]:
    """Top-k via Chroma: `where` for the filters it knows, the rest checked on catalog columns after
    over-fetching. Results are approximate (HNSW)."""
    mask = catalog.mask(filters)
    needs_post = bool(filters.genres or filters.exclude_genres or filters.artists or filters.exclude_artists or filters.features)
    fetch = min(len(catalog), k * 8 if needs_post else k)
    res = collection.query(query_embeddings=[query.astype(np.float32)], n_results=fetch, where=where_clause(filters),
                           include=["distances"])
    out: list[Candidate] = []
    for tid, dist in zip(res["ids"][0], res["distances"][0], strict=True):
        n = catalog.index.get(tid)
        if n is not None and mask[n]:
            out.append(Candidate(track=catalog.tracks[n], score=1.0 - float(dist)))
        if len(out) == k:
            break
    return out
