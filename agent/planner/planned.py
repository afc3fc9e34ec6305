"""What a planner returns: the spec, who made it, and what the model run cost."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.models import Candidate, PlaylistSpec, Usage


@dataclass
class Planned:
    spec: PlaylistSpec
    provider: str
    extra_candidates: list[Candidate] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    degraded: bool = False
    degraded_reason: str | None = None
    dropped_ids: int = 0  # model-proposed track ids the catalog does not hold (dropped)
