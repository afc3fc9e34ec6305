"""Mixed and talk-only playlists: choose podcast episodes for the format plan and place them where the prompt
asked (start, middle, end), around music chosen by the usual stages. With a duration target only episodes of
known length are used (the constraint report says so); the clean policy takes only shows known to be clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.deps import Deps
from agent.models import (
    ConstraintReport,
    FormatPlan,
    GenerateRequest,
    Playlist,
    PlaylistSpec,
    TalkSlot,
    Track,
)
from tools.content_filter import ContentPolicy
from tools.talk import TalkCandidate, TalkCatalog, TalkFilters

if TYPE_CHECKING:
    from agent.planner.planned import Planned
    from tools.talk_build import TalkItem

LANGUAGES = ["en"]  # prompts are read in English, so episodes are too
POOL = 30
TOLERANCE = 0.03


@dataclass
class TalkChoice:
    """The episodes chosen for a plan, each with its slot, plus what the search could not satisfy."""

    placed: list[tuple[TalkItem, TalkSlot]] = field(default_factory=list)
    notes: list[ConstraintReport] = field(default_factory=list)


def slot_filters(slot: TalkSlot, policy: ContentPolicy, timed: bool, taken: list[TalkItem]) -> TalkFilters:
    """Hard filters for one slot: policy, language, topics, length, and no show twice."""
    return TalkFilters(explicit=policy.explicit, languages=LANGUAGES, topics=slot.topics,
                       max_duration_ms=int(slot.max_minutes * 60000) if slot.max_minutes else None,
                       known_duration_only=timed, exclude_ids=[i.id for i in taken],
                       exclude_shows=[i.show_id for i in taken])


def slot_query(slot: TalkSlot, spec: PlaylistSpec) -> str:
    words = [slot.query, " ".join(slot.topics), spec.query if spec.format.kind == "talk" else ""]
    return " ".join(w for w in words if w).strip() or "podcast episode"


def search_slot(slot: TalkSlot, spec: PlaylistSpec, policy: ContentPolicy, talk: TalkCatalog, timed: bool,
                taken: list[TalkItem]) -> list[TalkCandidate]:
    """Best episodes for a slot; when no episode has the topic, the topic becomes a soft (semantic) wish."""
    filters = slot_filters(slot, policy, timed, taken)
    found = talk.search(slot_query(slot, spec), filters, k=POOL)
    if not found and slot.topics:
        found = talk.search(slot_query(slot, spec), filters.model_copy(update={"topics": []}), k=POOL)
    return found


def choose_talk(plan: FormatPlan, spec: PlaylistSpec, policy: ContentPolicy, talk: TalkCatalog,
                seed: int = 0) -> TalkChoice:
    """One episode per slot (seeded among the three best), never two from one show."""
    timed = spec.minutes is not None
    choice = TalkChoice()
    taken: list[TalkItem] = []
    for slot in plan.talk:
        found = search_slot(slot, spec, policy, talk, timed, taken)
        if not found:
            choice.notes.append(ConstraintReport(
                name="talk", target=describe(slot), actual="none found", met=False,
                note="no episode passes the filters (clean shows only, English, known length when timed)"))
            continue
        pick = found[seed % min(3, len(found))].item
        taken.append(pick)
        choice.placed.append((pick, slot))
    return choice


def fill_talk_minutes(spec: PlaylistSpec, policy: ContentPolicy, talk: TalkCatalog) -> TalkChoice:
    """Talk only with a duration target: episodes of known length, best first, until the target is met ±3%."""
    target = (spec.minutes or 0) * 60000
    slot = spec.format.talk[0] if spec.format.talk else TalkSlot()
    found = talk.search(slot_query(slot, spec), slot_filters(slot, policy, True, []), k=400)
    choice, total, shows = TalkChoice(), 0, set()
    for c in found:
        d = c.item.duration_ms or 0
        if c.item.show_id not in shows and total + d <= target * (1 + TOLERANCE):
            choice.placed.append((c.item, slot))
            shows.add(c.item.show_id)
            total += d
        if total >= target * (1 - TOLERANCE):
            break
    return choice


def place(music: list[Track], placed: list[tuple[TalkItem, TalkSlot]]) -> list[Any]:
    """The final order: start episodes first, middle ones halfway through the music, end ones last."""
    at = {p: [item for item, slot in placed if slot.position == p] for p in ("start", "middle", "end")}
    half = (len(music) + 1) // 2
    return [*at["start"], *music[:half], *at["middle"], *music[half:], *at["end"]]


def describe(slot: TalkSlot) -> str:
    what = " ".join(slot.topics) or "any"
    length = f" ≤ {slot.max_minutes:g} min" if slot.max_minutes else ""
    return f"{what} episode{length} at the {slot.position}"


def music_spec(spec: PlaylistSpec, placed: list[tuple[TalkItem, TalkSlot]]) -> PlaylistSpec:
    """The music part of a mixed spec: the episodes' known minutes come off a duration target."""
    update: dict[str, Any] = {"format": FormatPlan()}
    if spec.minutes:
        talk_min = sum((i.duration_ms or 0) for i, _ in placed) / 60000
        update["minutes"] = max(1.0, round(spec.minutes - talk_min, 2))
    return spec.model_copy(update=update)


