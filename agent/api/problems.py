"""RFC 9457 problem details: every error the API returns is `application/problem+json` with a request id."""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.types import Scope

from core.errors import SegueError

log = logging.getLogger("segue.api")
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    type: str = Field(description="A URI reference naming the kind of problem (documented in docs/interfaces.md).",
                      examples=["/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field("", examples=["no playlist with id 'pl_0123456789abcdef'"])
    instance: str = Field("", description="The request path.", examples=["/playlists/pl_0123456789abcdef"])
    request_id: str = Field(description="Also sent as the X-Request-ID header; quote it when reporting a problem.")
    errors: list[dict[str, Any]] | None = Field(None, description="Field errors, for 422 responses.")


def request_id_of(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = uuid.uuid4().hex
    return state["request_id"]


def slug(title: str) -> str:
    return "-".join(title.lower().replace("+", " ").split())


def problem_response(scope: Scope, status: int, title: str | None = None, detail: str = "",
                     errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    title = title or HTTPStatus(status).phrase
    rid = request_id_of(scope)
    body = Problem(type=f"/problems/{slug(title)}", title=title, status=status, detail=detail,
                   instance=scope.get("path", ""), request_id=rid, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE,
                        headers={"X-Request-ID": rid, **(headers or {})})


def field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input (it may be large or sensitive)."""
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()[:20]]


async def on_segue_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SegueError)
    retry_after = getattr(exc, "retry_after", None)  # e.g. tools.store_health.StoreUnavailable
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return problem_response(request.scope, exc.status, exc.title, str(exc), headers=headers)


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{'.'.join(first['loc']) or 'request'}: {first['msg']}"
    return problem_response(request.scope, 422, "Invalid input", detail, errors)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = ""
    return problem_response(request.scope, exc.status_code, None, detail, headers=dict(exc.headers or {}))


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error (request %s)", request_id_of(request.scope))
    return problem_response(request.scope, 500, "Internal error", "an unexpected error occurred; quote the request id")


def install(app: FastAPI) -> None:
    app.add_exception_handler(SegueError, on_segue_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give."""
    return {s: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(s).phrase} for s in statuses}


def document(app: FastAPI) -> None:
    """OpenAPI: error responses are documented as `application/problem+json` only."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for item in schema.get("paths", {}).values():
                for op in item.values():
                    for code, response in op.get("responses", {}).items():
                        content = response.get("content", {})
                        if MEDIA_TYPE in content and code[:1] in "45":
                            content[MEDIA_TYPE] = content.pop("application/json", content[MEDIA_TYPE])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
