"""Prompted playlists: `POST/GET /users/{id}/prompted`, `GET/PATCH/DELETE /users/{id}/prompted/{pid}` and
`POST /users/{id}/prompted/{pid}/refresh`."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps
from agent.api.problems import responses
from agent.api.users import UserId
from agent.deps import Deps
from agent.listeners import check_known
from agent.prompted.models import PromptedIn, PromptedPatch, PromptedPlaylist, PromptedVersion
from agent.prompted.refresh import RETRY_S, refresh
from agent.prompted.store import PromptedStore
from core.errors import SegueError, StoreError

router = APIRouter(prefix="/users", tags=["prompted"])
PromptedId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^pp_[0-9a-f]+$", examples=["pp_0123456789abcdef"])]
EXAMPLE = {"prompt": "rainy Sunday coffee, mellow indie, about 40 minutes", "schedule": "daily"}


def prompted_store(deps: Deps) -> PromptedStore:
    if deps.prompted is None:
        raise StoreError("the playlist store is not available")
    return deps.prompted


def create(user_id: str, body: PromptedIn, deps: Deps) -> PromptedPlaylist:
    """Keep the prompt, then make its first version; if that fails the prompt is kept with the reason and
    the first version is tried again by the scheduled refresh."""
    store = prompted_store(deps)
    pp = store.create(user_id, body)
    try:
        refresh(pp, deps, store)
    except SegueError as exc:
        store.record_error(pp.id, str(exc), time.time() + RETRY_S, first=True)
    return store.get(user_id, pp.id)


@router.post("/{user_id}/prompted", status_code=201, response_model=PromptedPlaylist,
             responses=responses(401, 413, 422, 503), summary="Keep a prompt that refreshes by itself")
async def add_prompted(user_id: UserId, deps: Annotated[Deps, Depends(get_deps)],
                       body: Annotated[PromptedIn, Body(openapi_examples={"daily": {"value": EXAMPLE}})]) -> PromptedPlaylist:
    """Saves the prompt and makes its first version now; `daily` and `weekly` ones refresh by themselves."""
    return await run_in_threadpool(create, user_id, body, deps)


def listing(user_id: str, deps: Deps) -> list[PromptedPlaylist]:
    check_known(user_id, deps)
    return prompted_store(deps).list_for(user_id, versions=1)


@router.get("/{user_id}/prompted", response_model=list[PromptedPlaylist], responses=responses(401, 404, 422, 503),
            summary="A listener's prompted playlists (latest version each)")
async def list_prompted(user_id: UserId, deps: Annotated[Deps, Depends(get_deps)]) -> list[PromptedPlaylist]:
    return await run_in_threadpool(listing, user_id, deps)


@router.get("/{user_id}/prompted/{pid}", response_model=PromptedPlaylist, responses=responses(401, 404, 422, 503),
            summary="One prompted playlist with every version, newest first")
async def get_prompted(user_id: UserId, pid: PromptedId, deps: Annotated[Deps, Depends(get_deps)]) -> PromptedPlaylist:
    return await run_in_threadpool(prompted_store(deps).get, user_id, pid)


@router.patch("/{user_id}/prompted/{pid}", response_model=PromptedPlaylist, responses=responses(401, 404, 413, 422, 503),
              summary="Edit the prompt (a new lineage; history kept) or the schedule")
async def edit_prompted(user_id: UserId, pid: PromptedId, body: PromptedPatch,
                        deps: Annotated[Deps, Depends(get_deps)]) -> PromptedPlaylist:
    return await run_in_threadpool(prompted_store(deps).update, user_id, pid, body)


@router.delete("/{user_id}/prompted/{pid}", status_code=204, responses=responses(401, 404, 422, 503),
               summary="Remove a prompted playlist and its versions")
async def delete_prompted(user_id: UserId, pid: PromptedId, deps: Annotated[Deps, Depends(get_deps)]) -> Response:
    await run_in_threadpool(prompted_store(deps).delete, user_id, pid)
    return Response(status_code=204)


def refresh_now(user_id: str, pid: str, deps: Deps) -> PromptedVersion:
    store = prompted_store(deps)
    version, _ = refresh(store.get(user_id, pid, versions=0), deps, store)
    return version


@router.post("/{user_id}/prompted/{pid}/refresh", status_code=201, response_model=PromptedVersion,
             responses=responses(401, 404, 422, 503), summary="Refresh now: a new version with its diff")
async def refresh_prompted(user_id: UserId, pid: PromptedId, deps: Annotated[Deps, Depends(get_deps)]) -> PromptedVersion:
    return await run_in_threadpool(refresh_now, user_id, pid, deps)
