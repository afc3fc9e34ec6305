"""The deterministic offline planner: free text → PlaylistSpec, no network.

Phrases are read in a fixed order, each claiming the characters it used: content policy and narration
words, then numbers (per-track and total length, counts, BPM, years), arcs, discovery and taste,
negated lists ("no country or rap", "without Drake"), artist cues ("like Phoebe Bridgers"), genres and
moods. What is left, minus requests and politeness, becomes the free-text query for semantic search."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from agent.models import FEATURES, PlaylistSpec
from agent.planner import lexicon as lx
from agent.planner.formats import read_format
from agent.planner.quantities import Marker, bpm, counts, durations, normalise, years
from agent.planner.vocab import MAX_ARTIST_WORDS, Vocab, vocab_for
from tools.catalog import Catalog

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_SEPARATORS = {"or", "and", "nor", "plus", "n"}
_BREAK = re.compile(r"[,/;:.!?|()]")
FAMILIAR, NEUTRAL, DISCOVER = 0.15, 0.5, 0.85


@dataclass
class _Parse:
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
        return n, genre

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


# --------------------------------------------------------------------------- phrase passes

def _policy_and_narration(p: _Parse) -> None:
    """Explicit-content and narration words; "clean" as a verb (chores) is not a content policy."""
    mk = p.mk
    allow = any(True for _ in mk.find(lx.EXPLICIT_ALLOW))
    for pattern, style in ((lx.NARRATION_NONE, "none"), (lx.NARRATION_BRIEF, "brief"), (lx.NARRATION_RADIO, "radio")):
        if any(True for _ in mk.find(pattern)) and "narration" not in p.fields:
            p.fields["narration"] = style
    for _ in mk.find(lx.CLEAN_VERB, drop=False):
        p.moods.append("chores")
    if any(True for _ in mk.find(lx.EXPLICIT_EXCLUDE)):
        p.fields["explicit"] = "exclude"
    elif allow:
        p.fields["explicit"] = "allow"


def _shape(p: _Parse) -> None:
    """Energy arc, familiar vs discovery, and how much the listener's taste counts."""
    for arc, pattern in lx.ARC_PATTERNS:
        if any(True for _ in p.mk.find(pattern)) and "arc" not in p.fields:
            p.fields["arc"] = arc
    high = any(True for _ in p.mk.find(lx.DISCOVERY_HIGH))
    high = any(True for _ in p.mk.find(lx.DISCOVERY_HIGH_SOFT, claim=False)) or high
    low = any(True for _ in p.mk.find(lx.DISCOVERY_LOW)) or p.flags.get("familiar", False)
    if high != low:
        p.fields["discovery"] = DISCOVER if high else FAMILIAR
    taste_low = any(True for _ in p.mk.find(lx.TASTE_LOW))
    taste_high = any(True for _ in p.mk.find(lx.TASTE_HIGH))
    if taste_high != taste_low:
        p.fields["taste_weight"] = DISCOVER if taste_high else FAMILIAR


# --------------------------------------------------------------------------- artists

def _artist_exact(p: _Parse, i: int) -> tuple[int, str | None]:
    stop = len(p.words)
    for n in range(min(MAX_ARTIST_WORDS, stop - i), 0, -1):
        if not p.free(i, n):
            continue
        display = p.vocab.artists.get(" ".join(p.words[i:i + n]))
        if display:
            return n, display
    return 0, None


def _artist_fuzzy(p: _Parse, i: int, min_words: int = 1) -> tuple[int, str | None]:
    best: tuple[float, int, str | None] = (0.0, 0, None)
    for n in range(min(4, len(p.words) - i), min_words - 1, -1):
        if not p.free(i, n) or any(w in lx.QUERY_FILLER or w.isdigit() for w in p.words[i:i + n]):
            continue
        if min_words > 1 and all(w in p.vocab.common for w in p.words[i:i + n]):
            continue
        text = " ".join(p.words[i:i + n])
        if len(text) < 5:
            continue
        cutoff = 86 if len(text) >= 10 else 90
        choices = p.vocab.fuzzy_artists.get((n, text[0]), ())
        hit = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit and (hit[1], n) > best[:2]:
            best = (hit[1], n, p.vocab.artists[hit[0]])
    return best[1], best[2]


def _plausible(p: _Parse, i: int, n: int, strong: bool) -> bool:
    """Common words ('future', 'the national') count as a name only after a strong cue, before 'songs' /
    'type', when capitalised, or (several words) when the artist is well represented in the catalog."""
    words = p.words[i:i + n]
    if not all(w in p.vocab.common for w in words):
        return True
    tracks = p.vocab.artist_tracks[" ".join(words)]
    strong = strong or (i + n < len(p.words) and p.words[i + n] in lx.ARTIST_SUFFIX - {"and", "or"})
    return p.capitalised(i) or (strong and tracks >= 10) or (n > 1 and tracks >= 3)


