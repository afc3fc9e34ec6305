"""ASGI middleware at the edge: request ids, the request body limit (413) and API-key auth (401)."""

from __future__ import annotations

import hmac
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.api.problems import problem_response, request_id_of

_GOOD_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
OPEN_PATHS = ("/", "/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/favicon.ico")
OPEN_PREFIXES = ("/static/", "/docs/")


class RequestIdMiddleware:
    """Use the caller's X-Request-ID when it is sane, else a new one; echo it on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = _header(scope, b"x-request-id")
        state = scope.setdefault("state", {})
        if given and _GOOD_ID.match(given):
            state["request_id"] = given
        rid = request_id_of(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message["headers"] = headers + [(b"x-request-id", rid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Reject bodies over `limit` bytes with 413: by Content-Length up front, and by counting what arrives.

    A JSON object sent as a form (what `curl -d '{...}'` does) is read as JSON."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await self._too_large(scope, send)
        body = bytearray()
        while True:  # buffer the (small) body so an oversized one never reaches the app
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay(None, message, receive), send)
            body += message.get("body", b"")
            if len(body) > self.limit:
                return await self._too_large(scope, send)
            if not message.get("more_body", False):
                break
        await self.app(_json_sniffed(scope, bytes(body)), _replay(bytes(body), None, receive), send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        detail = f"request body is larger than {self.limit:,} bytes"
        await problem_response(scope, 413, "Request body too large", detail)(scope, _no_receive, send)


class ApiKeyMiddleware:
    """When keys are configured, every API route needs `Authorization: Bearer <key>` or `X-API-Key: <key>`."""

    def __init__(self, app: ASGIApp, keys: list[str]) -> None:
        self.app = app
        self.keys = [k.encode() for k in keys if k]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or _is_open(scope):
            return await self.app(scope, receive, send)
        if self._allowed(_presented_key(scope)):
            return await self.app(scope, receive, send)
        response = problem_response(scope, 401, "Unauthorized", "a valid API key is required",
                                    headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)

    def _allowed(self, presented: str | None) -> bool:
        given = (presented or "").encode()
        ok = False
        for key in self.keys:  # compare with every key, in constant time, without an early exit
            ok |= hmac.compare_digest(given, key)
        return ok and bool(given)


def _json_sniffed(scope: Scope, body: bytes) -> Scope:
    """curl -d sends `application/x-www-form-urlencoded`; a body that is a JSON object is JSON."""
    kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded" or not body.lstrip().startswith(b"{"):
        return scope
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-type"]
    return {**scope, "headers": headers + [(b"content-type", b"application/json")]}


def _is_open(scope: Scope) -> bool:
    path = scope.get("path", "")
    return scope.get("method") == "OPTIONS" or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _presented_key(scope: Scope) -> str | None:
    auth = _header(scope, b"authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return _header(scope, b"x-api-key")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _replay(body: bytes | None, first: Message | None, receive: Receive) -> Receive:
    """A receive() that hands out the buffered body (or first message) once, then defers to the real one."""
    pending: list[Message] = []
    if body is not None:
        pending.append({"type": "http.request", "body": body, "more_body": False})
    if first is not None:
        pending.append(first)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
