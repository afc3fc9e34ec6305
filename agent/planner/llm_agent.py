"""The LLM planner: a tool-calling agent (langchain create_agent) on any OpenAI-compatible endpoint.

Two steps, both driven by Segue rather than left to the model:
1. Look-ups. The agent is offered the catalog tools only — no final-answer tool — so its first turn can
   only look things up; the tool calls of a turn run in parallel (`llm_tool_rounds` turns at most). A call
   that does not parse, or names a tool not on offer, is dropped and never sent back to the server.
   When the model looked nothing up, Segue runs the search itself: the plan is always made from results.
2. The plan. One more call, without the look-up history, shows the model the tracks the searches
   returned as a numbered list and asks for a small JSON delta over the deterministic parse
   (agent/planner/delta.py), with the server's JSON-schema output when `llm_json_schema` is on. The tool
   schemas are not sent again: the plan call's prompt is the system prompt, the request and the list.

Whatever the model says, hard constraints stay the code's: the stated numbers and exclusions of the parse
win, an added restriction counts only when the prompt's words support it, picks count only if the model
was shown them, and the content policy is applied later. A plan that matches no catalog track, and any
model failure, falls back to the offline plan (degraded)."""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

from pydantic import ValidationError

from agent.deps import Deps
from agent.llm import NoPlan, describe_failure, run_with_deadline
from agent.models import Candidate, GenerateRequest, PlaylistSpec, Usage
from agent.planner.delta import PlanDelta, delta_schema, merge_delta
from agent.planner.planned import Planned
from agent.prompts import render
from core.errors import UpstreamError
from tools.agent_tools import ToolContext, describe_genre, get_taste_profile, search_catalog

log = logging.getLogger(__name__)

MAX_OUTPUT_TOKENS = 400
MAX_LISTED = 10  # tracks shown to the model for the final answer (each line costs ~20 prompt tokens)
PICK_BONUS = 0.05  # a model pick ranks a little above an equally similar pooled candidate


def plan_with_llm(request: GenerateRequest, deps: Deps) -> Planned:
    """prompt → Planned via the agent; on any model failure the offline plan, marked degraded."""
    from agent.planner.offline import parse_prompt

    settings = deps.settings
    version = request.prompt_version or settings.prompt_version
    system = render("planner", version, max_steps=settings.llm_max_steps)  # unknown version: InvalidInput
    render("plan", version, tracks="", parsed="")  # both prompts must exist before any model call
    parsed = parse_prompt(request.prompt, deps.catalog)
    ctx = tool_context(request, parsed, deps)
    try:
        delta, listed = run_with_deadline(
            lambda: run_agent(request, deps, system, version, parsed, ctx), settings.request_deadline_s, ctx.cancelled
        )
    except Exception as exc:  # any model failure ends the same way: offline plan or 503
        return fallback(parsed, describe_failure(exc), ctx.usage, deps, exc)
    spec, notes = merge_delta(parsed, delta, request.prompt, lambda g: bool(deps.catalog.matching_genres(g)))
    spec = enforce_stated(spec, parsed)
    picks, dropped = resolve_picks(delta.picks, listed, spec, deps)
    ctx.usage.notes += notes
    ctx.usage.dropped_ids = dropped
    if not matches_any(spec, ctx, deps):  # its picks could not pass the plan's own filters either
        return fallback(parsed, "the model's plan matches no catalog track", ctx.usage, deps, None)
    return Planned(spec=spec, provider="openai", extra_candidates=picks, usage=ctx.usage, dropped_ids=dropped)


def run_agent(request: GenerateRequest, deps: Deps, system: str, version: str, parsed: PlaylistSpec,
              ctx: ToolContext) -> tuple[PlanDelta, list[str]]:
    """Look-ups, then the plan; returns the model's delta and the ids it was shown, in list order."""
    model = deps.chat_model if deps.chat_model is not None else planner_model(deps)
    tools = offered_tools(ctx)
    user = user_message(request, ctx)
    rounds = max(1, min(deps.settings.llm_tool_rounds, deps.settings.llm_max_steps - 1))
    results = look_up(model, system, user, tools, rounds, ctx)
    if not ctx.shown:
        segue_search(parsed, request.prompt, ctx)
    listed = listed_ids(ctx)
    return final_answer(model, system, user, version, parsed, listed, results, deps, ctx), listed


