"""Selection on real fixture candidates: exact counts, duration band, honest shortfalls, diversity, facts in `why`."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from agent.models import PlaylistSpec
from agent.selection import HALF_TIME_CREDIT, popularity_lean, select, tempo_band_fit
from tools.content_filter import ContentPolicy
from tools.normalize import norm_artist

ALLOW = ContentPolicy()


def cands(catalog, text: str, k: int = 400):
    return catalog.search(text, k=k)


def report(sel, name):
    return next(r for r in sel.constraints if r.name == name)


@pytest.mark.parametrize("count", [1, 5, 12, 20, 40])
def test_count_is_exact(catalog, count):
    sel = select(cands(catalog, "indie rock guitars"), PlaylistSpec(count=count), ALLOW, catalog=catalog)
    assert len(sel.tracks) == count and report(sel, "count").met


@pytest.mark.parametrize("minutes", [12, 30, 45, 90])
def test_duration_lands_within_three_percent(catalog, minutes):
    sel = select(cands(catalog, "mellow acoustic evening"), PlaylistSpec(minutes=minutes), ALLOW, catalog=catalog)
    total = sum(t.duration_ms for t in sel.tracks) / 60000
    assert abs(total - minutes) <= 0.03 * minutes and report(sel, "duration").met


def test_count_and_duration_together(catalog):
    sel = select(cands(catalog, "dance party"), PlaylistSpec(count=12, minutes=42), ALLOW, catalog=catalog)
    total = sum(t.duration_ms for t in sel.tracks) / 60000
    assert len(sel.tracks) == 12 and abs(total - 42) <= 0.03 * 42


def test_shortfall_is_reported_not_padded(catalog):
    few = cands(catalog, "jazz piano", k=30)
    sel = select(few, PlaylistSpec(minutes=600), ALLOW, catalog=catalog)
    duration = report(sel, "duration")
    assert not duration.met and duration.note
    assert sum(t.duration_ms for t in sel.tracks) <= sum(c.track.duration_ms for c in few)
    strict = select(few, PlaylistSpec(count=30, explicit="exclude"), ContentPolicy(explicit="exclude"), catalog=catalog)
    assert all(t.explicit is False for t in strict.tracks)
    if len(strict.tracks) < 30:
        assert not report(strict, "count").met and "only" in report(strict, "count").note


def test_hard_spec_limits_hold_even_for_stray_candidates(catalog):
    spec = PlaylistSpec(count=10, year_min=2010, tempo_max=120, max_track_minutes=4)
    sel = select(cands(catalog, "pop hits"), spec, ALLOW, catalog=catalog)
    assert sel.tracks
    assert all(t.year >= 2010 and t.tempo <= 120 and t.duration_ms <= 240000 for t in sel.tracks)


def test_artist_cap_and_no_duplicate_songs(catalog):
    sel = select(cands(catalog, "taylor swift pop", k=400), PlaylistSpec(count=20), ALLOW, catalog=catalog)
    per_artist = Counter(norm_artist(t.artist) for t in sel.tracks)
    assert max(per_artist.values()) <= 2
    assert len({t.song_key for t in sel.tracks}) == len(sel.tracks)


def test_every_track_has_a_factual_why(catalog):
    spec = PlaylistSpec(count=10, genres=["rock"], moods=["workout"])
    sel = select(cands(catalog, "rock workout"), spec, ALLOW, catalog=catalog)
    for t in sel.tracks:
        why = sel.why[t.id]
        assert why and f"{round(t.tempo)} BPM for the workout" in why
    assert any("rock" in sel.why[t.id].lower() for t in sel.tracks)


def test_taste_profile_steers_and_explains(catalog):
    pool = cands(catalog, "songs", k=400)
    genre = Counter(g for c in pool for g in c.track.genres[:1]).most_common(3)[-1][0]
    profile = SimpleNamespace(genre_affinities={genre: 0.9}, artist_affinities={})
    plain = select(pool, PlaylistSpec(count=15), ALLOW, catalog=catalog)
    tasted = select(pool, PlaylistSpec(count=15, taste_weight=1.0), ALLOW, profile, catalog=catalog)
    share = lambda s: sum(genre in t.genres for t in s.tracks)  # noqa: E731
    assert share(tasted) > share(plain)
    assert any(f"you play a lot of {genre}" in tasted.why[t.id].lower() for t in tasted.tracks)


def test_an_all_clean_history_softly_prefers_clean_tracks(catalog):
    from tools.profiles import StoredEvent, build_profile

    history = [t for t in catalog.tracks if t.explicit is False and "hip hop" in " ".join(t.genres)][:30]
    clean_ear = build_profile("clean-ear", [StoredEvent(track_id=t.id, timestamp=None) for t in history], catalog)
    assert clean_ear.explicit_share == 0 and clean_ear.clean_plays == 30 and not clean_ear.cold_start
    some_explicit = clean_ear.model_copy(update={"explicit_share": 0.2, "explicit_plays": 8})  # same taste otherwise
    spec = PlaylistSpec(count=20)
    explicit = {}
    for pool_text in ("hip hop party", "rap workout", "r&b slow jams"):
        pool = cands(catalog, pool_text, k=300)
        picked = {name: select(pool, spec, ALLOW, prof, catalog=catalog).tracks
                  for name, prof in (("clean", clean_ear), ("mixed", some_explicit))}
        explicit[pool_text] = {name: sum(t.explicit is True for t in ts) for name, ts in picked.items()}
        assert explicit[pool_text]["clean"] <= explicit[pool_text]["mixed"]
        assert len({t.id for t in picked["clean"]} & {t.id for t in picked["mixed"]}) >= 10  # a nudge, not a new list
    assert sum(e["clean"] for e in explicit.values()) < sum(e["mixed"] for e in explicit.values())
    assert explicit["rap workout"]["clean"] > 0  # a preference, never a filter
    no_taste = PlaylistSpec(count=20, taste_weight=0)
    pool = cands(catalog, "rap workout", k=300)
    assert [t.id for t in select(pool, no_taste, ALLOW, clean_ear, catalog=catalog).tracks] == \
        [t.id for t in select(pool, no_taste, ALLOW, some_explicit, catalog=catalog).tracks]


def test_deterministic(catalog):
    pool = cands(catalog, "summer road trip")
    runs = [[t.id for t in select(pool, PlaylistSpec(minutes=35), ALLOW, seed=3, catalog=catalog).tracks] for _ in range(2)]
    assert runs[0] == runs[1]


def test_nothing_allowed(catalog):
    pool = [c for c in cands(catalog, "rap") if c.track.explicit is not False][:20]
    sel = select(pool, PlaylistSpec(count=5), ContentPolicy(explicit="exclude"), catalog=catalog)
    assert sel.tracks == [] and not report(sel, "count").met and len(sel.filtered) == len(pool)


def test_tempo_words_pull_the_pick_into_their_band(catalog):
    """'fast' is a tempo, not only an energy: the soft band puts most picks past 140 BPM, without filtering."""
    pool = cands(catalog, "punk rock guitars")
    plain = select(pool, PlaylistSpec(count=15), ALLOW, catalog=catalog)
    fast = select(pool, PlaylistSpec(count=15, tempo_soft_min=140, tempo_soft_max=200), ALLOW, catalog=catalog)
    in_band = lambda sel: float(np.mean([140 <= t.tempo <= 200 for t in sel.tracks]))  # noqa: E731
    assert in_band(fast) >= 0.5 and in_band(fast) >= in_band(plain) + 0.25
    assert len(fast.tracks) == 15


def test_tempo_band_fit_gives_half_time_partial_credit():
    fit = tempo_band_fit(np.array([150.0, 75.0, 115.0, 250.0, 0.0]), 140, 200)
    assert fit[0] == 1.0 and fit[1] == pytest.approx(HALF_TIME_CREDIT)
    assert fit[2] < 0.01 and fit[4] == 0.0
    assert tempo_band_fit(np.array([90.0, 160.0]), None, 100)[0] == 1.0  # an open side


def popularity_of(sel) -> float:
    return float(np.median([t.popularity for t in sel.tracks]))


def test_deep_cuts_and_hits_lean_hard_on_popularity(catalog):
    pool = cands(catalog, "indie rock guitars")
    deep, plain, hits = (select(pool, PlaylistSpec(count=15, discovery=d), ALLOW, catalog=catalog) for d in (0.85, 0.5, 0.15))
    assert popularity_of(deep) < popularity_of(plain) < popularity_of(hits)
    known = np.array([c.track.popularity for c in pool if c.track.popularity > 0])
    assert popularity_of(deep) <= np.percentile(known, 30) and popularity_of(hits) >= np.percentile(known, 70)


def test_unmeasured_popularity_is_neither_deep_nor_a_hit():
    lean = popularity_lean(np.array([0.0, 10.0, 50.0, 90.0]), 0.85)
    assert lean[0] == 0.0 and lean[1] > 0 > lean[3]


def test_an_asked_rise_picks_tracks_across_an_energy_range(catalog):
    """'ramp up the party': from a pool of lively tracks the set keeps calmer ones to start from, so the sequence
    has room to rise; without an arc the mood's energy (0.85) wins."""
    pool = [c for c in cands(catalog, "dance party club bangers") if c.track.energy >= 0.6]
    targets = {"energy": 0.85, "danceability": 0.75}
    flat = select(pool, PlaylistSpec(count=20, feature_targets=targets), ALLOW, catalog=catalog)
    rise = select(pool, PlaylistSpec(count=20, feature_targets=targets, arc="rise"), ALLOW, catalog=catalog)
    median = lambda sel: float(np.median([t.energy for t in sel.tracks]))  # noqa: E731
    assert median(rise) <= median(flat) - 0.05
    assert np.ptp([t.energy for t in rise.tracks]) >= 0.3


def test_why_names_the_artist_the_prompt_named_even_as_a_guest(catalog):
    from agent.selection import why_for

    track = next(t for t in catalog.tracks if len(t.artists) >= 2 and norm_artist(t.artists[0]) != norm_artist(t.artists[1]))
    guest, lead = track.artists[1], track.artists[0]
    why = why_for(track, PlaylistSpec(seed_artists=[guest]), None)
    assert why.startswith(f"With {guest}, named in the prompt") and f"{lead}, named" not in why
    assert why_for(track, PlaylistSpec(seed_artists=[lead]), None).startswith(f"{lead}, named in the prompt")
