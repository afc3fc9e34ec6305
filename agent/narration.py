"""DJ narration grounded in facts about the returned tracks: an intro, a short bridge every 4-5 tracks and an
outro. Offline it fills varied templates (no stock phrase twice in one playlist); with a model it writes from the
playlist's fact sheet only (agent/narration_llm.py), and each segment that fails its checks is retried once,
told why, then templated on its own."""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Callable
from typing import Any

from agent.grounding import build_facts
from agent.models import PlaylistSpec, Segment, Track, Usage
from agent.narration_llm import llm_segments
from agent.selection import top_genres
from tools.moods import mood_words
from tools.normalize import base_title

log = logging.getLogger(__name__)
Slot = tuple[str, int]  # (kind, before_position)

GREET = ("Welcome in.", "Hello and welcome.", "Good to have you here.", "Right, let's get into it.",
         "Hey there, thanks for tuning in.", "Pull up a chair.")
CONTEXT = ("You asked for {ask}, so here are {count} tracks over about {minutes} minutes.",
           "{count} songs, roughly {minutes} minutes, all chosen for {ask}.",
           "On the menu: {ask}, across {count} tracks and about {minutes} minutes.",
           "This set is built around {ask}: {count} picks, close to {minutes} minutes.")
LISTENER = ("With a nod to your love of {lgenres}.", "Plenty here for a {lgenre} fan like you.",
            "Your {lgenres} habit was on my mind, too.")
FIRST = ("First up, {title} by {artist}.", "We open with {artist} and {title}.",
         "Starting things off: {title}, from {artist}.", "Kicking off with {artist}'s {title}, from {year}.")
BACK = ("That was {title} by {artist}.", "You just heard {artist} with {title}.", "{title}, from {artist}, right there.",
        "There goes {artist} and {title}.", "{artist} with {title}, released in {year}.",
        "Lovely stuff from {artist}: {title}.", "We just spun {title} by {artist}.",
        "{title} by {artist} is still ringing out.", "A bit of {genre} there from {artist}, {title}.",
        "That one was {artist}, {title}, out in {year}.", "Hope {title} by {artist} landed well.",
        "{artist} kept things {mood} with {title}.", "Behind us now, {title} from {artist}.",
        "So that's {artist} done with {title}.", "Nice one, {artist}: that was {title}.",
        "{title} just wrapped, thanks to {artist}.", "Fading out of {artist}'s {title} now.",
        "Still buzzing from {title} by {artist}.", "That last tune? {title}, by {artist}.",
        "From {year}, {artist} and {title} just played.", "Big thanks to {artist} for {title}.",
        "{artist}'s {title} took us here.", "The chapter on {title} by {artist} is closed.",
        "What a moment, {title} from {artist}.")
FORWARD = ("Next, {title} by {artist}.", "Coming up: {artist} with {title}.", "Here's {artist}, {title}, from {year}.",
           "On deck is {title} from {artist}.", "Now let's hear {artist} do {title}.",
           "Turning now to {artist}, and {title}.", "Lining up {title}, by {artist}, for you.",
           "Ahead of us, {artist} and {title}.", "Up now, {title} from {year} by {artist}.",
           "Stay with me for {artist}'s {title}.", "Sliding into {title} by {artist} next.",
           "Over to {artist} now, with {title}.", "Here comes {title}, care of {artist}.",
           "Rolling straight into {artist}: {title}.", "Following that, {title} from {artist}.",
           "Let {artist} take it from here with {title}.", "Queue up {title} by {artist}.",
           "And now, from {year}, {artist} with {title}.", "Settle into {title} by {artist}.",
           "Making way for {artist} and {title}.", "Right behind it, {artist}'s {title}.",
           "Now playing, {title} by {artist}.", "Give it up for {artist}, here with {title}.",
           "Time for {title}, the {artist} one.")
