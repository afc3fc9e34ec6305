"""The MCP server's library tools: the listener's own libraries, and saving a playlist where it plays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from agent.deps import Deps
from agent.models import SavedPlaylist
from core.errors import StoreError


class LibrarySummary(BaseModel):
    name: str
    kind: str = Field(description="subsonic or folder.")
    where: str = Field(description="Server URL or folder path.")
    tracks: int = Field(description="Owned tracks at the last sync.")
    matched: int = Field(description="Owned tracks matched to the catalog (playable with known features).")
    synced_at: float | None = None


def add_library_tools(server: Any, deps: Callable[[], Deps], segue_errors: Callable) -> None:
    @server.tool()
    @segue_errors
    def libraries() -> list[LibrarySummary]:
        """The listener's music libraries (Subsonic servers and folders) usable as `generate(library=…)`."""
        from agent.library import libraries as store_of

        store = store_of(deps())
        out = []
        for name in store.names():
            config, state = store.config(name), store.state(name)
            out.append(LibrarySummary(name=name, kind=config.kind, where=config.url or config.path or "",
                                      tracks=state.stats.tracks if state else 0,
                                      matched=state.stats.matched if state else 0,
                                      synced_at=state.synced_at if state else None))
        return out

    @server.tool()
    @segue_errors
    def library_save(playlist_id: str, library: str | None = None) -> SavedPlaylist:
        """Save a playlist made with `generate(library=…)` into that library: a Subsonic playlist (saving a
        refined version updates the same server playlist) or an M3U8 in a folder library.

        Args:
            playlist_id: The id of a kept playlist (pl_…).
            library: The library; default the one the playlist was made from.
        """
        from agent.library import save_playlist

        d = deps()
        if d.playlists is None:
            raise StoreError("the playlist store is not available")
        playlist = d.playlists.get(playlist_id)
        saved = save_playlist(playlist, d, library)
        d.playlists.save(playlist.model_copy(update={"saved": saved}), parent_id=d.playlists.parent_of(playlist_id))
        return saved
