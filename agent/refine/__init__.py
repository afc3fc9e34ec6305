"""refine(): a kept playlist + a follow-up ("less upbeat", "drop the rap") → a new playlist and a diff with reasons.

What still fits the new spec is kept, what no longer fits is removed with its reason, and the gap is filled from
fresh candidates under the same hard constraints; the whole set is then sequenced and narrated again."""

from __future__ import annotations

import hashlib
import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from agent.deps import Deps
from agent.items import Chosen, arrange
from agent.models import (
    FEATURES,
    NON_BLANK,
    Candidate,
    DiffItem,
    FilteredItem,
    FormatPlan,
    GenerateRequest,
    Playlist,
    PlaylistDiff,
    PlaylistSpec,
    Track,
)
from agent.narration import narrate_entries
from agent.planner.planned import Planned
from agent.refine.parse import Bound, Delta, SpecChange, fmt_value, parse_instruction
from agent.refine.talk import kept_episodes
from agent.response import build_playlist, final_gate
from agent.selection import Selection
from agent.talk_slots import TalkChoice, music_spec
from tools.content_filter import ContentPolicy, apply_policy

SOFT_FIELDS = ("genres", "seed_artists", "query", "mix")
REPLACE_SHARE = 0.4  # share of the kept tracks a soft change replaces

__all__ = ["DiffItem", "PlaylistDiff", "RefineRequest", "RefineResult", "SpecChange", "refine"]


class RefineRequest(BaseModel):
    """A follow-up to a kept playlist."""

    model_config = ConfigDict(extra="forbid")

    instruction: Annotated[str, NON_BLANK] = Field(max_length=500, examples=["less upbeat", "more 90s, drop the rap", "no explicit, longer"])
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Same seed + same input → same refinement.")
    save: bool = Field(False, description="Also save the refined playlist to its library (updating the copy saved "
                       "before, if any); the response's `playlist.saved` says where.")


class RefineResult(BaseModel):
    """The response of `POST /playlists/{id}/refine` and `segue refine --json`."""

    playlist: Playlist
    parent_id: str = Field(description="The playlist that was refined.")
    instruction: str
    changes: list[SpecChange] = Field(description="How the instruction changed the spec.")
    diff: PlaylistDiff


def refine(playlist: Playlist, instruction: str, deps: Deps, seed: int = 0) -> RefineResult:
    start = time.perf_counter()
    delta = parse_instruction(instruction, playlist, deps.catalog)
    request = GenerateRequest(prompt=f"{playlist.prompt} · {instruction}"[:2000], user_id=playlist.user_id, seed=seed,
                              library=playlist.library)
    profile = deps.profiles.get_profile(playlist.user_id) if deps.profiles and playlist.user_id else None
    from agent.policy import policy_for

    policy = policy_for(request, delta.spec, profile, deps)
    episodes, gone = kept_episodes(playlist, deps)
    music = delta.model_copy(update={"spec": music_spec(delta.spec, episodes)}) if episodes else delta
    kept, removed = keep_fitting(playlist, music, policy, deps)
    kept, trimmed = trim(kept, music.spec)
    kept, replaced = make_room(kept, music, deps, profile)
    talk_only = delta.spec.format.kind == "talk"  # a podcast-only playlist stays one: no songs fill it
    added, why = ([], {}) if talk_only else fill(kept, music, policy, deps, profile, seed, before=playlist.spec)
    removed += gone + trimmed + replaced
    new = assemble(request, playlist, delta, Chosen(spec=music.spec, music=Selection(tracks=kept + added, why=why),
                                                    talk=TalkChoice(placed=episodes)), removed, policy, deps, profile, seed)
    new.timings_ms["refine"] = round((time.perf_counter() - start) * 1000, 2)
    diff = make_diff(playlist, new, delta, removed)
    return RefineResult(playlist=new, parent_id=playlist.id, instruction=instruction, changes=delta.changes, diff=diff)


def keep_fitting(playlist: Playlist, delta: Delta, policy: ContentPolicy, deps: Deps) -> tuple[list[Track], list[FilteredItem]]:
    """The old tracks that pass the new policy and every new window, in their old order."""
    removed: list[FilteredItem] = []
    present: list[Track] = []
    lookup = track_lookup(deps, policy.library)
    for pt in (t for t in playlist.tracks if t.kind != "talk"):  # episodes: agent/refine/talk.py
        track = lookup(pt.id)
        if track is None:
            removed.append(FilteredItem(id=pt.id, title=pt.title, artists=pt.artists, reason="no longer in the catalog"))
        else:
            present.append(track)
    allowed, filtered = apply_policy(present, policy)
    kept: list[Track] = []
    for t in allowed:
        reason = next((r for b in delta.bounds if b.scope == "playlist" and (r := b.violation(_value(t, b)))), None)
        if reason:
            removed.append(FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason=reason))
        else:
            kept.append(t)
    return kept, removed + filtered


