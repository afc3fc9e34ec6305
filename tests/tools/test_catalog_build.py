"""Catalog build on real data: merging, tri-state explicit, Camelot keys, song identity."""

from __future__ import annotations

import collections

import pytest

from core.settings import DATA_DIR
from tools.catalog_build import build_tracks, camelot, split_editions
from tools.normalize import recording_key, song_key


def test_camelot_wheel_is_a_bijection_with_known_anchors():
    codes = {camelot(k, m) for k in range(12) for m in (0, 1)}
    assert len(codes) == 24
    assert camelot(0, 1) == "8B"  # C major
    assert camelot(9, 0) == "8A"  # A minor, relative of C major
    assert camelot(7, 1) == "9B"  # G major, a fifth up
    assert camelot(4, 0) == "9A"  # E minor


@pytest.mark.parametrize(("a", "b"), [
    (("The Beatles", "Let It Be - Remastered 2009"), ("Beatles", "Let It Be")),
    (("Beyoncé", "Déjà Vu (feat. Jay-Z)"), ("BEYONCE", "Deja Vu")),
    (("Drake", "Hotline Bling - Radio Edit"), ("drake", "Hotline Bling")),
])
def test_reissues_share_a_recording_key(a, b):
    assert recording_key(*a) == recording_key(*b)


def test_remix_is_another_recording_of_the_same_song():
    orig, remix = ("Maroon 5", "Memories"), ("Maroon 5", "Memories - Dillon Francis Remix")
    assert recording_key(*orig) != recording_key(*remix)
    assert song_key(*orig) == song_key(*remix)


@pytest.fixture(scope="module")
def fixture_tracks(fixture_raw):
    return build_tracks(fixture_raw)


def test_every_track_is_complete_and_unique(fixture_tracks):
    assert len(fixture_tracks) > 3000
    assert all(t.explicit in (True, False, None) for t in fixture_tracks)
    assert all(t.camelot == camelot(t.key, t.mode) for t in fixture_tracks)
    assert len({t.id for t in fixture_tracks}) == len(fixture_tracks)
    editions = collections.Counter((recording_key(t.artist, t.title), t.explicit) for t in fixture_tracks)
    assert max(editions.values()) == 1


def test_tidytuesday_tracks_without_a_flag_stay_unknown(fixture_tracks):
    only_tt = [t for t in fixture_tracks if t.sources == ["tidytuesday"]]
    assert only_tt and all(t.explicit is None for t in only_tt)


def test_merged_tracks_carry_every_source_and_artist_genres(fixture_tracks):
    merged = [t for t in fixture_tracks if len(t.sources) > 1]
    assert merged
    blink = [t for t in fixture_tracks if t.artist == "blink-182"]
    assert blink and all("pop punk" in t.genres for t in blink)


def test_clean_edit_is_kept_apart_from_the_explicit_original():
    from tools.catalog_build import Record

    def rec(explicit, id_):
        return Record("spotify_2000_2020", id_, "Good Life", ["Kanye West"], "", 2007, explicit, 50, 200000,
                      {}, 0, 1)

    groups = split_editions([rec(True, "a"), rec(False, "b"), rec(None, "b"), rec(None, "c")])
    assert [sorted(r.id for r in g) for g in groups] == [["a", "c"], ["b", "b"]]


@pytest.mark.slow
def test_full_catalog_counts():
    tracks = build_tracks(DATA_DIR / "raw")
    assert len(tracks) > 59_000
    assert len({t.id for t in tracks}) == len(tracks)


def test_genres_are_the_artists_not_the_playlists(fixture_tracks, fixture_raw):
    """A track whose artist has Spotify genres carries those only: no TidyTuesday playlist label on top."""
    from tools.catalog_build import read_artist_genres, read_tidytuesday
    from tools.normalize import norm_artist

    artist_genres = read_artist_genres(fixture_raw)
    by_id = {t.id: t for t in fixture_tracks}
    checked = 0
    for rec in read_tidytuesday(fixture_raw):
        t = by_id.get(rec.id or "")
        known = [g for a in (t.artists if t else []) for g in artist_genres.get(norm_artist(a), [])]
        if t is None or not known:
            continue
        assert set(t.genres) == set(known), (t.title, t.genres)
        checked += 1
    assert checked > 100


def test_tracks_without_artist_genres_keep_their_source_labels(fixture_tracks, fixture_raw):
    from tools.catalog_build import read_artist_genres
    from tools.normalize import norm_artist

    artist_genres = read_artist_genres(fixture_raw)
    bare = [t for t in fixture_tracks if not any(norm_artist(a) in artist_genres for a in t.artists)]
    assert bare and sum(bool(t.genres) for t in bare) > len(bare) / 2


@pytest.mark.parametrize(("title", "original"), [
    ("Vogue", True), ("Vogue - Edit", True), ("Hey Jude - Remastered 2015", True), ("Song (feat. X)", True),
    ("Song - Radio Edit", True), ("Song - Kygo Remix", False), ("Song - Live", False), ("Song (Acoustic)", False),
])
def test_original_titles(title, original):
    from tools.catalog_build import is_original_title

    assert is_original_title(title) is original


def test_a_song_is_no_younger_than_any_version_of_it(fixture_tracks):
    """The original-titled versions of a song carry the earliest year of all its versions by the same lead artist
    (a remix or a clean edition cannot come out before the song did); remixes and live takes keep their own year,
    and so does another lead artist's cover ('Walk This Way' by Run-DMC is not Aerosmith's 1975)."""
    from tools.catalog_build import is_original_title

    earliest: dict[str, int] = {}
    for t in fixture_tracks:
        if t.year:
            own = song_key(t.artist, t.title)
            earliest[own] = min(t.year, earliest.get(own, t.year))
    originals = [t for t in fixture_tracks if t.year and is_original_title(t.title)]
    assert originals and all(t.year == earliest[song_key(t.artist, t.title)] for t in originals)


def test_earliest_years_moves_only_originals():
    from core.types import Track
    from tools.catalog_build import earliest_years

    def track(id_, title, year):
        return Track(id=id_, title=title, artists=["Madonna"], year=year, duration_ms=1, tempo=1, key=0, mode=1,
                     camelot="8B", energy=0, valence=0, danceability=0, acousticness=0, instrumentalness=0,
                     speechiness=0, liveness=0, loudness=0, song_key="madonna|vogue")

    out = earliest_years([track("a", "Vogue", 2009), track("b", "Vogue - Edit", 1990), track("c", "Vogue - Live", 2012)])
    assert [t.year for t in out] == [1990, 1990, 2012]

