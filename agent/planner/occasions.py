"""Occasions: an activity named after 'before', 'after', 'pre' or 'post' is when the music plays, not what it
is for. "Pumped before my exam" wants hype, not study music; "chill after the gym" wants calm, not a workout.
Such an activity mood is dropped (from the moods and the free-text query) when another mood of the prompt
asks for a clearly different energy; alone, or beside a mood of like energy ("calm my nerves before an
exam"), it stays, since then it says what the music should sound like."""

from __future__ import annotations

from dataclasses import dataclass

from agent.planner import lexicon as lx
from agent.planner.parse import Parse

#: Words after which an activity is the occasion ('before my exam', 'pre-exam', 'ahead of the game').
OCCASION_CUES = (("before",), ("pre",), ("after",), ("post",), ("ahead", "of"), ("prior", "to"))
#: Words that may stand between the cue and the activity ('before my big final exam').
OCCASION_FILLER = frozenset({"my", "the", "a", "an", "our", "this", "that", "his", "her", "their", "your",
                             "tomorrow", "tomorrows", "today", "todays", "tonight", "tonights", "big", "final",
                             "first", "next", "important", "long", "hard", "huge", "school", "college"})
MAX_FILLER = 3  # at most this many filler words between the cue and the activity
#: 'for' is an occasion cue only right after a hype word ('pumped for my exam', 'hyped up for the exam'), as
#: 'energetic music for studying' asks for energetic study music.
AFTER_CUES = frozenset({"after", "post"})
CALM = "chill"  # the mood of a fall ('wind down', 'cool down') asked for after an activity
HYPE_ENERGY = 0.75  # a mood whose energy target is at least this is a hype mood
OCCASION_CLASH = 0.3  # an occasion is dropped when another mood's energy target differs from its own by this much


@dataclass(frozen=True)
class Occasion:
    """An activity mood read as the occasion: the cue's first word and the word after the mood's phrase."""

    mood: str
    cue: int
    end: int


def _energy(mood: str) -> float | None:
    return lx.MOOD_BY_NAME[mood].targets.get("energy")


def _cue_end(p: Parse, i: int) -> int:
    """The word after an occasion cue starting at word i, or 0 when no cue starts there."""
    for cue in OCCASION_CUES:
        if tuple(p.words[i:i + len(cue)]) == cue and p.joined(i, len(cue)) and not p.mood_at(i)[1]:
            return i + len(cue)
    if p.words[i] == "for" and i > 0:
        k = i - 2 if p.words[i - 1] == "up" and i > 1 else i - 1
        mood = p.vocab.moods.get(p.words[k])
        if mood and (_energy(mood) or 0.0) >= HYPE_ENERGY and p.joined(k, i - k + 1):
            return i + 1
    return 0


def occasions(p: Parse) -> list[Occasion]:
    """Activity moods named right after an occasion cue ('pre' in 'pre workout' is part of the mood's own phrase)."""
    found: list[Occasion] = []
    for i in range(len(p.words)):
        j = _cue_end(p, i)
        if not j:
            continue
        skipped = 0
        while j < len(p.words) and p.words[j] in OCCASION_FILLER and skipped < MAX_FILLER and not p.mood_at(j)[1]:
            j, skipped = j + 1, skipped + 1
        n, mood = p.mood_at(j) if j < len(p.words) else (0, None)
        if mood and p.joined(i, j + n - i):
            found.append(Occasion(mood, i, j + n))
    return found


def clashing(moods: list[str], found: list[Occasion]) -> set[str]:
    """The occasion moods to drop: those whose energy differs by OCCASION_CLASH or more from a mood the
    prompt asks for in its own words."""
    named = {o.mood for o in found}
    asked = [e for m in moods if m not in named and (e := _energy(m)) is not None]
    out: set[str] = set()
    for mood in named & set(moods):
        energy = _energy(mood)
        if energy is not None and any(abs(e - energy) >= OCCASION_CLASH for e in asked):
            out.add(mood)
    return out


def drop_occasions(p: Parse, moods: list[str]) -> list[str]:
    """The moods without clashing occasions; their words, cue included, leave the free-text query too (an exam
    is not what the music should sound like)."""
    found = occasions(p)
    if p.fields.get("arc") == "fall" and any(p.words[o.cue] in AFTER_CUES for o in found) and CALM not in moods:
        moods = [*moods, CALM]  # "wind down after the gym": winding down after it is the mood, the gym is when
    gone = clashing(moods, found)
    for o in found:
        if o.mood in gone:
            p.mk.claim(p.spans[o.cue][0], p.spans[o.end - 1][1], drop=True)
    return [m for m in moods if m not in gone]
