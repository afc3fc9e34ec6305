"""Shared pieces of the real-data benchmarks: ranking metrics, the baselines, Segue's ranked list, the table.

Every system returns a ranked list of up to K=100 catalog track ids for a prompt. A ranked track is relevant
when its song (normalised artist|title, `Track.song_key`) is in the truth set; each true song counts once.

Segue's ranked list: the request goes through the same stages as `agent.generate.generate` (plan → content
policy → `agent.candidates.gather` → `agent.selection.select` with count=100), and the selection order is the
ranking (sequencing would reorder for flow, which is not relevance). If selection returns fewer than K, the
rest of the candidate pool follows in score order."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from agent.deps import Deps
from tools.catalog import Catalog, top_k
from tools.normalize import fold

K = 100
Ranker = Callable[[str], list[str]]


class BenchQuery(BaseModel):
    id: str
    prompt: str
    truth: set[str] = Field(description="song keys of the truth tracks found in the catalog")
    truth_total: int = Field(description="truth tracks before catalog matching")
    genre: str | None = None


class SystemScore(BaseModel):
    system: str
    metrics: dict[str, float]
    ms_per_query: float


class BenchResult(BaseModel):
    benchmark: str
    queries: int
    skipped: int = Field(0, description="queries without any truth track in the catalog")
    match_rate: float | None = Field(None, description="share of truth tracks resolved in the catalog")
    seed: int
    systems: list[SystemScore]
    notes: str = ""


# --------------------------------------------------------------------------- metrics

def resolve_queries(deps: Deps, rows: list[dict[str, Any]], limit: int | None, seed: int,
                    truth_of: Callable[[dict[str, Any]], set[str]],
                    query_of: Callable[[dict[str, Any], set[str], int], BenchQuery | None],
                    notes: str) -> tuple[list[BenchQuery], dict[str, Any]]:
    """Sample rows (seeded), resolve each row's truth song keys against the catalog, and keep the rows
    that have a prompt and at least one truth track in the catalog; reports the truth match rate."""
    if limit is not None and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    known = set(deps.catalog.tracks.text["song_key"])  # columns: no Track objects needed
    queries: list[BenchQuery] = []
    total = matched = 0
    for row in rows:
        keys = {deps.catalog.song_of(k) for k in truth_of(row)}  # a credited artist's version is the same song
        found = keys & known
        total, matched = total + len(keys), matched + len(found)
        query = query_of(row, found, len(keys)) if found else None
        if query is not None:
            queries.append(query)
    info = {"skipped": len(rows) - len(queries), "match_rate": matched / total if total else None, "notes": notes}
    return queries, info


def relevance(ranked: list[str], truth: set[str], catalog: Catalog) -> list[bool]:
    """Relevance flags down the list; a true song is credited once even if several versions are ranked."""
    seen: set[str] = set()
    flags = []
    for tid in ranked:
        t = catalog.get(tid)
        key = t.song_key if t is not None else ""
        flags.append(key in truth and key not in seen)
        seen.add(key)
    return flags


def r_precision(rel: list[bool], n_truth: int) -> float:
    r = min(n_truth, K)
    return sum(rel[:r]) / r if r else 0.0


def ndcg(rel: list[bool], n_truth: int, k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(rel[:k]) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(n_truth, k)))
    return dcg / ideal if ideal else 0.0


def hit(rel: list[bool], k: int) -> float:
    return float(any(rel[:k]))


def mrr(rel: list[bool], k: int) -> float:
    return next((1 / (i + 1) for i, r in enumerate(rel[:k]) if r), 0.0)


def genre_precision(ranked: list[str], genre: str | None, catalog: Catalog, k: int = 20) -> float:
    """Share of the top k whose genres contain the query playlist's genre as whole words."""
    if not genre or not ranked:
        return 0.0
    mask = _genre_mask(catalog, genre)
    top = [catalog.index[t] for t in ranked[:k] if t in catalog.index]
    return float(mask[top].mean()) if top else 0.0


@lru_cache(maxsize=16)
def _genre_mask(catalog: Catalog, genre: str) -> np.ndarray:
    return catalog.genre_mask([genre])


# The six playlist labels of the Spotify playlists → the words of that family in artist-level genres: an
# 'Alternative Hip Hop' playlist (label rap) of alternative hip hop tracks is on genre, which the label's
# word alone ('rap') does not see.
LABEL_FAMILIES: dict[str, tuple[str, ...]] = {
    "pop": ("pop",), "rap": ("rap", "hip hop", "trap", "drill", "grime"),
    "rock": ("rock", "metal", "punk", "grunge", "emo"),
    "latin": ("latin", "reggaeton", "salsa", "bachata", "cumbia", "urbano", "tropical", "mexican", "mpb", "sertanejo"),
    "r&b": ("r&b", "soul", "funk", "quiet storm", "new jack swing", "urban contemporary"),
    "edm": ("edm", "house", "electro", "techno", "trance", "dubstep", "big room", "dance", "electronic", "bass"),
}


def family_precision(ranked: list[str], genre: str | None, catalog: Catalog, k: int = 20) -> float:
    """Share of the top k with a genre of the playlist label's family (LABEL_FAMILIES), as whole words."""
    if not genre or not ranked:
        return 0.0
    mask = _family_mask(catalog, LABEL_FAMILIES.get(genre, (genre,)))
    top = [catalog.index[t] for t in ranked[:k] if t in catalog.index]
    return float(mask[top].mean()) if top else 0.0


