"""FastAPI dependencies: the shared `Deps` (catalog, stores, settings), built once and overridable in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi import Request

from agent.deps import Deps
from core.errors import StoreError

DepsProvider = Callable[[], Deps]
_build_lock = threading.Lock()


def default_provider() -> Deps:
    from agent.deps import get_deps as build

    return build()


def load_deps(request: Request) -> Deps:
    """The app's Deps; the first call builds them (about seconds for the full catalog), later calls reuse them."""
    return app_deps(request.app)


def app_deps(app: Any) -> Deps:
    """The Deps of an app, built on first use (requests and the background refresher share them)."""
    state = app.state
    if getattr(state, "deps", None) is None:
        with _build_lock:
            if getattr(state, "deps", None) is None:
                provider: DepsProvider = getattr(state, "deps_provider", None) or default_provider
                state.deps = provider()
    return state.deps


def get_deps(request: Request) -> Deps:
    """Dependency for routes (sync: FastAPI runs it in the threadpool, so building never blocks the loop)."""
    return load_deps(request)


def playlist_store(deps: Deps):
    if deps.playlists is None:
        raise StoreError("the playlist store is not available")
    return deps.playlists


def profile_store(deps: Deps):
    if deps.profiles is None:
        raise StoreError("the profile store is not available")
    return deps.profiles
