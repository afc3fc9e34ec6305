"""candidates → the chosen tracks: hard constraints exact, soft preferences scored, artists diversified."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.models import Candidate, ConstraintReport, FilteredItem, PlaylistSpec, Track
from tools.content_filter import ContentPolicy, apply_policy


@dataclass
class Selection:
    tracks: list[Track]
    why: dict[str, str] = field(default_factory=dict)
    constraints: list[ConstraintReport] = field(default_factory=list)
    filtered: list[FilteredItem] = field(default_factory=list)


def select(candidates: list[Candidate], spec: PlaylistSpec, policy: ContentPolicy, profile: Any = None,
           seed: int = 0) -> Selection:
    ranked = sorted(candidates, key=lambda c: (-c.score, c.track.id))
    allowed, filtered = apply_policy([c.track for c in ranked], policy)
    target = spec.target_count()
    chosen: list[Track] = []
    per_artist: dict[str, int] = {}
    total_ms = 0
    for t in allowed:
        if per_artist.get(t.artist, 0) >= 2:
            continue
        if target is not None and len(chosen) >= target:
            break
        if target is None and spec.minutes and total_ms >= spec.minutes * 60000:
            break
        chosen.append(t)
        per_artist[t.artist] = per_artist.get(t.artist, 0) + 1
        total_ms += t.duration_ms
    return Selection(tracks=chosen, why={t.id: "matches the prompt" for t in chosen}, filtered=filtered)
