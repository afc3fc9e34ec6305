"""Taste profiles: play events in, a typed user representation out (affinities, sound, centroid, policy).

The profile is computed from a listener's events on read: likes boost, skips reduce, older events count
less (half-life HALF_LIFE_DAYS, measured from the listener's newest event). Storage lives behind the
`ProfileStore` protocol (SQLite by default, `tools.profile_store`)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import InvalidInput
from core.types import FEATURES, Track
from tools.content_filter import ContentPolicy
from tools.profile_words import explain_lines, profile_summary

if TYPE_CHECKING:
    from tools.catalog import Catalog

HALF_LIFE_DAYS = 30.0
LIKE_BOOST = 1.0  # a like counts as two plays
SKIP_PENALTY = 2.0  # a skip counts as minus one play
COLD_START_MIN = 3  # fewer positive events than this: cold start
TOP_GENRES = 25
TOP_ARTISTS = 25
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
USER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def check_user_id(user_id: str) -> str:
    """The user id, or InvalidInput naming the rule."""
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise InvalidInput(f"user id {user_id!r} must be 1-128 characters of A-Z a-z 0-9 _ . : -")
    return user_id


class PlayEvent(BaseModel):
    """One listening event: a catalog track id, or an artist and title resolved against the catalog."""

    track_id: str | None = Field(None, max_length=64, description="Catalog track id (Spotify id).")
    artist: str | None = Field(None, max_length=300, description="Artist name, used when track_id is missing or unknown.")
    title: str | None = Field(None, max_length=300, description="Song title, used with artist.")
    timestamp: datetime | None = Field(None, description="When it was played (ISO 8601 or epoch seconds; naive = UTC).")
    skipped: bool = Field(False, description="The listener skipped it: reduces affinity.")
    liked: bool = Field(False, description="The listener liked it: boosts affinity.")

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("timestamp is out of range") from exc
        if not EARLIEST <= value <= LATEST:
            raise ValueError("timestamp must fall between 1970 and 2100")
        return value

    @model_validator(mode="after")
    def _has_reference(self) -> PlayEvent:
        if not (self.track_id or (self.artist and self.title)):
            raise ValueError("an event needs track_id, or artist and title")
        return self

    def label(self) -> str:
        """How the event names its track, for reports."""
        if self.artist and self.title:
            return f"{self.artist} – {self.title}"
        return self.track_id or ""


class ImportReport(BaseModel):
    """What happened to a batch of events."""

    user_id: str
    received: int = Field(description="Events in the batch.")
    imported: int = Field(description="Events resolved to catalog tracks or podcast episodes and stored.")
    talk_imported: int = Field(0, description="Of those, podcast episodes (talk-catalog ids) stored in the talk history.")
    unknown_count: int = Field(0, description="Events whose track is not in the catalog (not stored).")
    unknown: list[str] = Field(default_factory=list, description="The first 50 unknown tracks, as given.")


class UserInfo(BaseModel):
    user_id: str
    name: str = Field("", description="Where the listener came from (playlist name, CPCD request), if seeded.")
    source: str = Field("import", description="seed-cpcd, seed-playlist or import.")
    events: int


class FeatureStats(BaseModel):
    mean: float
    std: float


class TasteProfile(BaseModel):
    """A listener's taste: what a recommender would call the user representation."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    cold_start: bool = Field(description="True when there is too little history to personalise (fewer than 3 plays).")
    history_size: int = Field(0, description="Stored events (plays, likes and skips).")
    plays: int = 0
    likes: int = 0
    skips: int = 0
    distinct_tracks: int = 0
    genre_affinities: dict[str, float] = Field(default_factory=dict, description="Genre → weighted share of history (-1..1), best first.")
    artist_affinities: dict[str, float] = Field(default_factory=dict, description="Artist → weighted share of history (-1..1), best first.")
    features: dict[str, FeatureStats] = Field(default_factory=dict, description="Mean and std of audio features and tempo over liked/played tracks.")
    embedding_centroid: list[float] | None = Field(None, description="Unit-length weighted mean of played/liked track vectors.")
    explicit_share: float | None = Field(None, description="Share of explicit tracks among played tracks of known status.")
    explicit_plays: int = Field(0, description="Plays (events not skipped) of tracks marked explicit.")
    clean_plays: int = Field(0, description="Plays of tracks marked not explicit; the rest of `plays` is of unknown status.")
    mean_popularity: float | None = None
    discovery: float = Field(0.5, description="0 = sticks to familiar hits and few artists, 1 = deep cuts and many artists.")
    active_hours: list[int] = Field(default_factory=list, description="Most frequent listening hours (UTC), when timestamps exist.")
    last_event: datetime | None = None
    policy: ContentPolicy | None = Field(None, description="What the listener blocked (artists, genres, explicit).")

    def summary(self) -> dict[str, Any]:
        """A compact view for the agent's tool (a few dozen tokens)."""
        return profile_summary(self)

    def explain(self) -> str:
        """A readable, multi-line explanation of the profile."""
        return "\n".join(explain_lines(self))


