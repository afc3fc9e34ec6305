"""`GET /playlists/{id}`, `POST /playlists/{id}/refine` and `GET /playlists/{id}/export/{format}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from fastapi.responses import Response
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
    from agent.refine import refine
    from tools.store_health import require_store

    require_store(deps.catalog)  # server mode: 503 + Retry-After while the Chroma server is down
    store = playlist_store(deps)
    result = refine(store.get(playlist_id), body.instruction, deps, seed=body.seed)
    store.save(result.playlist, parent_id=playlist_id)
    return result


@router.post("/{playlist_id}/refine", response_model=RefineResult, responses=responses(401, 404, 413, 422, 503),
             summary="Refine a playlist with a follow-up")
async def refine_playlist(playlist_id: PlaylistId,
                          body: Annotated[RefineRequest, Body(openapi_examples=REFINE_EXAMPLES)],
                          deps: Annotated[Deps, Depends(get_deps)]) -> RefineResult:
    """Follow-ups such as "less upbeat", "more 90s", "drop the rap", "no explicit", "longer", "10 songs",
    "more like Norah Jones". Tracks that still fit are kept; the answer lists what was kept, added and
    removed, with reasons. The new playlist gets its own id and is kept too."""
    return await run_in_threadpool(refine_and_save, playlist_id, body, deps)


@router.get("/{playlist_id}/export/{fmt}", response_class=Response, responses={
    200: {"content": {m: {} for m in MEDIA_TYPES.values()}, "description": "The playlist file (an attachment)."},
    **responses(401, 404, 422, 503)}, summary="Download a playlist as M3U8, XSPF or JSPF")
async def export_playlist(playlist_id: PlaylistId, fmt: Annotated[ExportFormat, Path(description="File format.")],
                          deps: Annotated[Deps, Depends(get_deps)]) -> Response:
    """Standard playlist files whose locations are `https://open.spotify.com/track/<id>` links."""
    playlist = await run_in_threadpool(playlist_store(deps).get, playlist_id)
    headers = {"Content-Disposition": f'attachment; filename="{filename(playlist, fmt)}"'}
    return Response(export(playlist, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)
