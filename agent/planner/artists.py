"""Artist names in prompts: exact, fuzzy and partial matches, lists after cue words, names without a cue."""

from __future__ import annotations

import re

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


NAMED_MIN_TRACKS = 20  # 'kid rock songs': before 'songs' an artist with this many tracks is named
ALONE_MIN_TRACKS = 3  # 'kid cudi' alone: an artist with this many tracks is named
MAX_JOINED_WORDS = 3  # 'baby metal' → BABYMETAL: at most this many prompt words written apart
MIN_JOINED_CHARS = 6  # … spelling at least this many letters together


def artist_joined(p: Parse, i: int) -> tuple[int, str | None]:
    """An artist whose name the prompt writes with other spacing: 'Baby Metal' → BABYMETAL, 'One Republic' →
    OneRepublic (the vocabulary also holds multi-word names with their spaces removed: 'kidbuu' → Kid Buu).
    Only two or more free words of one phrase whose spaced form is not itself a name; see joined_plausible."""
    for n in range(min(MAX_JOINED_WORDS, len(p.words) - i), 1, -1):
        words = p.words[i:i + n]
        if not p.free(i, n) or not p.joined(i, n) or any(w.isdigit() for w in words):
            continue
        key = "".join(words)
        if len(key) >= MIN_JOINED_CHARS and " ".join(words) not in p.vocab.artists and key in p.vocab.artists:
            return n, p.vocab.artists[key]
    return 0, None


def joined_plausible(p: Parse, i: int, n: int, strong: bool) -> bool:
    """Ordinary words run together can spell a name ('pretty much' → PRETTYMUCH, 'time flies' → Timeflies), so
    a name written apart counts only after a strong cue ('songs like baby metal'), with a word too rare to be
    chance ('one republic'), or with every word capitalised ('Baby Metal') where capitals mean something."""
    if strong or not all(w in p.vocab.common for w in p.words[i:i + n]):
        return True
    return capitalised_name(p, i, n)


def capitalised_name(p: Parse, i: int, n: int) -> bool:
    """Words i … i+n-1 are all capitalised, the rest of the prompt is not title case, and the name does not
    merely open a sentence ('Good Morning vibes'), unless the prompt is nothing but the name ('Baby Metal')."""
    if p.prompt.isupper() or not all(_capital(p, k) for k in range(i, i + n)):
        return False
    return not title_case(p, i, n) and (i > 0 or only_name(p, i, n))


def _capital(p: Parse, k: int) -> bool:
    """Word k starts with a capital or a digit ('21 Savage' is written as a name)."""
    first = p.prompt[p.spans[k][0]]
    return first.isupper() or first.isdigit()


def title_case(p: Parse, i: int = 0, n: int = 0) -> bool:
    """More than half of the prompt's words outside i … i+n-1 start with a capital: then capitals say nothing
    about names."""
    caps = [p.prompt[s:s + 1].isupper() for k, (s, _) in enumerate(p.spans) if not i <= k < i + n]
    return sum(caps) > len(caps) / 2


def only_name(p: Parse, i: int, n: int) -> bool:
    """The prompt says nothing but the name ('babymetal', 'play kid buu songs'): every other word is a request
    or a word like 'songs'."""
    return all(w in lx.QUERY_FILLER for k, w in enumerate(p.words) if not i <= k < i + n)


def in_artist_name(p: Parse, start: int, end: int) -> bool:
    """The characters [start, end) lie inside a name the prompt gives ('Kid Cudi', 'Clean Bandit', "Destiny's
    Child", 'Three Days Grace'): a kids, clean or number word there is part of the name, not a content policy
    or a count. The name must be a catalog artist of two or more words that reaches beyond those characters
    and is plausibly meant: a word outside them too rare to be chance ('kid buu'), every word capitalised
    ('Kid Rock'), a strong cue before it ('songs like kid rock'), a following 'songs' when the artist is well
    represented, or a prompt that is nothing but the name of an artist with a few tracks ('kid cudi'; 'family
    and friends' stays a family)."""
    first, last = p.word_at(start), p.word_at(end) - 1
    for i in range(max(0, first - MAX_ARTIST_WORDS + 1), first + 1):
        for n in range(min(MAX_ARTIST_WORDS, len(p.words) - i), 1, -1):
            key = " ".join(p.words[i:i + n])
            if i + n <= last or key not in p.vocab.artists or not p.joined(i, n):
                continue
            outside = [w for k, w in enumerate(p.words[i:i + n], i) if not first <= k <= last]
            if not outside:
                continue  # 'nursery rhymes' is all kids words: the name says what the music is for
            tracks = p.vocab.artist_tracks[key]
            suffix = i + n < len(p.words) and p.words[i + n] in lx.ARTIST_SUFFIX and tracks >= NAMED_MIN_TRACKS
            alone = only_name(p, i, n) and tracks >= ALONE_MIN_TRACKS
            if (any(w not in p.vocab.common for w in outside) or capitalised_name(p, i, n) or suffix or alone
                    or strong_cue_before(p, i)):
                return True
    return False


