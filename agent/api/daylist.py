"""`POST /daylist`: a playlist for a listener's time of day and weekday, no prompt needed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps, profile_store
from agent.api.problems import responses
from agent.daylist import Daylist
from agent.deps import Deps

router = APIRouter(tags=["generate"])


class DaylistRequest(BaseModel):
    """Who the daylist is for and when (default: now). Naive times are read as UTC."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", examples=["pl-cardio"])
    at: datetime | None = Field(None, description="ISO 8601 time, e.g. 2026-11-27T07:30; default now.",
                                examples=["2026-11-27T07:30:00"])
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="Override the per-day seed.")
    library: str | None = Field(None, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$",
                                description="Only tracks owned in this library (as on `POST /generate`).")


def make_daylist(body: DaylistRequest, deps: Deps) -> Daylist:
    from datetime import UTC

    from agent.daylist import daylist

    profile_store(deps)
    return daylist(body.user_id, body.at or datetime.now(UTC), deps, seed=body.seed, library=body.library)


@router.post("/daylist", response_model=Daylist, responses=responses(401, 404, 413, 422, 503),
             summary="A playlist for the listener's time of day")
async def post_daylist(body: Annotated[DaylistRequest, Body()], deps: Annotated[Deps, Depends(get_deps)]) -> Daylist:
    """Built from the listener's taste profile and the hour and weekday (calm early mornings, upbeat commutes,
    mellow late nights), with a title naming only genres and moods found in the chosen tracks. With `library`,
    only tracks owned there (the `owned` constraint says how many); an unknown library is 404."""
    return await run_in_threadpool(make_daylist, body, deps)
