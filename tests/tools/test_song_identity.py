"""Song identity on real credit shapes: versions of one song share a key, different songs keep theirs."""

from __future__ import annotations

import random

import pytest

from core.settings import DATA_DIR
from tools.normalize import norm_title
from tools.song_identity import key_aliases, same_song, song_groups, song_keys

# Credit shapes as the catalog's sources give them.
SAME = [
    (("A Real Hero", ["College & Electric Youth"]), ("A Real Hero", ["Electric Youth", "College"])),
    (("Walk This Way", ["Aerosmith"]), ("Walk This Way (feat. Aerosmith)", ["Run–D.M.C."])),
    (("Latch - Acoustic", ["Sam Smith"]), ("Latch", ["Disclosure", "Sam Smith"])),
    (("Barre Baby (feat. Ronnetta Spencer)", ["Big Moe"]), ("Barre Baby", ["Big Moe featuring Ronnetta Spencer"])),
    (("Free Fallin'", ["Tom Petty and the Heartbreakers"]), ("Free Fallin'", ["Tom Petty"])),
    (("HUMBLE. - SKRILLEX REMIX", ["Skrillex", "Kendrick Lamar"]), ("HUMBLE.", ["Kendrick Lamar"])),
]
DIFFERENT = [  # one title, a guest in common, two songs
    (("Bebé", ["Ozuna", "Anuel AA"]), ("BEBE", ["6ix9ine", "Anuel AA"])),
    (("Pull Up (feat. Lil Uzi Vert & YNW Melly)", ["Lil Keed", "YNW Melly", "Lil Uzi Vert"]),
     ("Pull Up (feat. Lil Uzi Vert)", ["Wiz Khalifa", "Lil Uzi Vert"])),
    (("Forever (feat. Lil Wayne)", ["Lil Baby", "Lil Wayne"]), ("Forever", ["Drake", "Kanye West", "Lil Wayne", "Eminem"])),
    (("Hello", ["Adele"]), ("Hello", ["Lionel Richie"])),  # same title, no one in common
    (("Someone Like You", ["Adele"]), ("Rolling in the Deep", ["Adele"])),  # same artist, other title
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_versions_of_a_song_share_one_key(a, b):
    assert same_song(a, b) and same_song(b, a)
    assert len(set(song_keys([a, b]))) == 1


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_songs_keep_their_keys(a, b):
    assert not same_song(a, b)
    assert len(set(song_keys([a, b]))) == 2


def test_the_key_is_the_same_in_any_order():
    items = [x for pair in SAME + DIFFERENT for x in pair]
    keys = dict(zip(map(repr, items), song_keys(items), strict=True))
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert dict(zip(map(repr, shuffled), song_keys(shuffled), strict=True)) == keys
    assert keys[repr(SAME[0][0])] == "electric youth|a real hero"  # the name both credits share


def test_a_chain_of_versions_is_one_song():
    """Bublé's 'Home', Blake Shelton's cover and their live duet: one song through the duet."""
    items = [("Home", ["Michael Bublé"]), ("Home", ["Blake Shelton"]), ("Home - Live", ["Michael Bublé", "Blake Shelton"])]
    assert song_groups(items) == [0, 0, 0]
    assert song_groups(items[:2]) == [0, 1]


def test_raw_rows_of_a_real_hero_become_one_song():
    """The two source rows behind the duplicate in 'studying for finals, no lyrics' (spotify_2000_2020)."""
    from tools.catalog_build import read_spotify_2000_2020

    rows = [(r.title, r.artists) for r in read_spotify_2000_2020(DATA_DIR / "raw") if norm_title(r.title) == "a real hero"]
    assert {tuple(a) for _, a in rows} >= {("College & Electric Youth",), ("Electric Youth", "College")}
    assert len(set(song_keys(rows))) == 1


def test_aliases_resolve_every_credited_name_to_the_song():
    items = [SAME[0][0], SAME[0][1]]
    keys = song_keys(items)
    aliases = key_aliases([t for t, _ in items], [a for _, a in items], keys)
    assert {aliases[k] for k in ("college electric youth|a real hero", "college|a real hero",
                                 "electric youth|a real hero")} == {keys[0]}


def test_catalog_versions_share_a_key_and_songs_keep_theirs(catalog):
    """On the real fixture catalog: every pair of tracks that are one song carries one key, and one key never
    spans two titles."""
    text = catalog.tracks.text
    by_title: dict[str, list[int]] = {}
    for n, title in enumerate(text["title"]):
        by_title.setdefault(norm_title(title), []).append(n)
    pairs = 0
    for rows in by_title.values():
        for i in rows:
            for j in rows:
                if i < j and same_song((text["title"][i], text["artists"][i]), (text["title"][j], text["artists"][j])):
                    pairs += 1
                    assert text["song_key"][i] == text["song_key"][j], (text["title"][i], text["artists"][i], text["artists"][j])
    assert pairs > 50
    titles_of: dict[str, set[str]] = {}
    for key, title in zip(text["song_key"], text["title"], strict=True):
        titles_of.setdefault(key, set()).add(norm_title(title))
    assert all(len(t) == 1 for t in titles_of.values())
