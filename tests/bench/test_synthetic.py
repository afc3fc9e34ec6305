"""The synthetic catalog generator on a small N: distinct ids, labelled synthetic, values in range,
deterministic, and written as a separate store that the catalog opens."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.models import FEATURES, SearchFilters
from tools.columns import NUMERIC_FIELDS
from tools.synthetic import LABEL, PREFIX, synthesize, write_store


@pytest.fixture(scope="module")
def base(catalog):
    cols = catalog.tracks
    return cols.text, cols.numeric, catalog.vectors


def test_ids_distinct_and_labelled(base, catalog):
    text, numeric, vectors = base
    count = len(catalog) + 250  # wraps around the base once: every base track copied, some twice
    t, _, _ = synthesize(text, numeric, vectors, count, seed=3)
    assert len(set(t["id"])) == count
    assert all(i.startswith(PREFIX) for i in t["id"])
    assert not set(t["id"]) & set(catalog.ids)
    assert all(src[0] == LABEL for src in t["sources"])
    assert len(set(t["song_key"])) == count  # copies are distinct songs, not versions the selection merges
    n = len(catalog)  # the copy of base row 0 the second time round
    assert t["artists"][n] == text["artists"][0] and t["genres"][n] == text["genres"][0]


def test_values_in_range_and_near_the_original(base):
    text, numeric, vectors = base
    _, num, vec = synthesize(text, numeric, vectors, 400, seed=1)
    for f in FEATURES:
        assert num[f].min() >= 0.0 and num[f].max() <= 1.0
        assert 0 < np.abs(num[f] - numeric[f][:400]).mean() < 0.1
    assert ((num["popularity"] >= 0) & (num["popularity"] <= 100)).all()
    assert (num["duration_ms"] > 0).all()
    np.testing.assert_array_equal(num["key"], numeric["key"][:400])
    np.testing.assert_array_equal(num["year"], numeric["year"][:400])
    assert np.allclose(np.linalg.norm(vec, axis=1), 1.0, atol=1e-5)
    cos = (vec * vectors[:400]).sum(axis=1)
    assert cos.min() > 0.8 and cos.max() < 0.999  # perturbed, yet still near the track it copies


def test_deterministic(base):
    text, numeric, vectors = base
    a = synthesize(text, numeric, vectors, 300, seed=7, start=1000)
    b = synthesize(text, numeric, vectors, 300, seed=7, start=1000)
    c = synthesize(text, numeric, vectors, 300, seed=8, start=1000)
    assert a[0] == b[0]
    assert all(np.array_equal(a[1][f], b[1][f]) for f in NUMERIC_FIELDS)
    np.testing.assert_array_equal(a[2], b[2])
    assert not np.array_equal(a[2], c[2])
    assert a[0]["id"][0] == f"{PREFIX}1000"


def test_store_is_separate_and_opens(catalog, tmp_path):
    from tools.catalog import Catalog

    total = len(catalog) + 300
    build = write_store(catalog.build, total, tmp_path / "syn", seed=0)
    assert build.path.is_relative_to(tmp_path) and build.manifest["synthetic"] is True
    big = Catalog.load(build)
    assert len(big) == total and big.ids[: len(catalog)] == catalog.ids
    assert sum(i.startswith(PREFIX) for i in big.ids) == 300
    assert json.loads((catalog.build.path / "manifest.json").read_text())["count"] == len(catalog)
    hits = big.search_vector(catalog.vectors[0], SearchFilters(), k=5)
    assert hits[0].track.id == catalog.ids[0]  # the original still ranks first for its own vector
    assert write_store(catalog.build, total, tmp_path / "syn", seed=0).build_id == build.build_id


def test_big_synthetic_catalog_gets_the_projected_search(catalog, tmp_path, monkeypatch):
    """The scale path end to end on a small N: a synthetic store above the (lowered) threshold opens with
    the projected search, whose results pass every filter and match brute force closely."""
    from bench.search import FILTERS, QUERIES
    from tools import ann
    from tools.catalog import Catalog, embed_query

    monkeypatch.setattr(ann, "ANN_MIN_TRACKS", 20_000)
    big = Catalog.load(write_store(catalog.build, 25_000, tmp_path / "syn", seed=0))
    assert isinstance(big.ann, ann.ProjectedSearch)
    recalls = []
    for i in range(24):
        q, f = embed_query(QUERIES[i % len(QUERIES)]), FILTERS[i % len(FILTERS)]
        mask = big.mask(f)
        got = big.search_vector(q, f, k=50)
        assert all(mask[big.index[c.track.id]] for c in got)
        rows = np.flatnonzero(mask)
        scores = big.vectors[rows] @ q
        want = {big.ids[r] for r in rows[np.lexsort((rows, -scores))[:50]]}
        recalls.append(len(want & {c.track.id for c in got}) / len(want))
    assert np.mean(recalls) >= 0.97