def track_lookup(deps: Deps, library: str | None):
    """id → the track a playlist plays: from the catalog, or (with a library) the library's own view of it."""
    if not library:
        return deps.catalog.get
    from agent.library_source import owned

    lib = owned(deps, library)
    return lambda track_id: lib.get(track_id, deps.catalog)


def trim(kept: list[Track], spec: PlaylistSpec) -> tuple[list[Track], list[FilteredItem]]:
    """Drop tracks from the end when the new spec asks for a shorter playlist."""
    target = spec.target_count()
    if target is not None:
        cut = target
    else:
        budget, total, cut = (spec.minutes or 0) * 60000 * 1.03, 0, 0
        for t in kept:
            if total + t.duration_ms > budget:
                break
            total, cut = total + t.duration_ms, cut + 1
    out = [FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason="trimmed: the playlist is shorter now")
           for t in kept[cut:]]
    return kept[:cut], out


def make_room(kept: list[Track], delta: Delta, deps: Deps, profile) -> tuple[list[Track], list[FilteredItem]]:
    """A soft change (more of a genre, like an artist, a free-text nudge) replaces the tracks that match it least."""
    soft = [c for c in delta.changes if c.field in SOFT_FIELDS]
    if not soft or len(kept) < 3:
        return kept, []
    import numpy as np

    from agent.candidates import query_vector

    vec = query_vector(delta.spec, deps.catalog, profile)
    rows = [deps.catalog.index.get(t.id) for t in kept]  # None: an owned track known from its audio (scored 0)
    scores = np.array([float(deps.catalog.vectors[r] @ vec) if r is not None else 0.0 for r in rows])
    if delta.spec.seed_artists or delta.spec.genres:
        wanted = deps.catalog.artist_mask(delta.spec.seed_artists) | deps.catalog.genre_mask(delta.spec.genres)
        scores += np.array([1.0 if r is not None and wanted[r] else 0.0 for r in rows])
    drop = set(np.argsort(scores, kind="stable")[: round(len(kept) * REPLACE_SHARE)].tolist())
    reason = f"makes room for {delta.instruction!r} (matched it least)"
    out = [FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason=reason) for n, t in enumerate(kept) if n in drop]
    return [t for n, t in enumerate(kept) if n not in drop], out


def fill(kept: list[Track], delta: Delta, policy: ContentPolicy, deps: Deps, profile, seed: int,
         before: PlaylistSpec | None = None) -> tuple[list[Track], dict[str, str]]:
    """New tracks for the gap, chosen by the normal selection from candidates inside every window (a mix-in's
    windows too: 'add some 80s' fills the gap from the 1980s) and, when the instruction adds genres or artists,
    from those alone ('more west coast' on a 90s hip hop playlist fills the gap with west coast rap)."""
    focus = added_focus(delta.spec, before) if before is not None else delta.spec
    delta = delta.model_copy(update={"spec": with_added_windows(focus, delta.bounds)})
    spec = fill_spec(kept, delta.spec)
    if spec is None:
        return [], {}
    from agent.selection import select

    pool = candidates(delta, policy, deps, profile, kept)
    selection = select(pool, spec, policy, profile, seed)
    fitted = [t for t in selection.tracks if not any(b.violation(_value(t, b)) for b in delta.bounds)]
    return fitted, {t.id: added_why(t, selection.why.get(t.id, ""), delta) for t in fitted}


def added_focus(spec: PlaylistSpec, before: PlaylistSpec) -> PlaylistSpec:
    """The spec with only the genres and seed artists the instruction added, when it added any."""
    genres = [g for g in spec.genres if g not in before.genres]
    seeds = [a for a in spec.seed_artists if a not in before.seed_artists]
    if not genres and not seeds:
        return spec
    return spec.model_copy(update={"genres": genres, "seed_artists": seeds})


def with_added_windows(spec: PlaylistSpec, bounds: list[Bound]) -> PlaylistSpec:
    """The spec the added tracks are searched with: the year windows only they must respect, applied."""
    years = [b for b in bounds if b.scope == "added" and b.field == "year"]
    if not years:
        return spec
    lows = [int(b.low) for b in years if b.low is not None] + ([spec.year_min] if spec.year_min else [])
    highs = [int(b.high) for b in years if b.high is not None] + ([spec.year_max] if spec.year_max else [])
    return spec.model_copy(update={"year_min": max(lows) if lows else None, "year_max": min(highs) if highs else None})


def fill_spec(kept: list[Track], spec: PlaylistSpec) -> PlaylistSpec | None:
    """The spec of the gap only: how many tracks (or minutes) are still missing."""
    target = spec.target_count()
    if target is not None:
        missing = target - len(kept)
        return spec.model_copy(update={"count": missing, "minutes": None}) if missing > 0 else None
    remaining = (spec.minutes or 0) - sum(t.duration_ms for t in kept) / 60000
    return spec.model_copy(update={"minutes": remaining, "count": None}) if remaining >= 1.5 else None