MIDDLE: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("Keeping it {mood}.", lambda f: bool(f["mood"]) and f["mood"] == f["prev_mood"]),
    ("Expect something {mood} here.", lambda f: bool(f["mood"])),
    ("A little {genre} coming your way.", lambda f: bool(f["genre"])),
    ("This one is pure {genre}.", lambda f: bool(f["genre"])),
    ("The tempo moves to {bpm} BPM.", lambda f: f["bpm"] > 0 and abs(f["bpm"] - f["prev_bpm"]) >= 6),
    ("Same groove, about {bpm} BPM.", lambda f: f["bpm"] > 0 and abs(f["bpm"] - f["prev_bpm"]) < 6),
    ("It sits around {bpm} beats per minute.", lambda f: f["bpm"] > 0),
    ("Lifting the energy a notch.", lambda f: _step(f, "energy") > 0.08),
    ("Easing the energy down a touch.", lambda f: _step(f, "energy") < -0.08),
    ("Track {position} of {count}.", lambda f: True),
    ("We're {played} songs in.", lambda f: f["played"] > 1),
    ("Halfway through the set.", lambda f: abs(f["position"] - f["count"] / 2) < 2),
    ("Brighter in mood than the last one.", lambda f: _step(f, "valence") > 0.2),
    ("A darker shade after that.", lambda f: _step(f, "valence") < -0.2),
)


def _step(facts: dict, feature: str) -> float:
    """Change of a feature from the last track; 0 when either track's value is unknown or only estimated."""
    now, before = facts[feature], facts[f"prev_{feature}"]
    return 0.0 if now is None or before is None else now - before
CLOSE = ("We end on {title} by {artist}.", "{artist} and {title} bring us home.",
         "Last word goes to {artist} with {title}.")
RECAP = ("{count} tracks, from {first_artist} to {last_artist}.", "About {minutes} minutes of {ask}, done.",
         "That wraps {count} songs built for {ask}.")
SIGNOFF = ("Thanks for listening.", "Until next time.", "Take care out there.", "See you on the next one.")
BRIDGE_WORDS = (15, 25)


class Phrasebook:
    """Seeded template choice; each template is used at most once per playlist."""

    def __init__(self, seed: Any) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def pick(self, pool: tuple[str, ...], facts: dict, fits: Callable[[str], bool] = lambda s: True) -> str | None:
        options = [t for t in pool if t not in self.used]
        self.rng.shuffle(options)
        for template in options:
            text = fill(template, facts)
            if text is not None and fits(text):
                self.used.add(template)
                return text
        return None


def fill(template: str, facts: dict) -> str | None:
    """The template with its slots filled, or None when a fact it needs is missing."""
    try:
        text = template.format(**facts)
    except (KeyError, IndexError):
        return None
    if any(f"{{{k}}}" in template and facts.get(k) in (None, "", 0) for k in facts):
        return None
    text = re.sub(r"(?<=[.!?])\.(?=\s|$)", "", text)  # 'N.W.A.' at a sentence end
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
    """What a template may say about a track. A track known only from its audio has estimates, never stated as
    fact: no BPM, mood or energy/mood change is said about it."""
    known = t.features_from == "catalog"
    moods = mood_words(t) if known else []
    return {"title": base_title(t.title), "artist": t.artist, "year": t.year, "genre": t.genres[0] if t.genres else "",
            "mood": moods[0] if moods else "", "bpm": round(t.tempo) if known else 0,
            "energy": t.energy if known else None, "valence": t.valence if known else None,
            "position": position, "played": position - 1, "count": count}


def ask_phrase(spec: PlaylistSpec, prompt: str) -> str:
    """How the request is named back: recognised moods and genres, else the first words of the prompt."""
    genres = [g for g in spec.genres if not any(g != o and f" {g} " in f" {o} " for o in spec.genres)]
    words = spec.moods[:2] + genres[:2]
    if words:
        return " ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]
    head = " ".join(prompt.split()[:8]).strip(" ,.;:!?")
    return f"\u201c{head}\u201d" if head else "this set"


