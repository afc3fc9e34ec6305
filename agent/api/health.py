"""`GET /healthz` (the process answers) and `GET /readyz` (catalog loaded and stores usable, else 503)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from agent.api.deps import load_deps
from agent.api.problems import problem_response, responses

router = APIRouter(tags=["health"])
Check = Literal["ok", "missing", "failed"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, Check] = Field(description="catalog, playlists, profiles; chroma in server mode; database "
                                     "when the stores live in PostgreSQL (SEGUE_DATABASE_URL).")
    tracks: int = Field(0, description="Tracks in the loaded catalog.")


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness, responses=responses(503), summary="Readiness")
async def readyz(request: Request) -> Readiness | JSONResponse:
    """Ready when the catalog is loaded and the playlist and profile stores answer."""
    readiness = await run_in_threadpool(check_ready, request)
    if readiness.status != "ready":
        failed = ", ".join(k for k, v in readiness.checks.items() if v != "ok")
        from tools.store_health import RETRY_AFTER_S

        return problem_response(request.scope, 503, "Not ready", f"not usable: {failed}",
                                headers={"Retry-After": str(RETRY_AFTER_S)})
    return readiness


def check_ready(request: Request) -> Readiness:
    if getattr(request.app.state, "deps", None) is None and getattr(request.app.state, "warming", False):
        return Readiness(status="not ready", checks={"catalog": "missing"})  # still loading
    try:
        deps = load_deps(request)
    except Exception:
        return Readiness(status="not ready", checks={"catalog": "failed"})
    checks: dict[str, Check] = {"catalog": "ok" if len(deps.catalog) else "failed"}
    checks["playlists"] = "missing" if deps.playlists is None else ("ok" if deps.playlists.check() else "failed")
    if deps.settings.database_url is not None:  # one PostgreSQL database behind every state store
        checks["database"] = "ok" if checks["playlists"] == "ok" else "failed"
    checks["profiles"] = "missing" if deps.profiles is None else _probe_profiles(deps.profiles)
    from tools.store_health import server_url, store_check

    if server_url(deps.catalog):  # server mode: the Chroma server is the system of record
        checks["chroma"] = "failed" if store_check(deps.catalog) else "ok"
    ready = all(v == "ok" for v in checks.values())
    return Readiness(status="ready" if ready else "not ready", checks=checks, tracks=len(deps.catalog))


def _probe_profiles(store) -> Check:
    try:
        store.get_profile("readiness-probe")
        return "ok"
    except Exception:
        return "failed"
