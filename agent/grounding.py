"""Groundedness of narration: the fact sheet of a playlist, and a checker that finds every track, artist, year and
number a text names and verifies each against that sheet (used on model-written narration before it is shown)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, Field

from agent.models import PlaylistSpec, Track
from agent.narration_facts import SetSummary, summarize
from agent.speech import spoken_title
from tools.moods import mood_words
from tools.normalize import base_title, fold

MAX_CHARS = 600
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG = re.compile(r"<[^>]{0,200}>")
# each kind of quote pairs with its own closing mark, scanning left to right: the closing quote of one title
# never opens the text up to the next title
_QUOTED = re.compile(r"“([^“”]{1,80})”|«([^«»]{1,80})»|\"([^\"]{1,80})\"|(?<![\w])['‘]([^'‘’]{2,60})['’](?![\w])")
_CONNECT = r"(?:of|the|de|la|le|del|da|von|van|y|&|n'|and the)"
_CAP_WORD = r"[A-Z](?:[\w'’-]|\.(?=\w))*"  # dots only inside a word (N.W.A), never ending one
_CAP_SPAN = re.compile(rf"\b{_CAP_WORD}(?:\s+(?:{_CONNECT}\s+)?{_CAP_WORD})*")
_NUMBER = re.compile(r"(?<![\w.])['‘’]?(\d{1,4})(s)?(?:[.,]\d+)?(?![\w])", re.I)
_NOT_NARRATION = re.compile(r"as an ai|language model|need more steps|i cannot|i can't help|```", re.I)
PLACEHOLDER = "\u2063"  # invisible separator standing in for a verified name

COMMON = set("""
a about after again ahead all alright also and another any anyway are as at back be before being better big bit both
bring but by call can carry catch close closing come comes coming could cut day deeper do does down each easy end
enjoy even ever every everyone evening feel few finally first for forward from fresh friends get give go goes going
good great grab had hand has have he hear heard here hold how i if in into it its just keep kick kicking last later
lean let lets let's letting lift like listen little long look lot make many more morning most much my next nice night
no not now of off ok okay on once one only or our out over perfect plenty poor pretty proper put quick quite ready
right round same say see set she short since slow so some something soon start starting stay still straight such
sure take taking than thanks that that's the their them then there these they thing this those through time to
today together tonight too track tracks turn two up us very wait want was way we we're we've welcome well what
when where which while who why will with without wrap yeah yes yet you you're your
hello hi hey alright right okay ladies folks listeners listener everybody dj bpm segue
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december spring summer autumn fall winter
""".split())


class TrackFact(BaseModel):
    position: int
    title: str
    artists: list[str]
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    bpm: int = Field(description="Rounded tempo; 0 when no beat is detected or the tempo is only estimated from an "
                                 "owned file (never stated as fact).")
    moods: list[str] = Field(default_factory=list, description="Mood words derived from the audio features.")


class FactSheet(BaseModel):
    """Everything narration may mention. Names and numbers outside this sheet are ungrounded."""

    prompt: str
    count: int
    minutes: int = Field(description="Total length, rounded to the minute.")
    arc: str | None = None
    moods: list[str] = Field(default_factory=list, description="Mood and activity words recognised in the prompt.")
    genres: list[str] = Field(default_factory=list, description="Genres asked for.")
    listener_genres: list[str] = Field(default_factory=list, description="The listener's top genres.")
    summary: SetSummary | None = Field(None, description="The set as a whole: leading genres, era, tempo range and "
                                       "energy shape, all derived from the tracks.")
    tracks: list[TrackFact]

    def names(self) -> list[str]:
        out = [self.prompt, *self.moods, *self.genres, *self.listener_genres]
        for t in self.tracks:
            out += [t.title, base_title(t.title), spoken_title(t.title), *t.artists, *t.genres, *t.moods]
        out += self.summary.genres if self.summary else []
        return [n for n in dict.fromkeys(out) if n and n.strip()]

    def numbers(self) -> set[int]:
        ok = set(range(0, self.count + 1)) | {self.minutes - 1, self.minutes, self.minutes + 1}
        ok |= {int(x) for x in re.findall(r"\d+", self.prompt)}
        for t in self.tracks:
            ok |= {t.bpm - 1, t.bpm, t.bpm + 1} if t.bpm else set()
        return ok

    def years(self) -> set[int]:
        return {t.year for t in self.tracks if t.year} | {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", self.prompt)}


class GroundingReport(BaseModel):
    ok: bool
    problems: list[str] = Field(default_factory=list, description="Each ungrounded name or number, quoted.")


def build_facts(tracks: list[Track], spec: PlaylistSpec, prompt: str, listener_genres: list[str]) -> FactSheet:
    return FactSheet(
        prompt=prompt.strip()[:300], count=len(tracks), minutes=round(sum(t.duration_ms for t in tracks) / 60000),
        arc=spec.arc, moods=list(spec.moods), genres=list(spec.genres), listener_genres=listener_genres,
        summary=summarize(tracks),
        tracks=[TrackFact(position=n, title=t.title, artists=list(t.artists), year=t.year, genres=list(t.genres[:3]),
                          bpm=round(t.tempo) if t.features_from == "catalog" else 0,
                          moods=mood_words(t) if t.features_from == "catalog" else [])
                for n, t in enumerate(tracks, 1)],
    )


def plain_text(text: Any) -> str:
    """Narration as plain text: no control or escape sequences, no markup, one line, bounded length."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _TAG.sub(" ", _CONTROL.sub(" ", text)).replace("*", "").replace("#", "").replace("`", "")
    return " ".join(text.split())[:MAX_CHARS]


