"""The offline planner on the real-data fixture catalog: numbers, years, tempo, policy words, negations,
artists (with typos), arcs, the labelled prompt set, and the content policy it feeds."""

from __future__ import annotations

import pytest

from agent.models import GenerateRequest
from agent.planner.offline import parse_prompt
from evals.parse.accuracy import FIELDS, evaluate, load_labels

VOCAB_FREE = tuple(f for f in FIELDS if f not in ("genres", "exclude_genres", "seed_artists", "exclude_artists"))


@pytest.mark.parametrize(("prompt", "count", "minutes"), [
    ("20 songs of pop", 20, None),
    ("a dozen tracks please", 12, None),
    ("an hour of rock", None, 60),
    ("45 min of jazz", None, 45),
    ("1.5 hours of house", None, 90),
    ("half an hour of rap", None, 30),
    ("an hour and a half of soul", None, 90),
    ("twenty five songs", 25, None),
    ("a 3 hr drive", None, 180),
])
def test_counts_and_durations(catalog, prompt, count, minutes):
    spec = parse_prompt(prompt, catalog)
    assert (spec.count, spec.minutes) == (count, minutes)


def test_am_and_years_are_not_counts(catalog):
    spec = parse_prompt("when i am sad i play 80's alternative", catalog)
    assert spec.count is None and spec.minutes is None
    assert (spec.year_min, spec.year_max) == (1980, 1989)


@pytest.mark.parametrize(("prompt", "lo", "hi"), [
    ("90s hip hop", 1990, 1999),
    ("2000s throwbacks", 2000, 2009),
    ("since 2015", 2015, None),
    ("from 2010 to 2014", 2010, 2014),
    ("before 2005", None, 2004),
    ("late 90s r&b", 1996, 1999),
    ("80s and 90s rock", 1980, 1999),
    ("songs from 2019", 2019, 2019),
    ("nineties grunge", 1990, 1999),
])
def test_decades_and_years(catalog, prompt, lo, hi):
    spec = parse_prompt(prompt, catalog)
    assert (spec.year_min, spec.year_max) == (lo, hi)


def test_bpm(catalog):
    spec = parse_prompt("around 128 bpm for the gym", catalog)
    assert (spec.tempo_target, spec.tempo_min, spec.tempo_max) == (128, 123, 133)
    spec = parse_prompt("under 100 bpm", catalog)
    assert (spec.tempo_target, spec.tempo_min, spec.tempo_max) == (None, None, 100)
    spec = parse_prompt("songs between 120 and 130 bpm", catalog)
    assert (spec.tempo_min, spec.tempo_max) == (120, 130)


@pytest.mark.parametrize(("prompt", "policy"), [
    ("clean pop", "exclude"), ("kid-friendly road trip", "exclude"), ("no explicit, 15 songs", "exclude"),
    ("radio edits only", "exclude"), ("family dinner", "exclude"), ("no swearing please", "exclude"),
    ("explicit please, rap", "allow"), ("explicit is fine", "allow"), ("halloween party, no kids songs", "allow"),
    ("I want to listen while I clean out my car", "allow"),
])
def test_explicit_policy(catalog, prompt, policy):
    assert parse_prompt(prompt, catalog).explicit == policy


def test_negations(catalog):
    spec = parse_prompt("20 songs without Drake, no country or metal, anything but EDM", catalog)
    assert spec.exclude_artists == ["Drake"]
    assert set(spec.exclude_genres) == {"country", "metal", "edm"}
    assert not spec.genres and spec.count == 20


def test_negated_moods_lower_targets(catalog):
    plain = parse_prompt("loud rock", catalog)
    negated = parse_prompt("rock, not too loud, nothing sad", catalog)
    assert "intense" in plain.moods and not negated.moods
    assert negated.feature_targets["energy"] < 0.5 < plain.feature_targets["energy"]
    assert negated.feature_targets["valence"] > 0.5


def test_negation_list_stops_at_another_kind(catalog):
    spec = parse_prompt("no taylor swift, pop from 2014 onwards", catalog)
    assert spec.exclude_artists == ["Taylor Swift"] and spec.genres == ["pop"] and not spec.exclude_genres


def test_artists_with_cues_and_typos(catalog):
    assert parse_prompt("something like Phoebe Bridgers", catalog).seed_artists == ["Phoebe Bridgers"]
    assert parse_prompt("sounds like phobe bridgers", catalog).seed_artists == ["Phoebe Bridgers"]
    assert parse_prompt("music like metalica", catalog).seed_artists == ["Metallica"]
    spec = parse_prompt("songs by Green Day and blink-182", catalog)
    assert spec.seed_artists == ["Green Day", "blink-182"]


