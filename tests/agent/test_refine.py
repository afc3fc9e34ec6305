"""Refinement on the fixture catalog: parse instructions, keep what fits, remove with reasons, fill the gap."""

from __future__ import annotations

import statistics

import pytest

from agent.generate import generate
from agent.models import GenerateRequest
from agent.refine import refine
from agent.refine.parse import parse_instruction
from core.errors import InvalidInput
from tools.normalize import fold


@pytest.fixture(scope="module")
def punk(deps):
    return generate(GenerateRequest(prompt="upbeat pop punk for a run", count=12), deps)


@pytest.fixture(scope="module")
def party(deps):
    return generate(GenerateRequest(prompt="hip hop and pop party", count=12), deps)


def check_diff(old, result):
    kept = {d.id for d in result.diff.kept}
    assert kept | {d.id for d in result.diff.removed} == {t.id for t in old.tracks}
    assert kept | {d.id for d in result.diff.added} == {t.id for t in result.playlist.tracks}
    assert not kept & {d.id for d in result.diff.removed}
    assert all(d.reason for d in result.diff.removed + result.diff.added)
    assert result.playlist.id != old.id and result.parent_id == old.id


def energy(deps, playlist):
    return [deps.catalog.get(t.id).energy for t in playlist.tracks]


def test_less_upbeat_lowers_energy_and_says_why(deps, punk):
    result = refine(punk, "less upbeat", deps)
    check_diff(punk, result)
    bound = next(b for b in parse_instruction("less upbeat", punk, deps.catalog).bounds if b.field == "energy")
    assert all(e <= bound.high for e in energy(deps, result.playlist))
    assert statistics.fmean(energy(deps, result.playlist)) < statistics.fmean(energy(deps, punk))
    assert any("above" in d.reason and "energy" in d.reason for d in result.diff.removed)
    assert len(result.playlist.tracks) == len(punk.tracks)


def test_less_angry_raises_valence_and_stops_searching_for_anger(deps):
    angry = generate(GenerateRequest(prompt="angry rock for the gym", count=12), deps)
    delta = parse_instruction("less angry", angry, deps.catalog)
    assert "angry" not in delta.spec.moods and "angry" not in delta.spec.query.split()
    result = refine(angry, "less angry", deps)
    check_diff(angry, result)
    valence = lambda p: statistics.fmean(deps.catalog.get(t.id).valence for t in p.tracks)  # noqa: E731
    assert valence(result.playlist) > valence(angry)


def test_drop_the_rap_removes_rap_and_hip_hop(deps, party):
    result = refine(party, "drop the rap", deps)
    check_diff(party, result)
    genres = [fold(g) for t in result.playlist.tracks for g in deps.catalog.get(t.id).genres]
    assert not [g for g in genres if "rap" in g.split() or "hip hop" in g]
    assert result.diff.removed and all("blocked genre" in d.reason for d in result.diff.removed)
    assert len(result.playlist.tracks) == 12


def test_more_90s_moves_every_track_into_the_decade(deps, punk):
    result = refine(punk, "more 90s", deps)
    check_diff(punk, result)
    assert result.playlist.tracks and all(1990 <= t.year <= 1999 for t in result.playlist.tracks)
    assert {c.field for c in result.changes} == {"year_min", "year_max"}


def test_no_explicit_is_a_hard_constraint(deps, party):
    result = refine(party, "no explicit", deps)
    check_diff(party, result)
    assert all(deps.catalog.get(t.id).explicit is False for t in result.playlist.tracks)
    assert {d.reason for d in result.diff.removed} <= {"explicit", "explicit status unknown"}


def test_longer_and_shorter_keep_what_was_there(deps, punk):
    longer = refine(punk, "longer", deps)
    assert len(longer.playlist.tracks) == 18 and len(longer.diff.kept) == 12 and not longer.diff.removed
    shorter = refine(punk, "shorter", deps)
    assert len(shorter.playlist.tracks) == 8 and not shorter.diff.added
    assert all(d.reason.startswith("trimmed") for d in shorter.diff.removed)
    more = refine(punk, "3 more songs", deps)
    assert len(more.playlist.tracks) == 15


