"""Who Segue knows: a listener with history or settings in the profile store, or with prompted playlists."""

from __future__ import annotations

from agent.deps import Deps
from core.errors import NotFound


def check_known(user_id: str, deps: Deps) -> None:
    """404 for a listener Segue has never seen (no history, settings or prompted playlists)."""
    if deps.profiles is not None and deps.profiles.known(user_id):
        return
    if deps.prompted is not None and deps.prompted.list_for(user_id, versions=0):
        return
    raise NotFound(f"no listener {user_id!r}: import their history or save a prompted playlist first")
