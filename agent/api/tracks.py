"""`GET /tracks/search` (semantic search with hard filters) and `GET /tracks/{id}`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps
from agent.api.problems import responses
from agent.deps import Deps
from agent.models import SearchFilters, Track
from core.errors import NotFound

router = APIRouter(prefix="/tracks", tags=["tracks"])


class SearchHit(BaseModel):
    score: float = Field(description="Cosine similarity to the query (higher is better).")
    track: Track


@router.get("/search", response_model=list[SearchHit], responses=responses(401, 422, 503), summary="Search the catalog")
async def search_tracks(
    deps: Annotated[Deps, Depends(get_deps)],
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to look for.", examples=["sad acoustic breakup songs"])],
    k: Annotated[int, Query(ge=1, le=100, description="How many results.")] = 10,
    explicit: Annotated[Literal["allow", "exclude"], Query(description="exclude drops explicit and unknown-status tracks.")] = "allow",
    genre: Annotated[list[str], Query(max_length=10, description="Keep tracks with any of these genres (repeatable).")] = [],  # noqa: B006
    exclude_genre: Annotated[list[str], Query(max_length=10, description="Drop tracks with any of these genres.")] = [],  # noqa: B006
    artist: Annotated[list[str], Query(max_length=10, description="Keep tracks by any of these artists.")] = [],  # noqa: B006
    year_min: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_max: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    tempo_min: Annotated[float | None, Query(ge=0, le=300)] = None,
    tempo_max: Annotated[float | None, Query(ge=0, le=300)] = None,
) -> list[SearchHit]:
    """Exact filtered vector search: every hard filter is applied before ranking."""
    filters = SearchFilters(explicit=explicit, genres=genre, exclude_genres=exclude_genre, artists=artist,
                            year_min=year_min, year_max=year_max, tempo_min=tempo_min, tempo_max=tempo_max)
    hits = await run_in_threadpool(deps.catalog.search, q, filters, k)
    return [SearchHit(score=round(c.score, 4), track=c.track) for c in hits]


@router.get("/{track_id}", response_model=Track, responses=responses(401, 404, 422), summary="One catalog track")
async def get_track(track_id: Annotated[str, Path(min_length=1, max_length=64)],
                    deps: Annotated[Deps, Depends(get_deps)]) -> Track:
    track = deps.catalog.get(track_id)
    if track is None:
        raise NotFound(f"no track with id {track_id!r} in the catalog")
    return track
