"""The shared state of one offline parse: the prompt's words, their character spans, and what was read so far."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.planner.quantities import Marker
from agent.planner.vocab import Vocab

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
SEPARATORS = {"or", "and", "nor", "plus", "n"}
_BREAK = re.compile(r"[,/;:.!?|()]")
PLACE_GENRES = frozenset({"house", "garage"})  # also rooms: "cleaning around the house", "in my garage"
_OWNERS = frozenset({"the", "my", "our", "your", "his", "her", "their", "mom", "moms", "grandmas", "friends"})
_MUSIC = frozenset({"music", "songs", "tracks", "tunes", "beats", "playlist", "mix", "vibes", "party", "parties"})


@dataclass
class Parse:
    prompt: str
    mk: Marker
    vocab: Vocab
    words: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    moods: list[str] = field(default_factory=list)
    negated_moods: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    seeds: list[tuple[int, str]] = field(default_factory=list)
    exclude_artists: list[tuple[int, str]] = field(default_factory=list)
    unknown_artists: list[str] = field(default_factory=list)

    def tokenise(self) -> None:
        for m in _TOKEN.finditer(self.mk.text):
            word = m.group(0)
            word = word[:-2] if word.endswith("'s") and not word[0].isdigit() else word
            self.words.append(word.replace("'", ""))
            self.spans.append((m.start(), m.end()))

    def free(self, i: int, n: int = 1) -> bool:
        return i + n <= len(self.words) and self.mk.free(self.spans[i][0], self.spans[i + n - 1][1])

    def claim(self, i: int, n: int, drop: bool) -> None:
        self.mk.claim(self.spans[i][0], self.spans[i + n - 1][1], drop)

    def joined(self, i: int, n: int) -> bool:
        """Words i … i+n-1 form one phrase (no comma, slash or sentence break between them)."""
        return all(not _BREAK.search(self.gap(k)) for k in range(i + 1, i + n))

    def genre_at(self, i: int) -> tuple[int, str | None]:
        n, genre = self.vocab.genre_at(self.words, i)
        while genre and n > 1 and not self.joined(i, n):
            n, genre = self.vocab.genre_at(self.words, i, stop=i + n - 1)
        if genre and n == 1 and self.is_place(i):
            return 0, None
        return n, genre

    def is_place(self, i: int) -> bool:
        """A genre word that names a room after 'the' / 'my' ('decorate my house'), not followed by 'music'."""
        after = self.words[i + 1] if i + 1 < len(self.words) and self.joined(i, 2) else ""
        return (self.words[i] in PLACE_GENRES and i > 0 and self.words[i - 1] in _OWNERS
                and self.joined(i - 1, 2) and after not in _MUSIC)

    def mood_at(self, i: int, min_n: int = 1) -> tuple[int, str | None]:
        n, mood = self.vocab.mood_at(self.words, i, min_n=min_n)
        while mood and n > 1 and not self.joined(i, n):
            n, mood = self.vocab.mood_at(self.words, i, stop=i + n - 1, min_n=min_n)
        return n, mood

    def word_at(self, pos: int) -> int:
        """Index of the first word starting at or after a character position."""
        return next((i for i, (s, _) in enumerate(self.spans) if s >= pos), len(self.words))

    def gap(self, i: int) -> str:
        """The characters between word i-1 and word i."""
        return self.mk.text[self.spans[i - 1][1]:self.spans[i][0]] if 0 < i < len(self.words) else ""

    def capitalised(self, i: int) -> bool:
        start = self.spans[i][0]
        return self.prompt[start:start + 1].isupper() and not self.prompt.isupper() and i > 0
