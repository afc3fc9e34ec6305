"""Daylist: a playlist for a listener's time of day and weekday, with no prompt. Built from the taste profile
(top genres, taste centroid) and, when the history has timestamps, from what they play around that hour;
the daypart sets the mood and energy (early morning calm, commute upbeat, late night mellow …). The title
("sunday morning acoustic indie pop") names only genres and mood words present in the chosen tracks.
Deterministic offline. Times are read as UTC, like the profile's listening hours. With a library, every stage
picks only owned tracks, as `generate --library` does (and no podcast episode is added: it would not be owned)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import Field

from agent.deps import Deps
from agent.generate import timed
from agent.items import arrange, gather_all, select_all
from agent.models import FormatPlan, GenerateRequest, Playlist, PlaylistSpec, TalkSlot, Track
from agent.narration import narrate_entries
from agent.planner.planned import Planned
from agent.policy import policy_for
from agent.response import build_playlist, final_gate
from tools.moods import mood_words
from tools.normalize import fold
from tools.talk_profile import taste_for

COUNT = 20
HOUR_WINDOW = 2
MIN_HOUR_EVENTS = 3


@dataclass(frozen=True)
class Daypart:
    name: str
    moods: tuple[str, ...]  # lexicon moods (agent/planner/lexicon.py) for the spec
    targets: dict[str, float]
    energy: tuple[float, float]  # energy band candidates are kept in (widened when scarce)
    words: tuple[str, ...]  # mood words (tools/moods.py) the title prefers, in order
    arc: str


EARLY = Daypart("early morning", ("coffee",), {"energy": 0.35, "valence": 0.55, "acousticness": 0.6},
                (0.0, 0.6), ("acoustic", "mellow", "upbeat"), "rise")
COMMUTE = Daypart("commute", ("driving",), {"energy": 0.72, "valence": 0.7, "danceability": 0.65},
                  (0.55, 1.0), ("upbeat", "high-energy", "danceable"), "steady")
MORNING = Daypart("morning", ("morning",), {"energy": 0.55, "valence": 0.7, "acousticness": 0.4},
                  (0.35, 0.8), ("upbeat", "acoustic", "danceable"), "rise")
AFTERNOON = Daypart("afternoon", (), {"energy": 0.65, "valence": 0.6, "danceability": 0.65},
                    (0.45, 0.9), ("danceable", "upbeat", "high-energy"), "wave")
EVENING = Daypart("evening", ("dinner",), {"energy": 0.6, "valence": 0.6, "danceability": 0.6},
                  (0.4, 0.85), ("danceable", "upbeat", "acoustic"), "steady")
NIGHT_OUT = Daypart("night out", ("party",), {"energy": 0.85, "danceability": 0.8, "valence": 0.7},
                    (0.65, 1.0), ("high-energy", "danceable", "upbeat"), "peak")
LATE_NIGHT = Daypart("late night", ("night",), {"energy": 0.35, "valence": 0.4, "acousticness": 0.5},
                     (0.0, 0.6), ("mellow", "melancholy", "acoustic"), "fall")
SMALL_HOURS = Daypart("small hours", ("sleep",), {"energy": 0.25, "valence": 0.35, "acousticness": 0.65},
                      (0.0, 0.5), ("mellow", "acoustic", "melancholy"), "fall")


def daypart(at: datetime) -> Daypart:
    """The daypart of an hour and weekday (Monday = 0): weekday commutes, Friday and Saturday nights out."""
    h, weekend = at.hour, at.weekday() >= 5
    if h < 5:
        return SMALL_HOURS
    if h < 7:
        return EARLY
    if h < 10:
        return MORNING if weekend else COMMUTE
    if h < 12:
        return MORNING
    if h < 17:
        return COMMUTE if h >= 16 and not weekend else AFTERNOON
    if h < 20:
        return EVENING
    if h < 23 and at.weekday() in (4, 5):
        return NIGHT_OUT
    return LATE_NIGHT if h >= 21 else EVENING


class Daylist(Playlist):
    """A Daylist: the playlist plus its generated title and the context it was made for."""

    title: str = Field(description="Descriptive title: weekday, daypart, then a mood word and a genre found in the tracks.")
    daypart: str = Field(description="early morning, commute, morning, afternoon, evening, night out, late night, small hours.")
    at: datetime = Field(description="The moment the daylist is for (UTC).")
    title_mood: str | None = Field(None, description="The mood word in the title (tools/moods.py), if any.")
    title_genre: str | None = Field(None, description="The genre in the title, if any.")


def as_utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def hour_history(deps: Deps, user_id: str, hour: int, window: int = HOUR_WINDOW) -> list[str]:
    """Track ids the listener played (not skipped) within `window` hours of `hour`, from the SQLite profile store;
    empty when the store keeps no timestamps or is not SQLite."""
    import sqlite3

    transaction = getattr(deps.profiles, "transaction", None)
    if transaction is None:
        return []
    try:
        with transaction(write=False) as db:
            rows = db.execute("SELECT track_id, ts FROM events WHERE user_id = ? AND skipped = 0 AND ts IS NOT NULL",
                              (user_id,)).fetchall()
    except sqlite3.Error:
        return []
    near = lambda h: min((h - hour) % 24, (hour - h) % 24) <= window  # noqa: E731
    return [tid for tid, ts in rows if near(datetime.fromtimestamp(ts, UTC).hour) and tid in deps.catalog.index]


def hour_profile(profile: Any, hour_ids: list[str], deps: Deps) -> tuple[Any, list[str]]:
    """The profile with its taste centroid pulled towards what is played at this hour, and that hour's top genres."""
    if len(hour_ids) < MIN_HOUR_EVENTS or profile is None:
        return profile, []
    rows = [deps.catalog.index[i] for i in hour_ids]
    vec = deps.catalog.vectors[rows].mean(axis=0)
    if profile.embedding_centroid:
        vec = vec + np.asarray(profile.embedding_centroid, dtype=np.float32)
    vec = vec / (np.linalg.norm(vec) or 1.0)
    genres = Counter(g for r in rows for g in deps.catalog.tracks[r].genres[:4])
    return profile.model_copy(update={"embedding_centroid": [float(x) for x in vec]}), [g for g, _ in genres.most_common(2)]


