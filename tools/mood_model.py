"""Prompt text → audio-feature targets learned from real data: the nearest known phrases (real playlist
names, CPCD first requests, Spotify genres; data/models/sound-phrases.npz) by embedding similarity, each
with the mean features of the tracks people put with it. Covers phrases no lexicon lists ("like a
thunderstorm feels", "main character energy"); the planner's lexicon stays the readable layer on top."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tools.normalize import fold
from tools.sound import TARGET_FEATURES, SoundModel, load_model

K = 8  # neighbours averaged
MIN_SIMILARITY = 0.35  # no neighbour this close: no learned targets
SHARPNESS = 0.05  # softmax temperature over cosine similarity
KIND_WEIGHT = {"playlist": 1.0, "request": 1.0, "genre": 0.6}
LEARNED = ("energy", "valence", "danceability", "acousticness")


@dataclass(frozen=True)
class Learned:
    targets: dict[str, float]
    neighbours: list[str]
    similarity: float
    rows: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()


def neighbours(vector: np.ndarray, model: SoundModel, k: int = K) -> list[tuple[int, float]]:
    """The k known phrases closest to a query vector, as (row, weighted similarity), best first."""
    weights = np.array([KIND_WEIGHT.get(kind, 0.0) for kind in model.kinds.tolist()], dtype=np.float32)
    sims = (model.vectors @ vector.astype(np.float32)) * weights
    top = np.argsort(-sims, kind="stable")[:k]
    return [(int(i), float(sims[i])) for i in top if sims[i] >= MIN_SIMILARITY]


def learned_targets(vector: np.ndarray, model: SoundModel | None = None,
                    features: tuple[str, ...] = LEARNED) -> Learned | None:
    """Feature targets as the similarity-weighted mean of the nearest phrases' features (None when none is near)."""
    m = model or load_model()
    near = neighbours(vector, m)
    if not near:
        return None
    rows = [r for r, _ in near]
    sims = np.array([s for _, s in near])
    w = np.exp((sims - sims.max()) / SHARPNESS)
    w /= w.sum()
    cols = [TARGET_FEATURES.index(f) for f in features]
    values = (m.features[rows][:, cols] * w[:, None]).sum(axis=0)
    return Learned(targets={f: round(float(v), 3) for f, v in zip(features, values, strict=True)},
                   neighbours=[m.phrases[r] for r in rows], similarity=float(sims.max()), rows=tuple(rows),
                   weights=tuple(float(x) for x in w))


def neighbour_genres(learned: Learned, catalog, model: SoundModel | None = None, top: int = 3) -> list[str]:
    """The genres most carried by the tracks of the nearest playlists and requests (weighted by nearness)."""
    m = model or load_model()
    groups = _members(catalog, m)
    counts: dict[str, float] = {}
    for row, weight in zip(learned.rows, learned.weights, strict=True):
        members = groups.get(row, [])
        for i in members:
            for g in catalog.genre_lists[i][:3]:
                counts[g] = counts.get(g, 0.0) + weight / len(members)
    return sorted(counts, key=lambda g: (-counts[g], g))[:top]


_groups: dict[tuple[int, int], dict[int, list[int]]] = {}


def _members(catalog, model: SoundModel) -> dict[int, list[int]]:
    """Phrase row → the catalog rows of the tracks it holds, once per (catalog, model)."""
    key = (id(catalog), id(model))
    if key not in _groups:
        _groups.clear()
        out: dict[int, list[int]] = {}
        for tid, p in zip(model.link_track.tolist(), model.link_phrase.tolist(), strict=True):
            if tid in catalog.index:
                out.setdefault(p, []).append(catalog.index[tid])
        _groups[key] = out
    return _groups[key]


WITH_K = 10  # nearest playlists and requests whose tracks vote
WITH_SHARPNESS = 0.1  # softmax temperature of their votes over cosine similarity
WITH_MIN_SIMILARITY = 0.35  # farther phrases do not vote
WITH_KINDS = ("playlist", "request")
WITH_SPREAD = 0.5  # a playlist of n tracks gives each 1/n**WITH_SPREAD of its vote


def went_with(vector: np.ndarray, catalog, model: SoundModel | None = None, k: int = WITH_K) -> np.ndarray | None:
    """What people put with a phrase like this one: per catalog row, the votes of the k nearest real playlists
    and first requests that hold the track (each weighted by nearness, a long playlist's votes spread thinner),
    scaled so the best-voted track has 1. None when no playlist or request is near."""
    m = model or load_model()
    sims = (m.vectors @ vector.astype(np.float32)).astype(np.float64)
    sims[~_voters(m)] = -1.0
    top = [int(r) for r in np.argsort(-sims, kind="stable")[:k] if sims[r] >= WITH_MIN_SIMILARITY]
    if not top:
        return None
    groups = _members(catalog, m)
    votes = np.zeros(len(catalog), dtype=np.float32)
    for r in top:
        members = groups.get(r, [])
        if members:
            votes[members] += np.exp((sims[r] - sims[top[0]]) / WITH_SHARPNESS) / len(members) ** WITH_SPREAD
    best = float(votes.max())
    return votes / best if best > 0 else None


_voter_masks: dict[int, np.ndarray] = {}


def _voters(model: SoundModel) -> np.ndarray:
    """Playlists and requests that say something about music: a first request that only greets ('Good
    morning!', 'hello') led to a playlist its words do not describe."""
    if id(model) not in _voter_masks:
        kinds = np.isin(model.kinds, WITH_KINDS)
        _voter_masks[id(model)] = kinds & np.array([not greeting_only(p) for p in model.phrases], dtype=bool)
    return _voter_masks[id(model)]


_GREETING = re.compile(r"\b(?:hello|hi|hiya|hey|hey there|yo|greetings|good (?:morning|afternoon|evening|day)|"
                       r"how are you(?: doing)?(?: today)?|how's it going|how is it going|how's your day|"
                       r"what's up|whats up|sup|there|thanks|thank you|please|dj|assistant|bot)\b")


def greeting_only(phrase: str) -> bool:
    """True for a phrase with no words left once greetings and pleasantries are taken out."""
    return not re.sub(r"[^a-z]+", " ", _GREETING.sub(" ", fold(phrase))).strip()
