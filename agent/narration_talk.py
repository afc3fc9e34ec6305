"""Narration where podcast episodes play: each episode introduced by its show and a spoken form of its title
(both from the talk catalog), the way back into the music after it, and an intro and outro that say what the
whole mix is. The music's own segments (agent/narration.py) are re-pointed to positions in the final order."""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from agent.models import PlaylistSpec, Segment, Track
from agent.narration_facts import occasion
from agent.speech import count_of, duration_phrase, possessive, spoken_episode, spoken_title

GREET = ("Welcome in.", "Hello and welcome.", "Good to have you here.", "Hey there, thanks for tuning in.")
MIX = ("Talk and music for {occasion} today: {talk_part} and {music_part}.",
       "This one mixes talk and music: {talk_part} and {music_part}.",
       "A bit of talk and a lot of music: {talk_part} and {music_part}.")
TALK_ONLY = ("I've lined up {episodes} for {occasion}, {shows}.", "There are {episodes} ahead, {shows}, {duration} of talk in all.",
             "Today, {episodes}, {shows}.", "Here are {episodes} for {occasion}, {duration} of talk.", "There are {episodes} ahead.")
TALK_IN = ("Time for some talk: from {show}, \u201c{title}\u201d.", "Switching to talk now, an episode of {show}: \u201c{title}\u201d.",
           "Here's {show}, with the episode \u201c{title}\u201d.", "Over to {show} now, and \u201c{title}\u201d.")
FIRST_TALK = ("First, from {show}: \u201c{title}\u201d.", "We start with {show} and the episode \u201c{title}\u201d.",
              "Up first, {show}, with \u201c{title}\u201d.")
TALK_NEXT = ("Next, from {show}: \u201c{title}\u201d.", "Now over to {show}, and \u201c{title}\u201d.",
             "Here's {show} with \u201c{title}\u201d.", "Coming up, an episode of {show}: \u201c{title}\u201d.",
             "Up next, {show_s} episode \u201c{title}\u201d.", "Let's hear {show} now: \u201c{title}\u201d.",
             "From {show}, here's \u201c{title}\u201d.", "On to {show}, and \u201c{title}\u201d.")
BACK_TO_MUSIC = ("Back to the music with {title} by {artist}.", "And now some music again: {artist} with {title}.",
                 "Music again, starting with {artist_s} {title}.", "Back to the tunes: {title} by {artist}.")
TALK_OUTRO = ("That was {show}, with \u201c{title}\u201d. Thanks for listening.",
              "We finished with {show}. Until next time.", "And that was {show_s} \u201c{title}\u201d. Take care out there.")
TALK_AHEAD = ("Along the way, {talk_part}.", "Later on, {talk_part}.", "There's talk in here too: {talk_part}.")


class Lines:
    """Seeded choice among the lines of a pool, each line once per playlist while the pool lasts."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def say(self, pool: tuple[str, ...], **facts: Any) -> str:
        options = [t for t in pool if t not in self.used] or list(pool)
        self.rng.shuffle(options)
        for template in options:
            if all(facts.get(k) for k in _slots(template)):
                self.used.add(template)
                text = template.format(**facts)
                return text[0].upper() + text[1:]
        return ""


def _slots(template: str) -> list[str]:
    return re.findall(r"{(\w+)}", template)


def episode_facts(item: Any) -> dict:
    return {"show": item.show, "show_s": possessive(item.show), "title": spoken_episode(item.title)}


def talk_part(episodes: list[Any], named_next: bool = False) -> str:
    """'an episode of History Extra' ('an episode' when its introduction follows at once), 'two episodes'."""
    if len(episodes) == 1:
        return "an episode" if named_next else f"an episode of {episodes[0].show}"
    return count_of(len(episodes), "episode")


def episodes_phrase(episodes: list[Any]) -> str:
    """'four history episodes' (a topic every episode has), 'three episodes'."""
    topics = Counter(t for e in episodes for t in dict.fromkeys(getattr(e, "topics", [])[:2]))
    shared = next((t for t, k in topics.most_common() if k == len(episodes) and len(t) < 20), "")
    return count_of(len(episodes), f"{shared} episode".strip())


def shows_phrase(episodes: list[Any]) -> str:
    """'each from a different show', 'from two shows', or '' for one episode."""
    shows = len({e.show for e in episodes})
    if len(episodes) < 2:
        return ""
    return "each from a different show" if shows == len(episodes) else f"from {count_of(shows, 'show')}"


def minutes_of(entries: list[Any]) -> int | None:
    """Total length in minutes, or None when an episode's length is unknown."""
    if any(getattr(e, "duration_ms", None) is None for e in entries):
        return None
    return round(sum(e.duration_ms for e in entries) / 60000)


