"""The content filter: one typed policy, enforced in code on the final playlist of every path."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from agent.models import ExplicitPolicy, FilteredItem, Track
from tools.catalog import track_artist_names
from tools.normalize import fold, norm_artist

TALK_SPEECHINESS = 0.66  # Spotify: above ~0.66 a track is probably entirely spoken word


class ContentPolicy(BaseModel):
    """What may be played. Built from the request and the listener's profile only, never from model output."""

    explicit: ExplicitPolicy = Field("allow", description="exclude: explicit and unknown-status tracks are removed.")
    blocked_artists: list[str] = Field(default_factory=list, description="Matched on normalised names incl. featured credits.")
    blocked_genres: list[str] = Field(default_factory=list, description="Whole-word match on any of a track's genres.")
    allow_talk: bool = Field(False, description="Allow spoken-word items (speechiness above 0.66).")
    allow_live: bool = Field(True, description="False removes live recordings (title says live, or liveness > 0.8).")
    max_track_ms: int | None = Field(None, description="Longest allowed track.")
    dedupe: bool = Field(True, description="Remove another version of a song already in the list.")

    def stricter(self, other: ContentPolicy) -> ContentPolicy:
        """The union of two policies: whatever either forbids stays forbidden."""
        return ContentPolicy(
            explicit="exclude" if "exclude" in (self.explicit, other.explicit) else "allow",
            blocked_artists=list(dict.fromkeys(self.blocked_artists + other.blocked_artists)),
            blocked_genres=list(dict.fromkeys(self.blocked_genres + other.blocked_genres)),
            allow_talk=self.allow_talk and other.allow_talk,
            allow_live=self.allow_live and other.allow_live,
            max_track_ms=min([m for m in (self.max_track_ms, other.max_track_ms) if m] or [0]) or None,
            dedupe=self.dedupe or other.dedupe,
        )


def violation(track: Track, policy: ContentPolicy, blocked_artists: set[str], blocked_genres: list[str]) -> str | None:
    """The first reason this track breaks the policy, or None."""
    if policy.explicit == "exclude" and track.explicit != "false":
        return "explicit" if track.explicit == "true" else "explicit status unknown"
    hit = next((a for a in track_artist_names(track) if a in blocked_artists), None)
    if hit:
        return f"blocked artist {hit!r}"
    for g in track.genres:
        words = f" {fold(g)} "
        term = next((b for b in blocked_genres if f" {b} " in words), None)
        if term:
            return f"blocked genre {term!r} ({g})"
    if not policy.allow_talk and track.speechiness > TALK_SPEECHINESS:
        return "spoken word"
    if not policy.allow_live and (" live" in fold(track.title) or track.liveness > 0.8):
        return "live recording"
    if policy.max_track_ms and track.duration_ms > policy.max_track_ms:
        return f"longer than {policy.max_track_ms // 60000} min"
    return None


def apply_policy(tracks: Iterable[Track], policy: ContentPolicy) -> tuple[list[Track], list[FilteredItem]]:
    """Keep the tracks the policy allows, in order; record every removal with its reason."""
    blocked_artists = {norm_artist(a) for a in policy.blocked_artists if norm_artist(a)}
    blocked_genres = [fold(g) for g in policy.blocked_genres if fold(g)]
    kept: list[Track] = []
    removed: list[FilteredItem] = []
    seen: set[str] = set()
    for t in tracks:
        reason = violation(t, policy, blocked_artists, blocked_genres)
        if reason is None and policy.dedupe and t.song_key in seen:
            reason = "another version of a song already in the playlist"
        if reason:
            removed.append(FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason=reason))
            continue
        seen.add(t.song_key)
        kept.append(t)
    return kept, removed
