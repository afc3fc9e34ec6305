"""The sound representation, the learned mood model and the genre graph, on the shipped real-data models."""

from __future__ import annotations

import numpy as np

from tools.catalog import embed_query
from tools.folds import learns_from
from tools.genre_graph import graph, neighbours
from tools.mood_model import learned_targets
from tools.sound import load_model, sound_vectors, target_vector


def test_genre_graph_links_bossa_nova_to_brazilian_neighbours_only():
    near = neighbours("bossa nova")
    assert {"samba", "mpb"} <= set(near)
    assert not {"gangster rap", "mariachi", "trap"} & set(near)
    assert all(0 < w <= 1 for w in near.values())


def test_genre_graph_weights_are_graded_and_sorted():
    for genre in ("deep house", "pop punk", "smooth jazz"):
        weights = list(graph()[genre].values())
        assert weights and weights == sorted(weights, reverse=True)


def test_learned_targets_cover_phrases_the_lexicon_does_not_know():
    sad = learned_targets(embed_query("songs for when i am sad and crying"))
    party = learned_targets(embed_query("upbeat dance party with friends"))
    assert sad is not None and party is not None
    assert sad.targets["valence"] < party.targets["valence"]
    assert sad.targets["energy"] < party.targets["energy"]
    assert learned_targets(embed_query("main character energy")) is not None


def test_sound_vectors_never_see_the_title():
    feats = {f: np.array([0.8, 0.8], dtype=np.float32) for f in
             ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")}
    vecs = sound_vectors(["a", "b"], [["dance pop"], ["dance pop"]], feats, np.array([120.0, 120.0]),
                         np.array([2015, 2015]))
    assert np.allclose(vecs[0], vecs[1])
    assert np.isclose(np.linalg.norm(vecs[0]), 1.0, atol=1e-4)


def test_target_words_put_sad_prompts_nearer_sad_targets():
    model = load_model()
    sad, happy = target_vector({"valence": 0.1, "energy": 0.2}, model), target_vector({"valence": 0.9, "energy": 0.8}, model)
    q = embed_query("sad melancholy songs")
    assert sad is not None and happy is not None and float(q @ sad) > float(q @ happy)


def test_folds_split_about_half_and_are_stable():
    ids = [f"id{n}" for n in range(2000)]
    share = sum(map(learns_from, ids)) / len(ids)
    assert 0.45 < share < 0.55
    assert [learns_from(i) for i in ids[:50]] == [learns_from(i) for i in ids[:50]]


def test_went_with_votes_for_the_tracks_the_nearest_requests_held(catalog):
    from tools.mood_model import _members, went_with

    model = load_model()
    groups = _members(catalog, model)
    row = next(r for r, kind in enumerate(model.kinds.tolist()) if kind == "request" and len(groups.get(r, [])) >= 3)
    votes = went_with(model.vectors[row], catalog)
    assert votes is not None and votes.shape == (len(catalog),)
    assert votes.max() == 1.0 and votes.min() == 0.0
    best = set(np.flatnonzero(votes >= 0.5 * votes.max()).tolist())
    assert best & set(groups[row])  # the phrase's own tracks are among the best voted


def test_went_with_is_silent_when_no_playlist_or_request_is_near(catalog):
    from tools.mood_model import went_with

    model = load_model()
    far = np.zeros(model.vectors.shape[1], dtype=np.float32)
    assert went_with(far, catalog) is None


def test_greetings_do_not_vote():
    from tools.mood_model import _voters, greeting_only

    assert greeting_only("Good Morning!") and greeting_only("hello, how are you") and greeting_only("hi")
    assert not greeting_only("good morning vibes") and not greeting_only("Hi, I am going to a workout")
    model = load_model()
    voters = _voters(model)
    assert not any(voters[n] for n, p in enumerate(model.phrases) if greeting_only(p))
    assert voters.sum() > 0.9 * np.isin(model.kinds, ["playlist", "request"]).sum()
