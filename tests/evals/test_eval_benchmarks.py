"""Benchmark pieces: ranking metrics by hand, exact BM25, and both benchmarks end to end on the fixture catalog."""

from __future__ import annotations

import dataclasses
import math

import pytest

from core.settings import DATA_DIR
from evals.benchmarks import evaluate, run_benchmark
from evals.benchmarks.common import BM25, hit, mrr, ndcg, r_precision, relevance, segue_ranking, tokens


def test_ranking_metrics_by_hand():
    rel = [False, True, False, True] + [False] * 6
    assert r_precision(rel, 4) == 0.5
    assert hit(rel, 1) == 0.0 and hit(rel, 2) == 1.0
    assert mrr(rel, 10) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = sum(1 / math.log2(i + 2) for i in range(4))
    assert ndcg(rel, 4, 10) == pytest.approx(dcg / ideal)
    assert ndcg([True, True], 2, 10) == pytest.approx(1.0)


def test_bm25_matches_the_okapi_formula():
    docs = [["pop", "punk", "punk"], ["jazz", "piano"], ["pop", "dance"]]
    index = BM25(docs)
    avgdl = 7 / 3

    def term(tf, dl, df):
        idf = math.log(1 + (3 - df + 0.5) / (df + 0.5))
        return idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / avgdl))

    scores = index.scores(["pop", "punk"])
    assert scores[0] == pytest.approx(term(1, 3, 2) + term(2, 3, 1))
    assert scores[2] == pytest.approx(term(1, 2, 2))
    assert scores[1] == 0.0
    assert tokens("I'd like a Playlist of Pop-Punk!") == ["pop", "punk"]


def test_relevance_credits_each_true_song_once(catalog):
    track = next(t for t in catalog.tracks if t.song_key)
    twin = next((t for t in catalog.tracks if t.song_key == track.song_key and t.id != track.id), track)
    rel = relevance([track.id, twin.id, "missing"], {track.song_key}, catalog)
    assert rel == [True, False, False]


@pytest.fixture
def bench_deps(deps):
    """The fixture catalog with the real raw folder, where the playlists and CPCD files are."""
    return dataclasses.replace(deps, settings=deps.settings.model_copy(update={"raw_data_dir": DATA_DIR / "raw"}))


def test_playlists_benchmark_end_to_end(bench_deps):
    result = run_benchmark("playlists", bench_deps, limit=6, seed=1)
    systems = {s.system: s.metrics for s in result.systems}
    assert list(systems) == ["segue", "dense-only", "bm25", "most-popular", "random", "own tracks"]
    assert result.queries >= 1 and 0 < result.match_rate < 1  # the fixture catalog holds a cut of the tracks
    for metrics in systems.values():
        assert set(metrics) == {"R-prec", "NDCG@10", "NDCG@100", "Hit@10", "Hit@100", "GenreP@20", "GenreF@20"}
        assert all(0 <= v <= 1 for v in metrics.values())
        assert metrics["GenreF@20"] >= metrics["GenreP@20"]  # a label's family holds its own word
    assert systems["own tracks"]["Hit@10"] == 1.0 and systems["own tracks"]["R-prec"] == 1.0
    again = run_benchmark("playlists", bench_deps, limit=6, seed=1, systems=["segue", "random"])
    assert [x.system for x in again.systems] == ["segue", "random"]
    assert {s.system: s.metrics for s in again.systems} == {k: systems[k] for k in ("segue", "random")}


def test_an_oracle_scores_perfectly_and_segue_ranks_catalog_tracks(bench_deps):
    from evals.benchmarks import cpcd

    queries, info = cpcd.load_queries(bench_deps, limit=30, seed=0)
    assert queries and 0 < info["match_rate"] < 1
    by_key = {}
    for t in bench_deps.catalog.tracks:
        by_key.setdefault(t.song_key, t.id)
    truth = {q.prompt: [by_key[k] for k in sorted(q.truth)] for q in queries}
    scores = evaluate(queries, {"oracle": lambda p: truth[p]}, cpcd.metrics, bench_deps)
    assert scores[0].metrics["Hit@10"] == 1.0 and scores[0].metrics["MRR@10"] == 1.0
    ranked = segue_ranking(queries[0].prompt, bench_deps)
    assert 0 < len(ranked) <= 100 and len(set(ranked)) == len(ranked)
    assert all(bench_deps.catalog.get(i) is not None for i in ranked)


def test_the_learn_fold_is_the_other_half(bench_deps):
    from evals.benchmarks import cpcd
    from tools.folds import learns_from

    measured, _ = cpcd.load_queries(bench_deps)
    learned, _ = cpcd.load_queries(bench_deps, fold="learn")
    assert measured and learned and not {q.id for q in measured} & {q.id for q in learned}
    assert all(learns_from(q.id) for q in learned) and not any(learns_from(q.id) for q in measured)


def test_family_precision_reads_the_labels_family(catalog):
    from evals.benchmarks.common import family_precision, genre_precision

    hip_hop = [t.id for t in catalog.tracks if any("hip hop" in g for g in t.genres)
               and not any("rap" in g.split() for g in t.genres)][:20]
    assert hip_hop
    assert genre_precision(hip_hop, "rap", catalog) == 0.0  # the label's word alone misses them
    assert family_precision(hip_hop, "rap", catalog) == 1.0
    assert family_precision(hip_hop, "rock", catalog) < 0.5 and family_precision([], "rap", catalog) == 0.0
