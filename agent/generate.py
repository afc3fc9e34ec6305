"""generate(): the one orchestration function — prompt → spec → candidates → selection → sequence → narration."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from agent.candidates import gather
from agent.deps import Deps
from agent.models import GenerateRequest, Playlist, PlaylistSpec
from agent.narration import narrate
from agent.planner import plan
from agent.policy import policy_for, spec_with_policy
from agent.response import build_playlist, final_gate, playlist_track
from agent.selection import select
from agent.sequencing import sequence

OnEvent = Callable[[str, Any], None]


def generate(request: GenerateRequest, deps: Deps, on_event: OnEvent | None = None) -> Playlist:
    """on_event(kind, model) hears the plan once made and each track once it passed the final gate
    (the streaming endpoint forwards them); the returned playlist is the same either way."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    with timed(timings, "plan"):
        planned = plan(request, deps)
    profile = deps.profiles.get_profile(request.user_id) if deps.profiles and request.user_id else None
    policy = policy_for(request, planned.spec, profile, deps)
    planned.spec = spec_with_policy(planned.spec, policy)
    emit = on_event or (lambda kind, model: None)
    emit("spec", planned)
    if planned.spec.format.kind != "music":  # podcast episodes asked for (talk only or mixed)
        from agent.talk_mix import mix_talk

        return mix_talk(request, planned, profile, policy, deps, timings)
    with timed(timings, "candidates"):
        candidates = gather(planned.spec, policy, deps.catalog, profile)
    with timed(timings, "selection"):
        selection = select(candidates + planned.extra_candidates, planned.spec, policy, profile, request.seed,
                           catalog=deps.catalog)
    with timed(timings, "sequencing"):
        ordered = sequence(selection.tracks, planned.spec.arc, seed=request.seed)
    announce_tracks(ordered, selection.why, policy, deps, emit)
    with timed(timings, "narration"):
        segments = narrate(ordered, planned.spec, request.prompt, profile, deps, seed=request.seed,
                           use_llm=planned.provider == "openai" and not planned.degraded,
                           prompt_version=request.prompt_version,
                           deadline_s=deps.settings.request_deadline_s - (time.monotonic() - started),
                           usage=planned.usage)
    return build_playlist(request, planned, ordered, selection, segments, policy, deps, timings)


def announce_tracks(ordered: list, why: dict[str, str], policy, deps: Deps, emit: OnEvent) -> None:
    """Each track as it will appear: the final gate is order-preserving, so positions are already final."""
    gated, _ = final_gate(ordered, policy, deps)
    for n, t in enumerate(gated, 1):
        emit("track", playlist_track(n, t, why.get(t.id, "")))


def playlist_id(request: GenerateRequest, spec: PlaylistSpec) -> str:
    """Same input → same id (and same playlist)."""
    h = hashlib.sha256(f"{request.model_dump_json()}|{spec.model_dump_json()}".encode())
    return "pl_" + h.hexdigest()[:16]


@contextmanager
def timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 2)
