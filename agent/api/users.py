"""`GET /users/{id}/profile` (a listener's taste profile) and `POST /users/{id}/history` (play events in)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps, profile_store
from agent.api.problems import responses
from agent.deps import Deps

try:  # the profile models live with the profile store
    from tools.profiles import ImportReport, PlayEvent, TasteProfile
except ImportError:  # pragma: no cover - profiles not installed: the routes answer 503
    if TYPE_CHECKING:
        raise
    ImportReport = TasteProfile = dict[str, Any]  # type: ignore[misc]
    PlayEvent = dict[str, Any]  # type: ignore[misc]

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", examples=["demo-jazz"])]
HISTORY_EXAMPLE: dict[str, Any] = {"events": [
    {"track_id": "7ouMYWpwJ422jRcDASZB7P", "timestamp": "2024-05-01T08:30:00Z", "liked": True},
    {"artist": "Norah Jones", "title": "Don't Know Why", "timestamp": "2024-05-01T08:34:00Z"},
    {"artist": "Metallica", "title": "Enter Sandman", "skipped": True},
]}


class HistoryIn(BaseModel):
    """A batch of play events (up to 1,000; the body limit applies too)."""

    events: list[PlayEvent] = Field(min_length=1, max_length=1000)  # type: ignore[valid-type]


@router.get("/{user_id}/profile", response_model=TasteProfile, responses=responses(401, 422, 503),
            summary="A listener's taste profile")
async def get_profile(user_id: UserId, deps: Annotated[Deps, Depends(get_deps)]):
    """Genre and artist affinities, sound, discovery and blocked content, computed from the listener's history.
    A listener without history gets a cold-start profile."""
    return await run_in_threadpool(profile_store(deps).get_profile, user_id)


@router.post("/{user_id}/history", response_model=ImportReport, responses=responses(401, 413, 422, 503),
             summary="Add play events to a listener's history")
async def add_history(user_id: UserId, body: Annotated[HistoryIn, Body(openapi_examples={
        "mixed": {"summary": "Ids, artist + title, likes and skips", "value": HISTORY_EXAMPLE}})],
        deps: Annotated[Deps, Depends(get_deps)]):
    """Events name a catalog track id, or an artist and title resolved against the catalog, or a podcast
    episode id (kept in the talk history, which gives the listener talk topics). Unknown items are reported,
    not stored."""
    from agent.history import record_history

    return await run_in_threadpool(record_history, user_id, body.events, deps)
