"""Candidates for mood and activity prompts come by sound, not title words; thin genres widen to neighbours."""

from __future__ import annotations

import re

from agent.candidates import gather, names_things
from agent.genre_fit import genre_fit, widened
from agent.models import PlaylistSpec
from agent.planner.offline import parse_prompt
from tools.content_filter import ContentPolicy
from tools.normalize import fold


def _title_share(candidates, word: str, top: int = 40) -> float:
    best = sorted(candidates, key=lambda c: -c.score)[:top]
    return sum(word in re.findall(r"[a-z]+", fold(c.track.title)) for c in best) / len(best)


def test_mood_prompts_do_not_pick_by_title(catalog):
    for prompt, word in (("something for my run", "run"), ("sad songs for crying", "sad"), ("summer party", "party")):
        spec = parse_prompt(prompt, catalog)
        assert not names_things(spec)
        assert _title_share(gather(spec, ContentPolicy(), catalog), word) <= 0.1, prompt


def test_text_search_still_finds_titles_and_artists(catalog):
    spec = parse_prompt("Taylor Swift", catalog)
    assert names_things(spec)
    pool = gather(spec, ContentPolicy(), catalog)
    assert any("Taylor Swift" in c.track.artists for c in pool)


def test_genre_fit_is_graded_by_the_genre_graph(catalog):
    fit = genre_fit(["bossa nova"], catalog)
    rows = {g: catalog.genre_rows(g) for g in ("bossa nova", "samba", "gangster rap")}
    if all(len(r) for r in rows.values()):
        assert fit[rows["bossa nova"]].min() == 1.0
        assert 0 < fit[rows["samba"]].max() < 1.0
        only_rap = [i for i in rows["gangster rap"] if not {"bossa nova", "samba", "mpb"} & set(catalog.genre_lists[i])]
        assert fit[only_rap].max() < 0.3


def test_thin_genre_widens_to_neighbours_not_unrelated(catalog):
    spec = PlaylistSpec(genres=["bossa nova"], count=20)
    wide = widened(list(spec.genres), catalog)
    assert wide.sum() > catalog.genre_mask(["bossa nova"]).sum()
    assert not wide[catalog.genre_mask(["gangster rap"]) & ~catalog.genre_mask(["bossa nova", "samba", "mpb", "latin"])].any()


def test_familiarity_ranks_within_the_decade(catalog):
    from agent.candidates import familiarity

    fam = familiarity(catalog)
    assert fam.shape == (len(catalog),) and 0 <= fam.min() and fam.max() <= 1
    decade = catalog.year // 10
    for d in set(decade.tolist()):
        rows = decade == d
        if rows.sum() > 5:  # within a decade, more popular is never less familiar
            order = catalog.popularity[rows].argsort(kind="stable")
            assert (fam[rows][order][1:] >= fam[rows][order][:-1] - 1e-6).all()


def test_neutral_prompts_lean_familiar_and_deep_cuts_do_not(catalog):
    from agent.candidates import familiar_lean

    assert familiar_lean(0.15) > familiar_lean(0.5) > familiar_lean(0.85) == 0.0
    neutral = parse_prompt("songs for a road trip", catalog)
    deep = neutral.model_copy(update={"discovery": 0.85})

    def top_popularity(spec: PlaylistSpec) -> int:
        best = sorted(gather(spec, ContentPolicy(), catalog), key=lambda c: -c.score)[:40]
        return sum(c.track.popularity for c in best)

    assert top_popularity(neutral) > top_popularity(deep)


def test_mood_prompts_lean_to_what_real_playlists_put_with_them(catalog, monkeypatch):
    import agent.candidates as candidates
    from tools.catalog import embed_query
    from tools.mood_model import went_with

    spec = parse_prompt("heartbroken and crying in the car at 2am", catalog)
    assert not names_things(spec)
    votes = went_with(embed_query(candidates.query_text(spec)), catalog)
    assert votes is not None
    voted = {catalog.ids[i] for i in (votes > 0.2).nonzero()[0]}
    top = {c.track.id for c in sorted(gather(spec, ContentPolicy(), catalog), key=lambda c: -c.score)[:40]}
    monkeypatch.setattr(candidates, "W_WENT_WITH", 0.0)
    before = {c.track.id for c in sorted(gather(spec, ContentPolicy(), catalog), key=lambda c: -c.score)[:40]}
    assert len(top & voted) > len(before & voted)