def candidates(delta: Delta, policy: ContentPolicy, deps: Deps, profile, kept: list[Track]) -> list[Candidate]:
    """The usual candidates inside the windows, topped up by searches restricted to them (wanted genres and
    artists first); nothing already kept, no third track by one artist."""
    from agent.candidates import POOL, gather
    from agent.library_source import library_pool

    found = library_pool(gather(delta.spec, policy, deps.catalog, profile), delta.spec, policy, deps, profile)
    inside = [c for c in found if not any(b.violation(_value(c.track, b)) for b in delta.bounds)]
    if len(inside) < POOL // 2:
        seen = {c.track.id for c in inside}
        inside += [c for c in top_up(delta, policy, deps, profile) if c.track.id not in seen]
    keys = {t.song_key for t in kept}
    per_artist: dict[str, int] = {}
    for t in kept:
        per_artist[t.artist] = per_artist.get(t.artist, 0) + 1
    return [c for c in inside if c.track.song_key not in keys and per_artist.get(c.track.artist, 0) < 2]


def top_up(delta: Delta, policy: ContentPolicy, deps: Deps, profile) -> list[Candidate]:
    from agent.candidates import POOL, query_vector, search_filters

    spec, catalog = delta.spec, deps.catalog
    ranges = {b.field: (b.low if b.low is not None else 0.0, b.high if b.high is not None else 1.0)
              for b in delta.bounds if b.field in FEATURES}
    hard = catalog.mask(search_filters(spec, policy).model_copy(update={"features": ranges}))
    vec = query_vector(spec, catalog, profile)
    found: dict[str, Candidate] = {}
    if spec.genres or spec.seed_artists:
        soft = catalog.genre_mask(spec.genres) | catalog.artist_mask(spec.seed_artists)
        found = {c.track.id: c for c in catalog.search_vector(vec, k=POOL, mask=hard & soft)}
    if len(found) < POOL // 2:
        for c in catalog.search_vector(vec, k=POOL, mask=hard):
            found.setdefault(c.track.id, c)
    return list(found.values())


def assemble(request: GenerateRequest, old: Playlist, delta: Delta, chosen: Chosen, removed: list[FilteredItem],
             policy: ContentPolicy, deps: Deps, profile, seed: int) -> Playlist:
    """Sequence (episodes kept at their place), gate, narrate and build exactly like a generated playlist."""
    spec = delta.spec if chosen.talk.placed else delta.spec.model_copy(update={"format": FormatPlan()})
    entries, gated = final_gate(arrange(chosen, seed=seed), policy, deps)
    segments = narrate_entries(entries, spec, request.prompt, profile, deps, seed=seed)
    why = {pt.id: pt.why for pt in old.tracks} | chosen.music.why
    chosen = Chosen(spec=chosen.spec, music=Selection(tracks=chosen.music.tracks, why=why, filtered=removed),
                    talk=chosen.talk)
    new = build_playlist(request, Planned(spec=spec, provider="offline"), spec, entries, chosen, segments, gated,
                         policy, deps, {})
    return new.model_copy(update={"id": refine_id(old.id, delta, seed)})


def make_diff(old: Playlist, new: Playlist, delta: Delta, removed: list[FilteredItem]) -> PlaylistDiff:
    old_ids = {t.id for t in old.tracks}
    new_ids = {t.id for t in new.tracks}
    fit = "still fits" + (f" {delta.instruction!r}" if delta.changes else "")
    reasons = {r.id: r.reason for r in removed + new.filtered}
    return PlaylistDiff(
        kept=[DiffItem(id=t.id, title=t.title, artists=t.artists, reason=fit) for t in new.tracks if t.id in old_ids],
        added=[DiffItem(id=t.id, title=t.title, artists=t.artists, reason=t.why) for t in new.tracks if t.id not in old_ids],
        removed=[DiffItem(id=t.id, title=t.title, artists=t.artists, reason=reasons.get(t.id, "replaced"))
                 for t in old.tracks if t.id not in new_ids],
    )


def refine_id(parent_id: str, delta: Delta, seed: int) -> str:
    h = hashlib.sha256(f"{parent_id}|{delta.instruction}|{delta.spec.model_dump_json()}|{seed}".encode())
    return "pl_" + h.hexdigest()[:16]


def added_why(track: Track, why: str, delta: Delta) -> str:
    """The selection's reason plus the facts that answer the instruction ('energy 0.41')."""
    facts = ", ".join(dict.fromkeys(f"{b.field} {fmt_value(_value(track, b))}" for b in delta.bounds))
    added = f"added for {delta.instruction!r}" + (f": {facts}" if facts else "")
    return f"{why} — {added}" if why else added


def _value(track: Track, bound: Bound) -> float | None:
    return float(getattr(track, bound.field)) if getattr(track, bound.field) is not None else None
