"""The deterministic offline planner: free text → PlaylistSpec, no network.

Phrases are read in a fixed order, each claiming the characters it used: content policy and narration
words, then numbers (per-track and total length, counts, BPM, years), arcs, discovery and taste,
negated lists ("no country or rap", "without Drake"), artist cues ("like Phoebe Bridgers"), genres and
moods. What is left, minus requests and politeness, becomes the free-text query for semantic search."""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.models import FEATURES, PlaylistSpec
from agent.planner import lexicon as lx
from agent.planner.artists import artist_at, artist_cues, in_artist_name
from agent.planner.formats import read_format
from agent.planner.occasions import drop_occasions
from agent.planner.parse import SEPARATORS, Parse
from agent.planner.quantities import OLDIES_END, Marker, bpm, counts, durations, normalise, oldies, years
from agent.planner.vocab import MAX_GENRE_WORDS, vocab_for
from agent.planner.wishes import artist_eras, instrumental_rule, only_cued, only_trailing
from tools.catalog import Catalog

FAMILIAR, NEUTRAL, DISCOVER = 0.15, 0.5, 0.85


# --------------------------------------------------------------------------- phrase passes

#: Moods that say where the listener wants to get to: beside 'sad' (the state they are in) they set the sound.
GOAL_MOODS = frozenset({"happy", "empowering"})


def _policy_and_narration(p: Parse) -> None:
    """Explicit-content, kids/family and narration words; "clean" as a verb (chores) or inside an artist's name
    ('Kid Cudi', 'Clean Bandit') is not a content policy."""
    mk = p.mk
    allow = any(True for _ in mk.find(lx.EXPLICIT_ALLOW))
    for pattern, style in ((lx.NARRATION_NONE, "none"), (lx.NARRATION_BRIEF, "brief"), (lx.NARRATION_RADIO, "radio")):
        if any(True for _ in mk.find(pattern)) and "narration" not in p.fields:
            p.fields["narration"] = style
    for _ in mk.find(lx.CLEAN_VERB, drop=False):
        p.moods.append("chores")
    if any(not in_artist_name(p, m.start(), m.end()) for m in mk.find(lx.KIDS, claim=False)):
        p.fields["kid_safe"] = True
    clean = [m for m in mk.find(lx.EXPLICIT_EXCLUDE, claim=False) if not in_artist_name(p, m.start(), m.end())]
    for m in clean:  # 'Kid Cudi', 'Clean Bandit': a name, not a policy
        mk.claim(m.start(), m.end())
    if clean or p.fields.get("kid_safe"):
        p.fields["explicit"] = "exclude"
    elif allow:
        p.fields["explicit"] = "allow"


def _shape(p: Parse) -> None:
    """Energy arc, familiar vs discovery, and how much the listener's taste counts."""
    found: dict[str, int] = {}
    for arc, pattern in lx.ARC_PATTERNS:
        for m in p.mk.find(pattern):
            found.setdefault(arc, m.start())
    if "rise" in found and "fall" in found and not found.keys() & {"peak", "wave"}:
        found = {"peak" if found["rise"] < found["fall"] else "wave": 0}  # 'builds to a peak, then winds down'
    if found:
        p.fields["arc"] = next(arc for arc, _ in lx.ARC_PATTERNS if arc in found)
    high = any(True for _ in p.mk.find(lx.DISCOVERY_HIGH))
    high = any(True for _ in p.mk.find(lx.DISCOVERY_HIGH_SOFT, claim=False)) or high
    low = any(True for _ in p.mk.find(lx.DISCOVERY_LOW)) or p.flags.get("familiar", False)
    if high != low:
        p.fields["discovery"] = DISCOVER if high else FAMILIAR
    taste_low = any(True for _ in p.mk.find(lx.TASTE_LOW))
    taste_high = any(True for _ in p.mk.find(lx.TASTE_HIGH))
    if taste_high != taste_low:
        p.fields["taste_weight"] = DISCOVER if taste_high else FAMILIAR