def strong_cue_before(p: Parse, i: int) -> bool:
    """A strong artist cue ('songs like', 'similar to', 'by') ends right before word i (a 'the' between is fine)."""
    text = p.mk.text[:p.spans[i][0]]
    return re.search(rf"(?<![a-z0-9])(?:{lx.ARTIST_STRONG})\s+(?:the\s+)?$", text) is not None


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
    j, joined = artist_joined(p, i + lead)
    if joined and j > n and joined_plausible(p, i + lead, j, strong):
        n, name = j, joined
    if not name:
        n, name = _artist_fuzzy(p, i + lead, min_words=1 if strong else 2)
    if not name and i + lead < len(p.words) and p.free(i + lead):
        word = p.words[i + lead]
        name = p.vocab.partial.get(word)
        ordinary = word in p.vocab.common and word not in p.vocab.famous_partial
        n = 1 if name and (not ordinary or (strong and p.capitalised(i + lead))) else 0
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
            j = p.word_at(m.end())
            if not artist_list(p, j, strong, p.seeds, drop=False) and strong:
                unknown_name(p, j)
    for i in range(len(p.words)):
        n, name = artist_exact(p, i) if p.free(i) else (0, None)
        j, joined = artist_joined(p, i)
        if joined and j > n and joined_plausible(p, i, j, strong=False):
            n, name = j, joined
        if not name and p.free(i) and (part := _partial_without_cue(p, i)):
            n, name = 1, part
        elif name and not _named_without_cue(p, i, n):
            name = None
        if name:
            p.claim(i, n, drop=False)
            p.seeds.append((i, name))
            if i + n < len(p.words) and (p.words[i + n] in SEPARATORS or "," in p.gap(i + n)):
                artist_list(p, i + n + (p.words[i + n] in SEPARATORS), False, p.seeds, drop=False)


MAX_UNKNOWN_WORDS = 3


def unknown_name(p: Parse, j: int) -> None:
    """After a strong cue ('songs like Meredith Brooks'), two or three capitalised words in a prompt that is not
    title case, none a genre, mood or ordinary word, and no catalog name: an artist the catalog does not hold.
    Kept to be told, and left out of the search (its words would find namesakes: Brooks & Dunn)."""
    n = 0
    while (n < MAX_UNKNOWN_WORDS and j + n < len(p.words) and p.free(j + n) and p.joined(j, n + 1)
           and _capital(p, j + n) and p.words[j + n].isalpha()):
        n += 1
    if n < 2 or title_case(p, j, n) or p.prompt.isupper():
        return
    words = p.words[j:j + n]
    if all(w in p.vocab.common for w in words) or any(p.genre_at(k)[1] or p.mood_at(k)[1] for k in range(j, j + n)):
        return
    start, end = p.spans[j][0], p.spans[j + n - 1][1]
    p.unknown_artists.append(p.prompt[start:end])
    p.claim(j, n, drop=True)


def _partial_without_cue(p: Parse, i: int) -> str | None:
    """A first or last name alone ('gaga and beyonce', 'kanye and jay-z'): its artist, when the word is rare in
    titles (or far more often the artist's), no genre or mood reads there and no longer unknown name ends in it."""
    word = p.words[i]
    name = p.vocab.partial.get(word)
    if not name or (word in p.vocab.common and word not in p.vocab.famous_partial):
        return None
    if p.genre_at(i)[0] or p.mood_at(i)[0] or tail_of_unknown(p, i):
        return None
    suffix = i + 1 < len(p.words) and p.words[i + 1] in lx.ARTIST_SUFFIX - SEPARATORS
    return name if suffix or p.capitalised(i) or only_name(p, i, 1) or _listed_with_artist(p, i) else None


def _listed_with_artist(p: Parse, i: int) -> bool:
    """Word i is followed by 'and' or 'or' and a name the catalog holds ('gaga and beyonce'); a name before it
    already reads the list on ('beyonce and gaga')."""
    if not (i + 2 < len(p.words) and p.words[i + 1] in SEPARATORS):
        return False
    if any(k == i + 2 for k, _ in p.seeds):  # read already, after the 'and'
        return True
    n, name = artist_exact(p, i + 2)
    return bool(name) and not all(w in p.vocab.common for w in p.words[i + 2:i + 2 + n])


def _named_without_cue(p: Parse, i: int, n: int) -> bool:
    """A name with no cue word: rare words, a following 'songs'/'vibes', every word capitalised, or a prompt
    that says nothing else. Not the last word of a longer unknown name ('Meredith Brooks' is not Brooks)."""
    if p.genre_at(i)[0] >= n or p.mood_at(i)[0] >= n or tail_of_unknown(p, i):
        return False
    words = p.words[i:i + n]
    spaced = " ".join(words)
    tracks = p.vocab.artist_tracks[spaced if spaced in p.vocab.artists else "".join(words)]  # or written apart
    suffix = i + n < len(p.words) and p.words[i + n] in lx.ARTIST_SUFFIX
    rare = not all(w in p.vocab.common for w in words) and len("".join(words)) >= 3
    if rare and (tracks >= (2 if n > 1 else 3) or only_name(p, i, n)):
        return True
    if n > 1 and tracks >= ALONE_MIN_TRACKS and only_name(p, i, n):
        return True  # 'kid cudi', 'louis the child': nothing but the name
    if suffix and (p.capitalised(i) or tracks >= NAMED_MIN_TRACKS):
        return True
    return n > 1 and capitalised_name(p, i, n)


def tail_of_unknown(p: Parse, i: int) -> bool:
    """Word i follows a free, rare word of the same phrase: a longer name the catalog does not hold ('Meredith
    Brooks' when only the DJ Brooks is known), whose last word alone would name someone else."""
    if i == 0 or not p.free(i - 1) or not p.joined(i - 1, 2):
        return False
    word = p.words[i - 1]
    return word.isalpha() and len(word) >= 3 and word not in p.vocab.common