def _deaccent(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def mask_known(text: str, facts: FactSheet) -> str:
    """Replace every verified name (longest first, case and accent insensitive) with a placeholder."""
    out = _deaccent(text)
    for name in sorted(facts.names(), key=len, reverse=True):
        words = _deaccent(name).split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?:['’]s|(?<=[sSzZ])['’])?(?!\w)"
        tail = name.rstrip()[-1] if name.rstrip()[-1] in ".!?…" else ""  # "Gary Clark Jr." may end a sentence
        out = re.sub(pattern, PLACEHOLDER + tail, out, flags=re.I)
    return out


def check(text: str, facts: FactSheet) -> GroundingReport:
    """Every quoted or capitalised name, year, decade and number in `text` must come from the fact sheet."""
    problems: list[str] = []
    if _NOT_NARRATION.search(text):
        problems.append("not narration")
    masked = mask_known(text, facts)
    known = [fold(n) for n in facts.names()]
    problems += unknown_quotes(masked, known)
    problems += unknown_names(masked, known)
    problems += unknown_numbers(masked, facts)
    return GroundingReport(ok=not problems, problems=list(dict.fromkeys(problems)))


def _known(chunk: str, known: list[str]) -> bool:
    f = fold(chunk)
    return not f or any(f" {f} " in f" {k} " for k in known)


def unknown_quotes(masked: str, known: list[str]) -> list[str]:
    out = []
    for m in _QUOTED.finditer(masked):
        inner = next((g for g in m.groups() if g), "")
        if PLACEHOLDER in inner:  # a verified name, maybe with a word around it: the name checks cover the rest
            continue
        inner = inner.strip(" ,.!?")
        if re.search(r"[A-Za-z]", inner) and not _known(inner, known):
            out.append(f"name {inner!r}")
    return out


def unknown_names(masked: str, known: list[str]) -> list[str]:
    """Capitalised spans that are not a verified name. Capitalised common words open a sentence
    ("Next up", "So") and are dropped there; mid-sentence they are part of a name ("Without Me",
    "Green Day") and the whole span must then match a name on the fact sheet — a word borrowed from
    another name ("Me" of "Breathe on Me") is not enough."""
    out = []
    for m in _CAP_SPAN.finditer(masked):
        before = masked[:m.start()].rstrip(" " + PLACEHOLDER)
        at_start = not before or before[-1] in ".!?\"“(…:"
        words = [w.strip(".'’") for w in m.group(0).split()]
        if at_start:
            while words and re.sub(r"['’]s$", "", words[0]).lower() in COMMON:
                words.pop(0)
            if len(words) == 1 and len(m.group(0).split()) == 1:
                continue  # one capitalised word opening a sentence
        if not words or all(re.sub(r"['’]s$", "", w).lower() in COMMON for w in words):
            continue
        name = " ".join(words)
        if not _known(name, known):
            out.append(f"name {name!r}")
    return out


def unknown_numbers(masked: str, facts: FactSheet) -> list[str]:
    """Years and decades must match a track's year; other numbers a count, position, length or tempo."""
    years, numbers, out = facts.years(), facts.numbers(), []
    for m in _NUMBER.finditer(masked):
        value, plural = int(m.group(1)), bool(m.group(2))
        if plural and (value < 100 or 1900 <= value <= 2090) and value % 10 == 0:
            decade = value if value >= 1900 else (1900 + value if value >= 30 else 2000 + value)
            if not any(decade <= y <= decade + 9 for y in years):
                out.append(f"decade {m.group(0).strip()!r}")
        elif 1900 <= value <= 2099:
            if value not in years:
                out.append(f"year {value}")
        elif value not in numbers:
            out.append(f"number {value}")
    return out