def test_prompts_that_name_things_keep_their_own_text_ranking(catalog, monkeypatch):
    import agent.candidates as candidates

    spec = parse_prompt("Taylor Swift", catalog)
    top = [c.track.id for c in gather(spec, ContentPolicy(), catalog)]
    monkeypatch.setattr(candidates, "W_WENT_WITH", 0.0)
    assert [c.track.id for c in gather(spec, ContentPolicy(), catalog)] == top


def test_christmas_songs_come_first_for_a_christmas_prompt(catalog):
    from tools.themes import theme_mask

    spec = parse_prompt("christmas songs", catalog)
    mask = theme_mask(catalog, "christmas")
    top = sorted(gather(spec, ContentPolicy(), catalog), key=lambda c: -c.score)[:min(10, int(mask.sum()))]
    assert top and all(mask[catalog.index[c.track.id]] for c in top)


def test_votes_stay_within_the_asked_genres_and_their_neighbours(catalog):
    from agent.candidates import wanted, went_with_votes

    spec = parse_prompt("synthwave for a night drive", catalog)
    assert spec.genres and not names_things(spec)
    votes = went_with_votes(spec, catalog)
    if votes is not None:
        assert not votes[~wanted(spec, catalog, broaden=True)].any()
    free = went_with_votes(parse_prompt("songs for a night drive", catalog), catalog)
    assert free is not None and free.max() == 1.0


def test_quiet_prompts_get_music_not_noise_unless_they_ask(catalog):
    from tools.soundscapes import soundscape_mask

    mask = soundscape_mask(catalog)
    quiet = gather(parse_prompt("quiet evening at home", catalog), ContentPolicy(), catalog)
    assert quiet and not any(mask[catalog.index[c.track.id]] for c in quiet)
    if mask.any():
        sounds = gather(parse_prompt("rain sounds and white noise for sleep", catalog), ContentPolicy(), catalog)
        assert any(mask[catalog.index[c.track.id]] for c in sounds)


def test_a_head_word_means_its_own_family_not_crossovers(catalog):
    from agent.genre_fit import core_genres

    alternative = set(core_genres("alternative", catalog))
    every = set(catalog.matching_genres("alternative"))
    assert alternative < every
    assert not {g for g in alternative if "hip hop" in g or "latin" in g or "r&b" in g}
    assert {g for g in every if "alternative rock" in g} <= alternative
    assert set(core_genres("alternative hip hop", catalog)) == set(catalog.matching_genres("alternative hip hop"))
    from agent.candidates import wanted

    spec = parse_prompt("90s alternative", catalog)
    rows = wanted(spec, catalog).nonzero()[0]
    assert len(rows) and all(set(catalog.genre_lists[i]) & alternative for i in rows)
    latin_only = [i for i in range(len(catalog)) if "latin alternative" in catalog.genre_lists[i]
                  and not set(catalog.genre_lists[i]) & alternative]
    assert not set(latin_only) & set(rows.tolist())


def test_a_seed_artist_is_searched_by_its_tracks_not_its_name_words(catalog):
    import numpy as np

    from agent.candidates import text_vector
    from tools.embeddings import normalise

    spec = parse_prompt("songs like Coldplay", catalog)
    assert spec.seed_artists == ["Coldplay"] and names_things(spec)
    seeds = catalog.artist_mask(["Coldplay"])
    centroid = normalise(catalog.vectors[seeds].mean(axis=0)[None, :])[0]
    assert np.allclose(text_vector(spec, catalog), centroid, atol=1e-5)  # no embedding of the word 'coldplay'
    assert _title_share(gather(spec, ContentPolicy(), catalog), "cold") <= 0.1
