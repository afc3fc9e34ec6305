"""Per-catalog vocabularies for the offline planner: genre terms, artist names, mood phrases, common words.

Built once per Catalog object (cached weakly) so parsing a prompt is a handful of dict look-ups and,
only after an artist cue word, one bounded fuzzy search."""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from agent.planner.lexicon import GENRE_ALIASES, GENRE_BLOCK, GENRE_TERMS, MOODS, NUMBER_WORDS, QUERY_FILLER
from tools.catalog import Catalog
from tools.normalize import fold, norm_artist

_WORD = re.compile(r"[a-z0-9]+")
#: Genre names containing these words are left to the mood lexicon ('chill beats', 'focus beats').
_MOOD_CLASH = frozenset({"chill", "sleep", "focus", "study", "party", "calming", "relaxing", "workout", "meditation"})
MAX_GENRE_WORDS = 4
MAX_ARTIST_WORDS = 5
COMMON_TITLE_COUNT = 3
TYPO_MIN_TRACKS = 50
PARTIAL_MIN_TRACKS = 5
#: A first or last name that is also a title word still names its artist when the artist has this many tracks
#: and this many times more tracks than titles holding the word ('kanye': 136 Kanye West tracks, 3 titles).
FAMOUS_MIN_TRACKS, FAMOUS_RATIO = 50, 25


@dataclass
class Vocab:
    """Everything the parser looks up, keyed by folded word sequences ('r b' for 'r&b')."""

    genres: dict[str, str] = field(default_factory=dict)
    moods: dict[str, str] = field(default_factory=dict)
    artists: dict[str, str] = field(default_factory=dict)
    artist_tracks: Counter = field(default_factory=Counter)
    common: frozenset[str] = frozenset()
    fuzzy_artists: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    typo_words: list[str] = field(default_factory=list)
    partial: dict[str, str] = field(default_factory=dict)
    famous_partial: frozenset[str] = frozenset()
    max_year: int = 2020
    mood_words: int = 1

    def genre_at(self, words: list[str], i: int, stop: int | None = None) -> tuple[int, str | None]:
        return longest(words, i, self.genres, MAX_GENRE_WORDS, stop)

    def mood_at(self, words: list[str], i: int, stop: int | None = None, min_n: int = 1) -> tuple[int, str | None]:
        return longest(words, i, self.moods, self.mood_words, stop, min_n)

    def correct(self, word: str) -> str | None:
        """A typo of a genre or mood word ('countyr', 'stuyding') → that word; None when not a likely typo."""
        if len(word) < 6 or word in self.common or word in self.genres or word in self.moods or word.isdigit():
            return None
        cutoff = 1 if len(word) < 9 else 2
        hit = process.extractOne(word, self.typo_words, scorer=DamerauLevenshtein.distance, score_cutoff=cutoff)
        return hit[0] if hit and hit[0][0] == word[0] else None


def longest(words: list[str], i: int, table: dict[str, str], max_n: int, stop: int | None = None,
            min_n: int = 1) -> tuple[int, str | None]:
    """Longest n-gram starting at word i found in the table → (length, value), (0, None) when none."""
    end = min(len(words) if stop is None else stop, i + max_n)
    for n in range(end - i, min_n - 1, -1):
        value = table.get(" ".join(words[i:i + n]))
        if value is not None:
            return n, value
    return 0, None


def _columns(catalog: Catalog) -> tuple[list[str], list[list[str]]]:
    """Titles and artist lists, read from the column store when the catalog has one (no Track objects)."""
    text = getattr(catalog.tracks, "text", None)
    if isinstance(text, dict) and "title" in text and "artists" in text:
        return text["title"], text["artists"]
    tracks = list(catalog.tracks)
    return [t.title for t in tracks], [list(t.artists) for t in tracks]


def _genre_table(catalog: Catalog) -> dict[str, str]:
    table: dict[str, str] = {}
    padded = [f" {fold(g)} " for g in catalog.genres]
    for genre, key in zip(catalog.genres, padded, strict=True):
        words = key.split()
        if genre in GENRE_BLOCK or len(words) > MAX_GENRE_WORDS or _MOOD_CLASH & set(words):
            continue
        if any(ch.isdigit() for ch in key):
            continue
        table.setdefault(key.strip(), genre)

    def known(term: str) -> bool:
        needle = f" {fold(term)} "
        return any(needle in g for g in padded)

    for term in GENRE_TERMS:
        if known(term):
            table.setdefault(fold(term), term)
    for alias, term in GENRE_ALIASES.items():
        if known(term):
            table[fold(alias)] = term
    return table


def _mood_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for mood in MOODS:
        for phrase in mood.phrases:
            table.setdefault(fold(phrase.replace("'", "")), mood.name)
    return table