def test_common_words_are_not_artists(catalog):
    spec = parse_prompt("i like rock and a green day at the park", catalog)
    assert spec.seed_artists == [] and spec.genres == ["rock"]


@pytest.mark.parametrize(("prompt", "arc"), [
    ("start slow and build", "rise"), ("wind down after work", "fall"), ("peak in the middle", "peak"),
    ("steady energy", "steady"), ("ups and downs", "wave"), ("just some pop", None),
    ("warm-up to peak time", "rise"), ("warmup set into peak time techno", "rise"), ("keeps building", "rise"),
    ("start slow and end huge", "rise"), ("ramp up the energy for the party", "rise"),
    ("slow start, big finish", "rise"), ("get louder and louder", "rise"), ("progressively harder", "rise"),
    ("each song more energetic than the last", "rise"), ("workout that builds to a sprint finish", "rise"),
    ("take it up a notch as it goes", "rise"), ("energy should climb the whole way", "rise"),
    ("quieter and quieter for bedtime", "fall"), ("big start, soft landing", "fall"), ("gradually calmer", "fall"),
    ("party that builds to a peak and then winds down", "peak"), ("build up then cool down", "peak"),
])
def test_arcs(catalog, prompt, arc):
    assert parse_prompt(prompt, catalog).arc == arc


def test_arc_words_are_not_genres(catalog):
    assert parse_prompt("progressively harder", catalog).genres == []


@pytest.mark.parametrize(("prompt", "low", "high"), [
    ("fast punk", 140, 200), ("uptempo pop", 120, 180), ("high tempo techno", 140, 200),
    ("slow indie rock", 60, 100), ("chill tempo hip hop", 65, 105), ("mid-tempo soul", 95, 125),
    ("very fast drum and bass", 160, 210), ("not too fast indie", None, 140), ("nothing slow, rock for the gym", 100, None),
    ("fast punk around 170 bpm", None, None), ("start slow and end fast", None, None), ("breakfast jazz", None, None),
])
def test_tempo_words_set_a_soft_band(catalog, prompt, low, high):
    spec = parse_prompt(prompt, catalog)
    assert (spec.tempo_soft_min, spec.tempo_soft_max) == (low, high)


def test_a_number_wins_over_tempo_words_and_stays_hard(catalog):
    spec = parse_prompt("fast punk around 170 bpm", catalog)
    assert (spec.tempo_min, spec.tempo_max, spec.tempo_target) == (165, 175, 170)
    assert parse_prompt("fast punk", catalog).tempo_min is None  # a word never filters


@pytest.mark.parametrize(("prompt", "lean"), [
    ("deep cuts indie rock", "deep"), ("hidden gems in r&b", "deep"), ("underground hip hop", "deep"),
    ("lesser-known soul", "deep"), ("b-sides from the 70s", "deep"), ("90s hits", "hits"),
    ("bangers everyone knows", "hits"), ("rock classics", "hits"), ("indie rock", None),
])
def test_discovery_words(catalog, prompt, lean):
    spec = parse_prompt(prompt, catalog)
    assert {"deep": spec.discovery > 0.65, "hits": spec.discovery < 0.35, None: spec.discovery == 0.5}[lean]


def test_discovery_taste_narration_and_query(catalog):
    spec = parse_prompt("hidden gems based on my taste, no talking, 15 songs, no explicit, rainy coffee", catalog)
    assert spec.discovery > 0.65 and spec.taste_weight > 0.65 and spec.narration == "none"
    assert spec.query == "rainy coffee"
    assert parse_prompt("the greatest hits", catalog).discovery < 0.35


def test_moods_map_to_feature_targets(catalog):
    workout = parse_prompt("gym workout", catalog)
    sleep = parse_prompt("songs to fall asleep", catalog)
    assert workout.moods == ["workout"] and sleep.moods == ["sleep"]
    assert workout.feature_targets["energy"] > 0.7 > 0.3 > sleep.feature_targets["energy"]


@pytest.mark.parametrize("prompt", ["breakup songs but make them empowering", "cheer me up, I'm sad"])
def test_a_goal_mood_sets_the_sound_over_the_state(catalog, prompt):
    spec = parse_prompt(prompt, catalog)
    assert "sad" not in spec.moods
    assert spec.feature_targets["valence"] >= 0.6 and spec.feature_targets["energy"] >= 0.7
    assert "them" not in spec.query.split()


