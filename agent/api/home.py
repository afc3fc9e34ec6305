"""`GET /users/{id}/home`: the listener's shelves as one JSON page, or streamed shelf by shelf (Server-Sent
Events or NDJSON) so a client paints the first at once; ETag / If-None-Match → 304 while nothing changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from sse_starlette import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from agent.api.deps import get_deps
from agent.api.problems import responses
from agent.api.users import UserId
from agent.deps import Deps
from agent.home.models import Home
from agent.home.page import prepare, shelves

router = APIRouter(prefix="/users", tags=["home"])
STREAM_DOC = """With `Accept: text/event-stream`: one `shelf` event per shelf, cheapest first, then `done`
(`{"etag"}`). With `Accept: application/x-ndjson`: one shelf per line. Otherwise the whole page as JSON."""
NDJSON = "application/x-ndjson"


def not_modified(request: Request, etag: str) -> bool:
    sent = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    return etag in sent or "*" in sent


@router.get("/{user_id}/home", response_model=Home, summary="The listener's Home: shelves, streamable",
            responses={200: {"content": {"text/event-stream": {}, NDJSON: {}}, "description": STREAM_DOC},
                       304: {"description": "Not modified (the ETag still matches)"}, **responses(401, 404, 422, 503)})
async def get_home(user_id: UserId, request: Request, deps: Annotated[Deps, Depends(get_deps)]) -> Any:
    ctx, etag = await run_in_threadpool(prepare, user_id, deps)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    accept = request.headers.get("accept", "")
    items = iterate_in_threadpool(shelves(ctx, etag, deps))
    if "text/event-stream" in accept:
        return EventSourceResponse(sse_events(items, etag), headers=headers, ping=10)
    if NDJSON in accept:
        return StreamingResponse(ndjson_lines(items), media_type=NDJSON, headers=headers)
    page = Home(user_id=user_id, etag=etag, shelves=[s async for s in items])
    return Response(page.model_dump_json(), media_type="application/json", headers=headers)


async def sse_events(items: AsyncIterator[Any], etag: str) -> AsyncIterator[dict[str, str]]:
    async for shelf in items:
        yield {"event": "shelf", "data": shelf.model_dump_json()}
    yield {"event": "done", "data": json.dumps({"etag": etag})}


async def ndjson_lines(items: AsyncIterator[Any]) -> AsyncIterator[str]:
    async for shelf in items:
        yield shelf.model_dump_json() + "\n"
