"""`POST /generate` (a playlist as JSON) and `POST /generate/stream` (the same playlist as Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from agent.api.deps import get_deps
from agent.api.problems import Problem, request_id_of, responses, slug
from agent.deps import Deps
from agent.models import GenerateRequest, Playlist
from core.errors import SegueError

router = APIRouter(tags=["generate"])
log = logging.getLogger("segue.api")

EXAMPLES: dict[str, Any] = {
    "mellow": {"summary": "A prompt with its own constraints",
               "value": {"prompt": "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"}},
    "options": {"summary": "Options override the prompt",
                "value": {"prompt": "upbeat pop punk for a run", "count": 15, "allow_explicit": False, "seed": 7}},
    "listener": {"summary": "Personalised for a listener",
                 "value": {"prompt": "late night jazz", "minutes": 45, "user_id": "demo-jazz"}},
    "library": {"summary": "Only music you own, saved to your server",
                "value": {"prompt": "rainy Sunday coffee, mellow indie", "library": "home", "save": True}},
}
GenerateBody = Annotated[GenerateRequest, Body(openapi_examples=EXAMPLES)]
STREAM_DOC = """Server-Sent Events, in this order:

* `spec` — `{"id", "prompt", "spec", "provider", "degraded"}`: how the prompt was understood
* `track` — one `PlaylistTrack` per event, in playlist order
* `segment` — one narration `Segment` per event
* `done` — the complete `Playlist` (exactly the `POST /generate` response)

Request errors (413, 422, 401) are answered as problem+json before the stream starts. A failure after that
is sent as an `error` event whose data is a problem+json object, and the stream ends."""


def generate_and_save(request: GenerateRequest, deps: Deps, on_event: Any = None) -> Playlist:
    from agent.generate import generate
    from tools.store_health import StoreUnavailable, require_store

    require_store(deps.catalog)  # server mode: 503 + Retry-After while the Chroma server is down
    playlist = generate(request, deps, on_event)
    kept = deps.playlists is not None
    if kept:
        try:
            deps.playlists.save(playlist)
        except StoreUnavailable as exc:  # the database is down: the playlist is still made, just not kept
            log.warning("playlist %s not kept: %s", playlist.id, exc)
            kept = False
    return save_to_library(playlist, deps, kept) if request.save else playlist


def save_to_library(playlist: Playlist, deps: Deps, kept: bool) -> Playlist:
    """The playlist saved to its library (`saved` set). A library server that fails after a kept playlist was
    made answers with its error, naming the playlist so the save can be retried alone."""
    from agent.library import save_and_keep
    from core.errors import StoreError

    try:
        return save_and_keep(playlist, deps)
    except StoreError as exc:
        if not kept:
            raise
        raise type(exc)(f"{exc}; playlist {playlist.id} is kept: retry with POST /playlists/{playlist.id}/save") from exc


@router.post("/generate", response_model=Playlist, responses=responses(401, 404, 413, 422, 503),
             summary="Make a playlist from a prompt")
async def generate_playlist(body: GenerateBody, deps: Annotated[Deps, Depends(get_deps)]) -> Playlist:
    """A free-text prompt becomes a sequenced playlist with DJ narration. The playlist is kept:
    fetch it again with `GET /playlists/{id}` or refine it with `POST /playlists/{id}/refine`.
    With `library`, only owned tracks; with `"save": true` too, it is saved there (`saved` in the answer: a
    Subsonic playlist id or an M3U8 path). An unknown library is 404, `save` without `library` 422, a library
    server that cannot be reached 503 with Retry-After."""
    return await run_in_threadpool(generate_and_save, body, deps)


@router.post("/generate/stream", responses={200: {"content": {"text/event-stream": {}}, "description": STREAM_DOC},
                                            **responses(401, 404, 413, 422, 503)},
             summary="Make a playlist, streamed as Server-Sent Events", response_class=EventSourceResponse)
async def generate_stream(body: GenerateBody, request: Request, deps: Annotated[Deps, Depends(get_deps)]):
    from tools.store_health import require_store

    await run_in_threadpool(require_store, deps.catalog)  # refused before the stream starts
    return EventSourceResponse(playlist_events(body, deps, request), ping=10)


async def playlist_events(body: GenerateRequest, deps: Deps, request: Request) -> AsyncIterator[dict[str, str]]:
    """spec and track events as generate() produces them, then segments and the whole playlist."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def on_event(kind: str, model: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (kind, model))

    task = asyncio.ensure_future(run_in_threadpool(generate_and_save, body, deps, on_event))
    sent_tracks = 0
    while not (task.done() and queue.empty()):
        getter = asyncio.ensure_future(queue.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if not getter.done():
            getter.cancel()
            continue
        kind, model = getter.result()
        if kind == "spec":
            yield {"event": "spec", "data": json.dumps(spec_head(body, model), ensure_ascii=False)}
        elif kind == "track":
            sent_tracks += 1
            yield {"event": "track", "data": model.model_dump_json()}
    try:
        playlist = task.result()
    except SegueError as exc:
        yield _error_event(request, exc.status, exc.title, str(exc))
        return
    except Exception:
        log.exception("stream failed (request %s)", request_id_of(request.scope))
        yield _error_event(request, 500, "Internal error", "an unexpected error occurred; quote the request id")
        return
    for track in playlist.tracks[sent_tracks:]:  # tracks not announced before the playlist finished
        yield {"event": "track", "data": track.model_dump_json()}
    for segment in playlist.segments:
        yield {"event": "segment", "data": segment.model_dump_json()}
    yield {"event": "done", "data": playlist.model_dump_json()}


def spec_head(body: GenerateRequest, planned: Any) -> dict[str, Any]:
    """The first event: how the prompt was understood, and the id the finished playlist will have."""
    from agent.response import playlist_id

    return {"id": playlist_id(body, planned.spec), "prompt": body.prompt, "spec": planned.spec.model_dump(mode="json"),
            "provider": planned.provider, "degraded": planned.degraded}


def _error_event(request: Request, status: int, title: str, detail: str) -> dict[str, str]:
    problem = Problem(type=f"/problems/{slug(title)}", title=title, status=status, detail=detail,
                      instance=request.url.path, request_id=request_id_of(request.scope))
    return {"event": "error", "data": problem.model_dump_json(exclude_none=True)}
