"""The content filter: one typed policy, enforced in code on the final playlist of every path.

The policy comes from the request and the listener's profile only (see agent/policy.py) — never from
tool arguments a model made up, never from text inside catalog data. Every removal carries a reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.types import ExplicitPolicy, FilteredItem, Track
from tools.catalog_names import track_artist_names_of
from tools.kid_safe import KidRules, kid_rules, kid_unsafe
from tools.normalize import clean_text, fold, norm_artist, song_key, split_artists

TALK_SPEECHINESS = 0.66  # Spotify: above ~0.66 a track is probably entirely spoken word
#: Speechiness alone also flags rap songs (Drake, J. Cole, The Notorious B.I.G. all score above 0.66), so a track
#: is spoken word only when a talk genre, a skit title, or (with no genre known at all) a very high score agrees.
TALK_GENRES = ("comedy", "comic", "spoken word", "poetry", "audiobook", "storytelling", "stand-up", "podcast", "speech")
TALK_SPEECHINESS_UNKNOWN = 0.85  # no genre: in this catalog the stand-up sets score 0.86-0.95, the songs mostly below
_SKIT = re.compile(r"\b(skit|storyteller|monologue|interlude - spoken)\b", re.I)
LIVE_LIVENESS = 0.8  # Spotify: above 0.8 a track is very likely live
_LIVE_WORDS = r"\b(live|en vivo|ao vivo|en directo|unplugged)\b"
_LIVE_TITLE = re.compile(rf"[\(\[][^\)\]]*{_LIVE_WORDS}[^\)\]]*[\)\]]|\s-\s.*{_LIVE_WORDS}|^live (at|from|in|on)\b", re.I)


class ContentPolicy(BaseModel):
    """What may be played. Built from the request and the listener's profile only, never from model output."""

    model_config = ConfigDict(extra="forbid")

    explicit: ExplicitPolicy = Field("allow", description="exclude: explicit and unknown-status tracks are removed.")
    kid_safe: bool = Field(False, description="Kids and family listening: also removes tracks whose title names drugs, "
                           "violence, death, sex or profanity, or whose genre is one such songs come from (tools/kid_safe.py).")
    kid_words: Path | None = Field(None, exclude=True, description="A word list replacing the shipped one; None = shipped.")
    blocked_artists: list[str] = Field(default_factory=list, description="Matched on normalised names incl. featured credits.")
    blocked_genres: list[str] = Field(default_factory=list, description="Whole-word match on any of a track's genres.")
    allow_talk: bool = Field(False, description="Allow spoken-word items (speechiness above 0.66).")
    allow_live: bool = Field(True, description="False removes live recordings (title says live, or liveness > 0.8).")
    max_track_ms: int | None = Field(None, gt=0, description="Longest allowed track.")
    dedupe: bool = Field(True, description="Remove another version of a song already in the list.")
    library: str | None = Field(None, exclude=True, description="Only tracks this library owns (see tools/library).")
    owned: frozenset[str] | None = Field(None, exclude=True, description="Catalog ids the library owns; None = any.")

    def stricter(self, other: ContentPolicy) -> ContentPolicy:
        """The union of two policies: whatever either forbids stays forbidden."""
        return ContentPolicy(
            explicit="exclude" if "exclude" in (self.explicit, other.explicit) else "allow",
            kid_safe=self.kid_safe or other.kid_safe, kid_words=self.kid_words or other.kid_words,
            blocked_artists=list(dict.fromkeys(self.blocked_artists + other.blocked_artists)),
            blocked_genres=list(dict.fromkeys(self.blocked_genres + other.blocked_genres)),
            allow_talk=self.allow_talk and other.allow_talk,
            allow_live=self.allow_live and other.allow_live,
            max_track_ms=min([m for m in (self.max_track_ms, other.max_track_ms) if m] or [0]) or None,
            dedupe=self.dedupe or other.dedupe,
            library=self.library or other.library,
            owned=_both(self.owned, other.owned),
        )