def test_soft_changes_replace_the_least_fitting_tracks(deps, punk):
    result = refine(punk, "more like Norah Jones", deps)
    check_diff(punk, result)
    assert result.changes[0].field == "seed_artists" and result.changes[0].after == "Norah Jones"
    assert 0 < len(result.diff.removed) < len(punk.tracks)
    assert all("makes room" in d.reason for d in result.diff.removed)



def test_more_of_a_genre_fills_the_gap_with_that_genre(deps, party):
    result = refine(party, "more country", deps)
    added = [deps.catalog.get(d.id) for d in result.diff.added]
    assert added and all(any("country" in g.split() for g in t.genres) for t in added)

def test_a_year_limit_keeps_every_track_inside_it(deps, punk):
    result = refine(punk, "no songs before 2010", deps)
    assert all(deps.catalog.get(t.id).year >= 2010 for t in result.playlist.tracks)
    report = next(r for r in result.playlist.constraints if r.name == "years")
    assert report.met and report.target == "2010-"


def test_refine_is_deterministic_and_chains(deps, punk):
    a, b = refine(punk, "slower, no explicit", deps), refine(punk, "slower, no explicit", deps)
    assert a.playlist.id == b.playlist.id and a.playlist.tracks == b.playlist.tracks
    again = refine(a.playlist, "longer", deps)
    assert again.parent_id == a.playlist.id
    assert all(deps.catalog.get(t.id).explicit is False for t in again.playlist.tracks)  # earlier asks still hold
    tempo_max = a.playlist.spec.tempo_max
    assert tempo_max is not None and all(t.tempo <= tempo_max for t in again.playlist.tracks)


@pytest.mark.parametrize(("instruction", "field", "after"), [
    ("drop blink-182", "exclude_artists", "blink-182"),
    ("2000s only", "year_min", "2000"),
    ("45 minutes", "minutes", "45"),
    ("around 128 bpm", "tempo_target", "128"),
    ("more rock", "genres", None),
    ("no songs before 2010", "year_min", "2010"),
    ("only stuff after 2005", "year_min", "2006"),
    ("2012 or later", "year_min", "2012"),
    ("nothing newer than 2015", "year_max", "2015"),
    ("songs from before 2010", "year_max", "2009"),
])
def test_parse_instruction(deps, punk, instruction, field, after):
    delta = parse_instruction(instruction, punk, deps.catalog)
    change = next(c for c in delta.changes if c.field == field)
    assert after is None or after in change.after
    assert instruction.split()[0] in change.reason


def test_unrecognised_words_steer_the_search_and_empty_ones_fail(deps, punk):
    delta = parse_instruction("something for a rainy day", punk, deps.catalog)
    assert [c.field for c in delta.changes] == ["query"] and "rainy day" in delta.spec.query
    with pytest.raises(InvalidInput):
        parse_instruction("  ?! ", punk, deps.catalog)


def test_add_some_80s_mixes_the_decade_in_and_keeps_the_rest(deps, punk):
    result = refine(punk, "add some 80s", deps)
    check_diff(punk, result)
    added = {d.id for d in result.diff.added}
    assert added and all(1980 <= t.year <= 1989 for t in result.playlist.tracks if t.id in added)
    assert len(punk.tracks) // 2 <= len(result.diff.kept) < len(punk.tracks)
    assert len(result.playlist.tracks) == len(punk.tracks)
    assert [c.field for c in result.changes] == ["mix"] and result.playlist.spec.year_min is None
    assert all("makes room" in d.reason for d in result.diff.removed)


@pytest.mark.parametrize("instruction,mix", [("throw in a few 90s songs", True), ("add 70s", True),
                                             ("only 80s", False), ("make it all 90s", False), ("more 90s", False)])
def test_a_decade_is_mixed_in_unless_asked_for_alone(deps, punk, instruction, mix):
    delta = parse_instruction(instruction, punk, deps.catalog)
    year = next(b for b in delta.bounds if b.field == "year")
    assert (year.scope == "added") is mix
    assert (delta.spec.year_min is None) is mix
