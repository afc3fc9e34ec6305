"""Typed library state: how a library is reached, what it owns, and what the last sync found."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from core.errors import InvalidInput

LibraryKind = Literal["subsonic", "folder"]
MatchMethod = Literal["mbid", "exact", "fuzzy", "none"]
FeatureSource = Literal["catalog", "audio", "unknown"]
SubsonicAuth = Literal["token", "password", "apikey"]
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise InvalidInput(f"library name {name!r} must be 1-32 lowercase letters, digits, '-' or '_'")
    return name


class LibraryConfig(BaseModel):
    """How to reach a library. Secrets are never stored: they are read from the environment at each use."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: LibraryKind
    url: str | None = Field(None, description="Subsonic server base URL (without /rest).")
    user: str | None = Field(None, description="Subsonic user name.")
    auth: SubsonicAuth | None = Field(None, description="The auth mechanism that worked last (token, password, apikey).")
    path: str | None = Field(None, description="Folder libraries: the absolute folder path.")
    listener: str | None = Field(None, description="Listener id whose taste profile gets the server's plays and stars.")
    created_at: float = 0.0

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_name(v)


class AudioFeatures(BaseModel):
    """What the owned file's own audio says (tools/library/audio.py): estimates, never catalog facts."""

    tempo: float = Field(description="Estimated beats per minute (0 = no beat found).")
    key: int = Field(ge=0, le=11, description="Estimated pitch class 0=C … 11=B.")
    mode: int = Field(ge=0, le=1, description="Estimated mode: 1 major, 0 minor.")
    camelot: str = Field(description="Camelot code of the estimated key, e.g. '8A'.")
    loudness: float = Field(description="Mean loudness of the analysed part, dB relative to full scale.")
    energy: float = Field(ge=0, le=1, description="Rough intensity estimate 0-1 (loudness, onset density, brightness).")
    seconds: float = Field(description="How much audio was analysed (the first N seconds).")


class OwnedTrack(BaseModel):
    """One owned track, as the server or the file's tags describe it, and its catalog match."""

    key: str = Field(description="Subsonic song id, or the file's absolute path.")
    title: str
    artist: str
    album: str = ""
    duration_ms: int | None = None
    year: int | None = None
    genre: str = ""
    mbid: str | None = Field(None, description="MusicBrainz recording id, when the tags or the server give one.")
    path: str | None = Field(None, description="File path (absolute for folders, server-relative for Subsonic).")
    mtime: float | None = None
    size: int | None = None
    play_count: int = 0
    starred: bool = False
    catalog_id: str | None = Field(None, description="The reference-catalog track it matched; None = not in the catalog.")
    match: MatchMethod = "none"
    match_score: float = 0.0
    audio: AudioFeatures | None = Field(None, description="Features estimated from the file (unmatched tracks only).")
    audio_problem: str | None = Field(None, description="Why the file's audio could not be analysed, when it could not.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def features(self) -> FeatureSource:
        """Where the track's tempo, key and energy come from: its catalog match, its own audio, or nowhere."""
        return "catalog" if self.catalog_id else "audio" if self.audio else "unknown"


class FileProblem(BaseModel):
    path: str
    reason: str


class MatchStats(BaseModel):
    tracks: int = 0
    matched: int = 0
    by_method: dict[str, int] = Field(default_factory=dict)
    estimated: int = Field(0, description="Unmatched tracks whose tempo, key and energy were estimated from their audio.")
    features_unknown: int = Field(0, description="Tracks neither matched nor analysed: no BPM, key or energy is known.")

    @property
    def rate(self) -> float:
        return self.matched / self.tracks if self.tracks else 0.0


class LibraryState(BaseModel):
    """One sync's result; written as a build and switched in only when complete."""

    name: str
    kind: LibraryKind
    synced_at: float
    catalog_build: str = ""
    tracks: list[OwnedTrack] = Field(default_factory=list)
    problems: list[FileProblem] = Field(default_factory=list)
    stats: MatchStats = Field(default_factory=MatchStats)


class SyncReport(BaseModel):
    """What `segue library sync` prints (and `--json` returns)."""

    name: str
    kind: LibraryKind
    tracks: int
    matched: int
    match_rate: float
    by_method: dict[str, int]
    estimated: int = Field(0, description="Unmatched tracks with features estimated from their audio (sequenced).")
    features_unknown: int = Field(description="Tracks neither matched nor analysed (never sequenced).")
    analysed: int = Field(0, description="Files analysed in this sync (the others kept an earlier analysis).")
    analysis_seconds: float = Field(0.0, description="Time spent analysing audio in this sync.")
    analysis_note: str | None = Field(None, description="Why audio analysis did not run, when it did not.")
    undecodable: list[FileProblem] = Field(default_factory=list, description="Files whose audio could not be analysed.")
    unreadable: int
    problems: list[FileProblem] = Field(default_factory=list, description="The first 50 files that could not be read.")
    reused: int = Field(0, description="Folder rescans: files unchanged since the last sync (not read again).")
    seconds: float = 0.0
    plays_imported: int = Field(0, description="Play and star events added to the listener's profile.")
    listener: str | None = None