def _both(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """Owned sets combine by intersection; None (no library) restricts nothing."""
    return a if b is None else b if a is None else a & b


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy with its names normalised once, ready to test many tracks."""

    policy: ContentPolicy
    artists: frozenset[str]
    genres: tuple[str, ...]
    kid: KidRules | None = None

    @classmethod
    def of(cls, policy: ContentPolicy) -> CompiledPolicy:
        artists = frozenset(n for a in policy.blocked_artists if (n := norm_artist(a)))
        genres = tuple(dict.fromkeys(g for b in policy.blocked_genres if (g := fold(b))))
        return cls(policy, artists, genres, kid_rules(policy.kid_words) if policy.kid_safe else None)


def credited_artists(track: Track) -> tuple[str, ...]:
    """Every normalised name credited: listed artists, names inside combined credits, featured artists in the title."""
    return _credited(track.title, tuple(track.artists))


@lru_cache(maxsize=200_000)
def _credited(title: str, artists: tuple[str, ...]) -> tuple[str, ...]:
    names = list(track_artist_names_of(title, artists))
    for credit in artists:
        names.extend(split_artists(credit))
    return tuple(dict.fromkeys(names))


def is_live(track: Track) -> bool:
    return bool(_LIVE_TITLE.search(clean_text(track.title))) or track.liveness > LIVE_LIVENESS


def is_spoken_word(track: Track) -> bool:
    """Talk rather than a song: speechy and (a comedy/spoken-word genre, a skit title, or no genre and very speechy)."""
    if track.speechiness <= TALK_SPEECHINESS:
        return False
    folded = [f" {fold(g)} " for g in track.genres]
    if any(f" {fold(term)} " in g for term in TALK_GENRES for g in folded) or _SKIT.search(track.title):
        return True
    return not track.genres and track.speechiness > TALK_SPEECHINESS_UNKNOWN


def dedupe_key(track: Track) -> str:
    """Same song in any version (remix, live, remaster, feat., re-credited) → same key (tools/song_identity.py)."""
    return track.song_key or song_key(track.artist, track.title)


def violation(track: Track, compiled: CompiledPolicy) -> str | None:
    """The first reason this track breaks the policy, or None."""
    policy = compiled.policy
    if policy.owned is not None and track.id not in policy.owned:
        return f"not in library {policy.library!r}"
    if policy.explicit == "exclude" and track.explicit is not False:
        return "explicit" if track.explicit else "explicit status unknown"
    if compiled.kid is not None and (why := kid_unsafe(track.title, track.genres, compiled.kid)):
        return why
    hit = next((a for a in credited_artists(track) if a in compiled.artists), None)
    if hit:
        return f"blocked artist {hit!r}"
    if hit_genre := blocked_genre(track, compiled.genres):
        return f"blocked genre {hit_genre[0]!r} ({hit_genre[1]})"
    if not policy.allow_talk and is_spoken_word(track):
        return "spoken word"
    if not policy.allow_live and is_live(track):
        return "live recording"
    if policy.max_track_ms and track.duration_ms > policy.max_track_ms:
        return f"longer than {policy.max_track_ms / 60000:g} min"
    return None


def blocked_genre(track: Track, terms: Iterable[str]) -> tuple[str, str] | None:
    """The first blocked term found as whole words in one of the track's genres, with that genre, or None
    ('country' blocks 'contemporary country'; terms already folded)."""
    for g in track.genres:
        words = f" {fold(g)} "
        term = next((b for b in terms if f" {b} " in words), None)
        if term:
            return term, g
    return None


def apply_policy(tracks: Iterable[Track], policy: ContentPolicy) -> tuple[list[Track], list[FilteredItem]]:
    """Keep the tracks the policy allows, in order; record every removal with its reason."""
    compiled = CompiledPolicy.of(policy)
    kept: list[Track] = []
    removed: list[FilteredItem] = []
    seen: set[str] = set()
    for t in tracks:
        reason = violation(t, compiled)
        if reason is None and policy.dedupe and dedupe_key(t) in seen:
            reason = "another version of a song already in the playlist"
        if reason:
            removed.append(FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason=reason))
            continue
        seen.add(dedupe_key(t))
        kept.append(t)
    return kept, removed
