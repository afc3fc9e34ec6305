"""Order the chosen tracks like a DJ."""

from __future__ import annotations

from agent.models import Arc, Track


def sequence(tracks: list[Track], arc: Arc | None = None, seed: int = 0) -> list[Track]:
    return sorted(tracks, key=lambda t: t.energy)