def stated_format(request: GenerateRequest, spec: PlaylistSpec) -> FormatPlan:
    """The prompt's own words decide whether talk plays: a planner may shape the slots, never add talk."""
    from agent.planner.formats import parse_format

    if parse_format(request.prompt).kind == "music":
        return FormatPlan()
    return spec.format


def music_part(request: GenerateRequest, spec: PlaylistSpec, profile: Any, policy: ContentPolicy, deps: Deps,
               extra: list, timings: dict[str, float]) -> tuple[list[Track], Any]:
    """The usual music stages (candidates, selection, sequencing) for the music part of a mixed spec."""
    from agent.candidates import gather
    from agent.generate import timed
    from agent.selection import Selection, select
    from agent.sequencing import sequence

    if spec.format.kind == "talk":
        return [], Selection(tracks=[])
    mspec = music_spec(spec, [])
    with timed(timings, "candidates"):
        candidates = gather(mspec, policy, deps.catalog, profile)
    with timed(timings, "selection"):
        selection = select(candidates + extra, mspec, policy, profile, request.seed, catalog=deps.catalog)
    with timed(timings, "sequencing"):
        ordered = sequence(selection.tracks, mspec.arc, seed=request.seed)
    return ordered, selection


def mix_talk(request: GenerateRequest, planned: Planned, profile: Any, policy: ContentPolicy, deps: Deps,
             timings: dict[str, float]) -> Playlist:
    """A talk-only or mixed playlist: episodes for the plan, music for the rest, one order, one narration."""
    from agent.generate import timed

    fmt = stated_format(request, planned.spec)
    spec = planned.spec.model_copy(update={"format": fmt})
    with timed(timings, "talk"):
        if fmt.kind == "talk" and spec.minutes:
            choice = fill_talk_minutes(spec, policy, deps.talk)
        else:
            choice = choose_talk(talk_only_slots(spec), spec, policy, deps.talk, request.seed)
    music_target = music_spec(spec, choice.placed) if fmt.kind == "mixed" else spec
    ordered, selection = music_part(request, music_target, profile, policy, deps, planned.extra_candidates, timings)
    return assemble(request, planned, spec, ordered, selection, choice, policy, profile, deps, timings)


def talk_only_slots(spec: PlaylistSpec) -> FormatPlan:
    """A request's count sets how many episodes a talk-only playlist holds."""
    plan = spec.format
    if plan.kind == "talk" and spec.count and plan.talk:
        return plan.model_copy(update={"talk": [plan.talk[n % len(plan.talk)] for n in range(spec.count)]})
    return plan


