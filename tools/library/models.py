"""Typed library state: how a library is reached, what it owns, and what the last sync found."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import InvalidInput

LibraryKind = Literal["subsonic", "folder"]
MatchMethod = Literal["mbid", "exact", "fuzzy", "none"]
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
    catalog_id: str | None = Field(None, description="The reference-catalog track it matched; None = features unknown.")
    match: MatchMethod = "none"
    match_score: float = 0.0


class FileProblem(BaseModel):
    path: str
    reason: str


class MatchStats(BaseModel):
    tracks: int = 0
    matched: int = 0
    by_method: dict[str, int] = Field(default_factory=dict)
    features_unknown: int = Field(0, description="Owned tracks with no catalog match: no BPM, key or energy is known.")

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
    features_unknown: int
    unreadable: int
    problems: list[FileProblem] = Field(default_factory=list, description="The first 50 files that could not be read.")
    reused: int = Field(0, description="Folder rescans: files unchanged since the last sync (not read again).")
    seconds: float = 0.0
    plays_imported: int = Field(0, description="Play and star events added to the listener's profile.")
    listener: str | None = None
