"""Themes a song carries in its words, not its sound: a Christmas song is one whose title or album says so.

The sound of a track cannot tell a Christmas song from any other warm, mid-tempo one, and a search by sound
alone returns worship music for "christmas songs". A theme is a whole-word pattern over the title and album;
`theme_mask` marks the catalog tracks that carry it."""

from __future__ import annotations

import re

import numpy as np

from tools.normalize import fold

THEMES: dict[str, re.Pattern[str]] = {
    "christmas": re.compile(
        r"\b(?:christmas|xmas|x mas|navidad|santa claus|santa baby|sleigh|jingle bells?|jingle bell rock|"
        r"mistletoe|rudolph|reindeer|silent night|o holy night|winter wonderland|let it snow|little drummer boy|"
        r"deck the halls|frosty the snowman|joy to the world|white christmas|feliz navidad|nutcracker)\b"),
}


#: Moods beside which a theme's songs are welcome unasked ('a snowy winter evening' may hold 'Let It Snow').
WELCOMED_BY: dict[str, frozenset[str]] = {"christmas": frozenset({"winter"})}


def themes_of(moods: list[str]) -> list[str]:
    """The themes among a spec's moods ('christmas')."""
    return [m for m in moods if m in THEMES]


def unasked_themes(moods: list[str]) -> list[str]:
    """Themes the prompt neither asks for nor welcomes: their songs stay out of the way ('disco night' is not
    the time for 'Rudolph The Red-Nosed Reindeer')."""
    return [t for t in THEMES if t not in moods and not WELCOMED_BY.get(t, frozenset()) & set(moods)]


_masks: dict[tuple[int, str], np.ndarray] = {}


def theme_mask(catalog, theme: str) -> np.ndarray:
    """Catalog rows whose title or album carries the theme's words (kept per catalog)."""
    key = (id(catalog), theme)
    if key not in _masks:
        pattern = THEMES[theme]
        text = catalog.tracks.text
        _masks[key] = np.array([bool(pattern.search(fold(f"{title} {album or ''}")))
                                for title, album in zip(text["title"], text["album"], strict=True)], dtype=bool)
    return _masks[key]
