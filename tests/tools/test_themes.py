"""Themes carried in titles and albums: Christmas songs are found by their words, not mistaken for namesakes."""

from __future__ import annotations

import numpy as np

from tools.normalize import fold
from tools.themes import THEMES, theme_mask, themes_of, unasked_themes


def test_christmas_words_match_and_namesakes_do_not():
    christmas = THEMES["christmas"]
    for text in ("All I Want for Christmas Is You", "Happy Xmas (War Is Over)", "Feliz Navidad", "Sleigh Ride",
                 "Run Rudolph Run", "Santa Claus Is Coming To Town", "Let It Snow"):
        assert christmas.search(fold(text)), text
    for text in ("Santa Monica", "MALA SANTA", "Holiday", "Snow (Hey Oh)", "Catch Hell (feat. Katie Noel)"):
        assert not christmas.search(fold(text)), text


def test_theme_mask_reads_titles_and_albums(catalog):
    mask = theme_mask(catalog, "christmas")
    assert mask.shape == (len(catalog),) and mask.dtype == np.bool_
    for i in np.flatnonzero(mask):
        t = catalog.tracks[i]
        assert THEMES["christmas"].search(fold(f"{t.title} {t.album or ''}"))
    assert themes_of(["chill", "christmas"]) == ["christmas"] and themes_of(["party"]) == []


def test_a_theme_not_asked_for_is_unasked_unless_a_mood_welcomes_it():
    assert unasked_themes(["party", "dance"]) == ["christmas"]
    assert unasked_themes(["christmas", "party"]) == []
    assert unasked_themes(["winter", "chill"]) == []
