"""Podcast episodes for the talk slots of a spec: the talk candidate source (one search per slot) and the
choice of one episode per slot. With a duration target only episodes of known length are used (the constraint
report says so); the clean policy takes only shows known to be clean; no show plays twice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.models import ConstraintReport, FormatPlan, GenerateRequest, PlaylistSpec, TalkSlot
from agent.planner.formats import parse_format
from agent.planner.lexicon import MOOD_BY_NAME
from tools.content_filter import ContentPolicy
from tools.talk import TalkCandidate, TalkCatalog, TalkFilters
from tools.talk_build import MAX_PER_SHOW, TalkItem

LANGUAGES = ["en"]  # prompts are read in English, so episodes are too
POOL = 30
TIMED_POOL = 400
TOLERANCE = 0.03
# lexicon moods that name when the listener listens ('for my commute', 'for my run'), not what an episode is
# about: kept out of the episode search, where 'drive' would find episodes about driving
OCCASIONS = ("workout", "running", "party", "dance", "dinner", "road trip", "driving", "travel", "chores", "walking",
             "outdoors", "getting ready", "night", "rainy", "sunny", "winter")
_OCCASION_WORDS = re.compile(r"\b(" + "|".join(sorted(
    (re.escape(p) for m in OCCASIONS for p in MOOD_BY_NAME[m].phrases), key=len, reverse=True)) + r")\b")
CLIP_MINUTES = 10.0  # an episode shorter than this is a clip: a timed talk playlist uses it only to close the gap


@dataclass
class SlotCandidates:
    """One talk slot and the episodes that pass its hard filters, best first (or, with a duration target and
    no count, the one pool that fills the minutes)."""

    slot: TalkSlot
    found: list[TalkCandidate]
    fill_minutes: bool = False


@dataclass
class TalkChoice:
    """The episodes chosen for a plan, each with its slot, plus what the search could not satisfy."""

    placed: list[tuple[TalkItem, TalkSlot]] = field(default_factory=list)
    notes: list[ConstraintReport] = field(default_factory=list)


# --------------------------------------------------------------------------- spec

def stated_format(request: GenerateRequest, spec: PlaylistSpec) -> PlaylistSpec:
    """The prompt's own words decide whether talk plays: a planner may shape the slots, never add talk."""
    if spec.format.kind != "music" and parse_format(request.prompt).kind == "music":
        return spec.model_copy(update={"format": FormatPlan()})
    return spec


def talk_only_slots(spec: PlaylistSpec) -> list[TalkSlot]:
    """The slots to fill: a talk-only request's count sets how many episodes it holds."""
    plan = spec.format
    if plan.kind == "talk" and spec.count and plan.talk:
        return [plan.talk[n % len(plan.talk)] for n in range(spec.count)]
    return list(plan.talk)


def music_spec(spec: PlaylistSpec, placed: list[tuple[TalkItem, TalkSlot]]) -> PlaylistSpec:
    """The music part of a mixed spec: the episodes' known minutes come off a duration target."""
    update: dict[str, Any] = {"format": FormatPlan()}
    if spec.minutes:
        talk_min = sum((i.duration_ms or 0) for i, _ in placed) / 60000
        update["minutes"] = max(1.0, round(spec.minutes - talk_min, 2))
    return spec.model_copy(update=update)


# --------------------------------------------------------------------------- candidates

def slot_filters(slot: TalkSlot, policy: ContentPolicy, timed: bool) -> TalkFilters:
    """Hard filters for one slot: policy, language, topics, length."""
    return TalkFilters(explicit=policy.explicit, languages=LANGUAGES, topics=slot.topics,
                       max_duration_ms=int(slot.max_minutes * 60000) if slot.max_minutes else None,
                       known_duration_only=timed)


def slot_query(slot: TalkSlot, spec: PlaylistSpec) -> str:
    """The episode search text: the slot's words and topics, and for talk only the rest of the prompt without
    its occasion words."""
    rest = " ".join(_OCCASION_WORDS.sub(" ", spec.query).split()) if spec.format.kind == "talk" else ""
    words = [slot.query, " ".join(slot.topics), rest]
    return " ".join(w for w in words if w).strip() or "podcast episode"


def search_slot(slot: TalkSlot, spec: PlaylistSpec, policy: ContentPolicy, talk: TalkCatalog, k: int) -> list[TalkCandidate]:
    """Best episodes for a slot; when no episode has the topic, the topic becomes a soft (semantic) wish."""
    filters = slot_filters(slot, policy, spec.minutes is not None)
    found = talk.search(slot_query(slot, spec), filters, k=k)
    if not found and slot.topics:
        found = talk.search(slot_query(slot, spec), filters.model_copy(update={"topics": []}), k=k)
    return found


