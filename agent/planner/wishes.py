"""Stated wishes in prompts: only one artist ("only Taylor Swift", "nothing but Metallica", "Drake songs only"),
an artist's era ("Taylor Swift's 1989 era", "early Radiohead", "Kanye's old stuff") and no vocals. They become
hard rules of the spec (only_artists, year_min/year_max, instrumental), enforced and reported by agent/wishes.py."""

from __future__ import annotations

import re

import numpy as np

from agent.planner.artists import artist_at, artist_exact, artist_list
from agent.planner.parse import Parse
from tools.catalog import Catalog
from tools.normalize import fold, norm_artist, norm_title

#: Cue words before a name: strong ones may fuzzy-match the name, the others need it exactly.
ONLY_STRONG = r"nothing but|exclusively|solely|strictly|100 ?%|purely|entirely"
ONLY_EXACT = r"only"  # the name must match exactly
ONLY_WEAK = r"just|all"  # exactly, and the name must close the phrase ('just Adele songs', not 'just Queen energy')
ONLY_AFTER = r"only|and nothing else|and no one else|and nobody else|exclusively"
_ONLY_GAP = frozenset({"songs", "song", "tracks", "music", "stuff", "by", "from", "of", "play", "the", "hits"})
_ONLY_TAIL = frozenset({"songs", "song", "tracks", "music", "stuff", "hits", "playlist", "mix", "deep", "cuts", "cut",
                        "b", "sides", "side", "rarities", "album", "classics", "favorites", "favourites", "best",
                        "greatest", "ballads", "bangers"})  # 'Taylor Swift deep cuts only'
EARLY = frozenset({"early", "earlier", "old", "older", "classic", "vintage", "young", "first"})
LATE = frozenset({"late", "later", "recent", "new", "newer", "latest", "modern", "current"})
ERA_WORDS = frozenset({"era", "album", "period", "phase", "days", "record", "years", "stuff", "sound", "material",
                       "work", "songs", "vibe", "vibes"})
_SOFT_INSTRUMENTAL = re.compile(r"\b(?:mostly|some|a few|a bit of|partly|maybe|a little|more) instrumental")
CAREER_SHARE = 0.35  # "early X": the first 35 % of X's years in the catalog; "late X": the last 35 %
ALBUM_SPAN = 1  # "A's <album> era": the album's year ± 1
MAX_ALBUM_WORDS = 6


def only_cued(p: Parse) -> list[tuple[int, str]]:
    """'only X', 'nothing but X and Y', 'just X songs': the artists every track must credit (also seeds, so the
    search starts from their sound). Read before negations: 'nothing but' is not a negation."""
    found: list[tuple[int, str]] = []
    for pattern, strong, closed in ((ONLY_STRONG, True, False), (ONLY_EXACT, False, False), (ONLY_WEAK, False, True)):
        for m in p.mk.find(pattern, claim=False):
            j = p.word_at(m.end())
            while j < len(p.words) and p.words[j] in _ONLY_GAP and p.free(j) and p.words[j] != "the":
                j += 1
            names: list[tuple[int, str]] = []
            if not artist_list(p, j, strong, names, drop=False):
                continue
            p.seeds += names
            if not closed or _ends_name(p, j):
                p.mk.claim(m.start(), m.end(), drop=True)
                found += names
    return found


def only_trailing(p: Parse) -> list[tuple[int, str]]:
    """'Drake songs only', 'Green Day and nothing else': a name right before an only-word (seed or not)."""
    found = [(i, name) for i, name in p.seeds if _only_after(p, i, name)]
    for m in p.mk.find(ONLY_AFTER, claim=False):
        k = p.word_at(m.start())
        while k > 0 and p.words[k - 1] in _ONLY_TAIL:
            k -= 1
        for n in range(min(k, 5), 0, -1):
            size, name = artist_exact(p, k - n)
            if name and size == n:
                p.claim(k - n, n, drop=False)
                p.mk.claim(m.start(), m.end(), drop=True)
                found.append((k - n, name))
                p.seeds.append((k - n, name))
                break
    return found


