"""Filtered vector search for big catalogs (hundreds of thousands of tracks and up), where one exact scan of
every vector costs more than a request can afford. Adaptive, per query:

* selective filter (few tracks pass): exact scan of the passing rows only;
* unselective filter: the Chroma HNSW index's unfiltered top-N (N over-fetched from the pass rate), filtered
  with the catalog mask and rescored exactly; when fewer passing tracks come back than the over-fetch
  predicts (filter correlated with the query), it falls back to the exact scan.

Results are ranked by exact cosine like Catalog.search_vector; recall against brute force is measured in
bench/scale.py. If the Chroma store is unreachable, searches stay exact. Opt-in (`attach`), not on by
default: at 1M tracks on an index built with ef_construction=32 its recall@50 was 0.90 (bench/README.md)."""

from __future__ import annotations

import logging
import math
import threading
from typing import Any

import numpy as np

log = logging.getLogger("segue.ann")

ANN_MIN_TRACKS = 200_000  # below this an exact scan is fast enough (bench/README.md)
EXACT_ROWS = 50_000  # pass counts up to this are scanned exactly
OVERFETCH = 4.0
MAX_FETCH = 4_000
MIN_FETCH = 1_000  # HNSW recall at small n_results is too low for exact-grade results (bench/scale.py)


class AdaptiveSearch:
    """Exact scan or HNSW-then-mask per query. `collection` is a Chroma collection, or None to open the
    catalog's own store lazily on first use."""

    def __init__(self, catalog: Any, collection: Any = None, url: str | None = None) -> None:
        self.catalog = catalog
        self._collection = collection
        self._url = url
        self._lock = threading.Lock()
        self._failed = False
        self.last_route = ""

    def collection(self) -> Any:
        if self._collection is None and not self._failed:
            with self._lock:
                if self._collection is None and not self._failed:
                    from tools.chroma_search import open_collection

                    try:
                        self._collection = open_collection(self.catalog, self._url)
                    except Exception as exc:  # StoreError or a transport error: stay exact
                        self._failed = True
                        log.warning("vector index unavailable, searching exactly: %s", exc)
        return self._collection

    def search(self, query: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows best first, their exact cosine scores) of the top-k rows passing the mask."""
        q = query.astype(np.float32)
        passing = int(np.count_nonzero(mask))
        fetch = max(MIN_FETCH, math.ceil(OVERFETCH * k * len(mask) / max(passing, 1)) + k)
        if passing > EXACT_ROWS and fetch <= MAX_FETCH:
            found = self._from_index(q, mask, k, fetch)
            if found is not None:
                self.last_route = "index"
                return found
        self.last_route = "exact"
        return exact_subset(self.catalog.vectors, q, mask, k)

    def _from_index(self, q: np.ndarray, mask: np.ndarray, k: int, fetch: int) -> tuple[np.ndarray, np.ndarray] | None:
        collection = self.collection()
        if collection is None:
            return None
        try:
            res = collection.query(query_embeddings=[q], n_results=fetch, include=[])
        except Exception as exc:  # server gone mid-run: this query (and the next ones) go exact
            log.warning("vector index query failed, searching exactly: %s", exc)
            return None
        index = self.catalog.index
        rows = np.fromiter((index.get(i, -1) for i in res["ids"][0]), dtype=np.int64)
        rows = rows[rows >= 0]
        rows = rows[mask[rows]]
        expected = fetch * np.count_nonzero(mask) / len(mask)
        if len(rows) < k or len(rows) < 0.7 * expected:  # the filter disagrees with the query: go exact
            return None
        scores = self.catalog.vectors[rows] @ q
        order = np.lexsort((rows, -scores))[:k]
        return rows[order], scores[order]


def exact_subset(vectors: np.ndarray, q: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k among the masked rows, scanning only those rows when few pass."""
    if np.count_nonzero(mask) * 4 < len(mask):
        rows = np.flatnonzero(mask)
        scores = vectors[rows] @ q
    else:
        rows = np.arange(len(mask))
        scores = np.where(mask, vectors @ q, -np.inf)
    k = min(k, int(np.count_nonzero(mask)))
    if k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.lexsort((rows[part], -scores[part]))]
    return rows[order], scores[order]


def attach(catalog: Any, url: str | None = None, collection: Any = None, min_tracks: int = ANN_MIN_TRACKS) -> None:
    """Give a big catalog the adaptive search (Catalog.search_vector uses it); small catalogs stay exact."""
    if len(catalog) >= min_tracks and catalog.build is not None:
        catalog.ann = AdaptiveSearch(catalog, collection, url)
