"""Scorers catch real violations on hand-built playlists of fixture-catalog tracks, and pass clean ones."""

from __future__ import annotations

import pytest
from eval_helpers import by_artist, make_playlist, pick

from agent.models import ConstraintReport, PlaylistSpec, Segment
from core.errors import InvalidInput
from evals.scorers import ScoreContext, score, validate_args
from evals.suite import Case, load_suite
from tools.normalize import fold


@pytest.fixture
def ctx(catalog):
    return ScoreContext(catalog=catalog)


def run(playlist, kind, args, ctx):
    return score(playlist, kind, validate_args(kind, args), ctx)


def test_no_explicit_catches_explicit_and_unknown(catalog, ctx):
    clean = pick(catalog, 5, lambda t: t.explicit is False)
    assert run(make_playlist(clean), "no_explicit", True, ctx).status == "pass"
    dirty = clean[:4] + pick(catalog, 1, lambda t: t.explicit is True)
    assert run(make_playlist(dirty), "no_explicit", True, ctx).status == "fail"
    unknown = clean[:4] + pick(catalog, 1, lambda t: t.explicit is None)
    assert run(make_playlist(unknown), "no_explicit", True, ctx).status == "fail"


def test_excluded_artist_found_as_primary_and_as_featured_credit(catalog, ctx):
    others = pick(catalog, 4, lambda t: "drake" not in fold(" ".join(t.artists) + " " + t.title))
    assert run(make_playlist(others), "exclude_artists", ["Drake"], ctx).status == "pass"
    assert run(make_playlist(others + by_artist(catalog, "Drake")), "exclude_artists", ["Drake"], ctx).status == "fail"
    featured = pick(catalog, 1, lambda t: "feat. drake" in t.title.lower() or
                    (len(t.artists) > 1 and "drake" in [fold(a) for a in t.artists[1:]]))
    assert run(make_playlist(others + featured), "exclude_artists", ["drake"], ctx).status == "fail"


def test_excluded_genre_and_genre_share(catalog, ctx):
    punk = pick(catalog, 6, lambda t: any("punk" in g.split() for g in t.genres))
    other = pick(catalog, 4, lambda t: t.genres and not any("punk" in g.split() for g in t.genres))
    mixed = make_playlist(punk + other)
    assert run(mixed, "exclude_genres", ["punk"], ctx).status == "fail"
    assert run(make_playlist(other), "exclude_genres", ["punk"], ctx).status == "pass"
    assert run(mixed, "genre_share", {"genres": ["punk"], "min": 0.6}, ctx).status == "pass"
    result = run(mixed, "genre_share", {"genres": ["punk"], "min": 0.7}, ctx)
    assert result.status == "fail" and "60%" in result.detail


def test_year_and_tempo_ranges(catalog, ctx):
    nineties = pick(catalog, 4, lambda t: t.year is not None and 1990 <= t.year <= 1999)
    later = pick(catalog, 1, lambda t: t.year is not None and t.year >= 2010)
    assert run(make_playlist(nineties), "year_range", {"min": 1990, "max": 1999}, ctx).status == "pass"
    assert run(make_playlist(nineties + later), "year_range", {"min": 1990, "max": 1999}, ctx).status == "fail"
    assert run(make_playlist(nineties + later), "year_range", {"min": 1990, "max": 1999, "share": 0.8}, ctx).status == "pass"
    fast = pick(catalog, 3, lambda t: t.tempo >= 150)
    assert run(make_playlist(fast), "tempo_range", {"min": 150}, ctx).status == "pass"
    assert run(make_playlist(fast), "tempo_range", {"max": 120}, ctx).status == "fail"


def test_feature_range_uses_catalog_features(catalog, ctx):
    calm = pick(catalog, 5, lambda t: t.energy <= 0.3)
    assert run(make_playlist(calm), "feature_range", {"feature": "energy", "max": 0.3}, ctx).status == "pass"
    assert run(make_playlist(calm), "feature_range", {"feature": "energy", "min": 0.7}, ctx).status == "fail"
    obscure = pick(catalog, 3, lambda t: t.popularity <= 20)
    assert run(make_playlist(obscure), "feature_range", {"feature": "popularity", "min": 60}, ctx).status == "fail"


