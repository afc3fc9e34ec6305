"""'country classics': a soft lean to the older songs of the asked genres, never a year filter."""

from __future__ import annotations

import numpy as np
import pytest

from agent.candidates import CLASSICS_SPAN, W_CLASSICS, classics_lean, gather, genre_share
from agent.models import PlaylistSpec
from tools.content_filter import ContentPolicy


def test_the_lean_grows_with_age_before_the_genres_median_year(catalog):
    lean = classics_lean(PlaylistSpec(genres=["country"], classics=True), catalog)
    country = catalog.genre_mask(["country"]) & (catalog.year > 0)
    median = float(np.median(catalog.year[country]))
    share = genre_share(["country"], catalog)
    newer = country & (catalog.year >= median)
    assert newer.any() and not lean[newer].any()
    old = country & (catalog.year <= median - CLASSICS_SPAN)
    assert old.any()
    assert np.allclose(lean[old], W_CLASSICS * share[old])  # full age: the genre share alone scales it
    assert lean.max() <= W_CLASSICS + 1e-6


def test_only_tracks_of_the_genre_get_all_of_it(catalog):
    share = genre_share(["country"], catalog)
    rows = np.flatnonzero(catalog.genre_mask(["country"]))
    for i in rows:
        genres = catalog.genre_lists[i]
        assert share[i] == pytest.approx(sum("country" in g.split() for g in genres) / len(genres))
    assert not share[~catalog.genre_mask(["country"])].any()


def test_no_lean_unless_classics_are_asked(catalog):
    assert classics_lean(PlaylistSpec(genres=["country"]), catalog) == 0.0
    assert classics_lean(PlaylistSpec(classics=True), catalog) == 0.0


def test_classics_pool_is_older_but_not_cut_to_old_years(catalog):
    def years(spec: PlaylistSpec) -> np.ndarray:
        pool = sorted(gather(spec, ContentPolicy(), catalog), key=lambda c: -c.score)[:40]
        return np.array([c.track.year for c in pool if c.track.year])

    plain = years(PlaylistSpec(genres=["soul"], discovery=0.15))
    classics = years(PlaylistSpec(genres=["soul"], discovery=0.15, classics=True))
    assert np.median(classics) < np.median(plain)
    assert (classics < 2000).mean() > (plain < 2000).mean()
    assert (classics >= 2000).any()  # a lean: later songs still compete
