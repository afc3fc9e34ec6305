"""generate(): the one orchestration function — prompt → spec → candidates → selection → sequence → narration."""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager

from agent.deps import Deps
from agent.models import GenerateRequest, Playlist, PlaylistSpec
from agent.planner import plan
from agent.policy import policy_for, spec_with_policy
from agent.response import build_playlist


def generate(request: GenerateRequest, deps: Deps) -> Playlist:
    started = time.monotonic()
    timings: dict[str, float] = {}
    with timed(timings, "plan"):
        planned = plan(request, deps)
    profile = deps.profiles.get_profile(request.user_id) if deps.profiles and request.user_id else None
    policy = policy_for(request, planned.spec, profile, deps)
    planned.spec = spec_with_policy(planned.spec, policy)
    if planned.spec.format.kind != "music":  # podcast episodes asked for (talk only or mixed)
        from agent.talk_mix import mix_talk

        return mix_talk(request, planned, profile, policy, deps, timings)
    with timed(timings, "candidates"):
        from agent.candidates import gather

        candidates = gather(planned.spec, policy, deps.catalog, profile)
    with timed(timings, "selection"):
        from agent.selection import select

        selection = select(candidates + planned.extra_candidates, planned.spec, policy, profile, request.seed,
                           catalog=deps.catalog)
    with timed(timings, "sequencing"):
        from agent.sequencing import sequence

        ordered = sequence(selection.tracks, planned.spec.arc, seed=request.seed)
    with timed(timings, "narration"):
        from agent.narration import narrate

        segments = narrate(ordered, planned.spec, request.prompt, profile, deps, seed=request.seed,
                           use_llm=planned.provider == "openai" and not planned.degraded,
                           prompt_version=request.prompt_version,
                           deadline_s=deps.settings.request_deadline_s - (time.monotonic() - started))
    return build_playlist(request, planned, ordered, selection, segments, policy, deps, timings)


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
