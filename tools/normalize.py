"""Name normalisation shared by catalog merge, artist blocking and history resolution."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_FEAT = re.compile(r"\s*[\(\[]\s*(feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]", re.I)
_FEAT_TAIL = re.compile(r"\s+(feat\.?|ft\.?|featuring)\s.*$", re.I)
_DASH_SUFFIX = re.compile(r"\s+-\s+.*$")
_PAREN_VERSION = re.compile(
    r"\s*[\(\[][^\)\]]*(remaster|version|edit|mix|live|mono|stereo|acoustic|demo|deluxe|single|bonus)[^\)\]]*[\)\]]",
    re.I,
)
_NON_WORD = re.compile(r"[^\w]+")
_ARTIST_SPLIT = re.compile(r"\s*(?:,|&|\bx\b|\bfeat\.?|\bft\.?|\bfeaturing\b|\bwith\b|\band\b)\s*", re.I)


def clean_text(text: str) -> str:
    """NFKC, zero-width characters stripped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_ZERO_WIDTH)
    return " ".join(text.split())


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Beyoncé ' → 'beyonce'. Cached: genres and names repeat."""
    text = unicodedata.normalize("NFKD", clean_text(text)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=200_000)
def norm_artist(name: str) -> str:
    """Folded artist name with a leading 'the ' removed."""
    folded = fold(name)
    return folded[4:] if folded.startswith("the ") else folded


def base_title(title: str) -> str:
    """Title without featured credits or version suffixes ('- Remastered 2011', '(Live)', '- Remix')."""
    title = clean_text(title)
    title = _FEAT.sub("", title)
    title = _PAREN_VERSION.sub("", title)
    title = _DASH_SUFFIX.sub("", title)
    title = _FEAT_TAIL.sub("", title)
    return title.strip() or clean_text(title)


def norm_title(title: str) -> str:
    return fold(base_title(title))


_REISSUE_WORDS = re.compile(r"remaster|single version|album version|radio edit|mono|stereo|deluxe|bonus track|explicit|clean", re.I)


def recording_title(title: str) -> str:
    """Title without featured credits and reissue suffixes ('- Remastered 2011', '(Radio Edit)'),
    keeping what makes another recording (remix, live, acoustic)."""
    title = _FEAT_TAIL.sub("", _FEAT.sub("", clean_text(title)))
    parts = re.split(r"(\s+-\s+[^()\[\]]*$|\s*[\(\[][^\)\]]*[\)\]])", title)
    kept = [part for part in parts if part and not _REISSUE_WORDS.search(part)]
    return fold("".join(kept)) or fold(title)


def recording_key(artist: str, title: str) -> str:
    """Identity of one recording across sources: reissues merge, remixes and live takes do not."""
    return f"{norm_artist(artist)}|{recording_title(title)}"


def song_key(artist: str, title: str) -> str:
    """Identity of a song across versions and sources: 'artist|title', both normalised."""
    return f"{norm_artist(artist)}|{norm_title(title)}"


def split_artists(credit: str) -> list[str]:
    """Every artist named in a credit string ('A feat. B & C' → ['a', 'b', 'c']), normalised."""
    return [norm_artist(p) for p in _ARTIST_SPLIT.split(clean_text(credit)) if norm_artist(p)]


def featured_artists(title: str) -> list[str]:
    """Artists credited inside a title: 'Song (feat. X & Y)' → ['x', 'y']."""
    found: list[str] = []
    for match in re.finditer(r"[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s([^\)\]]*)[\)\]]", clean_text(title), re.I):
        found.extend(split_artists(match.group(1)))
    tail = _FEAT_TAIL.search(clean_text(title))
    if tail:
        found.extend(split_artists(tail.group(0).split(None, 1)[1] if " " in tail.group(0).strip() else ""))
    return found