def test_energy_arc_direction(catalog, ctx):
    tracks = sorted(pick(catalog, 9, lambda t: True), key=lambda t: t.energy)
    assert run(make_playlist(tracks), "energy_arc", "rise", ctx).status == "pass"
    assert run(make_playlist(tracks), "energy_arc", "fall", ctx).status == "fail"
    assert run(make_playlist(tracks[::-1]), "energy_arc", "fall", ctx).status == "pass"
    peaked = tracks[0::2] + tracks[1::2][::-1]  # up to the top, then down
    assert run(make_playlist(peaked), "energy_arc", "peak", ctx).status == "pass"


def test_artist_spacing(catalog, ctx):
    two = by_artist(catalog, "Green Day", 2)
    fillers = pick(catalog, 3, lambda t: "green day" not in fold(t.artist))
    close = make_playlist([two[0], fillers[0], two[1], fillers[1], fillers[2]])
    result = run(close, "artist_spacing", 3, ctx)
    assert result.status == "fail" and "Green Day at 1 and 3" in result.detail
    apart = make_playlist([two[0], fillers[0], fillers[1], two[1], fillers[2]])
    assert run(apart, "artist_spacing", 3, ctx).status == "pass"


def test_narration_grounded_catches_invented_artist_title_and_year(catalog, ctx):
    tracks = pick(catalog, 4, lambda t: t.year is not None and "metallica" not in fold(t.artist))
    first = tracks[0]
    true_text = f"Opening with {first.title} by {first.artist}, from {first.year}."
    ok = make_playlist(tracks, segments=[Segment(kind="intro", before_position=1, text=true_text)])
    assert run(ok, "narration_grounded", True, ctx).status == "pass"
    invented_year = next(y for y in range(1961, 2021) if y not in {t.year for t in tracks})
    for text, expected in [
        (f"Next up, a classic from Metallica. {first.title} by {first.artist}.", "metallica"),
        (f"Here is {first.title} by {first.artist}, released in {invented_year}.", str(invented_year)),
        (f"Now \u201cA Song Nobody Wrote\u201d by {first.artist}.", "A Song Nobody Wrote"),
    ]:
        bad = make_playlist(tracks, segments=[Segment(kind="intro", before_position=1, text=text)])
        result = run(bad, "narration_grounded", True, ctx)
        assert result.status == "fail" and expected.lower() in result.detail.lower(), text


def test_narration_length(catalog, ctx):
    tracks = pick(catalog, 3, lambda t: True)
    talk = [Segment(kind="intro", before_position=1, text="word " * 30)]
    assert run(make_playlist(tracks, segments=talk), "narration_length", {"max_words_per_segment": 40}, ctx).status == "pass"
    assert run(make_playlist(tracks, segments=talk), "narration_length", {"max_words_per_segment": 20}, ctx).status == "fail"
    assert run(make_playlist(tracks), "narration_length", {"min_segments": 1}, ctx).status == "fail"


def test_count_duration_and_duplicates(catalog, ctx):
    tracks = pick(catalog, 5, lambda t: True)
    playlist = make_playlist(tracks)
    assert run(playlist, "count", 5, ctx).status == "pass"
    assert run(playlist, "count", 6, ctx).status == "fail"
    minutes = sum(t.duration_ms for t in tracks) / 60000
    assert run(playlist, "duration", round(minutes, 1), ctx).status == "pass"
    assert run(playlist, "duration", minutes * 1.2, ctx).status == "fail"
    assert run(make_playlist(tracks + tracks[:1]), "no_duplicates", True, ctx).status == "fail"


def test_constraints_honest_flags_a_hidden_shortfall(catalog, ctx):
    tracks = pick(catalog, 8, lambda t: True)
    lie = [ConstraintReport(name="count", target="10", actual="10", met=True)]
    honest = [ConstraintReport(name="count", target="10", actual="8", met=False)]
    spec = PlaylistSpec(count=10)
    assert run(make_playlist(tracks, spec=spec, constraints=lie), "constraints_honest", True, ctx).status == "fail"
    assert run(make_playlist(tracks, spec=spec), "constraints_honest", True, ctx).status == "fail"
    assert run(make_playlist(tracks, spec=spec, constraints=honest), "constraints_honest", True, ctx).status == "pass"


def test_rubric_is_skipped_without_a_model_and_graded_with_one(catalog):
    playlist = make_playlist(pick(catalog, 3, lambda t: True))
    args = validate_args("rubric", "fits the prompt")
    assert score(playlist, "rubric", args, ScoreContext(catalog=catalog)).status == "skip"
    judged = ScoreContext(catalog=catalog, judge=lambda text: {"score": 0.4, "reason": "too loud"})
    result = score(playlist, "rubric", args, judged)
    assert result.status == "fail" and "too loud" in result.detail


