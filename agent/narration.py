"""DJ narration grounded in facts about the returned tracks: an intro that says what the set is and what it
is for, a bridge every 4-5 tracks and an outro. Offline it fills varied templates (agent/narration_phrases.py;
no template twice in a playlist, no bridge shaped like the one before it); with a model it writes from the
playlist's fact sheet only (agent/narration_llm.py), and each segment that fails its checks is retried once,
told why, then templated on its own."""

from __future__ import annotations

import logging
import math
import random
import re
import threading
from collections import Counter
from typing import Any

from agent import narration_phrases as P
from agent.grounding import build_facts
from agent.models import PlaylistSpec, Segment, Track, Usage
from agent.narration_facts import era_phrase, genre_phrase, kind_phrase, occasion, summarize, tempo_phrase
from agent.narration_llm import llm_segments
from agent.narration_talk import with_talk
from agent.selection import top_genres
from agent.speech import (
    duration_phrase,
    join_words,
    number_words,
    possessive,
    spoken_genre,
    spoken_title,
    with_article,
)
from tools.moods import mood_words

log = logging.getLogger(__name__)
Slot = tuple[str, int]  # (kind, before_position)
BRIDGE_WORDS = (10, 30)
SHORT = 12  # words of a look back or a look ahead inside a bridge


class Phrasebook:
    """Seeded template choice; each template is used at most once per playlist."""

    def __init__(self, seed: Any) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def pick(self, pool: P.Pool, facts: dict, max_words: int | None = None) -> str | None:
        entries: list[tuple[str, P.Fits | None]] = [e if isinstance(e, tuple) else (e, None) for e in pool]
        options = [(t, ok) for t, ok in entries if t not in self.used]
        self.rng.shuffle(options)
        for template, ok in options:
            if ok is not None and not ok(facts):
                continue
            text = fill(template, facts)
            if text is not None and (max_words is None or len(text.split()) <= max_words):
                self.used.add(template)
                return text
        return None


def fill(template: str, facts: dict) -> str | None:
    """The template with its slots filled, or None when a fact it needs is missing."""
    needed = re.findall(r"{(\w+)}", template)
    if any(facts.get(k) in (None, "", 0) for k in needed):
        return None
    text = template.format(**facts)
    text = re.sub(r"(?<=[.!?])\.(?=\s|$)", "", text)  # 'N.W.A.' at a sentence end
    text = re.sub(r"(?<=[.!?]),", "", text)  # 'Help!, from 1965' → 'Help! from 1965'
    return text[0].upper() + text[1:]


def slots(n: int, style: str, rng: random.Random) -> list[Slot]:
    """Where segments go: intro before 1, bridges every 4 or 5 tracks, outro after the last (n + 1)."""
    if n == 0 or style == "none":
        return []
    out: list[Slot] = [("intro", 1)]
    if style == "brief":
        return out
    gap = rng.choice((4, 5))
    position = 1 + gap
    while position <= n - 1:
        out.append(("bridge", position))
        gap = 9 - gap
        position += gap
    return out + [("outro", n + 1)]


def track_facts(t: Track, position: int, count: int) -> dict:
    """What a template may say about a track. A track known only from its owned file's audio has estimates,
    never stated as fact: no BPM or mood, and no energy or mood change (NaN compares false)."""
    known = t.features_from == "catalog"
    moods = [m for m in mood_words(t) if m != "wordy"] if known else []
    genre, mood = (spoken_genre(t.genres[0]) if t.genres else ""), (moods[0] if moods else "")
    return {"title": spoken_title(t.title), "artist": t.artist, "artist_s": possessive(t.artist), "year": t.year,
            "genre": genre, "a_genre": with_article(genre), "mood": mood, "a_mood": with_article(mood),
            "item": "track" if "instrumental" in moods else "song", "bpm": round(t.tempo) if known else 0,
            "energy": t.energy if known else math.nan, "valence": t.valence if known else math.nan, "position": position, "count": count, "played": position - 1,
            "played_words": number_words(position - 1), "left": count - position + 1,
            "left_words": number_words(count - position + 1)}


