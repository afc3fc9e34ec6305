"""prompt → PlaylistSpec: the deterministic offline planner, or the LLM agent with tools (same interface)."""

from __future__ import annotations

from agent.deps import Deps
from agent.models import GenerateRequest, PlaylistSpec
from agent.planner.planned import Planned


def apply_overrides(spec: PlaylistSpec, request: GenerateRequest) -> PlaylistSpec:
    """Explicit request options win over what the prompt says."""
    update: dict = {}
    if request.count is not None:
        update |= {"count": request.count, "minutes": None, "count_asked": None}
    elif request.minutes is not None:
        update |= {"minutes": request.minutes, "count": None, "count_asked": None}
    if request.allow_explicit is False:
        update["explicit"] = "exclude"
    return spec.model_copy(update=update) if update else spec


def plan(request: GenerateRequest, deps: Deps) -> Planned:
    from agent.planner.offline import parse_prompt

    provider = request.provider or deps.settings.resolved_provider()
    if provider == "openai":
        from agent.planner.llm_agent import plan_with_llm

        planned = plan_with_llm(request, deps)
    else:
        from agent.mood_targets import with_learned_targets

        spec = parse_prompt(request.prompt, deps.catalog)
        planned = Planned(spec=with_learned_targets(spec, request.prompt), provider="offline")
    planned.spec = apply_overrides(planned.spec, request)
    return planned
