"""Narration groundedness: every artist, title and year named in the DJ's segments must belong to the playlist.

Mentions are found three ways: quoted or "<title> by <artist>" titles, capitalised spans that name a catalog
artist, and years / decades. Names from the prompt and catalog genre names are not mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agent.models import Playlist
from tools.catalog import Catalog
from tools.normalize import fold, norm_artist, norm_title

_QUOTED = re.compile(r"[\"“”‘’«»]([^\"“”‘’«»]{2,80})[\"“”‘’«»]")
_IN_WORD_APOSTROPHE = re.compile(r"(?<=\w)[’‘](?=\w)")  # "Don’t" is a word, not a quotation
_BY = re.compile(r"(?<![\w'’])((?:[A-Z0-9][\w'’&.!?-]*\s+){0,6}[A-Z0-9][\w'’&.!?-]*)\s+by\s+([A-Z0-9][\w'’&.$!-]*(?:\s+[A-Z0-9&][\w'’&.$!-]*){0,4})")
_YEAR = re.compile(r"(?<![\d'’])((?:19|20)\d\d)(s?)(?!\d)")
_DECADE = re.compile(r"(?<![\w\d])['’]?([0-9]0)s\b")
_CAPSPAN = re.compile(r"(?<![\w'’])[A-Z0-9][\w'’&.$!-]*(?:\s+(?:[A-Z0-9&][\w'’&.$!-]*|of|the|and|de|la|y))*")
_CONNECTORS = {"of", "the", "and", "de", "la", "y"}
_STOP = {"the", "a", "and", "you", "we", "i", "it", "this", "that", "next", "up", "now", "here", "love", "music"}


@dataclass
class Grounding:
    """What a narration names, and which of those names are not in the playlist."""

    mentions: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Share of mentions that are grounded (1.0 when nothing is named)."""
        return 1.0 if not self.mentions else 1 - len(self.ungrounded) / len(self.mentions)


@lru_cache(maxsize=4)
def _catalog_names(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """Normalised artist names worth detecting, and folded genre names (never counted as artists)."""
    artists = frozenset(n for n in catalog.artist_names if len(n) >= 4 and n not in _STOP)
    return artists, frozenset(fold(g) for g in catalog.genres)


def check_narration(playlist: Playlist, catalog: Catalog | None) -> Grounding:
    """Find every named title, artist and year in the segments and check each against the playlist."""
    out = Grounding()
    facts = _fact_text(playlist)
    artists = {norm_artist(a) for t in playlist.tracks for a in t.artists}
    years = {t.year for t in playlist.tracks if t.year}
    prompt = f" {fold(playlist.prompt)} "
    for seg in playlist.segments:
        _check_titles(seg.text, facts, artists, prompt, out)
        _check_years(seg.text, years, facts + prompt, out)
        if catalog is not None:
            _check_artists(seg.text, facts, prompt, catalog, out)
    return out


def _fact_text(playlist: Playlist) -> str:
    """Every title (raw and base), credited artist and album of the playlist, folded, space-delimited."""
    names = [x for t in playlist.tracks for x in (t.title, norm_title(t.title), t.album, *t.artists)]
    return " " + " | ".join(fold(x) for x in names if x) + " "


def _named(phrase: str, facts: str, prompt: str) -> bool:
    """A folded phrase is grounded when it occurs, as whole words, in the playlist's facts or in the prompt."""
    return f" {phrase} " in facts or f" {phrase} " in prompt


def _check_titles(text: str, facts: str, artists: set[str], prompt: str, out: Grounding) -> None:
    for m in _QUOTED.finditer(_IN_WORD_APOSTROPHE.sub("'", text)):
        name = fold(m.group(1))
        if not name:
            continue
        out.mentions.append(m.group(1))
        if not _named(name, facts, prompt):
            out.ungrounded.append(f"title {m.group(1)!r}")
    for m in _BY.finditer(text):
        said = re.split(r"[.!?]\s", m.group(2) + " ")[0].strip()  # an artist name ends with its sentence
        whole = fold(f"{m.group(1)} by {said}").split()
        if any(_named(" ".join(whole[i:]), facts, prompt) for i in range(len(whole) - 2)):
            continue  # 'Songs … Written by Machines' is a title with 'by' in it
        if any(_named(" ".join(whole[:k]), facts, prompt) for k in range(3, len(whole) + 1)):
            continue  # "Trampled by Turtles' Whiskey" is an artist with 'by' in it
        artist = norm_artist(said.rstrip(".!?,"))
        out.mentions.append(said)
        if not any(artist.startswith(a) or a.startswith(artist) for a in artists if a):
            out.ungrounded.append(f"artist {said!r}")
        words = fold(m.group(1)).split()
        if any(w.isalpha() for w in words) and not any(_named(" ".join(words[i:]), facts, prompt) for i in range(len(words))):
            out.mentions.append(m.group(1))
            out.ungrounded.append(f"title {m.group(1)!r}")


def _check_years(text: str, years: set[int], prompt: str, out: Grounding) -> None:
    decades = {y // 10 * 10 for y in years}
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        out.mentions.append(m.group(0))
        ok = (year // 10 * 10 in decades) if m.group(2) and year % 10 == 0 else year in years
        if not ok and f" {m.group(1)} " not in prompt:  # a year inside a title or the prompt is fine
            out.ungrounded.append(f"year {m.group(0)!r}")
    for m in _DECADE.finditer(text):
        short = int(m.group(1))
        out.mentions.append(m.group(0))
        if not any(d % 100 == short for d in decades) and m.group(1) + "s" not in prompt:
            out.ungrounded.append(f"decade {m.group(0)!r}")


def _check_artists(text: str, facts: str, prompt: str, catalog: Catalog, out: Grounding) -> None:
    """Capitalised spans naming a catalog artist who is not on the playlist (nor part of one of its names)."""
    known, genres = _catalog_names(catalog)
    for sentence in re.split(r"(?<=[.!?:])\s+", text):
        for m in _CAPSPAN.finditer(sentence):
            _check_span(fold(m.group(0)).split(), m.start() == 0, facts, prompt, known, genres, out)


def _check_span(words: list[str], sentence_start: bool, facts: str, prompt: str, known: frozenset[str],
                genres: frozenset[str], out: Grounding) -> None:
    i = 0
    while i < len(words):
        j = _longest_name(words, i, known) if words[i] not in _CONNECTORS else None
        if j is None:
            i += 1
            continue
        name = " ".join(words[i:j]).removeprefix("the ")
        single_opening = j - i == 1 and i == 0 and sentence_start
        if not (name.isdigit() or name in genres or single_opening or _named(name, facts, prompt)):
            out.mentions.append(name)
            out.ungrounded.append(f"artist {name!r}")
        elif not single_opening and _named(name, facts, prompt):
            out.mentions.append(name)
        i = j


def _longest_name(words: list[str], i: int, known: frozenset[str]) -> int | None:
    """End index of the longest catalog artist name starting at word i (up to 5 words), or None."""
    for j in range(min(len(words), i + 5), i, -1):
        if " ".join(words[i:j]).removeprefix("the ") in known:
            return j
    return None