def set_facts(tracks: list[Track], spec: PlaylistSpec, prompt: str, listener: list[str]) -> dict:
    """The slots of intros and outros: what the set is (derived from its tracks) and what it is for."""
    s, when = summarize(tracks), occasion(spec, prompt)
    noun = s.noun if s.count != 1 else s.noun[:-1]
    return {"count": s.count, "count_words": number_words(s.count), "noun": noun,
            "kind": kind_phrase(s).removesuffix(s.noun) + noun, "genre_mix": genre_phrase(s), "era": era_phrase(s),
            "tempo": tempo_phrase(s), "shape_verb": "",
            "duration": duration_phrase(s.minutes), "matter": "sounds" if s.noun == "recordings" else "music",
            "occasion": when.phrase, "activity": when.activity,
            "weekday": when.weekday, "morning": when.morning, "night": when.night,
            "first_artist": tracks[0].artist, "last_artist": tracks[-1].artist,
            "lgenres": join_words(listener[:2]), "summary": s}


def describe(book: Phrasebook, common: dict) -> str:
    """What the set is: one sentence, then its energy and tempo when there are enough tracks to say."""
    first = book.pick(P.DESCRIBE, common) or fill(P.DESCRIBE_FALLBACK, common) or ""
    shape = book.pick(P.SHAPE, common) if common["count"] >= 3 else None
    return " ".join(p for p in (first, shape) if p)


def intro_text(book: Phrasebook, tracks: list[Track], common: dict, after_talk: bool = False) -> str:
    """Greeting, what the set is, a nod to the listener's taste, the first track. After an episode that opened
    the playlist (and said what the mix holds), only a way into the music, its energy and the first track."""
    opening = track_facts(tracks[0], 1, len(tracks))
    if after_talk:
        parts = [book.pick(P.MUSIC_NOW, common), book.pick(P.SHAPE, common) if len(tracks) >= 3 else None]
    else:
        parts = [book.pick(P.GREET, common), describe(book, common)]
    if common["lgenres"] and not after_talk:
        parts.append(book.pick(P.LISTENER, common))
    parts.append(book.pick(P.ONLY if len(tracks) == 1 else P.FIRST, opening))
    return " ".join(p for p in parts if p)


def bridge_text(book: Phrasebook, tracks: list[Track], position: int, shapes: list[str]) -> str:
    """10-30 words in a shape unlike the bridge before it (BRIDGE_SHAPES): the least used shape that fits,
    so no shape repeats before every shape had its turn. `shapes` lists the shapes used so far (appended to)."""
    n = len(tracks)
    prev, nxt = track_facts(tracks[position - 2], position - 1, n), track_facts(tracks[position - 1], position, n)
    facts = nxt | {f"prev_{k}": v for k, v in prev.items()}
    used = Counter(shapes)
    for shape in sorted(P.BRIDGE_SHAPES, key=lambda s: (used[s], book.rng.random())):
        if shapes and shape == shapes[-1]:
            continue
        text = shaped(book, shape, prev, nxt, facts)
        if text:
            shapes.append(shape)
            return text
    shapes.append("plain")
    return f"That was {prev['title']} by {prev['artist']}. Next, {nxt['title']} by {nxt['artist']}."


def shaped(book: Phrasebook, shape: str, prev: dict, nxt: dict, facts: dict) -> str | None:
    """The bridge in one shape, or None (and no template spent) when a sentence of it has no fitting template."""
    used = set(book.used)
    parts = []
    for pool in P.BRIDGE_SHAPES[shape]:
        own = prev if pool is P.BACK else nxt if pool is P.FORWARD else facts
        text = book.pick(pool, own, SHORT if pool in (P.BACK, P.FORWARD) else None)
        if text is None:
            book.used = used
            return None
        parts.append(text)
    text = " ".join(parts)
    if not BRIDGE_WORDS[0] <= len(text.split()) <= BRIDGE_WORDS[1]:
        book.used = used
        return None
    return text


def outro_text(book: Phrasebook, tracks: list[Track], common: dict) -> str:
    last = track_facts(tracks[-1], len(tracks), len(tracks))
    parts = [book.pick(P.CLOSE, last), book.pick(P.RECAP, common), book.pick(P.SIGNOFF, common)]
    return " ".join(p for p in parts if p)


def playlist_key(tracks: list[Track], seed: int) -> str:
    """Same tracks in the same order and seed → same words; another playlist → other words."""
    return f"{seed}|" + ",".join(t.id for t in tracks)


