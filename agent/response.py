"""Assemble the response for entries of every kind: the final content gate, the constraint report, timings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agent.deps import Deps
from agent.library import owned_estimate, owned_report
from agent.models import (
    ConstraintReport,
    FilteredItem,
    GenerateRequest,
    Playlist,
    PlaylistSpec,
    PlaylistTrack,
    Segment,
    Track,
)
from agent.talk_slots import TOLERANCE, music_spec, slot_report
from agent.wishes import with_wish_reports
from tools.content_filter import CompiledPolicy, ContentPolicy, apply_policy, blocked_genre
from tools.kid_safe import kid_rules, kid_unsafe
from tools.normalize import fold
from tools.talk_build import TalkItem
from tools.themes import THEMES, themes_of

if TYPE_CHECKING:
    from agent.items import Chosen, Entry
    from agent.planner.planned import Planned


def playlist_track(position: int, t: Track, why: str) -> PlaylistTrack:
    return PlaylistTrack.of_track(position, t, why)


def talk_track(position: int, item: TalkItem, why: str) -> PlaylistTrack:
    return PlaylistTrack.of_talk(position, item, why)


def talk_gate(items: list[TalkItem], policy: ContentPolicy, deps: Deps) -> tuple[list[TalkItem], list[FilteredItem]]:
    """The final gate for episodes: only talk-catalog items; the clean policy keeps only episodes whose show is
    known to be clean (explicit and unknown-status episodes are removed); blocked topics are removed."""
    kept: list[TalkItem] = []
    removed: list[FilteredItem] = []
    blocked = {g.strip().lower() for g in policy.blocked_genres}
    for item in items:
        reason = None
        if deps.talk.get(item.id) != item:
            reason = "not in the talk catalog"
        elif policy.explicit == "exclude" and item.explicit is not False:
            reason = "explicit" if item.explicit else "explicit status unknown"
        elif blocked & set(item.topics):
            reason = f"blocked topic {sorted(blocked & set(item.topics))[0]!r}"
        if reason:
            removed.append(FilteredItem(id=item.id, title=item.title, artists=[item.show], reason=reason))
        else:
            kept.append(item)
    return kept, removed


def final_gate(entries: Sequence[Entry], policy: ContentPolicy, deps: Deps) -> tuple[list[Entry], list[FilteredItem]]:
    """Last check on every path, order kept: songs must be in the catalog (or be owned tracks of the request's
    library known from their audio) and pass the content policy, episodes in the talk catalog and pass it too."""
    songs = [e for e in entries if isinstance(e, Track)]
    episodes = [e for e in entries if isinstance(e, TalkItem)]
    known = [t for t in songs if deps.catalog.get(t.id) is not None or owned_estimate(t, policy)]
    kept_songs, removed = apply_policy(known, policy)
    kept_episodes, removed_talk = talk_gate(episodes, policy, deps) if episodes else ([], [])
    passed = {id(e) for e in [*kept_songs, *kept_episodes]}
    return [e for e in entries if id(e) in passed], removed + removed_talk


def constraint_reports(spec, tracks: list[Track], policy: ContentPolicy,
                       notes: list[ConstraintReport] | None = None) -> list[ConstraintReport]:
    """Every hard constraint checked on the final tracks; a shortfall keeps the selection's explanation."""
    why = {r.name: r.note for r in notes or [] if r.note}
    out: list[ConstraintReport] = []
    target = spec.target_count()
    if target is not None:
        out.append(ConstraintReport(name="count", target=str(target), actual=str(len(tracks)), met=len(tracks) == target))
    if spec.minutes:
        actual = sum(t.duration_ms for t in tracks) / 60000
        out.append(ConstraintReport(name="duration", target=f"{spec.minutes:g} min ±3%", actual=f"{actual:.1f} min",
                                    met=abs(actual - spec.minutes) <= 0.03 * spec.minutes))
    if policy.explicit == "exclude":
        bad = sum(t.explicit is not False for t in tracks)
        out.append(ConstraintReport(name="explicit", target="none explicit or unknown", actual=f"{bad} explicit/unknown", met=bad == 0))
    if policy.kid_safe:
        out.append(kid_safe_report(tracks, policy))
    if policy.blocked_genres:
        out.append(blocked_genres_report(tracks, policy))
    songs = len({t.song_key for t in tracks})
    out.append(ConstraintReport(name="no_duplicates", target="each song once", actual=f"{len(tracks) - songs} repeated",
                                met=songs == len(tracks)))
    out += range_reports(spec, tracks) + theme_reports(spec, tracks) + owned_report(tracks, policy)
    fallback = "not enough catalog tracks pass the filters (see filtered)"
    return with_wish_reports(spec, tracks, [r if r.met else r.model_copy(update={"note": why.get(r.name) or r.note or fallback}) for r in out])