def test_bad_assertions_are_rejected_when_the_suite_loads(tmp_path):
    with pytest.raises(ValueError, match="unknown assertion"):
        Case.model_validate({"id": "x", "prompt": "p", "assert": [{"nonsense": 1}]})
    with pytest.raises(ValueError, match="bad arguments"):
        Case.model_validate({"id": "x", "prompt": "p", "assert": [{"genre_share": {"min": 0.5}}]})
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ncases:\n- id: a\n  prompt: p\n  assert: [{year_range: {min: x}}]\n")
    with pytest.raises(InvalidInput, match="bad.yaml"):
        load_suite(path)


def test_shipped_suites_load_and_are_large_enough():
    from core.settings import REPO_ROOT

    core = load_suite(REPO_ROOT / "evals/suites/core.yaml")
    adversarial = load_suite(REPO_ROOT / "evals/suites/adversarial.yaml")
    assert len(core.cases) >= 100 and core.thresholds
    tags = {t for c in core.cases for t in c.tags}
    assert {"genre", "activity", "decade", "count", "duration", "bpm", "clean", "negation", "arc", "seed",
            "discovery"} <= tags
    assert {"injection", "contradiction", "impossible", "gibberish", "language", "long"} <= {
        t for c in adversarial.cases for t in c.tags}


def test_narration_grounded_stops_an_artist_name_at_the_sentence_end(catalog, ctx):
    tracks = pick(catalog, 2, lambda t: len(t.artist.split()) == 1 and t.artist[0].isupper())
    named = tracks[0].model_copy(update={"title": "Songs About Money Written by Machines"})
    text = f"Lovely stuff from {named.artist}: {named.title}. Sliding into {tracks[1].title} by {tracks[1].artist} next."
    ok = make_playlist([named, tracks[1]], segments=[Segment(kind="bridge", before_position=2, text=text)])
    assert run(ok, "narration_grounded", True, ctx).status == "pass"
    wrong = text.replace(f"by {tracks[1].artist}", "by Zanzibar")
    bad = make_playlist([named, tracks[1]], segments=[Segment(kind="bridge", before_position=2, text=wrong)])
    assert run(bad, "narration_grounded", True, ctx).status == "fail"



def test_narration_grounded_reads_an_artist_with_by_in_the_name(catalog, ctx):
    tracks = pick(catalog, 2, lambda t: len(t.artist.split()) == 1 and t.artist[0].isupper())
    band = tracks[0].model_copy(update={"artists": ["Trampled by Turtles"], "title": "Whiskey"})
    text = f"Next up is Trampled by Turtles' Whiskey. Then {tracks[1].title} by {tracks[1].artist}."
    ok = make_playlist([band, tracks[1]], segments=[Segment(kind="bridge", before_position=2, text=text)])
    assert run(ok, "narration_grounded", True, ctx).status == "pass"
    bad = make_playlist([band, tracks[1]], segments=[Segment(kind="bridge", before_position=2,
                                                              text=text.replace("Trampled by Turtles", "Trampled by Bees"))])
    assert run(bad, "narration_grounded", True, ctx).status == "fail"

def test_exclusive_needs_every_track_to_credit_the_artist(catalog, ctx):
    metallica = by_artist(catalog, "Metallica", 5)
    assert run(make_playlist(metallica), "exclusive", ["Metallica"], ctx).status == "pass"
    other = pick(catalog, 1, lambda t: "metallica" not in fold(" ".join(t.artists)))
    assert run(make_playlist(metallica + other), "exclusive", ["Metallica"], ctx).status == "fail"
    assert run(make_playlist(metallica + other), "exclusive", {"artists": ["Metallica"], "min": 0.8}, ctx).status == "pass"
    assert run(make_playlist([], spec=PlaylistSpec()), "exclusive", ["Metallica"], ctx).status == "fail"


def test_instrumental_share_reads_the_catalog_features(catalog, ctx):
    quiet = pick(catalog, 4, lambda t: t.instrumentalness >= 0.8 and t.speechiness <= 0.05)
    assert run(make_playlist(quiet), "instrumental_share", 1.0, ctx).status == "pass"
    sung = pick(catalog, 1, lambda t: t.instrumentalness < 0.01)
    assert run(make_playlist(quiet + sung), "instrumental_share", 1.0, ctx).status == "fail"
    assert run(make_playlist(quiet + sung), "instrumental_share", 0.8, ctx).status == "pass"


