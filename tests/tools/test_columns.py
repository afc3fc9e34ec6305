"""Columnar track storage: big catalogs share repeated strings and lists without changing any track."""

from __future__ import annotations

import copy

from tools import columns
from tools.columns import LIST_FIELDS, TrackColumns, share_repeats


def test_share_repeats_keeps_values_and_shares_identical_lists(catalog):
    text = copy.deepcopy(catalog.tracks.text)
    before = copy.deepcopy(text)
    share_repeats(text)
    assert text == before
    genres = text["genres"]
    first, second = next((i, j) for i in range(len(genres)) for j in range(i + 1, min(i + 50, len(genres)))
                         if genres[i] and genres[i] == genres[j])
    assert genres[first] is genres[second]
    assert all(isinstance(v, list) for f in LIST_FIELDS for v in text[f])


def test_loaded_tracks_are_the_same_with_sharing(catalog, monkeypatch):
    plain = TrackColumns.load(catalog.build.path)
    monkeypatch.setattr(columns, "SHARE_MIN_ROWS", 1)
    shared = TrackColumns.load(catalog.build.path)
    assert len(shared) == len(plain)
    for i in range(0, len(plain), 97):
        assert shared[i] == plain[i]
    assert shared[0].year == plain[0].year and isinstance(shared[0].tempo, float)
