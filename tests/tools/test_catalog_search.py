"""Exact filtered search on the real-data fixture catalog."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from agent.models import SearchFilters
from core.errors import InvalidInput
from tools.catalog import embed_query
from tools.normalize import fold


def test_search_ranks_by_meaning(catalog):
    top = catalog.search("pop punk", k=10)
    assert len(top) == 10
    assert sum(any("punk" in g for g in c.track.genres) for c in top) >= 6
    assert [c.score for c in top] == sorted((c.score for c in top), reverse=True)


def test_filters_are_hard(catalog):
    f = SearchFilters(explicit="exclude", year_min=2005, year_max=2012, tempo_min=100, tempo_max=140,
                      max_duration_ms=240_000, features={"energy": (0.5, 1.0)})
    res = catalog.search("party dance", f, k=100)
    assert res
    for c in res:
        t = c.track
        assert t.explicit is False
        assert 2005 <= (t.year or 0) <= 2012 and 100 <= t.tempo <= 140
        assert t.duration_ms <= 240_000 and t.energy >= 0.5


def test_genre_and_artist_filters(catalog):
    res = catalog.search("songs", SearchFilters(genres=["punk"], exclude_artists=["Green Day"]), k=200)
    assert res
    assert all(any("punk" in fold(g).split() for g in c.track.genres) for c in res)
    assert all("Green Day" not in c.track.artists for c in res)
    only = catalog.search("songs", SearchFilters(artists=["blink 182"]), k=50)
    assert only and all(c.track.artist == "blink-182" for c in only)


def test_exclude_artist_matches_featured_credits(catalog):
    feat = [t for t in catalog.tracks if "feat." in t.title.lower() and len(catalog.credits[catalog.index[t.id]]) > 1]
    assert feat
    t = feat[0]
    guest = catalog.credits[catalog.index[t.id]][-1]
    res = catalog.search(t.title, SearchFilters(exclude_artists=[guest.upper()]), k=len(catalog))
    assert t.id not in {c.track.id for c in res}


def test_exact_search_equals_brute_force(catalog):
    q = embed_query("sad acoustic breakup songs")
    f = SearchFilters(explicit="exclude", year_min=2010)
    got = [c.track.id for c in catalog.search_vector(q, f, k=50)]
    brute = [(float(catalog.vectors[n] @ q), t.id) for n, t in enumerate(catalog.tracks)
             if t.explicit is False and (t.year or 0) >= 2010]
    want = [tid for _, tid in sorted(brute, key=lambda x: -x[0])[:50]]
    assert got == want


def test_bad_input_is_a_clear_error(catalog):
    with pytest.raises(InvalidInput):
        catalog.search("   ")
    with pytest.raises(ValidationError):
        SearchFilters.model_validate({"bogus_field": 1})
    with pytest.raises(InvalidInput):
        catalog.search_vector(np.zeros(384, dtype=np.float32), k=0)


def test_stats_count_tri_state_explicit(catalog):
    s = catalog.stats()
    assert s.tracks == len(catalog) == sum(s.explicit.values())
    assert all(s.explicit[k] > 0 for k in ("true", "false", "unknown"))