def blocked_genres_report(tracks: list[Track], policy: ContentPolicy) -> ConstraintReport:
    """'No country', 'without nu metal' and the listener's blocked genres, as whole words of any track genre."""
    terms = CompiledPolicy.of(policy).genres
    bad = [f"{t.title} ({hit[1]})" for t in tracks if (hit := blocked_genre(t, terms))]
    return ConstraintReport(name="exclude_genres", target=f"no {', '.join(policy.blocked_genres)}",
                            actual=f"{len(bad)} of {len(tracks)} in them", met=not bad, note="; ".join(bad[:3]))


def kid_safe_report(tracks: list[Track], policy: ContentPolicy) -> ConstraintReport:
    """Kids and family: no track whose title names drugs, violence, death, sex or profanity (tools/kid_safe.py)."""
    rules = kid_rules(policy.kid_words)
    bad = [f"{t.title} ({why})" for t in tracks if (why := kid_unsafe(t.title, t.genres, rules))]
    return ConstraintReport(name="kid_safe", target="no title naming drugs, alcohol, violence, death, sex or profanity; "
                            "no gangster rap, drill, horrorcore or extreme metal", actual=f"{len(bad)} of {len(tracks)} flagged",
                            met=not bad, note="; ".join(bad[:3]))


def theme_reports(spec, tracks: list[Track]) -> list[ConstraintReport]:
    """An asked theme ('christmas songs'): how many tracks carry it in their title or album; when the catalog's
    themed tracks that pass the filters run out, the rest are picked by sound and the report says so."""
    out = []
    for theme in themes_of(list(spec.moods)):
        carry = sum(bool(THEMES[theme].search(fold(f"{t.title} {t.album or ''}"))) for t in tracks)
        out.append(ConstraintReport(name="theme", target=f"{theme} songs (by title or album)",
                                    actual=f"{carry} of {len(tracks)}", met=carry == len(tracks),
                                    note="" if carry == len(tracks) else
                                    f"{len(tracks) - carry} picked by sound: too few {theme} songs in the catalog pass the "
                                    "filters and the artist limits"))
    return out


def range_reports(spec, tracks: list[Track]) -> list[ConstraintReport]:
    """Year, tempo and track-length limits, when the spec sets them."""
    out = []
    if spec.year_min is not None or spec.year_max is not None:
        years = [t.year for t in tracks]
        ok = all(y is not None and (spec.year_min or 0) <= y <= (spec.year_max or 9999) for y in years)
        span = f"{min(y for y in years if y)}-{max(y for y in years if y)}" if any(years) else "none"
        out.append(ConstraintReport(name="years", target=f"{spec.year_min or ''}-{spec.year_max or ''}", actual=span, met=ok))
    if spec.tempo_min is not None or spec.tempo_max is not None:
        ok = all((spec.tempo_min or 0) <= t.tempo <= (spec.tempo_max or 1000) for t in tracks)
        span = f"{min(t.tempo for t in tracks):.0f}-{max(t.tempo for t in tracks):.0f} BPM" if tracks else "none"
        out.append(ConstraintReport(name="tempo", target=f"{spec.tempo_min or ''}-{spec.tempo_max or ''} BPM", actual=span, met=ok))
    if spec.max_track_minutes is not None:
        longest = max((t.duration_ms for t in tracks), default=0) / 60000
        out.append(ConstraintReport(name="max_track_minutes", target=f"≤ {spec.max_track_minutes:g} min",
                                    actual=f"{longest:.1f} min", met=longest <= spec.max_track_minutes))
    return out