# --------------------------------------------------------------------------- step 1: look-ups


def offered_tools(ctx: ToolContext) -> list[Any]:
    """The look-up tools for this request (the profile only when there is a listener)."""
    return [search_catalog, describe_genre] + ([get_taste_profile] if ctx.user_id else [])


def look_up(model: Any, system: str, user: str, tools: list[Any], rounds: int, ctx: ToolContext) -> list[str]:
    """The agent's look-up turns; returns the text of the non-search results (genre facts, taste)."""
    agent = look_up_agent(model, system, tools, rounds)
    state = agent.invoke(
        {"messages": [{"role": "user", "content": user}]}, config={"recursion_limit": 10 * rounds + 10}, context=ctx
    )
    out = []
    for message in state.get("messages", []):
        if getattr(message, "type", "") == "tool" and getattr(message, "name", "") != "search_catalog":
            out.append(f"{message.name}: {message.content}")
    return out


_agents: dict[tuple, Any] = {}
_agents_lock = threading.Lock()


def look_up_agent(model: Any, system: str, tools: list[Any], rounds: int) -> Any:
    """A compiled agent per model, prompt and tool set (reused: per-request state lives in the ToolContext)."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelCallLimitMiddleware

    key = (id(model), system, tuple(t.name for t in tools), rounds)
    with _agents_lock:
        if key not in _agents:
            if len(_agents) >= 16:
                _agents.clear()
            _agents[key] = create_agent(
                model, tools=tools, system_prompt=system, context_schema=ToolContext,
                middleware=[ModelCallLimitMiddleware(run_limit=rounds, exit_behavior="end"),
                            guard_middleware({t.name for t in tools})],
            )
        return _agents[key]


def guard_middleware(offered: set[str]) -> Any:
    """Meters every model call, asks for parallel tool calls, stops once the deadline passed, and keeps only
    well-formed calls of offered tools (counted in usage.tool_calls): a malformed call is never run nor sent
    back, so the next request's history is always one the server accepts."""
    from langchain.agents.middleware import AgentMiddleware
    from langchain_core.messages import AIMessage

    class Guard(AgentMiddleware):
        def wrap_model_call(self, request: Any, handler: Any) -> Any:
            ctx: ToolContext = request.runtime.context
            check_budget(ctx)
            try:
                response = handler(
                    request.override(model_settings={**request.model_settings, "parallel_tool_calls": True})
                )
            except IndexError as exc:  # an OpenAI-compatible reply with an empty `choices` list
                raise NoPlan("model returned an empty answer") from exc
            for message in response.result:
                meter(ctx.usage, message)
            return response

        def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
            last = state["messages"][-1]
            if not isinstance(last, AIMessage):
                return None
            written = [] if last.tool_calls else calls_in_text(last.content, offered)
            kept = [c for c in last.tool_calls if c["name"] in offered] + written
            for c in kept:
                runtime.context.usage.tool_calls[c["name"]] = runtime.context.usage.tool_calls.get(c["name"], 0) + 1
            if len(kept) == len(last.tool_calls) and not last.invalid_tool_calls:
                return None
            update = {"tool_calls": kept, "invalid_tool_calls": []} | ({"content": ""} if written else {})
            return {"messages": [last.model_copy(update=update)]}

    return Guard()


_CALL_TEXT = re.compile(r"\{.*\}", re.S)


