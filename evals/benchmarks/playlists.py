"""Playlist titles → tracks: each Spotify playlist's name is the prompt, its tracks are the truth.

Truth tracks are matched to the catalog by song key (normalised artist|title), so another version of a
true song counts. Metrics: R-precision (R = truth size, capped at 100), NDCG@10/100, Hit@10/100, genre
precision@20 (share of the top 20 whose artist-level genres hold the playlist label's word) and genre-family
precision@20 (the label's family: 'rap' also hip hop and trap). The `own tracks` row ranks each playlist's
own catalog tracks: the genre precision real playlists have. Only the half of the playlists
the sound model never learned from is scored (tools/folds.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from agent.deps import Deps
from evals.benchmarks.common import (
    BenchQuery,
    family_precision,
    genre_precision,
    hit,
    ndcg,
    r_precision,
    resolve_queries,
)
from tools.catalog import Catalog
from tools.folds import Fold, in_fold
from tools.normalize import song_key

FILE = "playlists_spotify_songs.jsonl.gz"


def read_playlists(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_queries(deps: Deps, limit: int | None = None, seed: int = 0,
                 fold: Fold = "measure") -> tuple[list[BenchQuery], dict[str, Any]]:
    """Every playlist of the fold (or a seeded sample of `limit`), with its truth resolved against the catalog."""
    rows = sorted((r for r in read_playlists(deps.settings.raw_data_dir / FILE) if in_fold(r["playlist_id"], fold)),
                  key=lambda r: r["playlist_id"])

    def truth_of(r: dict[str, Any]) -> set[str]:
        return {song_key(t["track_artist"] or "", t["track_name"] or "") for t in r["tracks"]}

    def query_of(r: dict[str, Any], found: set[str], total: int) -> BenchQuery | None:
        name = r["playlist_name"].strip()
        return BenchQuery(id=r["playlist_id"], prompt=name, truth=found, truth_total=total,
                          genre=r.get("playlist_genre")) if name else None

    return resolve_queries(deps, rows, limit, seed, truth_of, query_of,
                           "R-precision with R = truth size (≤ 100); genre precision over the top 20; only the playlists "
                           "the sound model did not learn from (tools/folds.py).")


def metrics(q: BenchQuery, ranked: list[str], rel: list[bool], catalog: Catalog) -> dict[str, float]:
    n = len(q.truth)
    return {"R-prec": r_precision(rel, n), "NDCG@10": ndcg(rel, n, 10), "NDCG@100": ndcg(rel, n, 100),
            "Hit@10": hit(rel, 10), "Hit@100": hit(rel, 100), "GenreP@20": genre_precision(ranked, q.genre, catalog),
            "GenreF@20": family_precision(ranked, q.genre, catalog)}


def own_tracks(queries: list[BenchQuery], catalog: Catalog):
    """A ranker returning each playlist's own catalog tracks (by prompt): the genre precision of real playlists."""
    by_key: dict[str, str] = {}
    for tid, key in zip(catalog.ids, catalog.tracks.text["song_key"], strict=True):
        by_key.setdefault(key, tid)
    truth = {q.prompt: [by_key[k] for k in sorted(q.truth) if k in by_key] for q in queries}
    return lambda prompt: truth.get(prompt, [])