def template_segments(tracks: list[Track], spec: PlaylistSpec, prompt: str, profile: Any, seed: int,
                      after_talk: bool = False) -> list[Segment]:
    """`after_talk`: the music starts after an episode that was already introduced (no greeting again)."""
    key = playlist_key(tracks, seed)
    book = Phrasebook(key)
    common = set_facts(tracks, spec, prompt, top_genres(profile)) if tracks else {}
    if common and common["summary"].shape in P.SHAPE_VERBS:
        common["shape_verb"] = book.rng.choice(P.SHAPE_VERBS[common["summary"].shape])
    out: list[Segment] = []
    shapes: list[str] = []
    for kind, position in slots(len(tracks), spec.narration, random.Random(key)):
        if kind == "intro":
            text = intro_text(book, tracks, common, after_talk)
        elif kind == "bridge":
            text = bridge_text(book, tracks, position, shapes)
        else:
            text = outro_text(book, tracks, common)
        out.append(Segment(kind=kind, before_position=position, text=text))
    return out


def narrate(tracks: list[Track], spec: PlaylistSpec, prompt: str, profile: Any, deps: Any, seed: int = 0,
            use_llm: bool = False, prompt_version: str | None = None,
            deadline_s: float | None = None, usage: Usage | None = None, after_talk: bool = False) -> list[Segment]:
    """Radio-style segments for the ordered tracks (spec.narration: radio, brief = intro only, none).
    With use_llm, a model writes them from the fact sheet; ungrounded segments are retried once, then templated.
    `deadline_s` is what is left of the request deadline: past it, the templates stand. Model calls and
    tokens are added to `usage` when given. `after_talk`: an episode plays first, so the intro stays templated
    (it leads into the music; the greeting belongs to the episode's introduction)."""
    segments = template_segments(tracks, spec, prompt, profile, seed, after_talk)
    if not use_llm or not segments:
        return segments
    facts = build_facts(tracks, spec, prompt, top_genres(profile))
    version = prompt_version if prompt_version else getattr(deps.settings, "prompt_version", "v1")
    written = by_model(segments, facts, deps, version, deadline_s, usage)
    return [t if t.kind == "intro" and after_talk else w for t, w in zip(segments, written, strict=True)]


def by_model(segments: list[Segment], facts: Any, deps: Any, version: str, deadline_s: float | None,
             usage: Usage | None) -> list[Segment]:
    if deadline_s is None:
        return llm_segments(segments, facts, deps, version, usage=usage)
    from agent.llm import DeadlineExceeded, run_with_deadline

    cancelled = threading.Event()  # set at the deadline: the abandoned worker makes no further call
    try:
        return run_with_deadline(lambda: llm_segments(segments, facts, deps, version, cancelled, usage),
                                 max(deadline_s, 0.0), cancelled)
    except DeadlineExceeded:
        log.warning("narration model passed the request deadline; using templates")
        return segments


def narrate_entries(entries: list[Any], spec: PlaylistSpec, prompt: str, profile: Any, deps: Any, seed: int = 0,
                    use_llm: bool = False, prompt_version: str | None = None, deadline_s: float | None = None,
                    usage: Usage | None = None) -> list[Segment]:
    """Narration for entries of every kind: the music's segments, then each episode's introduction and the
    way back into the music merged in where talk plays."""
    music = [e for e in entries if isinstance(e, Track)]
    after_talk = bool(music) and not isinstance(entries[0], Track)
    segments = narrate(music, spec, prompt, profile, deps, seed=seed, use_llm=use_llm, prompt_version=prompt_version,
                       deadline_s=deadline_s, usage=usage, after_talk=after_talk) if music else []
    if len(music) == len(entries):
        return segments
    about = music_about(music, spec, prompt) if music else {}
    return with_talk(segments, entries, spec, prompt, about, seed=seed)


def music_about(music: list[Track], spec: PlaylistSpec, prompt: str) -> dict:
    """How the talk introductions name the music part: 'eight mellow songs, mostly from the 2010s'."""
    common = set_facts(music, spec, prompt, [])
    return {"music_part": ", ".join(p for p in (f"{common['count_words']} {common['kind']}", common["era"]) if p)}

