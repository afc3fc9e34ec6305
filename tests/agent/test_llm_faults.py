"""The LLM planner's fault matrix over a respx-mocked endpoint: retries, timeouts, deadlines, malformed and
hostile replies, each ending in a plan or a marked fallback."""


from __future__ import annotations

import time

import httpx
import pytest
import respx
from llm_helpers import (
    FIRST_TURN,
    PROMPT,
    URL,
    assert_fallback,
    body,
    completion,
    listed,
    plan_reply,
    request,
    tool_calls,
    with_settings,
)

from agent.generate import generate
from agent.planner.llm_agent import MAX_LISTED, plan_with_llm
from agent.planner.offline import parse_prompt
from core.errors import UpstreamError


def test_429_with_retry_after_is_retried_by_the_sdk(llm_deps):
    limited = httpx.Response(429, headers={"Retry-After": "0.01"}, json={"error": {"message": "slow down"}})
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[limited, tool_calls(*FIRST_TURN), plan_reply([])])
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 3 and not planned.degraded and planned.usage.model_calls == 2


def test_no_call_is_sent_once_the_deadline_answered(llm_deps):
    """A 429 asks for a longer wait than the request deadline: the request answers at its deadline with the
    offline plan, and the SDK's retry, still pending in the abandoned worker, never goes out."""
    deps = with_settings(llm_deps, request_deadline_s=2.0)
    replies = [httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"message": "slow down"}}),
               tool_calls(*FIRST_TURN), plan_reply([])]
    sent: list[float] = []

    def answer(req):
        sent.append(time.monotonic())
        return replies[len(sent) - 1]

    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=answer)
        start = time.monotonic()
        planned = plan_with_llm(request(), deps)
        assert time.monotonic() - start < 3.5
        assert_fallback(planned, "deadline")
        assert len(sent) == 1
        time.sleep(max(0.0, sent[0] + 4.0 - time.monotonic()))  # the SDK's retry would be out a second ago
    assert len(sent) == 1


def test_500s_are_bounded_then_fall_back(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(500, json={"error": {"message": "boom"}}))
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 3  # one call + llm_max_retries, at one layer only
    assert_fallback(planned, "model endpoint returned HTTP 500")
    assert planned.spec == parse_prompt(PROMPT, llm_deps.catalog)


def test_timeout_falls_back(llm_deps):
    deps = with_settings(llm_deps, llm_max_retries=1)
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
        planned = plan_with_llm(request(), deps)
    assert route.call_count == 2
    assert_fallback(planned, "model call timed out")


def test_401_is_never_retried(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 1
    assert_fallback(planned, "HTTP 401")


def test_fallback_disabled_raises_upstream_error(llm_deps):
    deps = with_settings(llm_deps, llm_fallback=False)
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(404, json={"error": {"message": "no model"}}))
        with pytest.raises(UpstreamError, match="HTTP 404") as err:
            generate(request(), deps)
    assert route.call_count == 1 and err.value.status == 503


def test_wrong_argument_types_never_run_a_search(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[
                tool_calls(("search_catalog", {"query": "punk", "k": "lots", "year_min": {"a": 1}})),
                plan_reply([1]),
            ]
        )
        planned = plan_with_llm(request(), llm_deps)
    # the call failed validation, so the list is Segue's own search from the parse (its best MAX_LISTED tracks, not k="lots")
    assert len(listed(body(route, 1))) == MAX_LISTED and not planned.degraded


def test_unknown_tool_is_neither_run_nor_counted(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[tool_calls(("delete_catalog", {"all": True})), plan_reply([1])]
        )
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2 and planned.usage.tool_calls == {} and not planned.degraded


def test_invalid_plan_is_asked_for_once_more(llm_deps):
    bad = completion({"role": "assistant", "content": '{"picks": "all of them"}'}, finish="stop")
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[tool_calls(*FIRST_TURN), bad, plan_reply([2, 1])])
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 3 and not planned.degraded and len(planned.extra_candidates) == 2
    retry = body(route, 2)["messages"]
    assert len(retry) == 4 and "not a valid plan (picks" in retry[-1]["content"]


def test_empty_choices_fall_back_without_retry(llm_deps):
    empty = httpx.Response(
        200, json={"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
    )
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=empty)
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 1
    assert_fallback(planned, "model returned an empty answer")


def test_plain_text_answer_never_becomes_the_plan(llm_deps):
    sorry = completion(
        {"role": "assistant", "content": "Sorry, need more steps to process this request."}, finish="stop"
    )
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=sorry)
        playlist = generate(request(), llm_deps)
    assert playlist.degraded and "no valid plan" in playlist.degraded_reason
    assert all("Sorry" not in s.text for s in playlist.segments) and "Sorry" not in playlist.spec.query


def test_a_model_that_searches_forever_stops_at_the_step_limit(llm_deps):
    deps = with_settings(llm_deps, llm_tool_rounds=5)

    def respond(req: httpx.Request) -> httpx.Response:
        return tool_calls(("search_catalog", {"query": f"more punk {len(req.content)}"}))

    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=respond)
        playlist = generate(request(), deps)
    assert route.call_count == deps.settings.llm_max_steps == 4  # 3 look-up turns, one plan call
    assert playlist.degraded and "no valid plan" in playlist.degraded_reason
    assert playlist.usage.model_calls == 4 and len(playlist.tracks) == 15
    assert playlist.usage.tool_calls == {"search_catalog": 3}


def test_request_deadline_returns_promptly(llm_deps):
    deps = with_settings(llm_deps, request_deadline_s=1.0, llm_max_retries=0)

    def slow(req: httpx.Request) -> httpx.Response:
        time.sleep(2.0)
        return tool_calls(*FIRST_TURN)

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(side_effect=slow)
        start = time.perf_counter()
        planned = plan_with_llm(request(), deps)
        elapsed = time.perf_counter() - start
        time.sleep(2.2)  # the abandoned worker stops at its next step instead of calling again
    assert elapsed < 1.6
    assert_fallback(planned, "no plan within the 1s request deadline")
    assert route.call_count <= 1


# --------------------------------------------------------------------------- logic with a scripted model


