"""DJ narration grounded in facts about the returned tracks."""

from __future__ import annotations

from typing import Any

from agent.models import PlaylistSpec, Segment, Track


def narrate(tracks: list[Track], spec: PlaylistSpec, prompt: str, profile: Any, deps: Any, seed: int = 0) -> list[Segment]:
    if not tracks or spec.narration == "none":
        return []
    first = tracks[0]
    return [Segment(kind="intro", before_position=1, text=f"Opening with {first.title} by {first.artist}.")]