def playlist_id(request: GenerateRequest, spec: PlaylistSpec) -> str:
    """Same input → same id (and same playlist)."""
    unset = {k for k in ("exclude_ids", "library") if not getattr(request, k)}  # fields added later: ids stay stable
    body = request.model_dump_json(exclude=unset | {"save"})  # saving does not change the playlist
    later = {"kid_safe": False, "tempo_soft_min": None, "tempo_soft_max": None, "classics": False}  # added later, unset
    plan = spec.model_dump_json(exclude={k for k, v in later.items() if getattr(spec, k) == v} or None)
    h = hashlib.sha256(f"{body}|{plan}".encode())
    return "pl_" + h.hexdigest()[:16]


def entry_track(position: int, entry: Entry, chosen: Chosen, mixed: bool) -> PlaylistTrack:
    if isinstance(entry, Track):
        return playlist_track(position, entry, chosen.why(entry, mixed))
    return talk_track(position, entry, chosen.why(entry, mixed))


def build_playlist(request: GenerateRequest, planned: Planned, spec: PlaylistSpec, entries: list[Entry],
                   chosen: Chosen, segments: list[Segment], removed: list[FilteredItem], policy: ContentPolicy,
                   deps: Deps, timings: dict[str, float]) -> Playlist:
    """The response from gated entries: one builder for music, talk and mixed playlists."""
    mixed = any(isinstance(e, Track) for e in entries)
    return Playlist(
        id=playlist_id(request, spec), prompt=request.prompt, spec=spec,
        tracks=[entry_track(n, e, chosen, mixed) for n, e in enumerate(entries, 1)],
        segments=segments, constraints=reports_for(spec, entries, chosen, policy),
        filtered=chosen.music.filtered + removed, degraded=planned.degraded, degraded_reason=planned.degraded_reason,
        provider=planned.provider, prompt_version=request.prompt_version or deps.settings.prompt_version,
        user_id=request.user_id, usage=planned.usage, timings_ms=timings, library=request.library,
    )


def reports_for(spec: PlaylistSpec, entries: list[Entry], chosen: Chosen, policy: ContentPolicy) -> list[ConstraintReport]:
    """The constraint report: music checks for a music playlist; with talk, the music part's own checks plus
    duration and explicit redone over everything and one report per episode slot."""
    music = [e for e in entries if isinstance(e, Track)]
    if spec.format.kind == "music":
        return constraint_reports(spec, music, policy, chosen.music.constraints)
    kept = [(i, s) for i, s in chosen.talk.placed if i in entries]
    reports = constraint_reports(music_spec(spec, kept), music, policy, chosen.music.constraints) \
        if spec.format.kind != "talk" else []
    out = [r for r in reports if r.name not in ("duration", "explicit")]
    out += talk_totals(spec, entries, kept, policy)
    positions = {e.id: n for n, e in enumerate(entries, 1)}
    out += [slot_report(item, slot, positions[item.id], spec.format.kind == "mixed") for item, slot in kept]
    return out + chosen.talk.notes


def talk_totals(spec: PlaylistSpec, entries: list[Any], kept: list, policy: ContentPolicy) -> list[ConstraintReport]:
    """Count (talk only), duration and explicit over every entry, and the known-length rule when timed."""
    out = []
    if spec.format.kind == "talk" and spec.count:
        out.append(ConstraintReport(name="count", target=str(spec.count), actual=str(len(kept)), met=len(kept) == spec.count))
    if spec.minutes:
        actual = sum((getattr(e, "duration_ms", 0) or 0) for e in entries) / 60000
        met = abs(actual - spec.minutes) <= TOLERANCE * spec.minutes
        short = not met and spec.format.kind == "talk"  # talk only: the episodes alone make the minutes
        out.append(ConstraintReport(name="duration", target=f"{spec.minutes:g} min ±3%", actual=f"{actual:.1f} min",
                                    met=met, note="the episodes that fit, of known length and one per show, do not "
                                    "add up to the target" if short else ""))
        known = sum(bool(i.duration_ms) for i, _ in kept)
        out.append(ConstraintReport(name="talk_known_length", target="episodes of known length only",
                                    actual=f"{known} of {len(kept)} of known length", met=known == len(kept),
                                    note="a timed playlist uses only episodes whose length is known (Listen Notes, 2017)"))
    if policy.explicit == "exclude":
        bad = sum(getattr(e, "explicit", None) is not False for e in entries)
        out.append(ConstraintReport(name="explicit", target="none explicit or unknown", actual=f"{bad} explicit/unknown",
                                    met=bad == 0, note="episodes count as clean only when their show is flagged clean"))
    return out
