"""Filtered search on the full catalog: Segue's exact in-memory search vs Chroma's `where`-filtered
query (the baseline), measured in the same run. Prints latency percentiles and recall@50 against an
independent brute-force scan.

    python -m bench.search [--queries 60]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from agent.models import SearchFilters

QUERIES = [
    "rainy sunday coffee mellow indie", "upbeat pop punk for a run", "late night jazz", "sad acoustic breakup songs",
    "90s hip hop classics", "workout edm bangers", "chill lofi beats to study", "romantic dinner r&b",
    "road trip rock anthems", "summer latin party", "angry metal", "sleepy ambient piano",
    "country roads and pickup trucks", "k-pop girl groups", "dance pop hits 2019", "dark trap",
]
FILTERS = [
    SearchFilters(),
    SearchFilters(explicit="exclude"),
    SearchFilters(explicit="exclude", year_min=2010, year_max=2019),
    SearchFilters(tempo_min=120, tempo_max=135, max_duration_ms=240_000),
    SearchFilters(explicit="exclude", genres=["rock"], exclude_artists=["Nickelback"]),
    SearchFilters(year_min=2000, year_max=2005, features={"energy": (0.7, 1.0)}),
]


def percentiles(ms: list[float]) -> str:
    q = np.percentile(ms, [50, 95, 99])
    return f"{q[0]:7.2f} {q[1]:7.2f} {q[2]:7.2f}"


def brute_force(catalog, q: np.ndarray, f: SearchFilters, k: int) -> list[str]:
    """Independent reference: score every passing track in Python, full sort."""
    mask = catalog.mask(f)
    scores = catalog.vectors @ q
    ranked = sorted((i for i in range(len(catalog)) if mask[i]), key=lambda i: (-scores[i], i))
    return [catalog.ids[i] for i in ranked[:k]]


def recall(got: list[str], want: list[str]) -> float:
    return len(set(got) & set(want)) / max(1, len(want))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=48, help="query × filter pairs to time")
    args = parser.parse_args()
    from agent.deps import get_deps
    from tools.catalog import embed_query
    from tools.chroma_search import chroma_search, open_collection

    catalog = get_deps().catalog
    collection = open_collection(catalog)
    pairs = [(QUERIES[i % len(QUERIES)], FILTERS[i % len(FILTERS)]) for i in range(args.queries)]
    vecs = {text: embed_query(text) for text, _ in pairs}
    t_embed = []
    for text, _ in pairs:
        start = time.perf_counter()
        from tools.embeddings import query_embedder

        query_embedder().embed([text + " "])
        t_embed.append((time.perf_counter() - start) * 1000)
    rows = {"segue exact (numpy masks)": [], "chroma where (baseline)": []}
    recalls = {k: [] for k in rows}
    for text, f in pairs:
        q = vecs[text]
        truth = brute_force(catalog, q, f, 50)
        start = time.perf_counter()
        ours = catalog.search_vector(q, f, k=50)
        rows["segue exact (numpy masks)"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        base = chroma_search(catalog, collection, q, f, k=50)
        rows["chroma where (baseline)"].append((time.perf_counter() - start) * 1000)
        recalls["segue exact (numpy masks)"].append(recall([c.track.id for c in ours], truth))
        recalls["chroma where (baseline)"].append(recall([c.track.id for c in base], truth))
    print(f"Filtered search, {len(catalog):,} tracks, {len(pairs)} query×filter pairs, k=50 (ms)")
    print(f"{'method':32} {'p50':>7} {'p95':>7} {'p99':>7}  recall@50")
    for name, ms in rows.items():
        print(f"{name:32} {percentiles(ms)}  {statistics.mean(recalls[name]):.3f}")
    print(f"{'query embedding (local model)':32} {percentiles(t_embed)}")
    ratio = np.percentile(rows['chroma where (baseline)'], 99) / np.percentile(rows['segue exact (numpy masks)'], 99)
    print(f"p99 speed-up over the baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
