"""The prompted-playlist models the API, CLI and store share."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.models import Playlist, PlaylistDiff

Schedule = Literal["daily", "weekly", "manual"]
SCHEDULE_SECONDS = {"daily": 86_400.0, "weekly": 7 * 86_400.0}


def _prompt_text(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("prompt is empty")
    return value.strip() if value is not None else None


class PromptedIn(BaseModel):
    """A prompt to keep: `POST /users/{id}/prompted`."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=2000, examples=["rainy Sunday coffee, mellow indie, about 40 minutes"])
    schedule: Schedule = Field("daily", description="daily or weekly refreshes by themselves; manual only on request.")
    count: int | None = Field(None, ge=1, le=100, description="Exact number of tracks (else what the prompt says).")
    minutes: float | None = Field(None, ge=1, le=600, description="Target length in minutes (else what the prompt says).")

    _check = field_validator("prompt")(_prompt_text)


class PromptedPatch(BaseModel):
    """An edit: a new prompt starts a new lineage (the history is kept); a new schedule applies from now."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(None, min_length=1, max_length=2000)
    schedule: Schedule | None = None
    count: int | None = Field(None, ge=1, le=100)
    minutes: float | None = Field(None, ge=1, le=600)

    _check = field_validator("prompt")(_prompt_text)


class Freshness(BaseModel):
    """How much of a version was already in the refreshes before it."""

    carried: int = Field(description="Tracks also in one of the previous refreshes.")
    carried_liked: int = Field(description="Of those, tracks the listener liked (always allowed back).")
    share: float = Field(description="carried / tracks.")
    limit: float = Field(description="Most share of not-liked tracks a refresh may carry over.")


class PromptedVersion(BaseModel):
    version: int = Field(description="1, 2, … in refresh order.")
    lineage: int = Field(description="Bumped when the prompt is edited; versions of older lineages are kept.")
    prompt: str = Field(description="The prompt this version was made from.")
    created_at: datetime
    playlist: Playlist = Field(description="The same shape as POST /generate returns.")
    diff: PlaylistDiff | None = Field(None, description="Against the previous version (none for the first).")
    freshness: Freshness


class PromptedPlaylist(BaseModel):
    id: str
    user_id: str
    prompt: str
    schedule: Schedule
    count: int | None = None
    minutes: float | None = None
    lineage: int
    created_at: datetime
    updated_at: datetime
    next_refresh_at: datetime | None = Field(None, description="When it refreshes by itself (none when manual).")
    last_error: str | None = Field(None, description="Why the last refresh failed; the previous version stays current.")
    versions: list[PromptedVersion] = Field(default_factory=list, description="Newest first.")