class ProfileStore(Protocol):
    """Where profiles live; SQLite by default, replaceable by a server database."""

    def get_profile(self, user_id: str) -> TasteProfile: ...

    def add_events(self, user_id: str, events: Sequence[PlayEvent]) -> ImportReport: ...

    def set_blocked(self, user_id: str, artists: Sequence[str], genres: Sequence[str], explicit: bool) -> ContentPolicy: ...

    def list_users(self) -> list[UserInfo]: ...

    def known(self, user_id: str) -> bool: ...

    def liked_ids(self, user_id: str) -> set[str]: ...

    def recent_ids(self, user_id: str, limit: int = 20) -> list[str]: ...

    def integrity_check(self) -> str: ...


def cold_start_profile(user_id: str, policy: ContentPolicy | None = None) -> TasteProfile:
    return TasteProfile(user_id=user_id, cold_start=True, policy=policy)


# --------------------------------------------------------------------------- computing a profile


@dataclass(frozen=True)
class StoredEvent:
    """An event as stored: resolved to a catalog track."""

    track_id: str
    timestamp: datetime | None
    liked: bool = False
    skipped: bool = False

    @property
    def weight(self) -> float:
        return 1.0 + LIKE_BOOST * self.liked - SKIP_PENALTY * self.skipped


def decayed_weights(events: Sequence[StoredEvent]) -> np.ndarray:
    """Event weights with recency decay relative to the newest event (undated events count as newest)."""
    stamps = [e.timestamp for e in events if e.timestamp is not None]
    newest = max(stamps) if stamps else None
    out = np.empty(len(events), dtype=np.float64)
    for n, e in enumerate(events):
        age = (newest - e.timestamp).total_seconds() / 86400 if newest and e.timestamp else 0.0
        out[n] = e.weight * 0.5 ** (age / HALF_LIFE_DAYS)
    return out


def build_profile(user_id: str, events: Sequence[StoredEvent], catalog: Catalog,
                  policy: ContentPolicy | None = None) -> TasteProfile:
    """The taste profile of one listener from their stored events (events of one track are summed first)."""
    evs = [e for e in events if e.track_id in catalog.index]
    if not evs:
        return cold_start_profile(user_id, policy)
    w = decayed_weights(evs)
    net: dict[str, float] = {}
    pos: dict[str, float] = {}
    for e, wt in zip(evs, w, strict=True):
        net[e.track_id] = net.get(e.track_id, 0.0) + float(wt)
        pos[e.track_id] = pos.get(e.track_id, 0.0) + max(float(wt), 0.0)
    ids = list(net)
    tracks = [catalog.tracks[catalog.index[i]] for i in ids]
    wn, wp = np.array([net[i] for i in ids]), np.array([pos[i] for i in ids])
    played = [e.track_id for e, wt in zip(evs, w, strict=True) if wt > 0]
    plays = sum(not e.skipped for e in evs)
    stamps = [e.timestamp for e in evs if e.timestamp is not None]
    return TasteProfile(
        user_id=user_id, cold_start=plays < COLD_START_MIN, history_size=len(evs), plays=plays,
        likes=sum(e.liked for e in evs), skips=sum(e.skipped for e in evs), distinct_tracks=len(ids),
        genre_affinities=affinities([t.genres for t in tracks], wn, TOP_GENRES),
        artist_affinities=affinities([t.artists for t in tracks], wn, TOP_ARTISTS),
        features=feature_stats(tracks, wp), embedding_centroid=centroid(catalog, ids, wp),
        explicit_share=explicit_share(tracks, wp), **explicit_plays(evs, catalog),
        mean_popularity=_wmean([t.popularity for t in tracks], wp),
        discovery=discovery(tracks, wp, catalog, artist_variety(catalog, played)), active_hours=active_hours(stamps),
        last_event=max(stamps) if stamps else None, policy=policy,
    )