def opening(entries: list[Any], spec: PlaylistSpec, prompt: str, about: dict, lines: Lines) -> str:
    """The greeting and what the whole playlist is, for a playlist that opens with an episode."""
    episodes = [e for e in entries if not isinstance(e, Track)]
    minutes = minutes_of(entries)
    facts = {"occasion": occasion(spec, prompt).phrase, "talk_part": talk_part(episodes, named_next=True),
             "music_part": about.get("music_part", ""), "episodes": episodes_phrase(episodes),
             "shows": shows_phrase(episodes),
             "duration": duration_phrase(minutes) if minutes else ""}
    what = lines.say(MIX if about else TALK_ONLY, **facts)
    return " ".join(p for p in (lines.say(GREET), what) if p)


def with_talk(music_segments: list[Segment], entries: list[Any], spec: PlaylistSpec, prompt: str = "",
              about: dict | None = None, seed: int = 0) -> list[Segment]:
    """Merge episode introductions into the music narration of a mixed or talk-only playlist.

    `entries` is the final order (Track or talk item); music segments are re-pointed from music positions
    to positions in that order, each episode gets its introduction and the music after it a way back in.
    `about` names the music part (empty for talk only)."""
    style, about = spec.narration, about or {}
    if style == "none" or not entries:
        return []
    lines = Lines(f"{seed}|talk|" + ",".join(getattr(e, "id", "") for e in entries))
    out = music_moved(music_segments, entries, lines)
    taken = {s.before_position for s in out}
    for n, e in enumerate(entries, 1):
        if not isinstance(e, Track):
            if style == "brief" and n > 1:
                continue
            out.append(Segment(kind="intro" if n == 1 else "bridge", before_position=n,
                               text=episode_text(entries, n, spec, prompt, about, lines)))
        elif n > 1 and style != "brief" and not isinstance(entries[n - 2], Track) and n not in taken:
            facts = {"title": spoken_title(e.title), "artist": e.artist, "artist_s": possessive(e.artist)}
            out.append(Segment(kind="bridge", before_position=n, text=lines.say(BACK_TO_MUSIC, **facts)))
    if not isinstance(entries[-1], Track) and style == "radio":
        out.append(Segment(kind="outro", before_position=len(entries) + 1,
                           text=lines.say(TALK_OUTRO, **episode_facts(entries[-1])) or "Thanks for listening."))
    order = {"intro": 0, "bridge": 1, "outro": 2}
    return sorted(out, key=lambda s: (s.before_position, order[s.kind]))


def episode_text(entries: list[Any], n: int, spec: PlaylistSpec, prompt: str, about: dict, lines: Lines) -> str:
    """The introduction of the episode at position n: after the opening when it starts the playlist, as a
    switch to talk after music, or as the next episode after another."""
    facts = episode_facts(entries[n - 1])
    if n == 1:
        return f"{opening(entries, spec, prompt, about, lines)} {lines.say(FIRST_TALK, **facts)}"
    return lines.say(TALK_IN if isinstance(entries[n - 2], Track) else TALK_NEXT, **facts)


def music_moved(music_segments: list[Segment], entries: list[Any], lines: Lines) -> list[Segment]:
    """The music's segments at their places in the final order. The intro says what talk is coming when the
    music opens; a bridge whose look back would name music from before an episode is dropped (the way back
    in replaces it), and so is the music's outro when an episode ends the playlist."""
    music_at = [n for n, e in enumerate(entries, 1) if isinstance(e, Track)]
    episodes = [e for e in entries if not isinstance(e, Track)]
    out: list[Segment] = []
    for s in music_segments:
        if s.kind == "outro" and not isinstance(entries[-1], Track):
            continue
        position = len(entries) + 1 if s.before_position > len(music_at) else music_at[s.before_position - 1]
        if s.kind == "bridge" and not isinstance(entries[position - 2], Track):
            continue
        text = s.text
        if s.kind == "intro" and position == 1 and episodes:
            ahead = lines.say(TALK_AHEAD, talk_part=talk_part(episodes))
            text = f"{text} {ahead}" if len(f"{text} {ahead}".split()) <= 80 else text
        kind = s.kind if s.kind != "intro" or position == 1 else "bridge"
        out.append(s.model_copy(update={"before_position": position, "kind": kind, "text": text}))
    return out