def test_an_era_word_that_starts_a_genre_is_the_genre(catalog):
    spec = parse_prompt("Best of New Jack Swing", catalog)
    assert spec.genres == ["new jack swing"]
    assert (spec.seed_artists, spec.year_min, spec.year_max) == ([], None, None)
    assert parse_prompt("early Radiohead", catalog).seed_artists == ["Radiohead"]


def test_a_storm_beside_a_calm_mood_is_the_weather(catalog):
    assert parse_prompt("thunderstorm reading music", catalog).moods == ["rainy", "study"]
    assert parse_prompt("songs that sound like a thunderstorm feels", catalog).moods == ["stormy"]


def test_a_shouted_typo_is_corrected_and_a_shouted_name_is_still_a_name(catalog):
    assert parse_prompt("its CHRISMAS SEASON", catalog).moods == ["christmas"]
    assert parse_prompt("I WANT SOME COUNTYR MUSIC", catalog).genres == ["country"]


@pytest.mark.parametrize(("prompt", "genre"), [
    ("songs from movies", "movie tunes"), ("movie soundtracks", "soundtrack"), ("bollywood hits", "bollywood"),
    ("americana", "americana"), ("corridos", "corrido"),
])
def test_genre_words_with_no_genre_of_their_own(catalog, prompt, genre):
    assert parse_prompt(prompt, catalog).genres == [genre]


@pytest.mark.parametrize(("prompt", "years"), [
    ("songs my grandparents danced to", (None, 1989)), ("golden oldies", (None, 1989)),
    ("oldies from the 60s", (1960, 1969)),  # the prompt's own years win
    ("old songs by the beatles", (None, None)),  # an artist's older songs are not an era of all music
])
def test_oldies_are_an_era(catalog, prompt, years):
    spec = parse_prompt(prompt, catalog)
    assert (spec.year_min, spec.year_max) == years


def test_deterministic(catalog):
    prompt = "upbeat pop punk for a run, no explicit, 15 songs, like paramore"
    assert parse_prompt(prompt, catalog) == parse_prompt(prompt, catalog)


def test_labelled_set_on_fixture_catalog(catalog):
    """The whole labelled set parses; fields that do not depend on catalog vocabulary reach 90%."""
    rows = load_labels()
    assert len(rows) >= 150
    report = evaluate(catalog, rows, names=VOCAB_FREE)
    assert report.accuracy(VOCAB_FREE) >= 0.9
    assert report.accuracy(VOCAB_FREE, active=True) >= 0.9


def test_policy_uses_the_prompts_own_words(deps):
    from agent.policy import policy_for

    request = GenerateRequest(prompt="upbeat pop punk, no explicit, without Drake, no country")
    lax = parse_prompt("upbeat pop punk", deps.catalog)
    policy = policy_for(request, lax, None, deps)
    assert policy.explicit == "exclude"
    assert "Drake" in policy.blocked_artists and "country" in policy.blocked_genres


@pytest.mark.parametrize(("prompt", "genre"), [
    ("a playlist for cleaning around the house", None),
    ("songs while I decorate my house for christmas", None),
    ("house music for my house party", "house"),
    ("play the house music", "house"),
    ("deep house", "deep house"),
])
def test_a_room_is_not_a_genre(catalog, prompt, genre):
    spec = parse_prompt(prompt, catalog)
    assert ("house" in " ".join(spec.genres)) == (genre is not None)
    if genre:
        assert genre in spec.genres


@pytest.mark.parametrize(("prompt", "genres", "classics"), [
    ("greatest country classics", ["country"], True),
    ("disco classics", ["disco"], True),
    ("classic hip hop", ["hip hop"], True),
    ("classic country", ["country"], True),  # read as country: the word still asks for the older songs
    ("classic rock", ["classic rock"], False),  # a catalog genre of its own
    ("country", ["country"], False),
    ("christmas classics", [], False),  # no genre to be older within
    ("old school r&b slow jams", ["r&b"], True),
    ("old school hip hop", ["old school hip hop"], False),  # a catalog genre of its own
    ("my old school friends party", [], False),
])
def test_classics_beside_a_genre(catalog, prompt, genres, classics):
    spec = parse_prompt(prompt, catalog)
    assert (spec.genres, spec.classics) == (genres, classics)


@pytest.mark.parametrize("prompt", ["first dance at our wedding", "slow dancing in the kitchen", "our first dance"])
def test_a_first_or_slow_dance_is_romantic_not_the_dance_floor(catalog, prompt):
    spec = parse_prompt(prompt, catalog)
    assert "romantic" in spec.moods and "dance" not in spec.moods
    assert spec.feature_targets["energy"] <= 0.45
