"""Shared pieces of the LLM planner tests: the mocked endpoint, canned replies and request bodies."""


from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import respx
from fakes import ScriptedChatModel

from agent.models import GenerateRequest

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"
PROMPT = "upbeat pop punk for a run, no explicit, 15 songs"
LOOKUPS = {"search_catalog", "describe_genre"}


def with_settings(deps, **update):
    return dataclasses.replace(deps, settings=deps.settings.model_copy(update=update))


def request(prompt: str = PROMPT, **kw: Any) -> GenerateRequest:
    return GenerateRequest(prompt=prompt, provider="openai", **kw)


# --------------------------------------------------------------------------- OpenAI wire format helpers


def completion(
    message: dict, usage: tuple[int, int] = (900, 60), finish: str = "tool_calls"
) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        },
    )


def tool_calls(*calls: tuple[str, Any], **kw: Any) -> httpx.Response:
    """An assistant reply calling tools; arguments given as a dict or as raw (possibly broken) JSON text."""
    wire = [
        {
            "id": f"call_{n}",
            "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
        }
        for n, (name, args) in enumerate(calls)
    ]
    return completion({"role": "assistant", "content": None, "tool_calls": wire}, **kw)


def body(route: respx.Route, n: int) -> dict:
    return json.loads(route.calls[n].request.content)


FIRST_TURN = (
    ("search_catalog", {"query": "upbeat energetic pop punk for running", "genres": ["pop punk"], "k": 20}),
    ("describe_genre", {"genre": "pop punk"}),
)


def plan_reply(picks: list[int], usage: tuple[int, int] = (700, 40), **delta: Any) -> httpx.Response:
    """The final step's answer: a JSON delta over the parse, as message content."""
    content = json.dumps({"picks": picks} | delta)
    return completion({"role": "assistant", "content": content}, usage=usage, finish="stop")


def kind_of(payload: dict) -> str:
    """Which step a request belongs to: look-ups (tools offered), the plan, or narration."""
    last = payload["messages"][-1]["content"]
    if "Step 2" in last or "valid plan" in last:
        return "plan"
    return "tools" if "tools" in payload else "narration"


def listed(payload: dict) -> list[str]:
    """The numbered tracks the final request shows the model."""
    ask = next(m["content"] for m in payload["messages"] if m["role"] == "user" and "Step 2" in m["content"])
    return [line.split(". ", 1)[1] for line in ask.splitlines() if line[:1].isdigit() and ". " in line]


NO_SEGMENTS = completion({"role": "assistant", "content": '{"segments": []}'}, finish="stop")


def competent(picks: tuple[int, ...] = tuple(range(1, 21)), **delta: Any):
    """A model that searches in parallel, then picks from the numbered list it is shown."""

    def respond(req: httpx.Request) -> httpx.Response:
        payload = json.loads(req.content)
        step = kind_of(payload)
        if step == "tools":
            return tool_calls(*FIRST_TURN)
        if step == "plan":
            return plan_reply(list(picks), **({"moods": ["running"], "arc": "rise"} | delta))
        return NO_SEGMENTS

    return respond


# --------------------------------------------------------------------------- the happy path on the wire


def assert_fallback(planned, reason: str) -> None:
    assert planned.degraded is True and planned.provider == "offline"
    assert reason in planned.degraded_reason and "offline planner" in planned.degraded_reason


def scripted(deps, replies: list) -> tuple[Any, ScriptedChatModel]:
    model = ScriptedChatModel(replies=replies)
    return dataclasses.replace(deps, chat_model=model), model