def set_facts(tracks: list[Track], spec: PlaylistSpec, prompt: str, listener: list[str]) -> dict:
    return {"ask": ask_phrase(spec, prompt), "count": len(tracks), "minutes": round(sum(t.duration_ms for t in tracks) / 60000),
            "first_artist": tracks[0].artist, "last_artist": tracks[-1].artist,
            "lgenres": " and ".join(listener[:2]), "lgenre": listener[0] if listener else ""}


def intro_text(book: Phrasebook, tracks: list[Track], common: dict) -> str:
    parts = [book.pick(GREET, common), book.pick(CONTEXT, common)]
    if common["lgenre"]:
        parts.append(book.pick(LISTENER, common))
    parts.append(book.pick(FIRST, track_facts(tracks[0], 1, len(tracks))))
    return " ".join(p for p in parts if p)


def bridge_text(book: Phrasebook, tracks: list[Track], position: int) -> str:
    """15-25 words: a look back at the last track, facts about the change, the next track."""
    n = len(tracks)
    prev, nxt = track_facts(tracks[position - 2], position - 1, n), track_facts(tracks[position - 1], position, n)
    short = lambda text: len(text.split()) <= 12  # noqa: E731
    back = book.pick(BACK, prev, short) or book.pick(BACK, prev) or f"{prev['title']}, {prev['artist']}."
    forward = book.pick(FORWARD, nxt, short) or book.pick(FORWARD, nxt) or f"{nxt['title']}, {nxt['artist']}."
    facts = nxt | {f"prev_{k}": v for k, v in prev.items()}
    middle: list[str] = []
    words = len(back.split()) + len(forward.split())
    for template, ok in book.rng.sample(MIDDLE, len(MIDDLE)):
        if words >= BRIDGE_WORDS[0]:
            break
        text = fill(template, facts) if template not in book.used and ok(facts) else None
        if text and words + len(text.split()) <= BRIDGE_WORDS[1]:
            book.used.add(template)
            middle.append(text)
            words += len(text.split())
    return " ".join([back, *middle, forward])


def outro_text(book: Phrasebook, tracks: list[Track], common: dict) -> str:
    last = track_facts(tracks[-1], len(tracks), len(tracks))
    parts = [book.pick(CLOSE, last), book.pick(RECAP, common), book.pick(SIGNOFF, common)]
    return " ".join(p for p in parts if p)


def template_segments(tracks: list[Track], spec: PlaylistSpec, prompt: str, profile: Any, seed: int) -> list[Segment]:
    rng_key = f"{seed}|{tracks[0].id if tracks else ''}|{len(tracks)}"
    book = Phrasebook(rng_key)
    common = set_facts(tracks, spec, prompt, top_genres(profile)) if tracks else {}
    out = []
    for kind, position in slots(len(tracks), spec.narration, random.Random(rng_key)):
        if kind == "intro":
            text = intro_text(book, tracks, common)
        elif kind == "bridge":
            text = bridge_text(book, tracks, position)
        else:
            text = outro_text(book, tracks, common)
        out.append(Segment(kind=kind, before_position=position, text=text))
    return out


def narrate(tracks: list[Track], spec: PlaylistSpec, prompt: str, profile: Any, deps: Any, seed: int = 0,
            use_llm: bool = False, prompt_version: str | None = None,
            deadline_s: float | None = None, usage: Usage | None = None) -> list[Segment]:
    """Radio-style segments for the ordered tracks (spec.narration: radio, brief = intro only, none).
    With use_llm, a model writes them from the fact sheet; ungrounded segments are retried once, then templated.
    `deadline_s` is what is left of the request deadline: past it, the templates stand. Model calls and
    tokens are added to `usage` when given."""
    segments = template_segments(tracks, spec, prompt, profile, seed)
    if not use_llm or not segments:
        return segments
    facts = build_facts(tracks, spec, prompt, top_genres(profile))
    version = prompt_version if prompt_version else getattr(deps.settings, "prompt_version", "v1")
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


