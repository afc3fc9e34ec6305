"""Collaborators handed to tools and the pipeline (no client is built at import time)."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.config import Settings, get_settings
from agent.errors import StoreError

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.store import Progress
    from tools.talk import TalkCatalog

_lock = threading.Lock()
_talk_lock = threading.Lock()


@dataclass
class Deps:
    settings: Settings
    catalog: Catalog
    profiles: Any = None  # tools.profiles.ProfileStore
    playlists: Any = None  # agent.playlist_store.PlaylistStore
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


def open_catalog(settings: Settings, auto_ingest: bool = True, progress: Progress | None = None) -> Catalog:
    """Open the current catalog build; build it first when none exists and auto_ingest is on."""
    from tools.catalog import Catalog
    from tools.ingest import ingest
    from tools.store import current_build

    if settings.embeddings == "local":  # load the query embedder while the catalog loads
        from tools.embeddings import local_embedder

        threading.Thread(target=local_embedder, daemon=False).start()  # daemon threads abort in onnxruntime at exit
    build = current_build(settings.store_root)
    if build is None:
        if not auto_ingest:
            raise StoreError(f"no catalog at {str(settings.store_root)!r}; run `segue ingest`")
        build, _ = ingest(settings, progress=progress)
    catalog = Catalog.load(build, settings.projected_search_min_tracks)
    gc.freeze()  # the catalog's column objects live as long as the process: keep them out of every GC pass
    return catalog


_cache: dict[str, Deps] = {}


def get_deps(settings: Settings | None = None, progress: Progress | None = None) -> Deps:
    """Process-wide Deps for the CLI and API (built once, thread-safe)."""
    settings = settings or get_settings()
    key = str(settings.home)
    with _lock:
        if key not in _cache:
            _cache[key] = build_deps(settings, progress)
        return _cache[key]


def build_deps(settings: Settings, progress: Progress | None = None) -> Deps:
    """The catalog must open; a damaged profile or playlist store degrades to None (readiness reports
    it, personalisation and refinement answer 503) instead of stopping the whole app."""
    from agent.playlist_store import open_playlist_store
    from tools.profiles import open_profile_store

    catalog = open_catalog(settings, progress=progress)
    deps = Deps(settings=settings, catalog=catalog)
    try:
        deps.profiles = open_profile_store(settings, catalog)
    except StoreError as exc:
        deps.extra["profiles_error"] = str(exc)
    try:
        deps.playlists = open_playlist_store(settings)
    except StoreError as exc:
        deps.extra["playlists_error"] = str(exc)
    return deps
