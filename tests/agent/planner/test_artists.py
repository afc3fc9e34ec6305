"""Artist names in prompts written with other spacing ('Baby Metal' for BABYMETAL), holding kids or number words
('Kid Cudi', 'Three Days Grace'), or longer than any name the catalog holds ('Meredith Brooks')."""

from __future__ import annotations

import pytest

from agent.planner.offline import parse_prompt


@pytest.mark.parametrize(("prompt", "seed"), [
    ("songs like One Republic", "OneRepublic"),  # the catalog writes it as one word
    ("songs like cold play", "Coldplay"),  # after a strong cue, lower case will do
    ("Cold Play songs", "Coldplay"),  # capitalised, nothing else said
    ("greenday songs", "Green Day"),  # and the other way round
])
def test_names_written_with_other_spacing(catalog, prompt, seed):
    assert parse_prompt(prompt, catalog).seed_artists == [seed]


@pytest.mark.parametrize("prompt", [
    "baby songs for bedtime", "metal workout", "a cold play date in winter", "i like to play cold brew jazz",
])
def test_ordinary_words_run_together_are_not_names(catalog, prompt):
    assert parse_prompt(prompt, catalog).seed_artists == []


@pytest.mark.parametrize(("prompt", "seed"), [
    ("kid cudi", "Kid Cudi"), ("songs like Kid Cudi", "Kid Cudi"), ("Kid Rock songs", "Kid Rock"),
])
def test_a_kids_word_inside_a_name_is_no_family_policy(catalog, prompt, seed):
    spec = parse_prompt(prompt, catalog)
    assert spec.seed_artists == [seed]
    assert not spec.kid_safe and spec.explicit == "allow"


@pytest.mark.parametrize("prompt", [
    "rock music for kids", "kid friendly rock", "nursery rhymes", "family and friends",
    "Kid Cudi for my 5 year old",  # the name is a name, the child is still there
])
def test_kids_words_outside_names_still_ask_for_kid_safe(catalog, prompt):
    spec = parse_prompt(prompt, catalog)
    assert spec.kid_safe and spec.explicit == "exclude"


@pytest.mark.parametrize(("prompt", "seed"), [
    ("Three Days Grace songs", "Three Days Grace"), ("twenty one pilots songs", "Twenty One Pilots"),
    ("21 Savage songs", "21 Savage"),
])
def test_a_number_opening_a_name_is_no_count(catalog, prompt, seed):
    spec = parse_prompt(prompt, catalog)
    assert spec.seed_artists == [seed] and spec.count is None


def test_counts_beside_names_still_count(catalog):
    assert parse_prompt("10 songs like Kid Cudi", catalog).count == 10
    assert parse_prompt("give me 3 Green Day songs", catalog).count == 3


def test_the_last_word_of_an_unknown_name_names_no_one(catalog):
    assert parse_prompt("Brooks songs", catalog).seed_artists == ["Brooks"]
    assert parse_prompt("songs like Meredith Brooks", catalog).seed_artists == []
    assert parse_prompt("Meredith Brooks", catalog).seed_artists == []


@pytest.mark.parametrize(("prompt", "seeds"), [
    ("gaga and beyonce for the party", ["Lady Gaga", "Beyoncé"]),  # a first or last name listed with another
    ("beyonce and gaga", ["Beyoncé", "Lady Gaga"]),
    ("gaga vibes", ["Lady Gaga"]),
    ("something swift and light", []),  # an ordinary word beside an ordinary word names no one
])
def test_a_first_or_last_name_alone_names_its_artist(catalog, prompt, seeds):
    assert parse_prompt(prompt, catalog).seed_artists == seeds


def test_a_famous_name_that_is_also_a_title_word_still_names_its_artist():
    from collections import Counter

    from agent.planner.vocab import _famous_partial

    partial = {"kanye": "Kanye West", "young": "Neil Young"}
    tracks = Counter({"kanye west": 136, "neil young": 60})
    titles = Counter({"kanye": 3, "young": 40})
    assert _famous_partial(partial, tracks, titles) == frozenset({"kanye"})


@pytest.mark.parametrize(("prompt", "seeds", "unknown"), [
    ("songs like Meredith Brooks", [], ["Meredith Brooks"]),
    ("something like Meredith Brooks and Alanis Morissette", ["Alanis Morissette"], ["Meredith Brooks"]),
    ("songs like Taylor Swift", ["Taylor Swift"], []),
    ("songs like summer nights", [], []),  # no capitals, no name
    ("Songs Like Meredith Brooks", [], []),  # title case says nothing about names
])
def test_a_name_the_catalog_lacks_is_kept_to_be_told(catalog, prompt, seeds, unknown):
    spec = parse_prompt(prompt, catalog)
    assert (spec.seed_artists, spec.unknown_artists) == (seeds, unknown)


def test_an_unknown_name_is_not_searched_for_its_words(catalog):
    spec = parse_prompt("songs like Meredith Brooks", catalog)
    assert "brooks" not in spec.query.split() and "meredith" not in spec.query.split()