def calls_in_text(content: Any, offered: set[str]) -> list[dict[str, Any]]:
    """Tool calls a model wrote as text instead of the server's tool-call format (small models answer with a
    ```json block or a bare {"name": ..., "arguments": {...}} object, which the server passes on as content).
    Only well-formed calls of offered tools count; anything else in the text is ignored."""
    text = content if isinstance(content, str) else ""
    found = _CALL_TEXT.search(text)
    if not found:
        return []
    decoder, at = json.JSONDecoder(), 0
    out: list[dict[str, Any]] = []
    body = found.group(0)
    while (start := body.find("{", at)) >= 0:
        try:
            value, at = decoder.raw_decode(body, start)
        except ValueError:
            at = start + 1
            continue
        for item in value if isinstance(value, list) else [value]:
            args = item.get("arguments", item.get("parameters")) if isinstance(item, dict) else None
            if isinstance(item, dict) and item.get("name") in offered and isinstance(args, dict):
                out.append({"name": item["name"], "args": args, "id": f"text_call_{len(out)}", "type": "tool_call"})
    return out[:4]


def check_budget(ctx: ToolContext) -> None:
    if ctx.cancelled.is_set():
        raise NoPlan("request deadline passed")
    if ctx.usage.model_calls >= ctx.deps.settings.llm_max_steps:
        raise NoPlan("model did not finish within its step limit")
    ctx.usage.model_calls += 1


def meter(usage: Usage, message: Any) -> None:
    tokens = getattr(message, "usage_metadata", None) or {}
    usage.prompt_tokens += int(tokens.get("input_tokens", 0))
    usage.completion_tokens += int(tokens.get("output_tokens", 0))


def segue_search(parsed: PlaylistSpec, prompt: str, ctx: ToolContext) -> None:
    """The search a model that looked nothing up should have made: the parse's text and hard filters."""
    from agent.candidates import query_text
    from tools.agent_tools import call_tool

    args: dict[str, Any] = {"query": query_text(parsed) if parsed.query or parsed.genres or parsed.moods else prompt,
                            "k": 20, "explicit_ok": parsed.explicit != "exclude"}
    known = [g for g in parsed.genres if ctx.deps.catalog.matching_genres(g)]
    if known:
        args["genres"] = known[:3]
    for name in ("year_min", "year_max", "tempo_min", "tempo_max"):
        if getattr(parsed, name) is not None:
            args[name] = getattr(parsed, name)
    call_tool("search_catalog", ctx, **args)
    if not ctx.shown and "genres" in args:  # the genre filter found nothing: search by sound alone
        call_tool("search_catalog", ctx, **{k: v for k, v in args.items() if k != "genres"})


# --------------------------------------------------------------------------- step 2: the plan


def listed_ids(ctx: ToolContext) -> list[str]:
    """The tracks the model will choose from: the best-scoring ones it was shown."""
    return sorted(ctx.shown, key=lambda i: -ctx.shown[i])[:MAX_LISTED]


