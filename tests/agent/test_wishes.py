"""Stated wishes end to end on the fixture catalog: only-X, no vocals, a count above the limit, without-X and
arcs are enforced in code and each has a true constraint report; filtered-out reasons are true of the playlist."""

from __future__ import annotations

import pytest

from agent.generate import generate
from agent.models import MAX_COUNT, GenerateRequest, PlaylistSpec
from agent.selection import VERSION_REASON
from agent.wishes import (
    INSTRUMENTAL_MIN,
    SPEECHINESS_MAX,
    arc_direction,
    credits_any,
    is_instrumental,
    wish_violation,
    with_wish_filters,
)
from core.types import SearchFilters
from tools.content_filter import credited_artists


def reports(pl):
    return {r.name: r for r in pl.constraints}


@pytest.mark.parametrize("prompt", ["only Metallica songs", "nothing but Paramore", "Green Day only",
                                    "just Fall Out Boy songs, 12 of them"])
def test_only_artist_every_track_credits_them(deps, prompt):
    pl = generate(GenerateRequest(prompt=prompt), deps)
    assert pl.spec.only_artists and pl.tracks
    tracks = [deps.catalog.get(t.id) for t in pl.tracks]
    assert all(credits_any(t, pl.spec.only_artists) for t in tracks)
    only = reports(pl)["only_artists"]
    assert only.met and only.actual == f"{len(pl.tracks)} of {len(pl.tracks)}"


def test_only_artist_with_too_few_tracks_says_so(deps, catalog):
    held = int(catalog.artist_mask(["Norah Jones"]).sum())
    pl = generate(GenerateRequest(prompt=f"only Norah Jones, {held + 20} songs"), deps)
    count = reports(pl)["count"]
    assert len(pl.tracks) <= held and not count.met and "Norah Jones" in count.note
    assert reports(pl)["only_artists"].met


def test_instrumental_is_a_hard_filter_with_a_report(deps):
    pl = generate(GenerateRequest(prompt="instrumental music for studying, 15 songs"), deps)
    assert pl.spec.instrumental and len(pl.tracks) == 15
    assert all(is_instrumental(deps.catalog.get(t.id)) for t in pl.tracks)
    assert reports(pl)["instrumental"].met
    for f in pl.filtered:  # every reason is true of the track it names
        t = deps.catalog.get(f.id)
        assert not f.reason.startswith("has vocals") or t.instrumentalness < INSTRUMENTAL_MIN
        assert not f.reason.startswith("has spoken") or t.speechiness > SPEECHINESS_MAX


@pytest.mark.parametrize("prompt", ["150 songs of rock", "give me two hundred tracks"])
def test_a_count_above_the_limit_is_reported_unmet(deps, prompt):
    pl = generate(GenerateRequest(prompt=prompt), deps)
    count = reports(pl)["count"]
    assert pl.spec.count == MAX_COUNT and pl.spec.count_asked and pl.spec.count_asked > MAX_COUNT
    assert not count.met and count.target == str(pl.spec.count_asked) and "at most 100" in count.note


def test_the_request_option_replaces_an_over_limit_count(deps):
    pl = generate(GenerateRequest(prompt="150 songs of rock", count=10), deps)
    assert pl.spec.count_asked is None and len(pl.tracks) == 10 and reports(pl)["count"].met


def test_like_a_but_not_a_never_returns_a(deps):
    pl = generate(GenerateRequest(prompt="like Drake but not Drake"), deps)
    assert "Drake" in pl.spec.seed_artists and "Drake" in pl.spec.exclude_artists
    assert not any("drake" in credited_artists(deps.catalog.get(t.id)) for t in pl.tracks)
    assert reports(pl)["exclude_artists"].met


@pytest.mark.parametrize(("prompt", "arc"), [("a workout mix that keeps building", "rise"),
                                              ("winding down for the night", "fall")])
def test_an_asked_arc_is_reported_as_it_came_out(deps, prompt, arc):
    pl = generate(GenerateRequest(prompt=prompt), deps)
    entry = reports(pl)["arc"]
    assert pl.spec.arc == arc
    assert entry.met == arc_direction([t.energy for t in pl.tracks], arc)[0]


