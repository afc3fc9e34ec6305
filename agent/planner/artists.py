"""Artist names in prompts: exact, fuzzy and partial matches, lists after cue words, names without a cue."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from agent.planner import lexicon as lx
from agent.planner.parse import SEPARATORS, Parse
from agent.planner.vocab import MAX_ARTIST_WORDS


def artist_exact(p: Parse, i: int) -> tuple[int, str | None]:
    stop = len(p.words)
    for n in range(min(MAX_ARTIST_WORDS, stop - i), 0, -1):
        if not p.free(i, n):
            continue
        display = p.vocab.artists.get(" ".join(p.words[i:i + n]))
        if display:
            return n, display
    return 0, None


def _artist_fuzzy(p: Parse, i: int, min_words: int = 1) -> tuple[int, str | None]:
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


def _plausible(p: Parse, i: int, n: int, strong: bool) -> bool:
    """Common words ('future', 'the national') count as a name only after a strong cue, before 'songs' /
    'type', when capitalised, or (several words) when the artist is well represented in the catalog."""
    words = p.words[i:i + n]
    if not all(w in p.vocab.common for w in words):
        return True
    tracks = p.vocab.artist_tracks[" ".join(words)]
    strong = strong or (i + n < len(p.words) and p.words[i + n] in lx.ARTIST_SUFFIX - {"and", "or"})
    return p.capitalised(i) or (strong and tracks >= 10) or (n > 1 and tracks >= 3)


def artist_at(p: Parse, i: int, strong: bool) -> tuple[int, str | None]:
    """An artist named at word i (a leading 'the' is skipped), unless a genre or mood reads there better."""
    if i >= len(p.words) or not p.free(i):
        return 0, None
    lead = 1 if p.words[i] == "the" and i + 1 < len(p.words) else 0
    n, name = artist_exact(p, i + lead)
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


def artist_list(p: Parse, j: int, strong: bool, into: list[tuple[int, str]], drop: bool) -> int:
    """Artists from word j on, joined by commas / 'and' / 'or'; returns how many were read."""
    found = 0
    while j < len(p.words):
        n, name = artist_at(p, j, strong)
        if not name:
            break
        p.claim(j, n, drop)
        into.append((j, name))
        found += 1
        j += n
        if j < len(p.words) and p.words[j] in SEPARATORS | {"others"}:
            j += 1
        elif not (j < len(p.words) and ("," in p.gap(j) or "/" in p.gap(j) or "&" in p.gap(j))):
            break
    return found


def artist_cues(p: Parse) -> None:
    for pattern, strong in ((lx.ARTIST_STRONG, True), (lx.ARTIST_WEAK, False)):
        for m in p.mk.find(pattern, claim=False):
            artist_list(p, p.word_at(m.end()), strong, p.seeds, drop=False)
    for i in range(len(p.words)):
        n, name = artist_exact(p, i) if p.free(i) else (0, None)
        if name and _named_without_cue(p, i, n):
            p.claim(i, n, drop=False)
            p.seeds.append((i, name))
            if i + n < len(p.words) and (p.words[i + n] in SEPARATORS or "," in p.gap(i + n)):
                artist_list(p, i + n + (p.words[i + n] in SEPARATORS), False, p.seeds, drop=False)


def _named_without_cue(p: Parse, i: int, n: int) -> bool:
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