def affinities(labels: Sequence[Sequence[str]], weights: np.ndarray, top: int) -> dict[str, float]:
    """Label → sum of the weights of events carrying it, over the positive mass; best first, skipped ones last."""
    total = float(np.clip(weights, 0, None).sum()) or float(np.abs(weights).sum()) or 1.0
    sums: dict[str, float] = {}
    for names, wt in zip(labels, weights, strict=True):
        for name in dict.fromkeys(names):
            sums[name] = sums.get(name, 0.0) + float(wt)
    scored = {k: max(-1.0, min(1.0, v / total)) for k, v in sums.items()}
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    liked = [kv for kv in ranked if kv[1] >= 5e-5][:top]
    disliked = [kv for kv in ranked if kv[1] <= -5e-5][-10:]
    return {k: round(v, 4) for k, v in liked + disliked}


def _wmean(values: Sequence[float], weights: np.ndarray) -> float | None:
    if weights.sum() <= 0:
        return None
    return round(float(np.average(np.asarray(values, dtype=np.float64), weights=weights)), 4)


def feature_stats(tracks: Sequence[Track], weights: np.ndarray) -> dict[str, FeatureStats]:
    """Weighted mean and standard deviation of each audio feature and of tempo (beatless tracks left out)."""
    out: dict[str, FeatureStats] = {}
    for name in (*FEATURES, "tempo"):
        values = np.array([getattr(t, name) for t in tracks], dtype=np.float64)
        wt = weights * (values > 0) if name == "tempo" else weights
        if wt.sum() <= 0:
            continue
        mean = float(np.average(values, weights=wt))
        std = math.sqrt(float(np.average((values - mean) ** 2, weights=wt)))
        out[name] = FeatureStats(mean=round(mean, 4), std=round(std, 4))
    return out


def centroid(catalog: Catalog, track_ids: Sequence[str], weights: np.ndarray) -> list[float] | None:
    """Unit-length weighted mean of the vectors of played and liked tracks (skips excluded)."""
    if weights.sum() <= 0:
        return None
    rows = np.array([catalog.index[i] for i in track_ids])
    vec = (catalog.vectors[rows].astype(np.float64) * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(vec))
    return None if norm == 0 else [round(float(x), 5) for x in vec / norm]


def explicit_share(tracks: Sequence[Track], weights: np.ndarray) -> float | None:
    known = np.array([t.explicit is not None for t in tracks])
    wt = weights * known
    if wt.sum() <= 0:
        return None
    return round(float(np.average([t.explicit is True for t in tracks], weights=wt)), 4)


def explicit_plays(events: Sequence[StoredEvent], catalog: Catalog) -> dict[str, int]:
    """How many plays (skips left out) were of explicit tracks, and how many of tracks known to be clean."""
    status = Counter(catalog.tracks[catalog.index[e.track_id]].explicit for e in events if not e.skipped)
    return {"explicit_plays": status[True], "clean_plays": status[False]}


def artist_variety(catalog: Catalog, played: Sequence[str]) -> float:
    """Distinct primary artists per positive event (1 = never the same artist twice)."""
    if not played:
        return 0.0
    return len({catalog.tracks[catalog.index[i]].artist for i in set(played)}) / len(played)


def discovery(tracks: Sequence[Track], weights: np.ndarray, catalog: Catalog, variety: float) -> float:
    """Two thirds obscurity (share of the catalog more popular than the tracks played), one third artist variety."""
    if weights.sum() <= 0:
        return 0.5
    ranked = np.sort(np.asarray(catalog.popularity, dtype=np.float64))
    above = 1 - np.searchsorted(ranked, [t.popularity for t in tracks], side="right") / max(len(ranked), 1)
    obscurity = float(np.average(above, weights=weights))
    return round((2 * obscurity + variety) / 3, 4)


def active_hours(stamps: Sequence[datetime], top: int = 3) -> list[int]:
    """The most frequent hours of day (UTC), most frequent first."""
    counts = Counter(s.hour for s in stamps)
    return [h for h, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