def test_reported_checks_the_entry_its_flag_and_note(catalog, ctx):
    tracks = pick(catalog, 3, lambda t: True)
    unmet = ConstraintReport(name="count", target="150", actual="3", met=False, note="at most 100")
    pl = make_playlist(tracks).model_copy(update={"constraints": [unmet]})
    assert run(pl, "reported", {"name": "count", "met": False, "note": True}, ctx).status == "pass"
    assert run(pl, "reported", {"name": "count", "met": True}, ctx).status == "fail"
    assert run(pl, "reported", "arc", ctx).status == "fail"
    bare = pl.model_copy(update={"constraints": [unmet.model_copy(update={"note": ""})]})
    assert run(bare, "reported", {"name": "count", "met": False, "note": True}, ctx).status == "fail"


def test_filtered_honest_flags_a_version_reason_without_the_version(catalog, ctx):
    from agent.models import FilteredItem

    tracks = pick(catalog, 3, lambda t: True)
    kept = FilteredItem(id="x", title=tracks[0].title + " - Live", artists=list(tracks[0].artists),
                        reason="another version of a song already in the playlist")
    stray = pick(catalog, 1, lambda t: t.song_key not in {x.song_key for x in tracks})[0]
    lie = FilteredItem(id=stray.id, title=stray.title, artists=list(stray.artists), reason=kept.reason)
    ok = make_playlist(tracks).model_copy(update={"filtered": [kept]})
    assert run(ok, "filtered_honest", True, ctx).status == "pass"
    assert run(ok.model_copy(update={"filtered": [kept, lie]}), "filtered_honest", True, ctx).status == "fail"


def test_title_word_share_counts_titles_repeating_prompt_words(catalog, ctx):
    runs = pick(catalog, 2, lambda t: "run" in fold(t.title).split())
    other = pick(catalog, 8, lambda t: "run" not in fold(t.title) and "song" not in fold(t.title))
    playlist = make_playlist(runs + other, prompt="something for my run")
    assert run(playlist, "title_word_share", 0.1, ctx).status == "fail"
    assert run(playlist, "title_word_share", 0.2, ctx).status == "pass"


def test_feature_mean_checks_the_playlist_average(catalog, ctx):
    calm = pick(catalog, 6, lambda t: t.energy < 0.4)
    assert run(make_playlist(calm), "feature_mean", {"feature": "energy", "max": 0.4}, ctx).status == "pass"
    assert run(make_playlist(calm), "feature_mean", {"feature": "energy", "min": 0.6}, ctx).status == "fail"


def test_popularity_rank_places_the_playlist_in_its_genres_popularity(catalog, ctx):
    obscure = pick(catalog, 5, lambda t: 0 < t.popularity <= 20)
    famous = pick(catalog, 5, lambda t: t.popularity >= 75)
    assert run(make_playlist(obscure), "popularity_rank", {"max": 0.3}, ctx).status == "pass"
    assert run(make_playlist(famous), "popularity_rank", {"max": 0.3}, ctx).status == "fail"
    assert run(make_playlist(famous), "popularity_rank", {"min": 0.7}, ctx).status == "pass"
    assert run(make_playlist(obscure), "popularity_rank", {"min": 0.7}, ctx).status == "fail"
    assert run(make_playlist(famous), "popularity_rank", {"min": 0.7}, ScoreContext()).status == "fail"  # needs the catalog


def test_vs_parent_and_kept_share_compare_with_the_refined_playlist(catalog):
    calm = pick(catalog, 6, lambda t: t.energy < 0.3)
    loud = pick(catalog, 6, lambda t: t.energy > 0.8)
    parent = make_playlist(loud)
    ctx = ScoreContext(catalog=catalog, parent=parent)
    half = make_playlist(loud[:3] + calm[:3])
    assert run(half, "vs_parent", {"feature": "energy", "direction": "lower", "min_delta": 0.2}, ctx).status == "pass"
    assert run(half, "vs_parent", {"feature": "energy", "direction": "higher"}, ctx).status == "fail"
    assert run(half, "kept_share", {"min": 0.5, "max": 0.5}, ctx).status == "pass"
    assert run(make_playlist(loud), "kept_share", {"max": 0.9}, ctx).status == "fail"  # nothing changed
    assert run(half, "kept_share", {"min": 0.6}, ctx).status == "fail"