def instrumental_rule(p: Parse, moods: list[str]) -> bool:
    """'no vocals', 'instrumental' → the hard rule; 'mostly instrumental' stays a soft preference."""
    if "instrumental" not in moods:
        return False
    return not _SOFT_INSTRUMENTAL.search(p.mk.text)


def _ends_name(p: Parse, start: int) -> bool:
    """The name read from word `start` closes the phrase: end, punctuation or 'songs' follows it."""
    end = start
    while end < len(p.words) and not p.free(end):
        end += 1
    return end >= len(p.words) or p.words[end] in _ONLY_TAIL or bool(p.gap(end).strip())


def _only_after(p: Parse, i: int, name: str) -> bool:
    """'Drake songs only', 'Queen and nothing else'."""
    j = i + _name_words(p, i, name)
    while j < len(p.words) and p.words[j] in _ONLY_TAIL:
        j += 1
    if j >= len(p.words):
        return False
    for m in p.mk.find(ONLY_AFTER, claim=False):
        if p.word_at(m.start()) == j:
            p.mk.claim(m.start(), m.end(), drop=True)
            return True
    return False


def _name_words(p: Parse, i: int, name: str) -> int:
    """How many prompt words the name read at word i covers."""
    want = norm_artist(name).split()
    for n in range(1, min(len(p.words) - i, len(want) + 2) + 1):
        if norm_artist(" ".join(p.words[i:i + n])).replace(" ", "") == "".join(want):
            return n
    return max(1, len(want))


# --------------------------------------------------------------------------- eras

def artist_eras(p: Parse, catalog: Catalog) -> None:
    """'early Radiohead', 'Kanye's old stuff', "Taylor Swift's 1989 era", 'Reputation-era Taylor Swift':
    the artist becomes a seed and the era a year range. Read before plain years, so an album called
    '1989' is not taken for the year 1989."""
    for i, n, name in _era_artists(p):
        span = _era_before(p, i, name, catalog) or _era_after(p, i, n, name, catalog)
        if span:
            p.claim(i, n, drop=False)
            p.seeds.append((i, name))
            p.fields["year_min"], p.fields["year_max"] = span


def _era_artists(p: Parse) -> list[tuple[int, int, str]]:
    """Names right after an era word, ending in a possessive ("Kanye's") or a few words before an era word
    ("Arctic Monkeys AM era"): (word, length, artist)."""
    out: list[tuple[int, int, str]] = []
    for i in range(len(p.words)):
        cued = (i > 0 and p.words[i - 1] in EARLY | LATE | {"era"} and not p.genre_at(i - 1)[1]  # 'New Jack Swing'
                or _era_phrase_before(p, i) is not None)  # 'older songs by Coldplay'
        possessive = [k for k in range(i, min(i + 5, len(p.words)))
                      if p.mk.text[p.spans[k][0]:p.spans[k][1]].endswith("'s")]
        era_later = any(w in ERA_WORDS for w in p.words[i + 1:i + 5 + MAX_ALBUM_WORDS])  # "Arctic Monkeys AM era"
        if not (cued or possessive or era_later) or not p.free(i):
            continue
        n, name = artist_at(p, i, strong=True)
        if not name and i == 0 and i in possessive and p.prompt[:1].isupper():  # "Kanye's old stuff"
            n, name = 1, p.vocab.partial.get(p.words[0])
        if name and (cued or i + n - 1 in possessive or era_later) and _usable(p, i, n):
            out.append((i, n, name))
    return out


def _usable(p: Parse, i: int, n: int) -> bool:
    """A name made only of ordinary words ('new order' aside) counts here only when capitalised."""
    words = p.words[i:i + n]
    first = i == 0 and p.prompt[:1].isupper() and not p.prompt.isupper()
    return not all(w in p.vocab.common for w in words) or p.capitalised(i) or first


_ERA_NOUNS = frozenset({"songs", "stuff", "music", "tracks", "material", "work", "hits", "records", "albums"})


def _era_phrase_before(p: Parse, i: int) -> int | None:
    """'older songs by X', 'new stuff from X', 'early work of X': the era word's index, else None."""
    if i >= 3 and p.words[i - 1] in {"by", "from", "of"} and p.words[i - 2] in _ERA_NOUNS \
            and p.words[i - 3] in EARLY | LATE and p.free(i - 3, 3) and p.joined(i - 3, 4):
        return i - 3
    return None