def daylist_spec(profile: Any, part: Daypart, hour_genres: list[str]) -> PlaylistSpec:
    from agent.selection import top_genres

    genres = list(dict.fromkeys(hour_genres + top_genres(profile, 3)))[:3]
    return PlaylistSpec(count=COUNT, genres=genres, moods=list(part.moods), feature_targets=dict(part.targets),
                        arc=part.arc, taste_weight=0.8, query=part.name, narration="brief")  # type: ignore[arg-type]


def in_band(candidates: list, band: tuple[float, float], want: int = 3 * COUNT) -> list:
    """Candidates whose energy suits the daypart; the band widens by 0.1 a side until enough remain."""
    lo, hi = band
    for _ in range(6):
        kept = [c for c in candidates if lo <= c.track.energy <= hi]
        if len(kept) >= want:
            return kept
        lo, hi = lo - 0.1, hi + 0.1
    return candidates


def title_genre(tracks: list[Track], wanted: list[str]) -> str | None:
    """The wanted genre most tracks carry, else the most common genre; only if a third of the tracks carry it."""
    n = len(tracks)
    counts = Counter(fold(g) for t in tracks for g in dict.fromkeys(t.genres))
    names = {fold(g): g for t in tracks for g in t.genres}
    ranked = [fold(g) for g in wanted if counts[fold(g)]] + [g for g, _ in counts.most_common()]
    best = max(ranked, key=lambda g: (counts[g] * (1.5 if g in {fold(w) for w in wanted} else 1.0)), default=None)
    return names[best] if best and counts[best] >= n / 3 else None


def make_title(tracks: list[Track], at: datetime, part: Daypart, wanted: list[str]) -> tuple[str, str | None, str | None]:
    """'mellow friday late night indie pop': a mood word a quarter of the tracks carry, the weekday, the daypart,
    a genre a third of them carry."""
    words = Counter(w for t in tracks for w in mood_words(t))
    mood = next((w for w in part.words if words[w] >= max(2, len(tracks) / 4)), None)
    genre = title_genre(tracks, wanted)
    title = " ".join(p for p in (mood, at.strftime("%A").lower(), part.name, genre) if p)
    return title, mood, genre


TALK_DAYPARTS = ("early morning", "commute", "morning")


def daylist(user_id: str, at: datetime, deps: Deps, seed: int | None = None, library: str | None = None) -> Daylist:
    """The listener's daylist for a moment: daypart mood and energy, their genres and taste, their hour.
    A listener with talk history gets one episode of their favourite topic first on mornings and commutes,
    unless the daylist is restricted to a library (then only owned tracks, reported as the `owned` constraint)."""
    at = as_utc(at)
    timings: dict[str, float] = {}
    part = daypart(at)
    profile = deps.profiles.get_profile(user_id) if deps.profiles else None
    with timed(timings, "plan"):
        tuned, hour_genres = hour_profile(profile, hour_history(deps, user_id, at.hour), deps)
        spec = daylist_spec(profile, part, hour_genres)
        spec = spec if library else with_morning_talk(spec, user_id, part, deps)
    request = GenerateRequest(prompt=f"daylist for {at:%A} {part.name}", user_id=user_id, library=library,
                              seed=seed if seed is not None else day_seed(user_id, at, part))
    policy = policy_for(request, spec, profile, deps)
    with timed(timings, "candidates"):
        pool = gather_all(spec, policy, deps, tuned)
        pool.music = in_band(pool.music, part.energy)
    with timed(timings, "selection"):
        chosen = select_all(pool, spec, policy, tuned, request.seed, catalog=deps.catalog)
    with timed(timings, "sequencing"):
        ordered = arrange(chosen, seed=request.seed)
    entries, removed = final_gate(ordered, policy, deps)
    with timed(timings, "narration"):
        segments = narrate_entries(entries, spec, request.prompt, profile, deps, seed=request.seed)
    playlist = build_playlist(request, Planned(spec=spec, provider="offline"), spec, entries, chosen, segments,
                              removed, policy, deps, timings)
    title, mood, genre = make_title([e for e in entries if isinstance(e, Track)], at, part, spec.genres)
    return Daylist(**playlist.model_dump(), title=title, daypart=part.name, at=at, title_mood=mood, title_genre=genre)


def day_seed(user_id: str, at: datetime, part: Daypart) -> int:
    """Same listener, day and daypart → same daylist."""
    import zlib

    return zlib.crc32(f"{user_id}|{at.date()}|{part.name}".encode()) % (2**31)


def with_morning_talk(spec: PlaylistSpec, user_id: str, part: Daypart, deps: Deps) -> PlaylistSpec:
    """With talk history and a morning daypart, an episode of the listener's top topic goes first."""
    topics = taste_for(user_id, deps).top_topics(1) if part.name in TALK_DAYPARTS else []
    if not topics:
        return spec
    fmt = FormatPlan(kind="mixed", talk=[TalkSlot(position="start", topics=topics, query=topics[0])])
    return spec.model_copy(update={"format": fmt})
