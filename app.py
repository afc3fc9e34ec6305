"""The FastAPI app: routes per resource under agent/api, problem+json errors, the web page at `/`.

Run it with `segue serve` (or `uvicorn app:app`). `create_app(deps_provider)` lets tests hand in their own Deps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from agent.api.deps import DepsProvider, default_provider
from core.settings import Settings, get_settings

WEB_DIR = Path(__file__).resolve().parent / "agent" / "web"
log = logging.getLogger("segue.api")
DESCRIPTION = """Segue turns a free-text prompt into a sequenced playlist with DJ narration.

Every error is `application/problem+json` (RFC 9457) with a `request_id` (also the `X-Request-ID` header).
Bodies over 64 KiB are refused with 413. When `SEGUE_API_KEYS` is set, send `Authorization: Bearer <key>`."""


def create_app(deps_provider: DepsProvider | None = None, settings: Settings | None = None, warm: bool = True) -> FastAPI:
    """The app. `deps_provider` builds the Deps (default: the process-wide catalog and stores); `warm` loads
    them in the background at start-up so the first request does not wait."""
    from agent.api import daylist, generate, health, home, playlists, problems, prompted, tracks, users

    settings = settings or get_settings()
    app = FastAPI(title="Segue", version="0.1.0", description=DESCRIPTION, lifespan=_lifespan(warm, settings),
                  openapi_tags=[{"name": n} for n in ("generate", "playlists", "prompted", "home", "tracks", "users", "health")])
    app.state.deps_provider = deps_provider or default_provider
    app.state.deps = None
    app.state.warming = False
    problems.install(app)
    problems.document(app)
    for module in (generate, daylist, playlists, prompted, home, tracks, users, health):
        app.include_router(module.router)
    _add_web(app)
    _add_middleware(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    from agent.api.middleware import ApiKeyMiddleware, BodyLimitMiddleware, RequestIdMiddleware

    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # CORS stays closed unless origins are configured
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
                           expose_headers=["X-Request-ID"])
    app.add_middleware(ApiKeyMiddleware, keys=[k.strip() for k in settings.api_keys.split(",") if k.strip()])
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)  # added last = outermost: every response carries the id


def _add_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/home", include_in_schema=False)
    async def home_page() -> FileResponse:
        return FileResponse(WEB_DIR / "home.html", headers={"Cache-Control": "no-cache"})


def _lifespan(warm: bool, settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from agent.api.deps import app_deps
        from agent.prompted.worker import RefreshWorker

        task = asyncio.create_task(_warm_up(app)) if warm else None
        worker = RefreshWorker(lambda: app_deps(app), settings.refresh_interval_s).start() \
            if settings.refresh_interval_s > 0 else None
        app.state.refresher = worker
        yield
        if worker is not None:
            await run_in_threadpool(worker.stop)
        if task is not None and not task.done():
            task.cancel()

    return lifespan


async def _warm_up(app: FastAPI) -> None:
    app.state.warming = True
    try:
        app.state.deps = await run_in_threadpool(app.state.deps_provider)
    except Exception as exc:  # requests retry the build and answer 503 problem+json if it still fails
        log.error("loading the catalog failed: %s", exc)
    finally:
        app.state.warming = False


def __getattr__(name: str) -> FastAPI:
    """`app:app` for uvicorn, built on first access (importing this module builds nothing)."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