def _artist_at(p: _Parse, i: int, strong: bool) -> tuple[int, str | None]:
    """An artist named at word i (a leading 'the' is skipped), unless a genre or mood reads there better."""
    if i >= len(p.words) or not p.free(i):
        return 0, None
    lead = 1 if p.words[i] == "the" and i + 1 < len(p.words) else 0
    n, name = _artist_exact(p, i + lead)
    if name and not _plausible(p, i + lead, n, strong):
        n, name = 0, None
    if not name:
        n, name = _artist_fuzzy(p, i + lead, min_words=1 if strong else 2)
    if not name and i + lead < len(p.words) and p.free(i + lead):
        word = p.words[i + lead]
        name = p.vocab.partial.get(word)
        n = 1 if name and (word not in p.vocab.common or (strong and p.capitalised(i + lead))) else 0
        name = name if n else None
    other = max(p.genre_at(i)[0], p.mood_at(i)[0])
    if not name or other >= n + lead:
        return 0, None
    return n + lead, name


def _artist_list(p: _Parse, j: int, strong: bool, into: list[tuple[int, str]], drop: bool) -> int:
    """Artists from word j on, joined by commas / 'and' / 'or'; returns how many were read."""
    found = 0
    while j < len(p.words):
        n, name = _artist_at(p, j, strong)
        if not name:
            break
        p.claim(j, n, drop)
        into.append((j, name))
        found += 1
        j += n
        if j < len(p.words) and p.words[j] in _SEPARATORS | {"others"}:
            j += 1
        elif not (j < len(p.words) and ("," in p.gap(j) or "/" in p.gap(j) or "&" in p.gap(j))):
            break
    return found


def _artist_cues(p: _Parse) -> None:
    for pattern, strong in ((lx.ARTIST_STRONG, True), (lx.ARTIST_WEAK, False)):
        for m in p.mk.find(pattern, claim=False):
            _artist_list(p, p.word_at(m.end()), strong, p.seeds, drop=False)
    for i in range(len(p.words)):
        n, name = _artist_exact(p, i) if p.free(i) else (0, None)
        if name and _named_without_cue(p, i, n):
            p.claim(i, n, drop=False)
            p.seeds.append((i, name))
            if i + n < len(p.words) and (p.words[i + n] in _SEPARATORS or "," in p.gap(i + n)):
                _artist_list(p, i + n + (p.words[i + n] in _SEPARATORS), False, p.seeds, drop=False)


def _named_without_cue(p: _Parse, i: int, n: int) -> bool:
    """A name with no cue word: rare words, a following 'songs'/'vibes', or every word capitalised."""
    if p.genre_at(i)[0] >= n or p.mood_at(i)[0] >= n:
        return False
    words = p.words[i:i + n]
    key = " ".join(words)
    tracks = p.vocab.artist_tracks[key]
    suffix = i + n < len(p.words) and p.words[i + n] in lx.ARTIST_SUFFIX
    rare = not all(w in p.vocab.common for w in words) and len("".join(words)) >= 3
    if rare and tracks >= (2 if n > 1 else 3):
        return True
    if suffix and (p.capitalised(i) or tracks >= 20):
        return True
    title_case = sum(w[:1].isupper() for w in p.prompt.split()) > len(p.prompt.split()) / 2
    return n > 1 and not title_case and all(p.capitalised(k) for k in range(i, i + n))


# --------------------------------------------------------------------------- negations

def _negated_item(p: _Parse, j: int, kind: str | None) -> tuple[int, str]:
    """Read one negated genre, mood or artist at word j (of the given kind, when set) → (length, kind)."""
    n, mood = p.mood_at(j)
    g, genre = p.genre_at(j)
    if genre and g >= n and p.free(j, g) and kind in (None, "genre"):
        p.claim(j, g, drop=True)
        p.exclude_genres.append(genre)
        return g, "genre"
    if mood and p.free(j, n) and kind in (None, "mood"):
        p.claim(j, n, drop=True)
        p.negated_moods.append(mood)
        return n, "mood"
    a, artist = _artist_at(p, j, strong=True) if kind in (None, "artist") else (0, None)
    if artist:
        p.claim(j, a, drop=True)
        p.exclude_artists.append((j, artist))
    return a, "artist"


_NEGATED_TAIL = frozenset({"music", "songs", "tracks", "stuff", "please", "at", "all", "type", "style"})


