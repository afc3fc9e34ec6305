"""Kid-safe: beyond clean. A clean-flagged track has no explicit lyrics, yet "Codeine" or "Graveyard" is still not
for a children's playlist. For kids and family prompts the content filter also removes tracks whose title names
drugs, alcohol, violence, death or horror, sex or profanity, or whose genres are ones such songs come from.
Album names are not read: an album's name says what the record is about, not this song (on the real catalog it
would also drop 'Viva La Vida' for 'Viva La Vida or Death and All His Friends' and 'Centuries' for
'American Beauty/American Psycho').

The word list is data, not code: tools/lexicon/kid_unsafe.txt (its header documents the format: whole words on
folded text, "kill+" for a word family, phrases, allowed phrases, genres). SEGUE_KID_UNSAFE_WORDS replaces it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tools.normalize import base_title, clean_text, fold

WORD_LIST = Path(__file__).parent / "lexicon" / "kid_unsafe.txt"
FAMILY_SUFFIXES = ("", "s", "es", "ed", "er", "ers", "ing", "in")
#: A word censored with asterisks in the title itself ('F**k', 'N***A'): the title is about that word.
_CENSORED = re.compile(r"\b[a-z]+\*+[a-z]*", re.I)


@dataclass(frozen=True)
class KidRules:
    """The word list, expanded and folded once."""

    words: frozenset[str]
    phrases: tuple[str, ...]
    allowed: tuple[str, ...]
    genres: tuple[str, ...]

    def title_hit(self, text: str) -> str | None:
        """The first listed word or phrase that `text` names (whole words, folded), or None."""
        folded = self._allowed_out(text)
        hit = next((w for w in folded.split() if w in self.words), None)
        return hit or next((p for p in self.phrases if f" {p} " in folded), None)

    def genre_hit(self, genres: list[str]) -> str | None:
        """The first listed genre term found as whole words in one of the track's genres, or None."""
        for genre in genres:
            words = self._allowed_out(genre)
            term = next((g for g in self.genres if f" {g} " in words), None)
            if term:
                return term
        return None

    def _allowed_out(self, text: str) -> str:
        """Folded text, space-padded, with the allowed phrases taken out."""
        folded = f" {fold(text)} "
        for phrase in self.allowed:
            folded = folded.replace(f" {phrase} ", " ")
        return folded


def parse_rules(text: str) -> KidRules:
    """A word-list file's text → rules (format in tools/lexicon/kid_unsafe.txt)."""
    sections: dict[str, list[str]] = {"words": [], "allow": [], "genres": []}
    current = "words"
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower()
            sections.setdefault(current, [])
        elif line:
            sections[current].append(line)
    terms = [t for entry in sections["words"] for t in _expand(entry)]
    return KidRules(
        words=frozenset(t for t in terms if " " not in t),
        phrases=tuple(dict.fromkeys(t for t in terms if " " in t)),
        allowed=tuple(dict.fromkeys(f for e in sections["allow"] if (f := fold(e.lstrip("!"))))),
        genres=tuple(dict.fromkeys(f for e in sections["genres"] if (f := fold(e)))),
    )


def _expand(entry: str) -> list[str]:
    family = entry.endswith("+")
    base = fold(entry.rstrip("+"))
    if not base:
        return []
    return [base + s for s in FAMILY_SUFFIXES] if family else [base]


@lru_cache(maxsize=8)
def kid_rules(path: Path | None = None) -> KidRules:
    """The rules of a word-list file (the shipped one by default), read once."""
    return parse_rules((path or WORD_LIST).read_text(encoding="utf-8"))


def kid_unsafe(title: str, genres: list[str], rules: KidRules) -> str | None:
    """Why a track is not for children ("not for children: title names 'codeine'"), or None. The title is read
    without featured credits and version suffixes ('feat. Madison Beer', '- From "Four Weddings and a Funeral"')."""
    title = base_title(title)
    if _CENSORED.search(clean_text(title)):
        return "not for children: title has a censored word"
    if hit := rules.title_hit(title):
        return f"not for children: title names {hit!r}"
    genre = rules.genre_hit(genres)
    return f"not for children: genre {genre!r}" if genre else None
