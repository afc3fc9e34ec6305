"""`GET /playlists/{id}`, `POST /playlists/{id}/refine`, `POST /playlists/{id}/save` (to the playlist's library)
and `GET /playlists/{id}/export/{format}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps, playlist_store
from agent.api.problems import responses
from agent.deps import Deps
from agent.export import MEDIA_TYPES, ExportFormat, export, filename
from agent.models import Playlist
from agent.refine import RefineRequest, RefineResult

router = APIRouter(prefix="/playlists", tags=["playlists"])
PlaylistId = Annotated[str, Path(min_length=1, max_length=64, description="A playlist id from /generate or /refine.",
                                 examples=["pl_0123456789abcdef"])]
REFINE_EXAMPLES: dict[str, Any] = {
    "calmer": {"summary": "A direction", "value": {"instruction": "less upbeat"}},
    "era": {"summary": "An era, and a genre to drop", "value": {"instruction": "more 90s, drop the rap"}},
    "length": {"summary": "Clean and longer", "value": {"instruction": "no explicit, longer"}},
}


@router.get("/{playlist_id}", response_model=Playlist, responses=responses(401, 404, 422, 503),
            summary="A kept playlist")
async def get_playlist(playlist_id: PlaylistId, deps: Annotated[Deps, Depends(get_deps)]) -> Playlist:
    """Playlists are kept in SQLite, so this works across restarts."""
    return await run_in_threadpool(playlist_store(deps).get, playlist_id)


def refine_and_save(playlist_id: str, body: RefineRequest, deps: Deps) -> RefineResult:
    from agent.api.generate import save_to_library
    from agent.refine import refine
    from core.errors import InvalidInput
    from tools.store_health import require_store

    require_store(deps.catalog)  # server mode: 503 + Retry-After while the Chroma server is down
    store = playlist_store(deps)
    original = store.get(playlist_id)
    if body.save and not original.library:
        raise InvalidInput(f"save needs a library to save to: playlist {playlist_id} was not made from one")
    result = refine(original, body.instruction, deps, seed=body.seed)
    store.save(result.playlist, parent_id=playlist_id)
    if body.save:
        result = result.model_copy(update={"playlist": save_to_library(result.playlist, deps, kept=True)})
    return result


class SaveRequest(BaseModel):
    """Where to save a kept playlist (default: the library it was made from)."""

    model_config = ConfigDict(extra="forbid")

    library: str | None = Field(None, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$",
                                description="A library that owns every track; default: the playlist's own.")


def save_kept(playlist_id: str, body: SaveRequest | None, deps: Deps) -> Playlist:
    from agent.library import save_and_keep

    return save_and_keep(playlist_store(deps).get(playlist_id), deps, body.library if body else None)


@router.post("/{playlist_id}/refine", response_model=RefineResult, responses=responses(401, 404, 413, 422, 503),
             summary="Refine a playlist with a follow-up")
async def refine_playlist(playlist_id: PlaylistId,
                          body: Annotated[RefineRequest, Body(openapi_examples=REFINE_EXAMPLES)],
                          deps: Annotated[Deps, Depends(get_deps)]) -> RefineResult:
    """Follow-ups such as "less upbeat", "more 90s", "drop the rap", "no explicit", "longer", "10 songs",
    "more like Norah Jones". Tracks that still fit are kept; the answer lists what was kept, added and
    removed, with reasons. The new playlist gets its own id and is kept too."""
    return await run_in_threadpool(refine_and_save, playlist_id, body, deps)


@router.post("/{playlist_id}/save", response_model=Playlist, responses=responses(401, 404, 413, 422, 503),
             summary="Save a playlist to its library (a Subsonic playlist or an M3U8)")
async def save_playlist(playlist_id: PlaylistId, deps: Annotated[Deps, Depends(get_deps)],
                        body: Annotated[SaveRequest | None, Body()] = None) -> Playlist:
    """Saves the kept playlist where the music plays: a playlist on the library's Subsonic server (the narration
    in its comment) or an M3U8 of real file paths in a folder library. A refined playlist updates the copy its
    first version saved (same server id) instead of making another. The answer is the playlist with `saved`.
    404: no such playlist or library; 422: a playlist made without a library and no `library` given, or a track
    the library does not own; 503 + Retry-After: the library's server cannot be reached."""
    return await run_in_threadpool(save_kept, playlist_id, body, deps)


@router.get("/{playlist_id}/export/{fmt}", response_class=Response, responses={
    200: {"content": {m: {} for m in MEDIA_TYPES.values()}, "description": "The playlist file (an attachment)."},
    **responses(401, 404, 422, 503)}, summary="Download a playlist as M3U8, XSPF or JSPF")
async def export_playlist(playlist_id: PlaylistId, fmt: Annotated[ExportFormat, Path(description="File format.")],
                          deps: Annotated[Deps, Depends(get_deps)]) -> Response:
    """Standard playlist files whose locations are `https://open.spotify.com/track/<id>` links."""
    playlist = await run_in_threadpool(playlist_store(deps).get, playlist_id)
    headers = {"Content-Disposition": f'attachment; filename="{filename(playlist, fmt)}"'}
    return Response(export(playlist, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)
