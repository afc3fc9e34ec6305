"""Projected shortlist + exact rerank (tools/ann.py) on the real-data fixture catalog, against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from agent.models import SearchFilters
from tools import ann
from tools.catalog import Catalog, embed_query
from tools.store import current_build

QUERIES = ["rainy sunday coffee mellow indie", "pop punk for a run", "smooth jazz late night", "heavy metal gym",
           "acoustic folk campfire", "80s synth pop", "chill lofi beats to study", "country road trip"]
FILTERS = [SearchFilters(), SearchFilters(explicit="exclude"), SearchFilters(year_min=2000, year_max=2015),
           SearchFilters(tempo_min=110, tempo_max=140, features={"energy": (0.5, 1.0)}),
           SearchFilters(genres=["rock"], explicit="exclude")]


@pytest.fixture(scope="module")
def index(catalog):
    return ann.ProjectedSearch(catalog.vectors, dims=ann.DIMS, shortlist=150)


def brute_force(catalog, q, mask, k):
    rows = np.flatnonzero(mask)
    scores = catalog.vectors[rows] @ q
    order = np.lexsort((rows, -scores))[:k]
    return rows[order]


def test_results_pass_the_mask_with_exact_scores_in_order(catalog, index):
    for text in QUERIES:
        q = embed_query(text)
        for f in FILTERS:
            mask = catalog.mask(f)
            rows, scores = index.search(q, mask, 20)
            assert len(rows) == min(20, mask.sum())
            assert mask[rows].all()
            assert np.allclose(scores, catalog.vectors[rows] @ q, atol=1e-6)
            assert all((a > b) or (a == b and r < s) for a, b, r, s in zip(scores, scores[1:], rows, rows[1:], strict=False))


def test_recall_against_brute_force(catalog, index):
    recalls, routes = [], set()
    for text in QUERIES:
        q = embed_query(text)
        for f in FILTERS:
            mask = catalog.mask(f)
            rows, _ = index.search(q, mask, 20)
            routes.add(index.last_route)
            recalls.append(len(set(rows.tolist()) & set(brute_force(catalog, q, mask, 20).tolist())) / 20)
    assert routes == {"projected"}  # every filter above passes more than 5% of the fixture
    assert np.mean(recalls) >= 0.95 and min(recalls) >= 0.8


def test_selective_filters_scan_exactly(catalog, index):
    mask = catalog.mask(SearchFilters(artists=["blink-182"]))
    assert 0 < mask.sum() <= ann.EXACT_SHARE * len(catalog)
    q = embed_query("pop punk")
    rows, _ = index.search(q, mask, 10)
    assert index.last_route == "exact"
    assert rows.tolist() == brute_force(catalog, q, mask, 10).tolist()


def test_small_and_empty_masks(catalog, index):
    q = embed_query("anything")
    none = np.zeros(len(catalog), dtype=bool)
    rows, scores = index.search(q, none, 10)
    assert len(rows) == 0 and len(scores) == 0
    three = none.copy()
    three[[5, 50, 500]] = True
    assert sorted(index.search(q, three, 10)[0].tolist()) == [5, 50, 500]


def test_basis_is_deterministic_and_orthonormal(catalog):
    a = ann.fit_basis(catalog.vectors, 32, seed=3)
    b = ann.fit_basis(catalog.vectors, 32, seed=3)
    assert a.shape == (catalog.vectors.shape[1], 32) and np.array_equal(a, b)
    assert np.allclose(a.T @ a, np.eye(32), atol=1e-4)


@pytest.mark.parametrize("n,m", [(50, 10), (10_000, 20), (200_000, 100), (200_000, 1_000)])
def test_top_m_is_the_m_best(n, m):
    rng = np.random.default_rng(n + m)
    scores = rng.normal(size=n).astype(np.float32)
    scores[rng.random(n) < 0.4] = -np.inf  # masked rows
    got = ann.top_m(scores, m)
    want = np.argsort(-scores, kind="stable")[:m]
    assert sorted(got.tolist()) == sorted(want.tolist())
    assert np.isfinite(scores[got]).all()


def test_top_m_with_fewer_finite_than_m():
    scores = np.full(1000, -np.inf, dtype=np.float32)
    scores[[3, 7]] = 1.0
    assert sorted(ann.top_m(scores, 10).tolist()) == [3, 7]


def test_catalog_search_uses_it_only_for_big_catalogs(catalog, monkeypatch):
    build = current_build(catalog.build.path.parent.parent)
    assert Catalog.load(build).ann is None  # the fixture is far below ANN_MIN_TRACKS
    monkeypatch.setattr(ann, "ANN_MIN_TRACKS", 1_000)
    big = Catalog.load(build)
    assert isinstance(big.ann, ann.ProjectedSearch)
    f = SearchFilters(explicit="exclude")
    got = [c.track.id for c in big.search("rainy day indie", f, k=20)]
    want = [c.track.id for c in catalog.search("rainy day indie", f, k=20)]
    assert len(set(got) & set(want)) >= 18



def test_setting_turns_the_projection_on_or_off(catalog):
    build = current_build(catalog.build.path.parent.parent)
    on = Catalog.load(build, projected_min_tracks=1_000)
    assert isinstance(on.ann, ann.ProjectedSearch) and on.stats().search.startswith("projected: 128-d")
    assert Catalog.load(build, projected_min_tracks=0).ann is None
    assert catalog.stats().search.startswith("exact")