def test_filtered_versions_are_versions_of_songs_in_the_playlist(deps):
    for prompt in ("pop punk anthems", "Taylor Swift", "emo classics 30 songs"):
        pl = generate(GenerateRequest(prompt=prompt), deps)
        songs = {deps.catalog.get(t.id).song_key for t in pl.tracks}
        versions = [f for f in pl.filtered if f.reason == VERSION_REASON]
        assert all(deps.catalog.get(f.id).song_key in songs for f in versions)


def test_wish_filters_and_violations(catalog):
    spec = PlaylistSpec(only_artists=["Daft Punk"], instrumental=True)
    f = with_wish_filters(SearchFilters(), spec)
    assert f.artists == ["Daft Punk"] and f.features["instrumentalness"] == (INSTRUMENTAL_MIN, 1.0)
    rows = catalog.mask(f).nonzero()[0]
    assert len(rows) and all(wish_violation(catalog.tracks[i], spec) is None for i in rows)
    vocal = next(t for t in catalog.tracks if t.instrumentalness < 0.1 and credits_any(t, ["Daft Punk"]))
    assert wish_violation(vocal, spec).startswith("has vocals")
    other = next(t for t in catalog.tracks if not credits_any(t, ["Daft Punk"]))
    assert wish_violation(other, spec) == "does not credit Daft Punk"


def test_arc_direction_reads_thirds():
    assert arc_direction([0.2, 0.3, 0.5, 0.6, 0.8, 0.9], "rise")[0]
    assert not arc_direction([0.2, 0.3, 0.5, 0.6, 0.8, 0.9], "fall")[0]
    assert arc_direction([0.9, 0.8, 0.5, 0.4, 0.3, 0.2], "fall")[0]
    assert not arc_direction([0.5, 0.5], "rise")[0]


@pytest.mark.parametrize("prompt", ["sunday morning pancakes with the kids", "road trip with the kids",
                                    "halloween party for kids", "school disco", "rock songs for my 8 year old"])
def test_kids_prompts_are_kid_safe_and_say_so(deps, prompt):
    """Beyond clean: no title naming drugs, violence, death, sex or profanity; reported; every removal true."""
    from tools.kid_safe import kid_rules, kid_unsafe

    pl = generate(GenerateRequest(prompt=prompt), deps)
    tracks = [deps.catalog.get(t.id) for t in pl.tracks]
    assert pl.spec.kid_safe and pl.spec.explicit == "exclude" and len(tracks) == 20
    assert not [t.title for t in tracks if kid_unsafe(t.title, t.genres, kid_rules()) or t.explicit is not False]
    entry = reports(pl)["kid_safe"]
    assert entry.met and entry.actual == "0 of 20 flagged"
    for f in pl.filtered:
        if f.reason.startswith("not for children"):
            full = deps.catalog.get(f.id)
            assert kid_unsafe(full.title, full.genres, kid_rules()) == f.reason


def test_a_grown_up_prompt_has_no_kid_safe_rule(deps):
    pl = generate(GenerateRequest(prompt="whiskey drinking country songs"), deps)
    assert not pl.spec.kid_safe and "kid_safe" not in reports(pl)
    assert not any(f.reason.startswith("not for children") for f in pl.filtered)


def test_no_two_versions_of_a_song_by_the_song_identity(deps):
    """'studying for finals, no lyrics' once returned 'A Real Hero' twice under two credits; checked here with the
    pairwise rule (same folded title, lead artist credited on the other), independent of the stored keys."""
    from tools.song_identity import same_song

    for prompt in ("studying for finals, no lyrics", "pop punk anthems", "Eminem and friends, 40 songs"):
        tracks = [deps.catalog.get(t.id) for t in generate(GenerateRequest(prompt=prompt), deps).tracks]
        pairs = [(a.title, b.title) for n, a in enumerate(tracks) for b in tracks[:n]
                 if same_song((a.title, a.artists), (b.title, b.artists))]
        assert tracks and not pairs


def test_only_artist_plays_their_own_songs_before_their_features(deps, catalog):
    from tools.normalize import norm_artist

    for name in ("Drake", "Beyoncé"):
        own = {t.song_key for t in catalog.tracks if t.artists and norm_artist(t.artists[0]) == norm_artist(name)}
        pl = generate(GenerateRequest(prompt=f"nothing but {name}", count=10), deps)
        lead = sum(norm_artist(t.artists[0]) == norm_artist(name) for t in pl.tracks)
        assert lead == min(len(own), len(pl.tracks)), (name, len(own), [t.title for t in pl.tracks])