def _negations(p: _Parse) -> None:
    """'no country or rap', 'without Drake, Future', 'nothing too sad': lists after a negation word.
    A list continues after 'or' with any kind of item, after a comma or 'and' only with the same kind."""
    for m in p.mk.find(lx.NEGATION_TRIGGER, claim=False):
        j, end, kind = p.word_at(m.end()), 0, None
        while j < len(p.words) and p.words[j] in lx.NEGATION_FILLERS and p.free(j):
            j += 1
        while j < len(p.words):
            n, read = _negated_item(p, j, kind)
            if not n:
                break
            end, j = p.spans[j + n - 1][1], j + n
            while j < len(p.words) and p.words[j] in _NEGATED_TAIL:
                j += 1
            if j < len(p.words) and p.words[j] in ("or", "nor"):
                j, kind = j + 1, None
            elif j < len(p.words) and (p.words[j] in _SEPARATORS or "," in p.gap(j)):
                j, kind = j + (p.words[j] in _SEPARATORS), read
            else:
                break
        if end:
            p.mk.claim(m.start(), end, drop=True)


# --------------------------------------------------------------------------- genres and moods

def _negative_phrase_moods(p: _Parse) -> None:
    """Mood phrases that look like negations ('no vocals', 'without lyrics') are moods, read first."""
    for i, word in enumerate(p.words):
        if word in ("no", "without"):
            n, mood = p.mood_at(i, min_n=2)
            if mood and p.free(i, n):
                p.claim(i, n, drop=False)
                p.moods.append(mood)


def _genres_and_moods(p: _Parse) -> None:
    for i in range(len(p.words)):
        n, mood = p.mood_at(i, min_n=2)
        if mood and p.free(i, n):
            p.claim(i, n, drop=False)
            p.moods.append(mood)
    for i in range(len(p.words)):
        n, genre = p.genre_at(i)
        if genre and p.free(i, n):
            p.claim(i, n, drop=False)
            p.genres.append(genre)
    for i, word in enumerate(p.words):
        if not p.free(i):
            continue
        mood = p.vocab.moods.get(word)
        fixed = None if mood or p.capitalised(i) else p.vocab.correct(word)
        if mood:
            p.claim(i, 1, drop=False)
            p.moods.append(mood)
        elif fixed:
            p.claim(i, 1, drop=False)
            if fixed in p.vocab.moods:
                p.moods.append(p.vocab.moods[fixed])
            else:
                p.genres.append(p.vocab.genres[fixed])


def _feature_targets(moods: list[str], negated: list[str]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for name in moods:
        for feature, value in lx.MOOD_BY_NAME[name].targets.items():
            sums.setdefault(feature, []).append(value)
    for name in negated:
        for feature, value in lx.MOOD_BY_NAME[name].targets.items():
            sums.setdefault(feature, []).append((1 - value + 0.5) / 2)
    return {f: round(sum(v) / len(v), 2) for f, v in sums.items() if f in FEATURES}


def _query(p: _Parse) -> str:
    kept = [w for w, (s, e) in zip(p.words, p.spans, strict=True)
            if not any(p.mk.dropped[s:e]) and w not in lx.QUERY_FILLER]
    return " ".join(kept)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse_prompt(prompt: str, catalog: Catalog) -> PlaylistSpec:
    """Read a free-text prompt into a PlaylistSpec (deterministic, no network, a few milliseconds)."""
    vocab = vocab_for(catalog)
    p = _Parse(prompt=prompt, mk=Marker(normalise(prompt)), vocab=vocab)
    p.tokenise()
    talk = read_format(p.mk)  # talk phrases first: their words never reach the music fields
    _policy_and_narration(p)
    durations(p.mk, p.fields)
    bpm(p.mk, p.fields)
    years(p.mk, p.fields, vocab.max_year)
    counts(p.mk, p.fields, p.flags)
    _shape(p)
    _negative_phrase_moods(p)
    _negations(p)
    _artist_cues(p)
    _genres_and_moods(p)
    excluded = set(p.exclude_genres)
    moods = _unique(m for m in p.moods if m not in p.negated_moods)
    if "happy" in moods and "sad" in moods:
        moods.remove("sad")  # "cheer me up when I'm down": the goal is the mood, the state is not
    fields = p.fields | {
        "genres": _unique(g for g in p.genres if g not in excluded),
        "exclude_genres": _unique(p.exclude_genres),
        "seed_artists": _unique(a for _, a in sorted(p.seeds)),
        "exclude_artists": _unique(a for _, a in sorted(p.exclude_artists)),
        "moods": moods,
        "feature_targets": _feature_targets(moods, _unique(p.negated_moods)),
        "query": _query(p),
    }
    fields["format"] = talk.plan(music=bool(fields["genres"] or fields["seed_artists"] or moods))
    return PlaylistSpec(**fields)
