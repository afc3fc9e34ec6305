"""Wishes read by the offline planner on the fixture catalog: only-X, family listening, no vocals, arcs in
everyday words, over-limit counts, an artist's era, and names inside combined credits."""

from __future__ import annotations

import pytest

from agent.planner.offline import parse_prompt
from agent.planner.wishes import album_years, career_part


@pytest.mark.parametrize(("prompt", "only"), [
    ("only Taylor Swift songs", ["Taylor Swift"]),
    ("nothing but Metallica, 15 songs", ["Metallica"]),
    ("just Eminem songs", ["Eminem"]),
    ("Drake songs only", ["Drake"]),
    ("exclusively Daft Punk", ["Daft Punk"]),
    ("Green Day and nothing else", ["Green Day"]),
    ("taylor swift deep cuts only", ["Taylor Swift"]),
    ("Drake b-sides only", ["Drake"]),
    ("only Paramore and Fall Out Boy", ["Paramore", "Fall Out Boy"]),
    ("songs like Drake", []),
    ("just chill music", []),
    ("the only hits I need", []),
])
def test_only_artists(catalog, prompt, only):
    spec = parse_prompt(prompt, catalog)
    assert spec.only_artists == only
    assert set(only) <= set(spec.seed_artists)


@pytest.mark.parametrize("prompt", [
    "songs for a road trip with my grandma and my 8 year old", "music for children", "something my 6 yo will like",
    "family dinner", "kids birthday party", "car ride with the little ones", "pop for my daughter",
    "party music for teenagers", "prom night slow dances", "music for my 15 year old",
])
def test_family_listening_is_the_clean_policy(catalog, prompt):
    assert parse_prompt(prompt, catalog).explicit == "exclude"


@pytest.mark.parametrize("prompt", ["teen pop hits", "high school throwbacks"])
def test_teen_words_that_name_music_or_a_memory_are_no_policy(catalog, prompt):
    assert parse_prompt(prompt, catalog).explicit == "allow"


@pytest.mark.parametrize(("prompt", "kid_safe"), [
    ("sunday morning pancakes with the kids", True), ("road trip with the kids", True), ("bedtime for a toddler", True),
    ("songs for grandma and my 8 year old", True), ("school disco", True), ("family dinner playlist", True),
    ("sleepover playlist", True), ("kid-friendly pop", True), ("music for children", True),
    ("music for my office, safe for work", False), ("radio edits only", False), ("songs for my grandma", False),
    ("a party with no kids around", False), ("old school hip hop", False), ("late night jazz", False),
])
def test_kids_and_family_prompts_get_the_kid_safe_rule(catalog, prompt, kid_safe):
    """Kids and family: clean and kid-safe; office, radio and grown-up listeners: clean only (or neither)."""
    spec = parse_prompt(prompt, catalog)
    assert spec.kid_safe is kid_safe
    assert not kid_safe or spec.explicit == "exclude"


@pytest.mark.parametrize(("prompt", "instrumental"), [
    ("instrumental music for studying", True), ("no vocals, just beats", True), ("music without lyrics", True),
    ("background music, no singing", True), ("mostly instrumental please", False), ("sad songs", False),
])
def test_no_vocals_is_a_hard_rule(catalog, prompt, instrumental):
    assert parse_prompt(prompt, catalog).instrumental is instrumental


@pytest.mark.parametrize(("prompt", "arc"), [
    ("a workout mix that keeps building", "rise"), ("warm-up to peak time techno", "rise"),
    ("start slow, house music", "rise"), ("start off mellow", "rise"), ("keeps getting faster", "rise"),
    ("a set that gets more intense over time", "rise"), ("finish strong running mix", "rise"),
    ("winding down for the night", "fall"), ("dinner party that ends calm", "fall"),
    ("something that gets calmer as it goes", "fall"), ("bring me down after the gym", "fall"),
    ("peak time techno", None), ("early morning run", None),
])
def test_arcs_in_everyday_words(catalog, prompt, arc):
    assert parse_prompt(prompt, catalog).arc == arc


@pytest.mark.parametrize(("prompt", "count", "asked"), [
    ("150 songs of 80s rock", 100, 150), ("give me 500 chill songs", 100, 500),
    ("two hundred tracks for a party", 100, 200), ("100 songs", 100, None), ("20 songs", 20, None),
])
def test_counts_above_the_limit_are_kept_as_asked(catalog, prompt, count, asked):
    spec = parse_prompt(prompt, catalog)
    assert (spec.count, spec.count_asked) == (count, asked)


def test_an_artists_early_and_late_years(catalog):
    early, late = career_part(catalog, "Taylor Swift", early=True), career_part(catalog, "Taylor Swift", early=False)
    assert early and late and early[0] < early[1] <= late[0] < late[1]
    spec = parse_prompt("early Taylor Swift", catalog)
    assert spec.seed_artists == ["Taylor Swift"] and (spec.year_min, spec.year_max) == early
    spec = parse_prompt("Eminem's old stuff", catalog)
    assert spec.seed_artists == ["Eminem"] and (spec.year_min, spec.year_max) == career_part(catalog, "Eminem", True)
    spec = parse_prompt("older songs by Taylor Swift", catalog)
    assert spec.seed_artists == ["Taylor Swift"] and (spec.year_min, spec.year_max) == early
    spec = parse_prompt("new stuff from Taylor Swift", catalog)
    assert spec.seed_artists == ["Taylor Swift"] and (spec.year_min, spec.year_max) == late


def test_an_album_era_is_the_album_year_not_a_year_in_its_title(catalog):
    span = album_years(catalog, "Taylor Swift", "1989")
    if span is None:
        pytest.skip("the fixture cut holds no track of that album")
    spec = parse_prompt("songs that sound like Taylor Swift's 1989 era", catalog)
    assert spec.seed_artists == ["Taylor Swift"] and (spec.year_min, spec.year_max) == span
    assert span[0] > 2000


def test_a_name_inside_a_combined_credit_is_read(catalog):
    combined = next(a for t in catalog.tracks for a in t.artists if " & " in a and len(a.split(" & ")[0]) > 4)
    first = combined.split(" & ")[0]
    spec = parse_prompt(f"rock without {first}", catalog)
    assert spec.exclude_artists and spec.exclude_artists[0].lower() in (first.lower(), combined.lower())


def test_an_album_then_an_era_word_needs_no_possessive(catalog):
    artist, album = next(((t.artist, t.album) for t in catalog.tracks if t.album and t.year
                          and len(t.album.split()) <= 2 and t.album.isalpha() and len(t.album) > 3
                          and catalog.artist_names.get(t.artist.lower())), (None, None))
    if artist is None:
        pytest.skip("the fixture cut holds no short album title")
    span = album_years(catalog, artist, album)
    spec = parse_prompt(f"{artist} {album} era vibes", catalog)
    assert span and spec.seed_artists == [artist] and (spec.year_min, spec.year_max) == span
    plain = parse_prompt(f"{artist} songs", catalog)
    assert plain.year_min is None and plain.year_max is None
