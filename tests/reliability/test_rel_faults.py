"""The LLM fault matrix through the HTTP API (respx on the OpenAI-compatible endpoint): every upstream fault
ends in a 200 marked `degraded` (or a 503 problem+json when fallback is off), never a 5xx from Segue, with
at most 3 upstream calls per model step, inside the request deadline."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from rel_helpers import LLM_BASE, assert_problem, llm_settings

URL = f"{LLM_BASE}/chat/completions"
DEADLINE_S = 4.0
MAX_STEPS = 4
NO_PLAN = 3  # one look-up turn, the plan call and its one retry
PER_STEP = 3  # one call + llm_max_retries (2), at the SDK layer only


def completion(message: dict, finish: str = "tool_calls") -> httpx.Response:
    return httpx.Response(200, json={
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})


def calls(*pairs: tuple[str, str | dict], finish: str = "tool_calls") -> httpx.Response:
    wire = [{"id": f"call_{n}", "type": "function",
             "function": {"name": name, "arguments": a if isinstance(a, str) else json.dumps(a)}}
            for n, (name, a) in enumerate(pairs)]
    return completion({"role": "assistant", "content": None, "tool_calls": wire}, finish)


def always(response: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    def respond(_request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        return response
    return respond


def slow(seconds: float) -> Callable[[httpx.Request], httpx.Response]:
    def respond(_request: httpx.Request) -> httpx.Response:
        time.sleep(seconds)
        return calls(("search_catalog", {"query": "pop"}))
    return respond


def looping(_request: httpx.Request) -> httpx.Response:
    return calls(("search_catalog", {"query": f"more {time.perf_counter()}"}))


PLAN = completion({"role": "assistant", "content": '{"picks": [1, 2, 3], "query": "upbeat pop punk"}'}, finish="stop")
EMPTY = httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []})
FAULTS: dict[str, tuple[Callable[[httpx.Request], httpx.Response], str, int]] = {
    # name: (upstream behaviour, expected reason, expected upstream calls (0 = any within the bound))
    "429 with Retry-After": (always(httpx.Response(429, headers={"Retry-After": "0.2"},
                                                   json={"error": {"message": "slow down"}})), "HTTP 429", 3),
    "500 every time": (always(httpx.Response(500, json={"error": {"message": "boom"}})), "HTTP 500", 3),
    "503 every time": (always(httpx.Response(503, text="upstream overloaded")), "HTTP 503", 3),
    "read timeout": (always(httpx.ReadTimeout("slow")), "timed out", 3),
    "connection refused": (always(httpx.ConnectError("refused")), "unreachable", 3),
    "401": (always(httpx.Response(401, json={"error": {"message": "bad key"}})), "HTTP 401", 1),
    "400": (always(httpx.Response(400, json={"error": {"message": "bad request"}})), "HTTP 400", 1),
    "malformed tool arguments": (always(calls(("search_catalog", '{"query": "pop", "genres": ["po'))),
                                 "no valid plan", NO_PLAN),
    "truncated at max tokens": (always(completion({"role": "assistant", "content": '{"picks": [1, 2'},
                                                  finish="length")), "no valid plan", NO_PLAN),
    "unknown tool forever": (always(calls(("delete_catalog", {"all": True}))), "no valid plan", NO_PLAN),
    "invalid plan forever": (always(completion({"role": "assistant", "content": '{"picks": "all"}'}, finish="stop")),
                             "no valid plan", NO_PLAN),
    "empty choices": (always(EMPTY), "empty answer", 1),
    "plain text instead of a plan": (always(completion({"role": "assistant", "content": "Sorry, need more steps "
                                                       "to process this request."}, finish="stop")),
                                     "no valid plan", NO_PLAN),
    "not JSON at all": (always(httpx.Response(200, text="<html>gateway</html>")), "", 0),
    "endless tool loop": (looping, "no valid plan", NO_PLAN),
    "slower than the deadline": (slow(DEADLINE_S + 2), "deadline", 0),
}


@pytest.fixture
def llm_app(deps, fast_retries):
    from app import create_app

    def build(**update):
        settings = llm_settings(deps.settings, request_deadline_s=DEADLINE_S, llm_timeout_s=DEADLINE_S,
                                llm_max_steps=MAX_STEPS, **update)
        run_deps = dataclasses.replace(deps, settings=settings)
        return create_app(lambda: run_deps, settings=settings, warm=False)

    return build


def post(app, body: dict) -> tuple[httpx.Response, float]:
    with TestClient(app, raise_server_exceptions=False) as client:
        start = time.perf_counter()
        response = client.post("/generate", json=body)
        return response, time.perf_counter() - start


BODY = {"prompt": "upbeat pop punk for a run, no explicit", "count": 12, "provider": "openai"}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_degrades_to_the_offline_plan(llm_app, fault):
    behaviour, reason, expected_calls = FAULTS[fault]
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(side_effect=behaviour)
        response, elapsed = post(llm_app(), BODY)
    assert response.status_code == 200, response.text
    playlist = response.json()
    assert playlist["degraded"] is True and playlist["provider"] == "offline"
    assert reason in playlist["degraded_reason"] and "offline planner" in playlist["degraded_reason"]
    assert len(playlist["tracks"]) == 12 and all(t["explicit"] is False for t in playlist["tracks"])
    steps = playlist["usage"]["model_calls"]
    assert 1 <= steps <= MAX_STEPS and route.call_count <= PER_STEP * steps
    if expected_calls:
        assert route.call_count == expected_calls
    assert elapsed < DEADLINE_S + 1.5, elapsed
    if fault == "429 with Retry-After":
        assert elapsed >= 0.4  # the SDK waited the 0.2 s the server asked for, twice


@pytest.mark.parametrize("fault", ["500 every time", "401", "endless tool loop", "empty choices",
                                   "slower than the deadline"])
def test_fault_without_fallback_is_a_503_problem(llm_app, fault):
    behaviour, _, _ = FAULTS[fault]
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(side_effect=behaviour)
        response, elapsed = post(llm_app(llm_fallback=False), BODY)
    problem = assert_problem(response, 503)
    assert problem["title"] == "Model unavailable" and "LLM planner failed" in problem["detail"]
    assert route.call_count <= PER_STEP * MAX_STEPS and elapsed < DEADLINE_S + 1.5


def test_recovers_after_transient_500s(llm_app):
    """Two 500s then a working model: the SDK's retries absorb the fault and the plan is the model's."""
    state = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        payload = json.loads(request.content)
        if state["n"] <= 2:
            return httpx.Response(500, json={"error": {"message": "boom"}})
        if "Step 2" in payload["messages"][-1]["content"]:
            return PLAN
        if "tools" in payload:
            return calls(("search_catalog", {"query": "upbeat pop punk", "genres": ["pop punk"], "k": 20}))
        return completion({"role": "assistant", "content": '{"segments": []}'}, finish="stop")

    with respx.mock(assert_all_called=False) as mock:
        mock.post(URL).mock(side_effect=flaky)
        response, _ = post(llm_app(), BODY)
    playlist = response.json()
    assert response.status_code == 200 and playlist["degraded"] is False and playlist["provider"] == "openai"
    # the two 500s were retried inside one SDK call; planner and narration calls are all counted
    assert playlist["usage"]["model_calls"] == state["n"] - 2 and len(playlist["tracks"]) == 12


def test_slow_narration_stays_inside_the_request_deadline(llm_app):
    """The plan comes back at once but the narration call hangs: the request still answers inside the
    deadline, with the template narration."""

    def respond(request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        if "Step 2" in payload["messages"][-1]["content"]:
            return PLAN
        if "tools" in payload:
            return calls(("search_catalog", {"query": "upbeat pop punk", "genres": ["pop punk"], "k": 20}))
        time.sleep(DEADLINE_S + 2)  # the narration call
        return completion({"role": "assistant", "content": '{"segments": []}'}, finish="stop")

    with respx.mock(assert_all_called=False) as mock:
        mock.post(URL).mock(side_effect=respond)
        response, elapsed = post(llm_app(), BODY)
    playlist = response.json()
    assert response.status_code == 200 and playlist["provider"] == "openai" and not playlist["degraded"]
    assert playlist["segments"] and len(playlist["tracks"]) == 12
    assert elapsed < DEADLINE_S + 1.5, elapsed