def final_answer(model: Any, system: str, user: str, version: str, parsed: PlaylistSpec, listed: list[str],
                 results: list[str], deps: Deps, ctx: ToolContext) -> PlanDelta:
    """One call for the JSON delta (a second one when the first does not validate and a step is left)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    ask = render("plan", version, tracks=numbered(listed, deps), parsed=parse_summary(parsed),
                 facts="\n".join(results) or "none")
    messages: list[Any] = [SystemMessage(content=system), HumanMessage(content=user), HumanMessage(content=ask)]
    kwargs = {"extra_body": {"response_format": response_format(user, parsed)}} if deps.settings.llm_json_schema else {}
    problem = ""
    for _attempt in range(2):
        check_budget(ctx)
        reply = model.invoke(messages, **kwargs)
        meter(ctx.usage, reply)
        try:
            return parse_delta(getattr(reply, "content", ""))
        except (ValueError, ValidationError) as exc:
            problem = short_error(exc)
            if ctx.usage.model_calls >= deps.settings.llm_max_steps:
                break
            messages = messages[:3] + [HumanMessage(content=f"That was not a valid plan ({problem}). "
                                                            "Answer with the JSON object only.")]
    raise NoPlan(f"model gave no valid plan ({problem})")


def response_format(user: str, parsed: PlaylistSpec) -> dict[str, Any]:
    schema = delta_schema(user.splitlines()[0].removeprefix("Request: "), parsed)
    return {"type": "json_schema", "json_schema": {"name": "plan", "schema": schema, "strict": False}}


def parse_delta(content: Any) -> PlanDelta:
    text = content if isinstance(content, str) else json.dumps(content)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the reply")
    return PlanDelta.model_validate_json(text[start:end + 1])


def short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc)[:120]


def numbered(ids: list[str], deps: Deps) -> str:
    """'n. title - artist (year, genre, bpm)' for each listed track, numbered from 1 (titles without their
    version suffixes: every word here is a prompt token)."""
    from tools.agent_tools import clip
    from tools.normalize import base_title

    lines = []
    for n, track_id in enumerate(ids, 1):
        t = deps.catalog.get(track_id)
        if t is not None:
            genre = t.genres[0] if t.genres else "?"
            lines.append(f"{n}. {clip(base_title(t.title), 50)} - {clip(t.artist, 30)} ({t.year or '?'}, {clip(genre, 25)}, "
                         f"{t.tempo:.0f} bpm)")
    return "\n".join(lines) or "none"


def parse_summary(parsed: PlaylistSpec) -> str:
    """The deterministic parse as the model sees it: only the fields it set."""
    fields = parsed.model_dump(exclude_defaults=True, exclude={"format", "narration"})
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False) if fields else "{}"


# --------------------------------------------------------------------------- shared with the request


def planner_model(deps: Deps) -> Any:
    from agent.llm import cached_chat_model

    s = deps.settings
    return cached_chat_model(s, max_tokens=MAX_OUTPUT_TOKENS, timeout_s=min(s.llm_timeout_s, s.request_deadline_s))


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
        "kid_safe": parsed.kid_safe or spec.kid_safe,
    }
    if parsed.only_artists:
        update["only_artists"] = parsed.only_artists
    if parsed.count is not None or parsed.minutes is not None:
        update |= {"count": parsed.count, "minutes": parsed.minutes, "count_asked": parsed.count_asked}
    for name in ("year_min", "year_max", "tempo_min", "tempo_max", "max_track_minutes"):
        if getattr(parsed, name) is not None:
            update[name] = getattr(parsed, name)
    return PlaylistSpec.model_validate(spec.model_dump() | update)


def resolve_picks(picks: list[int], listed: list[str], spec: PlaylistSpec, deps: Deps) -> tuple[list[Candidate], int]:
    """Picked list numbers → candidates scored like the pool; a number that was not on the list is dropped
    and counted (the model can only pick what it was shown)."""
    from agent.candidates import query_vector
    from tools.catalog import tracks_by_ids

    numbers = list(dict.fromkeys(picks))
    ids = [listed[n - 1] for n in numbers if 1 <= n <= len(listed)]
    tracks = tracks_by_ids(deps.catalog, ids)
    dropped = len(numbers) - len(tracks)
    if not tracks:
        return [], dropped
    vec = query_vector(spec, deps.catalog)
    scores = deps.catalog.vectors[[deps.catalog.index[t.id] for t in tracks]] @ vec
    return [Candidate(track=t, score=float(s) + PICK_BONUS) for t, s in zip(tracks, scores, strict=True)], dropped


def matches_any(spec: PlaylistSpec, ctx: ToolContext, deps: Deps) -> bool:
    """Whether any catalog track passes the plan's hard filters and the request's content policy."""
    from agent.candidates import search_filters

    return bool(deps.catalog.mask(search_filters(spec, ctx.policy)).any())


def fallback(parsed: PlaylistSpec, reason: str, usage: Usage, deps: Deps, exc: BaseException | None) -> Planned:
    """The offline plan marked degraded, or UpstreamError (→ 503) when fallback is off."""
    log.warning("LLM planner failed: %s", reason)  # one line per request; the traceback only at debug level
    if exc is not None:
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