# --------------------------------------------------------------------------- podcast episodes

TALK_IN = ("Time for some talk: from {show}, \u201c{title}\u201d.", "Switching to talk now, an episode of {show}: \u201c{title}\u201d.",
           "Here's {show}, with the episode \u201c{title}\u201d.", "Over to {show} now, and \u201c{title}\u201d.")
TALK_NEXT = "Next, from {show}: \u201c{title}\u201d."
BACK_TO_MUSIC = "Back to the music with {title} by {artist}."
TALK_OUTRO = ("That was {show}, \u201c{title}\u201d. Thanks for listening.", "We close with {show}. Until next time.")


def episode_text(item: Any, book: Phrasebook, first_talk: bool) -> str:
    """An episode introduced by its show and its title only: both come from the talk catalog."""
    facts = {"show": item.show, "title": item.title}
    return (book.pick(TALK_IN, facts) if first_talk else None) or fill(TALK_NEXT, facts) or item.show


def with_talk(music_segments: list[Segment], entries: list[Any], style: str = "radio", seed: int = 0) -> list[Segment]:
    """Merge episode introductions into the music narration of a mixed or talk-only playlist.

    `entries` is the final order (Track or talk item); music segments are re-pointed from music positions
    to positions in that order, each episode gets its introduction and the music after it a way back in."""
    if style == "none" or not entries:
        return []
    book = Phrasebook(f"{seed}|talk|{len(entries)}")
    music_at = [n for n, e in enumerate(entries, 1) if isinstance(e, Track)]
    ends_with_talk = not isinstance(entries[-1], Track)
    out: list[Segment] = []
    for s in music_segments:
        if s.kind == "outro" and ends_with_talk:
            continue
        position = len(entries) + 1 if s.before_position > len(music_at) else music_at[s.before_position - 1]
        kind = s.kind if s.kind != "intro" or position == 1 else "bridge"
        if s.kind == "bridge" and not isinstance(entries[position - 2], Track):
            continue  # its look back would name the music before the episode: the way back in replaces it
        out.append(s.model_copy(update={"before_position": position, "kind": kind}))
    taken = {s.before_position for s in out}
    talked = False
    for n, e in enumerate(entries, 1):
        if not isinstance(e, Track):
            if style == "brief" and n > 1:
                continue
            out.append(Segment(kind="intro" if n == 1 else "bridge", before_position=n,
                               text=episode_text(e, book, first_talk=not talked)))
            talked = True
        elif n > 1 and style != "brief" and not isinstance(entries[n - 2], Track) and n not in taken:
            out.append(Segment(kind="bridge", before_position=n,
                               text=fill(BACK_TO_MUSIC, {"title": base_title(e.title), "artist": e.artist}) or ""))
    if ends_with_talk and style == "radio":
        last = entries[-1]
        out.append(Segment(kind="outro", before_position=len(entries) + 1,
                           text=book.pick(TALK_OUTRO, {"show": last.show, "title": last.title}) or "Thanks for listening."))
    order = {"intro": 0, "bridge": 1, "outro": 2}
    return sorted(out, key=lambda s: (s.before_position, order[s.kind]))


def narrate_entries(entries: list[Any], spec: PlaylistSpec, prompt: str, profile: Any, deps: Any, seed: int = 0,
                    use_llm: bool = False, prompt_version: str | None = None, deadline_s: float | None = None,
                    usage: Usage | None = None) -> list[Segment]:
    """Narration for entries of every kind: the music's segments, then each episode's introduction and the
    way back into the music merged in where talk plays."""
    music = [e for e in entries if isinstance(e, Track)]
    segments = narrate(music, spec, prompt, profile, deps, seed=seed, use_llm=use_llm, prompt_version=prompt_version,
                       deadline_s=deadline_s, usage=usage) if music else []
    if len(music) == len(entries):
        return segments
    return with_talk(segments, entries, spec.narration, seed=seed)
