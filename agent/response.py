"""Assemble the response: the final content gate, constraint report, timings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.deps import Deps
from agent.models import (
    ConstraintReport,
    FilteredItem,
    GenerateRequest,
    Playlist,
    PlaylistTrack,
    Segment,
    Track,
)
from agent.wishes import with_wish_reports
from tools.content_filter import ContentPolicy, apply_policy

if TYPE_CHECKING:
    from tools.talk_build import TalkItem


def playlist_track(position: int, t: Track, why: str) -> PlaylistTrack:
    return PlaylistTrack(position=position, id=t.id, title=t.title, artists=list(t.artists), album=t.album,
                         year=t.year, genres=list(t.genres[:6]), explicit=t.explicit, duration_ms=t.duration_ms,
                         tempo=t.tempo, key=t.key, mode=t.mode, camelot=t.camelot, energy=t.energy,
                         valence=t.valence, danceability=t.danceability, why=why)


def talk_track(position: int, item: TalkItem, why: str) -> PlaylistTrack:
    """A podcast episode as a playlist entry: artists = publisher, album = show, genres = topics,
    duration_ms 0 when its length is unknown, no audio features."""
    return PlaylistTrack(position=position, id=item.id, title=item.title, artists=[item.publisher or item.show],
                         album=item.show, year=None, genres=list(item.topics), explicit=item.explicit,
                         duration_ms=item.duration_ms or 0, tempo=0.0, key=0, mode=0, camelot="", energy=0.0,
                         valence=0.0, danceability=0.0, why=why, kind="talk", show=item.show)


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
        elif policy.explicit == "exclude" and item.explicit != "false":
            reason = "explicit" if item.explicit == "true" else "explicit status unknown"
        elif blocked & set(item.topics):
            reason = f"blocked topic {sorted(blocked & set(item.topics))[0]!r}"
        if reason:
            removed.append(FilteredItem(id=item.id, title=item.title, artists=[item.show], reason=reason))
        else:
            kept.append(item)
    return kept, removed


def final_gate(tracks: list[Track], policy: ContentPolicy, deps: Deps) -> tuple[list[Track], list]:
    """Last check on every path: catalog membership and the content policy."""
    in_catalog = [t for t in tracks if deps.catalog.get(t.id) is not None]
    return apply_policy(in_catalog, policy)


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
        bad = sum(t.explicit != "false" for t in tracks)
        out.append(ConstraintReport(name="explicit", target="none explicit or unknown", actual=f"{bad} explicit/unknown", met=bad == 0))
    songs = len({t.song_key for t in tracks})
    out.append(ConstraintReport(name="no_duplicates", target="each song once", actual=f"{len(tracks) - songs} repeated",
                                met=songs == len(tracks)))
    out += range_reports(spec, tracks)
    fallback = "not enough catalog tracks pass the filters (see filtered)"
    return with_wish_reports(spec, tracks, [r if r.met else r.model_copy(update={"note": why.get(r.name, fallback)}) for r in out])


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


def build_playlist(request: GenerateRequest, planned, ordered: list[Track], selection, segments: list[Segment],
                   policy: ContentPolicy, deps: Deps, timings: dict[str, float]) -> Playlist:
    from agent.generate import playlist_id

    final, removed = final_gate(ordered, policy, deps)
    return Playlist(
        id=playlist_id(request, planned.spec), prompt=request.prompt, spec=planned.spec,
        tracks=[playlist_track(n, t, selection.why.get(t.id, "")) for n, t in enumerate(final, 1)],
        segments=segments, constraints=constraint_reports(planned.spec, final, policy, selection.constraints),
        filtered=selection.filtered + removed, degraded=planned.degraded, degraded_reason=planned.degraded_reason,
        provider=planned.provider, prompt_version=request.prompt_version or deps.settings.prompt_version,
        user_id=request.user_id, usage=planned.usage, timings_ms=timings,
    )