def assemble(request: GenerateRequest, planned: Planned, spec: PlaylistSpec, ordered: list[Track], selection: Any,
             choice: TalkChoice, policy: ContentPolicy, profile: Any, deps: Deps, timings: dict[str, float]) -> Playlist:
    """Final gates (music and talk), placement, narration and the constraint report."""
    from agent.generate import playlist_id, timed
    from agent.narration import narrate, with_talk
    from agent.response import constraint_reports, final_gate, playlist_track, talk_gate, talk_track

    music, removed = final_gate(ordered, policy, deps)
    episodes, removed_talk = talk_gate([item for item, _ in choice.placed], policy, deps)
    kept = [(i, s) for i, s in choice.placed if i in episodes]
    entries = place(music, kept)
    with timed(timings, "narration"):
        segments = with_talk(narrate(music, spec, request.prompt, profile, deps, seed=request.seed) if music else [],
                             entries, spec.narration, seed=request.seed)
    mspec = music_spec(spec, kept) if spec.format.kind != "talk" else None
    reports = constraint_reports(mspec, music, policy, selection.constraints) if mspec else []
    tracks = [playlist_track(n, e, selection.why.get(e.id, "")) if isinstance(e, Track)
              else talk_track(n, e, why_episode(e, slot_of(e, kept), bool(music))) for n, e in enumerate(entries, 1)]
    return Playlist(
        id=playlist_id(request, spec), prompt=request.prompt, spec=spec, tracks=tracks, segments=segments,
        constraints=talk_reports(spec, entries, kept, choice, policy, reports),
        filtered=selection.filtered + removed + removed_talk, degraded=planned.degraded,
        degraded_reason=planned.degraded_reason, provider=planned.provider,
        prompt_version=request.prompt_version or deps.settings.prompt_version, user_id=request.user_id,
        usage=planned.usage, timings_ms=timings,
    )


def slot_of(item: TalkItem, kept: list[tuple[TalkItem, TalkSlot]]) -> TalkSlot:
    return next(s for i, s in kept if i.id == item.id)


def why_episode(item: TalkItem, slot: TalkSlot, mixed: bool) -> str:
    """Why this episode, from facts: the topic asked for and the show's labels, its length when known."""
    topics = [t for t in slot.topics if t in item.topics] or item.topics[:2]
    length = f", {round(item.duration_ms / 60000)} min" if item.duration_ms else ""
    about = f"{' and '.join(topics)} episode" if topics else "episode"
    return f"{about} from {item.show}{length}" + (f", placed at the {slot.position} as asked" if mixed else "")


def talk_reports(spec: PlaylistSpec, entries: list[Any], kept: list[tuple[TalkItem, TalkSlot]], choice: TalkChoice,
                 policy: ContentPolicy, music_reports: list[ConstraintReport]) -> list[ConstraintReport]:
    """Music reports (count of songs, repeats …) with the duration and explicit checks redone over everything,
    plus one report per episode slot and, with a duration target, the known-length rule."""
    out = [r for r in music_reports if r.name not in ("duration", "explicit")]
    if spec.format.kind == "talk" and spec.count:
        out.append(ConstraintReport(name="count", target=str(spec.count), actual=str(len(kept)), met=len(kept) == spec.count))
    if spec.minutes:
        actual = sum((getattr(e, "duration_ms", 0) or 0) for e in entries) / 60000
        out.append(ConstraintReport(name="duration", target=f"{spec.minutes:g} min ±3%", actual=f"{actual:.1f} min",
                                    met=abs(actual - spec.minutes) <= TOLERANCE * spec.minutes))
        out.append(ConstraintReport(name="talk_known_length", target="episodes of known length only",
                                    actual=f"{len(kept)} of known length", met=all(i.duration_ms for i, _ in kept),
                                    note="a timed playlist uses only episodes whose length is known (Listen Notes, 2017)"))
    if policy.explicit == "exclude":
        bad = sum(getattr(e, "explicit", None) is not False for e in entries)
        out.append(ConstraintReport(name="explicit", target="none explicit or unknown", actual=f"{bad} explicit/unknown",
                                    met=bad == 0, note="episodes count as clean only when their show is flagged clean"))
    positions = {e.id: n for n, e in enumerate(entries, 1)}
    for item, slot in kept:
        out.append(ConstraintReport(name="talk", target=describe(slot), actual=f"{item.show}: position {positions[item.id]}",
                                    met=True))
    return out + choice.notes