@lru_cache(maxsize=16)
def _family_mask(catalog: Catalog, words: tuple[str, ...]) -> np.ndarray:
    return catalog.genre_mask(list(words))


# --------------------------------------------------------------------------- baselines

def random_ranker(catalog: Catalog, seed: int) -> Ranker:
    rng = np.random.default_rng(seed)
    return lambda prompt: [catalog.tracks[i].id for i in rng.choice(len(catalog), size=K, replace=False)]


def popular_ranker(catalog: Catalog) -> Ranker:
    top = [catalog.tracks[i].id for i in top_k(catalog.popularity.astype(np.float64), K)]
    return lambda prompt: top


def dense_ranker(catalog: Catalog) -> Ranker:
    """Embedding of the prompt against the track vectors, no parsing and no filters."""
    return lambda prompt: [c.track.id for c in catalog.search(prompt, k=K)] if prompt.strip() else []


_STOP = frozenset("a an and are as at be by for from i i'd id im in is it its like me my of on or our playlist "
                  "please some songs that the this to want we with would you".split())
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(fold(text)) if len(w) > 1 and w not in _STOP]


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))) over token lists, exact, in numpy."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b, self.n = k1, b, len(docs)
        self.lengths = np.array([len(d) for d in docs], dtype=np.float64)
        self.avgdl = float(self.lengths.mean()) if self.n else 0.0
        postings: dict[str, dict[int, int]] = {}
        for i, doc in enumerate(docs):
            for w in doc:
                row = postings.setdefault(w, {})
                row[i] = row.get(i, 0) + 1
        self.postings = {w: (np.fromiter(p.keys(), dtype=np.int64), np.fromiter(p.values(), dtype=np.float64))
                         for w, p in postings.items()}

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0]) if term in self.postings else 0
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(self.n)
        for term in query:
            if term not in self.postings:
                continue
            docs, tf = self.postings[term]
            norm = self.k1 * (1 - self.b + self.b * self.lengths[docs] / self.avgdl)
            out[docs] += self.idf(term) * tf * (self.k1 + 1) / (tf + norm)
        return out


def track_document(t: Any) -> list[str]:
    return tokens(" ".join([t.title, *t.artists, t.album, *t.genres]))


@lru_cache(maxsize=2)
def catalog_bm25(catalog: Catalog) -> BM25:
    return BM25([track_document(t) for t in catalog.tracks])


def bm25_ranker(catalog: Catalog) -> Ranker:
    index = catalog_bm25(catalog)

    def rank(prompt: str) -> list[str]:
        s = index.scores(tokens(prompt))
        return [catalog.tracks[i].id for i in top_k(np.where(s > 0, s, -np.inf), K)]

    return rank


# --------------------------------------------------------------------------- Segue

def segue_ranker(deps: Deps, seed: int = 0) -> Ranker:
    def rank(prompt: str) -> list[str]:
        return segue_ranking(prompt, deps, seed)

    return rank


def segue_ranking(prompt: str, deps: Deps, seed: int = 0) -> list[str]:
    """Segue's selection for a count=100 request, in selection order, padded from the candidate pool."""
    from agent.candidates import gather
    from agent.models import GenerateRequest
    from agent.planner import plan
    from agent.policy import policy_for
    from agent.selection import select

    request = GenerateRequest(prompt=prompt[:2000], count=K, seed=seed)
    planned = plan(request, deps)
    policy = policy_for(request, planned.spec, None, deps)
    pool = gather(planned.spec, policy, deps.catalog, None) + planned.extra_candidates
    chosen = [t.id for t in select(pool, planned.spec, policy, None, seed).tracks]
    rest = [c.track.id for c in sorted(pool, key=lambda c: (-c.score, c.track.id)) if c.track.id not in set(chosen)]
    return list(dict.fromkeys(chosen + rest))[:K]


def baselines(deps: Deps, seed: int) -> dict[str, Ranker]:
    """Segue first, then every baseline, computed in the same run on the same queries."""
    c = deps.catalog
    return {"segue": segue_ranker(deps, seed), "dense-only": dense_ranker(c), "bm25": bm25_ranker(c),
            "most-popular": popular_ranker(c), "random": random_ranker(c, seed)}


def print_table(result: BenchResult, console: Any) -> None:
    from rich.table import Table

    names = list(result.systems[0].metrics) if result.systems else []
    extra = f" · truth match rate {result.match_rate:.1%}" if result.match_rate is not None else ""
    table = Table(title=f"{result.benchmark}: {result.queries} queries (seed {result.seed}){extra}",
                  header_style="bold cyan")
    table.add_column("system")
    for n in names:
        table.add_column(n, justify="right")
    table.add_column("ms/query", justify="right")
    best = {n: max(s.metrics[n] for s in result.systems) for n in names}
    for s in result.systems:
        cells = [f"[bold green]{s.metrics[n]:.3f}[/]" if s.metrics[n] == best[n] and best[n] > 0 else f"{s.metrics[n]:.3f}"
                 for n in names]
        table.add_row(s.system, *cells, f"{s.ms_per_query:.0f}")
    console.print(table)
    if result.notes:
        console.print(f"  [dim]{result.notes}[/]")