def talk_candidates(spec: PlaylistSpec, policy: ContentPolicy, talk: TalkCatalog) -> list[SlotCandidates]:
    """The talk candidate source: episodes per slot. Each slot's list is deep enough that the shows taken by
    the slots before it can be skipped."""
    if spec.format.kind == "music":
        return []
    if spec.format.kind == "talk" and spec.minutes:
        slot = spec.format.talk[0] if spec.format.talk else TalkSlot()
        return [SlotCandidates(slot, search_slot(slot, spec, policy, talk, TIMED_POOL), fill_minutes=True)]
    slots = talk_only_slots(spec)
    return [SlotCandidates(slot, search_slot(slot, spec, policy, talk, POOL + n * MAX_PER_SHOW))
            for n, slot in enumerate(slots)]


# --------------------------------------------------------------------------- selection

def choose_talk(pools: list[SlotCandidates], spec: PlaylistSpec, seed: int = 0) -> TalkChoice:
    """One episode per slot (seeded among the three best still free), never two from one show; or, for a
    timed talk-only playlist, episodes of known length until the target is met ±3%."""
    if pools and pools[0].fill_minutes:
        return fill_talk_minutes(pools[0], spec)
    choice = TalkChoice()
    for pool in pools:
        taken = {i.show_id for i, _ in choice.placed}
        free = [c for c in pool.found if c.item.show_id not in taken][:POOL]
        if not free:
            choice.notes.append(ConstraintReport(
                name="talk", target=describe(pool.slot, spec.format.kind == "mixed"), actual="none found", met=False,
                note="no episode passes the filters (clean shows only, English, known length when timed)"))
            continue
        choice.placed.append((free[seed % min(3, len(free))].item, pool.slot))
    return choice


def fill_talk_minutes(pool: SlotCandidates, spec: PlaylistSpec) -> TalkChoice:
    """Talk only with a duration target: episodes of known length, best first, until the target is met ±3%.
    Full episodes first; clips (under CLIP_MINUTES) only close the last gap."""
    target = (spec.minutes or 0) * 60000
    choice, total, shows = TalkChoice(), 0, set()
    for clips in (False, True):
        for c in pool.found:
            if total >= target * (1 - TOLERANCE):
                break
            d = c.item.duration_ms or 0
            if (d < CLIP_MINUTES * 60000) != clips or c.item.show_id in shows or total + d > target * (1 + TOLERANCE):
                continue
            choice.placed.append((c.item, pool.slot))
            shows.add(c.item.show_id)
            total += d
    return choice


def place(music: list[Any], placed: list[tuple[TalkItem, TalkSlot]]) -> list[Any]:
    """The final order: start episodes first, middle ones halfway through the music, end ones last."""
    at = {p: [item for item, slot in placed if slot.position == p] for p in ("start", "middle", "end")}
    half = (len(music) + 1) // 2
    return [*at["start"], *music[:half], *at["middle"], *music[half:], *at["end"]]


# --------------------------------------------------------------------------- facts for the response

def describe(slot: TalkSlot, mixed: bool = True) -> str:
    """The slot as the report states it; a place only among music (talk only: the episodes are the playlist)."""
    what = " ".join(slot.topics) or "any"
    length = f" ≤ {slot.max_minutes:g} min" if slot.max_minutes else ""
    return f"{what} episode{length}" + (f" at the {slot.position}" if mixed else "")


def slot_report(item: TalkItem, slot: TalkSlot, position: int, mixed: bool) -> ConstraintReport:
    """The report of one filled slot: met when the episode has a topic asked for (with none of them in the
    catalog under the other filters, the search takes the nearest episodes by description and says so)."""
    on_topic = not slot.topics or any(t in item.topics for t in slot.topics)
    return ConstraintReport(
        name="talk", target=describe(slot, mixed), actual=f"{item.show}: position {position}", met=on_topic,
        note="" if on_topic else f"no {' or '.join(slot.topics)} episode passes the hard filters (English, known "
        "length when timed, clean shows when clean is asked); the nearest by description instead")


def why_episode(item: TalkItem, slot: TalkSlot, mixed: bool) -> str:
    """Why this episode, from facts: the topic asked for and the show's labels, its length when known."""
    topics = [t for t in slot.topics if t in item.topics] or item.topics[:2]
    length = f", {round(item.duration_ms / 60000)} min" if item.duration_ms else ""
    about = f"{' and '.join(topics)} episode" if topics else "episode"
    return f"{about} from {item.show}{length}" + (f", placed at the {slot.position} as asked" if mixed else "")