def _artist_tables(artist_lists: list[list[str]]) -> tuple[dict[str, str], Counter]:
    primary = Counter(arts[0] for arts in artist_lists if arts)
    table: dict[str, str] = {}
    tracks: Counter = Counter()
    for display in dict.fromkeys(a for arts in artist_lists for a in arts):
        key = norm_artist(display)
        if not key:
            continue
        table.setdefault(key, display)
        tracks[key] += primary.get(display, 0)
        if "&" in display or "+" in display:
            table.setdefault(norm_artist(display.replace("&", " and ").replace("+", " and ")), display)
        for part in _credit_parts(display):
            table.setdefault(norm_artist(part), part)
            tracks[norm_artist(part)] += primary.get(display, 0)
        if " s " in key:  # "Destiny's Child": the prompt's "destiny's" reads as 'destiny'
            table.setdefault(key.replace(" s ", " "), display)
            tracks[key.replace(" s ", " ")] = tracks[key]
        compact = key.replace(" ", "")
        if " " in key and len(compact) >= 4:
            table.setdefault(compact, display)
            tracks[compact] = tracks[key]
    return table, tracks


_CREDIT_SPLIT = re.compile(r"\s*(?:,|&|\+|\bfeat\.?|\bft\.?|\bfeaturing\b)\s*", re.I)


def _credit_parts(display: str) -> list[str]:
    """The names inside a combined credit ('Bob Marley & The Wailers' → 'Bob Marley', 'The Wailers')."""
    parts = [p.strip() for p in _CREDIT_SPLIT.split(display)]
    return [p for p in parts if len(norm_artist(p)) >= 3] if len(parts) > 1 else []


def _partial_names(artists: dict[str, str], tracks: Counter, taken: set[str]) -> dict[str, str]:
    """First or last word of a well-represented multi-word name → that artist ('kendrick' → Kendrick Lamar),
    when one artist clearly owns the word."""
    owners: dict[str, list[tuple[int, str]]] = {}
    for key, display in artists.items():
        words = key.split()
        if len(words) < 2 or tracks[key] < PARTIAL_MIN_TRACKS:
            continue
        for word in {words[0], words[-1]}:
            if len(word) >= 4 and word not in taken and word not in artists:
                owners.setdefault(word, []).append((tracks[key], display))
    out: dict[str, str] = {}
    for word, found in owners.items():
        found = sorted(set(found), reverse=True)
        if len(found) == 1 or found[0][0] >= 3 * found[1][0]:
            out[word] = found[0][1]
    return out


def _title_counts(titles: list[str]) -> Counter:
    """How many song titles (before any bracket or dash) hold each word."""
    counts: Counter = Counter()
    for title in titles:
        counts.update(set(_WORD.findall(title.lower().split(" (")[0].split(" - ")[0])))
    return counts


def _famous_partial(partial: dict[str, str], tracks: Counter, counts: Counter) -> frozenset[str]:
    """Partial names that are title words too, yet far more often their artist ('kanye', 'cudi', 'wayne')."""
    out = set()
    for word, display in partial.items():
        n = tracks[norm_artist(display)]
        if counts[word] >= COMMON_TITLE_COUNT and n >= FAMOUS_MIN_TRACKS and n >= FAMOUS_RATIO * counts[word]:
            out.add(word)
    return frozenset(out)


def _common_words(counts: Counter, genres: dict[str, str], moods: dict[str, str]) -> frozenset[str]:
    """Words too ordinary to be read as an artist without a cue: frequent in song titles, or vocabulary."""
    common = {w for w, n in counts.items() if n >= COMMON_TITLE_COUNT}
    for key in list(genres) + list(moods) + list(NUMBER_WORDS):
        common.update(key.split())
    return frozenset(common | QUERY_FILLER)


def build_vocab(catalog: Catalog) -> Vocab:
    genres, moods = _genre_table(catalog), _mood_table()
    titles, artist_lists = _columns(catalog)
    artists, tracks = _artist_tables(artist_lists)
    counts = _title_counts(titles)
    common = _common_words(counts, genres, moods)
    fuzzy: dict[tuple[int, str], list[str]] = {}
    for key in artists:
        fuzzy.setdefault((len(key.split()), key[0]), []).append(key)
    typo = sorted({k for k in moods if " " not in k and len(k) >= 5}
                  | {k for k, g in genres.items() if " " not in k and len(k) >= 5 and catalog.genre_count(g) >= TYPO_MIN_TRACKS}
                  | {k for k in genres if k in GENRE_TERMS or k in GENRE_ALIASES})
    years = [y for y in catalog.year.tolist() if y] if len(catalog) else []
    taken = set(QUERY_FILLER) | {w for k in list(genres) + list(moods) for w in k.split()}
    partial = _partial_names(artists, tracks, taken)
    return Vocab(genres=genres, moods=moods, artists=artists, artist_tracks=tracks, common=common,
                 partial=partial, famous_partial=_famous_partial(partial, tracks, counts),
                 fuzzy_artists={n: sorted(v) for n, v in fuzzy.items()}, typo_words=typo,
                 max_year=max(years) if years else 2020, mood_words=max(len(k.split()) for k in moods))


_cache: weakref.WeakKeyDictionary[Catalog, Vocab] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def vocab_for(catalog: Catalog) -> Vocab:
    """The catalog's vocabulary, built on first use and kept as long as the catalog lives."""
    with _lock:
        vocab = _cache.get(catalog)
        if vocab is None:
            vocab = _cache[catalog] = build_vocab(catalog)
        return vocab