def _era_before(p: Parse, i: int, name: str, catalog: Catalog) -> tuple[int, int] | None:
    if (k := _era_phrase_before(p, i)) is not None:
        span = career_part(catalog, name, early=p.words[k] in EARLY)
        if span:
            p.claim(k, 3, drop=True)
        return span
    if i == 0 or not p.free(i - 1):
        return None
    word = p.words[i - 1]
    if word in EARLY or word in LATE:
        span = career_part(catalog, name, early=word in EARLY)
        if span:
            p.claim(i - 1, 1, drop=True)
        return span
    if word == "era" and i >= 2:  # "Reputation-era Taylor Swift"
        for k in range(min(MAX_ALBUM_WORDS, i - 1), 0, -1):
            span = album_years(catalog, name, " ".join(p.words[i - 1 - k:i - 1])) if p.free(i - 1 - k, k) else None
            if span:
                p.claim(i - 1 - k, k + 1, drop=True)
                return span
    return None


def _era_after(p: Parse, i: int, n: int, name: str, catalog: Catalog) -> tuple[int, int] | None:
    """"X's early stuff", "X's 1989 era", "X's OK Computer" after a possessive; without one, only an album
    followed by an era word ("Arctic Monkeys AM era")."""
    end = i + n
    start, stop = p.spans[end - 1]
    if end >= len(p.words):
        return None
    if not p.mk.text[start:stop].endswith("'s"):
        return _album_then_era_word(p, end, name, catalog)
    if p.words[end] in EARLY or p.words[end] in LATE:
        span = career_part(catalog, name, early=p.words[end] in EARLY)
        if span:
            tail = 2 if end + 1 < len(p.words) and p.words[end + 1] in ERA_WORDS else 1
            p.claim(end, tail, drop=True)
        return span
    for k in range(min(MAX_ALBUM_WORDS, len(p.words) - end), 0, -1):
        if not p.free(end, k):
            continue
        span = album_years(catalog, name, " ".join(p.words[end:end + k]))
        if span:
            tail = 1 if end + k < len(p.words) and p.words[end + k] in ERA_WORDS else 0
            p.claim(end, k + tail, drop=True)
            return span
    return None


def _album_then_era_word(p: Parse, end: int, name: str, catalog: Catalog) -> tuple[int, int] | None:
    """'<artist> <album> era' with no possessive: the album's years when an era word follows its title."""
    for k in range(min(MAX_ALBUM_WORDS, len(p.words) - end - 1), 0, -1):
        if p.words[end + k] not in ERA_WORDS or not p.free(end, k):
            continue
        span = album_years(catalog, name, " ".join(p.words[end:end + k]))
        if span:
            p.claim(end, k + 1, drop=True)
            return span
    return None


def _artist_rows(catalog: Catalog, name: str) -> np.ndarray:
    rows = np.flatnonzero(catalog.artist_mask([name]))
    return rows[catalog.year[rows] > 0]


def career_part(catalog: Catalog, name: str, early: bool) -> tuple[int, int] | None:
    """The first (or last) CAREER_SHARE of the years the artist's catalog tracks span."""
    years = np.sort(catalog.year[_artist_rows(catalog, name)])
    if len(years) < 4 or years[-1] - years[0] < 3:
        return None
    cut = int(round(years[0] + CAREER_SHARE * (years[-1] - years[0]))) if early else \
        int(round(years[-1] - CAREER_SHARE * (years[-1] - years[0])))
    return (int(years[0]), cut) if early else (cut, int(years[-1]))


def album_years(catalog: Catalog, name: str, words: str) -> tuple[int, int] | None:
    """The years around an album of the artist whose title starts with these words (its earliest release)."""
    want = fold(words)
    if not want or len(want) < 2:
        return None
    albums = catalog.tracks.text["album"]
    years = [int(catalog.year[r]) for r in _artist_rows(catalog, name)
             if (title := norm_title(albums[r])) and (title == want or title.startswith(want + " "))]
    if not years:
        return None
    return min(years) - ALBUM_SPAN, min(years) + ALBUM_SPAN