def _tempo_words(p: Parse) -> None:
    """'fast', 'slow', 'mid-tempo', 'chill tempo' → a soft tempo band, unless the prompt gives a number.
    The words stay readable as moods ('fast' is also energetic); "not too fast" keeps only the open side."""
    if any(p.fields.get(f) is not None for f in ("tempo_min", "tempo_max", "tempo_target")):
        return
    for pattern, low, high in lx.TEMPO_WORDS:
        for m in p.mk.find(pattern, claim=False):
            if re.search(lx.TEMPO_NEGATION, p.mk.text[max(0, m.start() - 24):m.start()]):
                low, high = (None, low) if low and low >= 110 else (high, None)
            p.fields.update(tempo_soft_min=low, tempo_soft_max=high)
            return


# --------------------------------------------------------------------------- negations

def _negated_item(p: Parse, j: int, kind: str | None) -> tuple[int, str]:
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
    a, artist = artist_at(p, j, strong=True) if kind in (None, "artist") else (0, None)
    if artist:
        p.claim(j, a, drop=True)
        p.exclude_artists.append((j, artist))
    return a, "artist"


_NEGATED_TAIL = frozenset({"music", "songs", "tracks", "stuff", "please", "at", "all", "type", "style"})


def _negations(p: Parse) -> None:
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
            elif j < len(p.words) and (p.words[j] in SEPARATORS or "," in p.gap(j)):
                j, kind = j + (p.words[j] in SEPARATORS), read
            else:
                break
        if end:
            p.mk.claim(m.start(), end, drop=True)


# --------------------------------------------------------------------------- genres and moods

def _negative_phrase_moods(p: Parse) -> None:
    """Mood phrases that look like negations ('no vocals', 'without lyrics') are moods, read first."""
    for i, word in enumerate(p.words):
        if word in ("no", "without"):
            n, mood = p.mood_at(i, min_n=2)
            if mood and p.free(i, n):
                p.claim(i, n, drop=False)
                p.moods.append(mood)


def _genres_and_moods(p: Parse) -> None:
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
        fixed = None if mood or (p.capitalised(i) and not _shouted(p, i)) else p.vocab.correct(word)
        if mood:
            p.claim(i, 1, drop=False)
            p.moods.append(mood)
        elif fixed:
            p.claim(i, 1, drop=False)
            if fixed in p.vocab.moods:
                p.moods.append(p.vocab.moods[fixed])
            else:
                p.genres.append(p.vocab.genres[fixed])


def _shouted(p: Parse, i: int) -> bool:
    """Word i is written in capitals ('its CHRISMAS SEASON'): loud, not a name, so a typo there is corrected."""
    start, end = p.spans[i]
    return len(p.prompt[start:end]) >= 6 and p.prompt[start:end].isupper()


CLASSIC_WORDS = frozenset({"classic", "classics"})


def _genre_ending_at(p: Parse, i: int) -> str | None:
    """The genre whose phrase ends right before word i ('old school hip hop' in 'old school hip hop classics')."""
    for k in range(max(0, i - MAX_GENRE_WORDS), i):
        n, genre = p.genre_at(k)
        if genre and k + n == i and p.joined(k, n + 1):
            return genre
    return None


def _classics(p: Parse, genres: list[str]) -> bool:
    """'country classics', 'classic hip hop', 'classic country', 'old school r&b': the asked genre's older songs
    (a soft lean).
    A catalog genre that carries the word ('classic rock', 'classic soul') is its own genre, not a lean."""
    for i, word in enumerate(p.words):
        if word == "old" and p.words[i + 1:i + 2] == ["school"] and not p.genre_at(i)[1]:  # 'old school r&b'
            if i + 2 < len(p.words) and p.genre_at(i + 2)[1] in genres:
                return True
        if word not in CLASSIC_WORDS:
            continue
        n, own = p.genre_at(i)
        if own:  # 'classic country' is read as country; 'classic rock' is a genre of its own
            if "classic" not in own and own in genres:
                return True
            continue
        after = p.genre_at(i + 1)[1] if word == "classic" and i + 1 < len(p.words) and p.joined(i, 2) else None
        if after in genres or _genre_ending_at(p, i) in genres:
            return True
    return False


