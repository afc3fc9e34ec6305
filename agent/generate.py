"""generate(): the one orchestration function — prompt → spec → candidates → selection → sequence → final
gate → narration → response, for music, talk and mixed playlists alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from agent.deps import Deps
from agent.items import Chosen, Entry, arrange, gather_all, select_all
from agent.models import GenerateRequest, Playlist, Track
from agent.narration import narrate_entries
from agent.planner import plan
from agent.policy import policy_for, spec_with_policy
from agent.response import build_playlist, entry_track, final_gate
from agent.talk_slots import stated_format

OnEvent = Callable[[str, Any], None]


def generate(request: GenerateRequest, deps: Deps, on_event: OnEvent | None = None) -> Playlist:
    """on_event(kind, model) hears the plan once made and each entry once it passed the final gate
    (the streaming endpoint forwards them); the returned playlist is the same either way."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    emit = on_event or (lambda kind, model: None)
    with timed(timings, "plan"):
        planned = plan(request, deps)
    profile = deps.profiles.get_profile(request.user_id) if deps.profiles and request.user_id else None
    policy = policy_for(request, planned.spec, profile, deps)
    spec = planned.spec = stated_format(request, spec_with_policy(planned.spec, policy))
    emit("spec", planned)
    with timed(timings, "candidates"):
        pool = gather_all(spec, policy, deps, profile, planned.extra_candidates, request.exclude_ids)
    with timed(timings, "selection"):
        chosen = select_all(pool, spec, policy, profile, request.seed, catalog=deps.catalog)
    with timed(timings, "sequencing"):
        ordered = arrange(chosen, seed=request.seed)
    entries, removed = final_gate(ordered, policy, deps)
    announce(entries, chosen, emit)
    with timed(timings, "narration"):
        segments = narrate_entries(entries, spec, request.prompt, profile, deps, seed=request.seed,
                                   use_llm=planned.provider == "openai" and not planned.degraded,
                                   prompt_version=request.prompt_version,
                                   deadline_s=deps.settings.request_deadline_s - (time.monotonic() - started),
                                   usage=planned.usage)
    return build_playlist(request, planned, spec, entries, chosen, segments, removed, policy, deps, timings)


def announce(entries: list[Entry], chosen: Chosen, emit: OnEvent) -> None:
    """Each entry as it will appear: the gate already ran, so positions are final."""
    mixed = any(isinstance(e, Track) for e in entries)
    for n, e in enumerate(entries, 1):
        emit("track", entry_track(n, e, chosen, mixed))


@contextmanager
def timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 2)
