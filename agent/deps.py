"""Collaborators handed to tools and the pipeline (no client is built at import time)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import StoreError
from core.settings import Settings, get_settings
from tools.ingest import open_catalog

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.talk import TalkCatalog

_lock = threading.Lock()
_talk_lock = threading.Lock()


@dataclass
class Deps:
    settings: Settings
    catalog: Catalog
    profiles: Any = None  # tools.profiles.ProfileStore
    playlists: Any = None  # agent.playlist_store.PlaylistStore
    prompted: Any = None  # agent.prompted.store.PromptedStore (same state database as playlists)
    chat_model: Any = None  # a LangChain chat model override (tests), else built by agent.llm
    extra: dict[str, Any] = field(default_factory=dict)
    talk_catalog: Any = None  # tools.talk.TalkCatalog; opened on first use of `talk` (music-only requests never load it)

    @property
    def talk(self) -> TalkCatalog:
        """The podcast-episode catalog, opened (and built from shipped vectors if missing) on first use."""
        if self.talk_catalog is None:
            with _talk_lock:
                if self.talk_catalog is None:
                    from tools.talk import open_talk

                    self.talk_catalog = open_talk(self.settings)
        return self.talk_catalog


_cache: dict[str, Deps] = {}


def get_deps(settings: Settings | None = None, progress: Any = None) -> Deps:
    """Process-wide Deps for the CLI and API (built once, thread-safe)."""
    settings = settings or get_settings()
    key = str(settings.home)
    with _lock:
        if key not in _cache:
            _cache[key] = build_deps(settings, progress)
        return _cache[key]


def build_deps(settings: Settings, progress: Any = None) -> Deps:
    """The catalog must open; a damaged profile or playlist store degrades to None (readiness reports
    it, personalisation and refinement answer 503) instead of stopping the whole app. A PostgreSQL server
    (SEGUE_DATABASE_URL) that is down at start-up is not damage: its stores answer 503 until it is back."""
    from agent.playlist_store import open_playlist_store
    from agent.prompted.store import PromptedStore
    from tools.profile_db import open_profiles

    catalog = open_catalog(settings, progress=progress)
    deps = Deps(settings=settings, catalog=catalog)
    try:
        deps.profiles = open_profiles(settings, catalog)
    except StoreError as exc:
        deps.extra["profiles_error"] = str(exc)
    try:
        deps.playlists = open_playlist_store(settings)
        deps.prompted = PromptedStore(deps.playlists.db)
    except StoreError as exc:
        deps.extra["playlists_error"] = str(exc)
    return deps
