"""Mood axis against real labels: does a prompt's valence (energy) target rank prompts the way the Deezer
valence (arousal) labels of the tracks people put with them do? Prompts are the playlist names and CPCD
first turns the sound model never learned from (tools/folds.py); a prompt's truth is the mean Deezer label
of its catalog tracks that carry one (at least MIN_LABELLED). Systems: Segue's targets (the lexicon, and
targets learned from real playlists where the lexicon has none) and the lexicon alone (0.5 when it has no
target). Metric: Spearman rank correlation, ties averaged."""

from __future__ import annotations

import csv
import gzip
import time
from typing import Any

import numpy as np

from agent.deps import Deps
from evals.benchmarks.common import BenchResult, SystemScore
from tools.folds import learns_from
from tools.normalize import song_key

FILE = "deezer_mood_valence_arousal.csv.gz"
MIN_LABELLED = 2


def deezer_labels(deps: Deps) -> dict[str, tuple[float, float]]:
    """Song key → (valence, arousal), standardized scores as the file gives them."""
    out: dict[str, tuple[float, float]] = {}
    with gzip.open(deps.settings.raw_data_dir / FILE, "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            title = r["track_name"].replace("(Explicit)", "").strip()
            out.setdefault(deps.catalog.song_of(song_key(r["artist_name"], title)), (float(r["valence"]), float(r["arousal"])))
    return out


def prompts_with_truth(deps: Deps) -> list[tuple[str, float, float]]:
    """(prompt, mean valence, mean arousal) for each measured playlist and conversation with enough labels."""
    from evals.benchmarks import cpcd, playlists

    labels = deezer_labels(deps)
    catalog = deps.catalog
    rows: list[tuple[str, set[str]]] = []
    for p in playlists.read_playlists(deps.settings.raw_data_dir / playlists.FILE):
        if not learns_from(p["playlist_id"]):
            keys = {catalog.tracks[catalog.index[t["track_id"]]].song_key for t in p["tracks"] if t["track_id"] in catalog.index}
            rows.append((p["playlist_name"], keys))
    for c in cpcd.read_conversations(deps.settings.raw_data_dir / cpcd.FILE):
        first = (c.get("turns") or [{}])[0].get("user_query", "").strip()
        if not learns_from(c["id"]) and first:
            rows.append((first, {catalog.song_of(k) for k in cpcd.goal_keys(c)}))
    out = []
    for prompt, keys in rows:
        found = [labels[k] for k in keys if k in labels]
        if len(found) >= MIN_LABELLED and prompt.strip():
            out.append((prompt, float(np.mean([v for v, _ in found])), float(np.mean([a for _, a in found]))))
    return out


def ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(len(x), dtype=np.float64)
    for v in np.unique(x):
        tie = x == v
        r[tie] = r[tie].mean()
    return r


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(np.array(a)), ranks(np.array(b))
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def targets(prompt: str, deps: Deps, learned: bool) -> dict[str, Any]:
    from agent.mood_targets import with_learned_targets
    from agent.planner.offline import parse_prompt

    spec = parse_prompt(prompt, deps.catalog)
    return {str(f): v for f, v in (with_learned_targets(spec, prompt) if learned else spec).feature_targets.items()}


def run(deps: Deps, seed: int = 0) -> BenchResult:
    rows = prompts_with_truth(deps)
    systems = []
    for name, learned in (("segue", True), ("lexicon-only", False)):
        start = time.perf_counter()
        got = [targets(p, deps, learned) for p, _, _ in rows]
        ms = (time.perf_counter() - start) * 1000 / max(1, len(rows))
        systems.append(SystemScore(system=name, ms_per_query=round(ms, 1), metrics={
            "valence ρ": spearman([g.get("valence", 0.5) for g in got], [v for _, v, _ in rows]),
            "energy~arousal ρ": spearman([g.get("energy", 0.5) for g in got], [a for _, _, a in rows]),
            "with target": float(np.mean(["valence" in g for g in got])) if got else 0.0}))
    return BenchResult(benchmark="mood", queries=len(rows), seed=seed, systems=systems,
                       notes=f"prompts with at least {MIN_LABELLED} Deezer-labelled tracks, from the half the sound "
                             "model did not learn from; Spearman against the mean Deezer valence / arousal.")
