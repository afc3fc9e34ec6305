"""The LLM planner: a tool-calling agent (langchain create_agent) on any OpenAI-compatible endpoint.

One request = at most `llm_max_steps` model calls inside `request_deadline_s`. The model asks for tools in
parallel, then answers with `FinalPlaylist` through ToolStrategy (plain tool calling, so it works on vLLM,
Ollama and llama.cpp servers too). Whatever the model says, hard constraints stay the code's: the stated
numbers and exclusions of the deterministic parse win, the content policy is applied later, and proposed
track ids count only if the catalog holds them. Any failure falls back to the offline planner (degraded)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import BaseModel, Field

from agent.deps import Deps
from agent.llm import NoPlan, describe_failure, run_with_deadline
from agent.models import Candidate, GenerateRequest, PlaylistSpec, Usage
from agent.planner.planned import Planned
from agent.prompts import render
from core.errors import UpstreamError
from tools.agent_tools import ALL_TOOLS, ToolContext

log = logging.getLogger(__name__)

MAX_OUTPUT_TOKENS = 1200
PICK_BONUS = 0.05  # a model pick ranks a little above an equally similar pooled candidate


class FinalPlaylist(BaseModel):
    """Submit the plan: how the request was understood, and the best catalog track ids. Call once, last."""

    spec: PlaylistSpec = Field(description="The request as a playlist spec.")
    track_ids: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Ids from search_catalog results that fit best, best first.",
    )


def plan_with_llm(request: GenerateRequest, deps: Deps) -> Planned:
    """prompt → Planned via the agent; on any model failure the offline plan, marked degraded."""
    from agent.planner.offline import parse_prompt

    settings = deps.settings
    version = request.prompt_version or settings.prompt_version
    system = render("planner", version, max_steps=settings.llm_max_steps)  # unknown version: InvalidInput
    parsed = parse_prompt(request.prompt, deps.catalog)
    ctx = tool_context(request, parsed, deps)
    try:
        final = run_with_deadline(
            lambda: run_agent(request, deps, system, ctx), settings.request_deadline_s, ctx.cancelled
        )
    except Exception as exc:  # any model failure ends the same way: offline plan or 503
        return fallback(parsed, describe_failure(exc), ctx.usage, deps, exc)
    spec = enforce_stated(final.spec, parsed)
    picks, dropped = resolve_picks(final.track_ids, spec, deps)
    return Planned(spec=spec, provider="openai", extra_candidates=picks, usage=ctx.usage, dropped_ids=dropped)


def run_agent(request: GenerateRequest, deps: Deps, system: str, ctx: ToolContext) -> FinalPlaylist:
    """One agent run; returns the structured answer or raises (NoPlan when the model gave none)."""
    steps = deps.settings.llm_max_steps
    agent = (
        build_agent(deps.chat_model, system, steps)
        if deps.chat_model is not None
        else planner_agent(deps, system)
    )
    result = agent.invoke(
        {"messages": [{"role": "user", "content": user_message(request, ctx)}]},
        config={"recursion_limit": 10 * steps + 10},
        context=ctx,
    )
    final = result.get("structured_response")
    if not isinstance(final, FinalPlaylist):
        raise NoPlan("model ended without a plan")
    return final


_agents: dict[tuple, Any] = {}
_agents_lock = threading.Lock()


def planner_agent(deps: Deps, system: str) -> Any:
    """A compiled agent per model configuration and prompt (reused: per-request state lives in the ToolContext)."""
    from agent.llm import chat_model

    s = deps.settings
    secret = s.openai_api_key.get_secret_value() if s.openai_api_key else None
    timeout_s = min(s.llm_timeout_s, s.request_deadline_s)
    key = (s.llm_base_url, s.llm_model, secret, timeout_s, s.llm_max_retries, s.llm_max_steps, system)
    with _agents_lock:
        if key not in _agents:
            if len(_agents) >= 16:
                _agents.clear()
            model = chat_model(s, max_tokens=MAX_OUTPUT_TOKENS, timeout_s=timeout_s)
            _agents[key] = build_agent(model, system, s.llm_max_steps)
        return _agents[key]


def build_agent(model: Any, system: str, max_steps: int) -> Any:
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelCallLimitMiddleware
    from langchain.agents.structured_output import ToolStrategy

    return create_agent(
        model,
        tools=ALL_TOOLS,
        system_prompt=system,
        context_schema=ToolContext,
        response_format=ToolStrategy(FinalPlaylist),
        middleware=[ModelCallLimitMiddleware(run_limit=max_steps, exit_behavior="error"), guard_middleware(max_steps)],
    )


def guard_middleware(max_steps: int) -> Any:
    """Meters every model call, asks for parallel tool calls, stops after the deadline or `max_steps` calls
    (also on the jump back after malformed calls, which skips the call-limit middleware's check), and sends
    a reply that holds only malformed/truncated tool calls back to the model (they are never run)."""
    from langchain.agents.middleware import AgentMiddleware, hook_config
    from langchain_core.messages import AIMessage

    class Guard(AgentMiddleware):
        def wrap_model_call(self, request: Any, handler: Any) -> Any:
            ctx: ToolContext = request.runtime.context
            if ctx.cancelled.is_set():
                raise NoPlan("request deadline passed")
            if ctx.usage.model_calls >= max_steps:
                raise NoPlan("model did not finish within its step limit")
            ctx.usage.model_calls += 1
            try:
                response = handler(
                    request.override(model_settings={**request.model_settings, "parallel_tool_calls": True})
                )
            except IndexError as exc:  # an OpenAI-compatible reply with an empty `choices` list
                raise NoPlan("model returned an empty answer") from exc
            for message in response.result:
                meter(ctx.usage, message)
            return response

        @hook_config(can_jump_to=["model"])
        def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
            last = state["messages"][-1]
            if isinstance(last, AIMessage) and last.invalid_tool_calls and not last.tool_calls:
                return {"jump_to": "model"}  # the next request carries an error tool message per bad call
            return None

    return Guard()


def meter(usage: Usage, message: Any) -> None:
    tokens = getattr(message, "usage_metadata", None) or {}
    usage.prompt_tokens += int(tokens.get("input_tokens", 0))
    usage.completion_tokens += int(tokens.get("output_tokens", 0))


def tool_context(request: GenerateRequest, parsed: PlaylistSpec, deps: Deps) -> ToolContext:
    """The tools' view of this request: its content policy from the request, prompt and profile only."""
    from agent.policy import policy_for

    profile = (
        deps.profiles.get_profile(request.user_id) if deps.profiles is not None and request.user_id else None
    )
    return ToolContext(deps=deps, policy=policy_for(request, parsed, profile, deps), user_id=request.user_id)


def user_message(request: GenerateRequest, ctx: ToolContext) -> str:
    """The request as the model sees it: the prompt, the listener, the options and the rules in force."""
    lines = [f"Request: {request.prompt}", f"Listener: {request.user_id or 'none'}"]
    options = [
        f"{name}={value}"
        for name, value in (("count", request.count), ("minutes", request.minutes))
        if value is not None
    ]
    if options:
        lines.append("Options: " + ", ".join(options))
    rules = ["explicit excluded"] if ctx.policy.explicit == "exclude" else []
    rules += [f"never {a}" for a in ctx.policy.blocked_artists] + [
        f"no {g}" for g in ctx.policy.blocked_genres
    ]
    if rules:
        lines.append("Rules in force: " + "; ".join(rules))
    return "\n".join(lines)


def enforce_stated(spec: PlaylistSpec, parsed: PlaylistSpec) -> PlaylistSpec:
    """What the prompt states literally (numbers, years, tempo, clean, exclusions, only-X, instrumental) wins over the model;
    the model can only add restrictions."""
    update: dict[str, Any] = {
        "explicit": "exclude" if "exclude" in (spec.explicit, parsed.explicit) else "allow",
        "exclude_artists": list(dict.fromkeys(parsed.exclude_artists + spec.exclude_artists)),
        "exclude_genres": list(dict.fromkeys(parsed.exclude_genres + spec.exclude_genres)),
        "instrumental": parsed.instrumental or spec.instrumental,
    }
    if parsed.only_artists:
        update["only_artists"] = parsed.only_artists
    if parsed.count is not None or parsed.minutes is not None:
        update |= {"count": parsed.count, "minutes": parsed.minutes, "count_asked": parsed.count_asked}
    for name in ("year_min", "year_max", "tempo_min", "tempo_max", "max_track_minutes"):
        if getattr(parsed, name) is not None:
            update[name] = getattr(parsed, name)
    return PlaylistSpec.model_validate(spec.model_dump() | update)


def resolve_picks(track_ids: list[str], spec: PlaylistSpec, deps: Deps) -> tuple[list[Candidate], int]:
    """Model-proposed ids → candidates scored like the pool; ids the catalog lacks are dropped and counted."""
    from agent.candidates import query_vector
    from tools.catalog import tracks_by_ids

    ids = list(dict.fromkeys(track_ids))
    tracks = tracks_by_ids(deps.catalog, ids)
    if not tracks:
        return [], len(ids)
    vec = query_vector(spec, deps.catalog)
    scores = deps.catalog.vectors[[deps.catalog.index[t.id] for t in tracks]] @ vec
    picks = [Candidate(track=t, score=float(s) + PICK_BONUS) for t, s in zip(tracks, scores, strict=True)]
    return picks, len(ids) - len(tracks)


def fallback(parsed: PlaylistSpec, reason: str, usage: Usage, deps: Deps, exc: BaseException) -> Planned:
    """The offline plan marked degraded, or UpstreamError (→ 503) when fallback is off."""
    log.warning("LLM planner failed: %s", reason)  # one line per request; the traceback only at debug level
    log.debug("LLM planner failure", exc_info=exc)
    if not deps.settings.llm_fallback:
        raise UpstreamError(f"LLM planner failed: {reason}") from exc
    return Planned(
        spec=parsed,
        provider="offline",
        usage=usage,
        degraded=True,
        degraded_reason=f"LLM planner failed ({reason}); used the offline planner",
    )
