"""Real-data benchmarks: Segue against random, most-popular, dense-only and BM25 baselines in one run.

`playlists`: a Spotify playlist's title is the prompt, its tracks the truth (R-precision, NDCG@k, Hit@k,
genre precision). `cpcd`: a CPCD conversation's first user turn is the prompt, its goal playlist the truth
(Hit@10/20/100, MRR@10), scored on the goal tracks the catalog holds. `mood`: prompts' valence and energy
targets against the Deezer valence/arousal labels of their tracks (Spearman), Segue vs the lexicon alone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from agent.deps import Deps
from evals.benchmarks.common import BenchQuery, BenchResult, Ranker, SystemScore, baselines, relevance
from tools.catalog import Catalog
from tools.folds import Fold

DEFAULT_LIMITS: dict[str, int | None] = {"playlists": 100, "cpcd": None}  # a few minutes on 2 cores
Metrics = Callable[[BenchQuery, list[str], list[bool], Catalog], dict[str, float]]
Progress = Callable[[str, int, int], None]


def evaluate(queries: list[BenchQuery], systems: dict[str, Ranker], metrics: Metrics, deps: Deps,
             progress: Progress | None = None) -> list[SystemScore]:
    """Mean of every metric over the queries, per system, with the time each system took per query."""
    out: list[SystemScore] = []
    for name, rank in systems.items():
        totals: dict[str, float] = {}
        start = time.perf_counter()
        for n, q in enumerate(queries, 1):
            ranked = rank(q.prompt)
            for key, value in metrics(q, ranked, relevance(ranked, q.truth, deps.catalog), deps.catalog).items():
                totals[key] = totals.get(key, 0.0) + value
            if progress:
                progress(f"bench {name}", n, len(queries))
        elapsed = (time.perf_counter() - start) * 1000 / max(1, len(queries))
        out.append(SystemScore(system=name, metrics={k: v / len(queries) for k, v in totals.items()},
                               ms_per_query=round(elapsed, 1)))
    return out


def run_benchmark(name: str, deps: Deps, *, limit: int | None = None, seed: int = 0,
                  progress: Progress | None = None, systems: Iterable[str] | None = None,
                  fold: Fold = "measure") -> BenchResult:
    """Load the benchmark's queries, run Segue and every baseline on them, and return the table.
    fold="learn" scores the half the learned models read (for tuning); the reported figures use "measure"."""
    from evals.cache import llm_cache

    if name == "mood":
        from evals.benchmarks import mood_axis

        return mood_axis.run(deps, seed)
    if name == "playlists":
        from evals.benchmarks import playlists as bench
    else:
        from evals.benchmarks import cpcd as bench  # type: ignore[no-redef]
    queries, info = bench.load_queries(deps, limit=limit or DEFAULT_LIMITS[name], seed=seed, fold=fold)
    chosen = {k: v for k, v in baselines(deps, seed).items() if systems is None or k in set(systems)}
    if name == "playlists" and (systems is None or "own tracks" in set(systems)):
        chosen["own tracks"] = bench.own_tracks(queries, deps.catalog)  # type: ignore[attr-defined]
    with llm_cache(deps.settings.home / "eval-cache"):
        scores = evaluate(queries, chosen, bench.metrics, deps, progress)
    return BenchResult(benchmark=name, queries=len(queries), seed=seed, systems=scores, **info)
