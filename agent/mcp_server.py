"""Segue as an MCP server (the official `mcp` SDK): generate, refine, search and profile tools for any agent
host, over stdio or streamable HTTP. The tools run the same pipeline as `POST /generate` — the same
request models and validation, the same content policy and final gate — and return the same typed models."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from agent.deps import Deps
from agent.models import GenerateRequest, Playlist, SearchFilters, Track
from agent.refine import RefineResult
from core.errors import InvalidInput, SegueError, StoreError
from core.validation import validated

F = TypeVar("F", bound=Callable[..., Any])

INSTRUCTIONS = ("Segue is an AI DJ. Call `generate` with the listener's own words as `prompt` to get a sequenced "
                "playlist with DJ narration; every hard constraint (count, minutes, clean, blocked artists) is "
                "enforced and reported in `constraints`. `refine` adjusts a playlist by id; `search` looks up "
                "catalog tracks; `profile` summarises a listener's taste.")


class SearchHit(BaseModel):
    score: float = Field(description="Cosine similarity to the query (higher is better).")
    track: Track


class ProfileSummary(BaseModel):
    user_id: str
    cold_start: bool = Field(description="True when there is too little history to personalise.")
    explanation: str = Field(description="The listener's taste in words (top genres, artists, sound).")
    summary: dict[str, Any] = Field(description="Top genres, artists and feature means, compact.")


def segue_errors(fn: F) -> F:
    """Segue's domain errors reach the host as the tool's error message (a one-line reason, no traceback)."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SegueError as exc:
            raise ToolError(f"{exc.title}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


def build_server(deps: Callable[[], Deps]) -> Any:
    """The MCP server; `deps` is called on the first tool call (start-up stays fast)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(name="segue", instructions=INSTRUCTIONS)

    @server.tool()
    @segue_errors
    def generate(prompt: str, count: int | None = None, minutes: float | None = None,
                 allow_explicit: bool | None = None, user_id: str | None = None, seed: int = 0,
                 library: str | None = None) -> Playlist:
        """A sequenced playlist with DJ narration from a free-text prompt.

        Args:
            prompt: What the listener wants, in their own words ("rainy Sunday coffee, mellow indie, 40 minutes").
            count: Exact number of tracks (overrides the prompt).
            minutes: Target total length in minutes (overrides the prompt).
            allow_explicit: false forces clean tracks only; true allows explicit unless the prompt forbids it.
            user_id: A listener id, to personalise with their taste profile.
            seed: Vary the choice among equally good options.
            library: Only tracks the listener owns in this library (see `libraries`).
        """
        from agent.generate import generate as run

        request = validated(GenerateRequest, prompt=prompt, count=count, minutes=minutes,
                            allow_explicit=allow_explicit, user_id=user_id, seed=seed, library=library)
        d = deps()
        playlist = run(request, d)
        if d.playlists is not None:
            d.playlists.save(playlist)
        return playlist

    @server.tool()
    @segue_errors
    def refine(playlist_id: str, instruction: str, seed: int = 0) -> RefineResult:
        """A new version of a kept playlist ("less upbeat", "add some 80s", "drop the rap"), with what was kept,
        added and removed and why.

        Args:
            playlist_id: The id of a playlist made by `generate` (pl_…).
            instruction: The change, in the listener's words.
            seed: Vary the choice among equally good options.
        """
        from agent.refine import RefineRequest
        from agent.refine import refine as run

        request = validated(RefineRequest, instruction=instruction, seed=seed)
        d = deps()
        if d.playlists is None:
            raise StoreError("the playlist store is not available")
        result = run(d.playlists.get(playlist_id), request.instruction, d, seed=request.seed)
        d.playlists.save(result.playlist, parent_id=playlist_id)
        return result

    @server.tool()
    @segue_errors
    def search(query: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Semantic search of the music catalog; every hard filter applies before ranking.

        Args:
            query: What to look for ("sad acoustic breakup songs").
            k: How many results (1-100).
            filters: Hard filters: explicit allow|exclude, genres, exclude_genres, artists, years, tempo.
        """
        if not 1 <= k <= 100:
            raise InvalidInput(f"k must be between 1 and 100, not {k!r}")
        hits = deps().catalog.search(query, filters or SearchFilters(), k)
        return [SearchHit(score=round(c.score, 4), track=c.track) for c in hits]

    @server.tool()
    @segue_errors
    def profile(user_id: str) -> ProfileSummary:
        """A listener's taste in words; an unknown listener gets the cold-start profile.

        Args:
            user_id: A listener id (e.g. pl-cardio).
        """
        d = deps()
        if d.profiles is None:
            raise StoreError("no profile store is configured")
        taste = d.profiles.get_profile(user_id)
        return ProfileSummary(user_id=user_id, cold_start=taste.cold_start, explanation=taste.explain(),
                              summary=taste.summary())

    from agent.mcp_library import add_library_tools

    add_library_tools(server, deps, segue_errors)
    return server
