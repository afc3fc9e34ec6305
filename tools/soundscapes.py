"""Soundscapes: noise and nature recordings ('Brown Noise 140 hz', 'Rain With Light Thunderstorm') that the
catalog holds beside music. They sound calm, so a search by sound puts them in any quiet playlist; they belong
only where the listener asks for them ('rain sounds', 'white noise') or for sleep and meditation."""

from __future__ import annotations

import re

import numpy as np

from tools.normalize import fold

GENRES = frozenset({"white noise", "environmental", "sound effects", "water", "sound", "binaural", "brain waves",
                    "tone", "nature sounds", "field recording"})
TITLE = re.compile(r"\b(?:(?:white|pink|brown|green|fan) noise|noise machine|\d+ ?hz|rain sounds?|sounds? of (?:the )?rain|"
                   r"ocean waves|thunderstorm|rainforest|loopable)\b")
NATURE = re.compile(r"\b(?:rain|raining|rainfall|ocean|waves|sea|forest|storm|thunder|thunderstorm|wind|stream|river|"
                    r"creek|birds?|fire|crickets|waterfall|noise)\b")
FLAT = 0.03  # a valence this low, with a nature word in the title and no music genre: a recording of it
PLAYLIST_LABELS = frozenset({"latin", "tropical", "shush"})  # tags some recordings carry from the playlists they sat in
CALM_USES = frozenset({"sleep", "lullaby", "mindfulness", "spa", "meditation", "432hz", "healing", "background music",
                       "musica para ninos", "relaxative"})  # genres that say what it is for, not what it is
MOOD = "soundscape"  # the planner's mood for 'rain sounds', 'brown noise', 'nature sounds' (agent/planner/lexicon.py)
ASKED_MOODS = frozenset({MOOD, "sleep", "meditation"})


def is_soundscape(title: str, genres: list[str], valence: float | None = None) -> bool:
    """A noise or nature recording, by its genres, or by its title when no music genre says otherwise
    (Disclosure's 'White Noise' is a house song), or by a flat valence and a nature title ('Suburban Forest Rain 1',
    tagged latin)."""
    folded = {fold(g) for g in genres}
    if GENRES & folded or (folded <= CALM_USES and TITLE.search(fold(title))):
        return True
    return (valence is not None and valence < FLAT and folded <= CALM_USES | PLAYLIST_LABELS
            and bool(NATURE.search(fold(title))))


def named(moods: list[str]) -> bool:
    """The listener asked for sounds or noise in so many words ('rain sounds', 'brown noise')."""
    return MOOD in moods


def asked(moods: list[str], genres: list[str]) -> bool:
    """Soundscapes belong: the listener named them (or a noise genre), or asked for sleep or meditation."""
    return bool(ASKED_MOODS.intersection(moods)) or bool(GENRES.intersection(fold(g) for g in genres))


_masks: dict[int, np.ndarray] = {}


def soundscape_mask(catalog) -> np.ndarray:
    """Catalog rows that are soundscapes (kept per catalog)."""
    if id(catalog) not in _masks:
        valence = catalog.features["valence"].tolist()
        _masks[id(catalog)] = np.array([is_soundscape(t, g, v) for t, g, v in zip(
            catalog.tracks.text["title"], catalog.genre_lists, valence, strict=True)], dtype=bool)
    return _masks[id(catalog)]
