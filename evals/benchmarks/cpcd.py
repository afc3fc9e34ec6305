"""CPCD first turn → goal playlist: the user's first request is the prompt, the conversation's goal playlist
the truth, scored only on goal tracks the catalog holds (resolved by normalised artist|title; the match rate
is reported). Metrics: Hit@10/20/100 (share of conversations with a goal track in the top k), MRR@10 and
Recall@100. For scale, the published CPCD hybrid retrieval baseline scores about 0.06 Hit@10 on first turns
(on its own, much larger catalog). Only the half of the conversations the sound model never learned from
is scored (tools/folds.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from agent.deps import Deps
from evals.benchmarks.common import BenchQuery, hit, mrr, resolve_queries
from tools.catalog import Catalog
from tools.folds import Fold, in_fold
from tools.normalize import song_key

FILE = "cpcd_v1_dev_conversations.jsonl.gz"


def read_conversations(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def goal_keys(conv: dict[str, Any]) -> set[str]:
    """Song keys of the goal playlist (tracks without metadata are dropped)."""
    keys = set()
    for tid in conv.get("goal_playlist", []):
        meta = conv.get("tracks", {}).get(tid)
        if meta and meta.get("track_titles") and meta.get("track_artists"):
            keys.add(song_key(meta["track_artists"][0], meta["track_titles"]))
    return keys


def load_queries(deps: Deps, limit: int | None = None, seed: int = 0,
                 fold: Fold = "measure") -> tuple[list[BenchQuery], dict[str, Any]]:
    """Every conversation of the fold (or a seeded sample): the first user turn is the prompt, the goal
    playlist the truth. fold="learn" is the half the learned models read: tune there, report "measure"."""
    rows = sorted((r for r in read_conversations(deps.settings.raw_data_dir / FILE) if in_fold(r["id"], fold)),
                  key=lambda r: r["id"])

    def query_of(conv: dict[str, Any], found: set[str], total: int) -> BenchQuery | None:
        first = (conv.get("turns") or [{}])[0].get("user_query", "").strip()
        return BenchQuery(id=conv["id"], prompt=first, truth=found, truth_total=total) if first else None

    return resolve_queries(deps, rows, limit, seed, goal_keys, query_of,
                           "scored on conversations with at least one goal track in the catalog, from the half the "
                           "sound model did not learn from (tools/folds.py).")


def metrics(q: BenchQuery, ranked: list[str], rel: list[bool], catalog: Catalog) -> dict[str, float]:
    return {"Hit@10": hit(rel, 10), "Hit@20": hit(rel, 20), "Hit@100": hit(rel, 100), "MRR@10": mrr(rel, 10),
            "Recall@100": sum(rel) / len(q.truth) if q.truth else 0.0}
