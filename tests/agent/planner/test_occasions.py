"""An activity named after 'before', 'after' or 'pre' is the occasion, not the sound, when another mood of the
prompt asks for a clearly different energy ('pumped before my exam' is hype, not study music)."""

from __future__ import annotations

import pytest

from agent.planner.offline import parse_prompt


@pytest.mark.parametrize(("prompt", "moods"), [
    ("I need something to get me pumped before my exam", ["energetic"]),
    ("pre-exam hype", ["energetic"]),
    ("get me going before my exam", ["energetic"]),
    ("songs to motivate me before finals", ["energetic"]),
    ("get me hyped for the exam", ["energetic"]),
    ("pumped up for my big exam", ["energetic"]),
    ("chill after my workout", ["chill"]),
    ("chill before the party", ["chill"]),
])
def test_an_occasion_of_other_energy_is_not_the_sound(catalog, prompt, moods):
    spec = parse_prompt(prompt, catalog)
    assert spec.moods == moods
    assert not {"exam", "finals", "workout", "party"} & set(spec.query.split())  # nor what the search looks for


def test_hype_before_an_exam_targets_high_energy(catalog):
    hype = parse_prompt("I need something to get me pumped before my exam", catalog).feature_targets
    study = parse_prompt("music for my exam", catalog).feature_targets
    assert hype["energy"] >= 0.85 and "instrumentalness" not in hype
    assert study["energy"] <= 0.35


@pytest.mark.parametrize(("prompt", "moods"), [
    ("music to calm my nerves before an exam", ["chill", "study"]),  # like energies: both say how it sounds
    ("study music before my exam", ["study"]),  # alone, the activity is the sound
    ("energetic music for studying", ["energetic", "study"]),  # 'for' after a plain word is the activity
    ("energetic study music", ["energetic", "study"]),
    ("hype music before my workout", ["energetic", "workout"]),
    ("pre workout bangers", ["workout", "energetic"]),  # 'pre workout' is the mood's own phrase
    ("after hours techno", ["night"]),
])
def test_an_occasion_stays_when_it_does_not_clash(catalog, prompt, moods):
    assert parse_prompt(prompt, catalog).moods == moods


@pytest.mark.parametrize("prompt", ["wind down after the gym", "cool down after running"])
def test_winding_down_after_an_activity_is_calm(catalog, prompt):
    spec = parse_prompt(prompt, catalog)
    assert spec.moods == ["chill"] and spec.arc == "fall" and spec.feature_targets["energy"] <= 0.4


def test_a_party_that_winds_down_stays_a_party(catalog):
    spec = parse_prompt("party that winds down at the end", catalog)
    assert spec.moods == ["party"] and spec.arc == "fall"