CALM_ENERGY = 0.35  # a mood whose energy target is at most this is calm (chill, study, sleep; not night)


def _storm_as_weather(moods: list[str]) -> list[str]:
    """'Thunderstorm reading music': beside a calm mood a storm is the weather outside, read as rain; alone
    ('songs that sound like a thunderstorm feels') it is the music's own storm."""
    calm = any((lx.MOOD_BY_NAME[m].targets.get("energy") or 1.0) <= CALM_ENERGY for m in moods)
    if "stormy" not in moods or not calm:
        return moods
    return _unique("rainy" if m == "stormy" else m for m in moods)


def _feature_targets(moods: list[str], negated: list[str]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for name in moods:
        for feature, value in lx.MOOD_BY_NAME[name].targets.items():
            sums.setdefault(feature, []).append(value)
    for name in negated:
        for feature, value in lx.MOOD_BY_NAME[name].targets.items():
            sums.setdefault(feature, []).append((1 - value + 0.5) / 2)
    return {f: round(sum(v) / len(v), 2) for f, v in sums.items() if f in FEATURES}


def _query(p: Parse) -> str:
    kept = [w for w, (s, e) in zip(p.words, p.spans, strict=True)
            if not any(p.mk.dropped[s:e]) and w not in lx.QUERY_FILLER]
    return " ".join(kept)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse_prompt(prompt: str, catalog: Catalog) -> PlaylistSpec:
    """Read a free-text prompt into a PlaylistSpec (deterministic, no network, a few milliseconds)."""
    vocab = vocab_for(catalog)
    p = Parse(prompt=prompt, mk=Marker(normalise(prompt)), vocab=vocab)
    p.tokenise()
    talk = read_format(p.mk)  # talk phrases first: their words never reach the music fields
    old = oldies(p.mk)  # before the family words: 'songs my grandparents danced to' is also an era
    _policy_and_narration(p)
    durations(p.mk, p.fields)
    bpm(p.mk, p.fields)
    artist_eras(p, catalog)  # before plain years: the album '1989' is not the year 1989
    years(p.mk, p.fields, vocab.max_year)
    if old and "year_min" not in p.fields and "year_max" not in p.fields:
        p.fields["year_max"] = OLDIES_END
    counts(p.mk, p.fields, p.flags, in_name=lambda start, end: in_artist_name(p, start, end))
    _shape(p)
    _tempo_words(p)
    _negative_phrase_moods(p)
    only = only_cued(p)
    _negations(p)
    artist_cues(p)
    only += only_trailing(p)
    _genres_and_moods(p)
    excluded = set(p.exclude_genres)
    moods = _unique(m for m in p.moods if m not in p.negated_moods)
    if "sad" in moods and GOAL_MOODS.intersection(moods):
        moods.remove("sad")  # "cheer me up when I'm down", "breakup songs but empowering": the goal is the mood
    moods = drop_occasions(p, moods)  # "pumped before my exam": the exam is when, not what
    moods = _storm_as_weather(moods)
    genres = _unique(g for g in p.genres if g not in excluded)
    fields = p.fields | {
        "genres": genres,
        "exclude_genres": _unique(p.exclude_genres),
        "seed_artists": _unique(a for _, a in sorted(p.seeds)),
        "unknown_artists": _unique(p.unknown_artists),
        "exclude_artists": _unique(a for _, a in sorted(p.exclude_artists)),
        "only_artists": _unique(a for _, a in sorted(only)),
        "instrumental": instrumental_rule(p, moods),
        "moods": moods,
        "classics": _classics(p, genres),
        "feature_targets": _feature_targets(moods, _unique(p.negated_moods)),
        "query": _query(p),
    }
    # named music asks for songs beside the talk; a mood or an occasion ('for my commute') fits either
    named = fields["genres"] or fields["seed_artists"] or fields["only_artists"] or fields.get("tempo_min") \
        or fields.get("tempo_max")
    fields["format"] = talk.plan(music=bool(named))
    return PlaylistSpec(**fields)
