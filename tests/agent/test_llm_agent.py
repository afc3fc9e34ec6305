"""The LLM planner against a respx-mocked OpenAI-compatible endpoint (HTTP shape and the fault matrix),
and its logic with a scripted fake chat model. No test reaches the network."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import httpx
import pytest
import respx
from fakes import ScriptedChatModel, call, forever, reply
from pydantic import SecretStr

from agent.generate import generate
from agent.models import GenerateRequest
from agent.planner import plan
from agent.planner.llm_agent import enforce_stated, plan_with_llm
from agent.planner.offline import parse_prompt
from core.errors import InvalidInput, UpstreamError

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"
PROMPT = "upbeat pop punk for a run, no explicit, 15 songs"
TOOL_NAMES = {"search_catalog", "get_taste_profile", "filter_content", "describe_genre", "FinalPlaylist"}


@pytest.fixture
def llm_deps(deps, monkeypatch):
    """The fixture deps pointed at the mocked endpoint; SDK back-off shrunk so retries take milliseconds."""
    import openai._base_client as base_client

    monkeypatch.setattr(base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(base_client, "MAX_RETRY_DELAY", 0.002)
    settings = deps.settings.model_copy(
        update={
            "provider": "openai",
            "llm_base_url": BASE,
            "openai_api_key": SecretStr("test"),
            "llm_max_retries": 2,
            "llm_timeout_s": 5.0,
            "llm_max_steps": 4,
            "request_deadline_s": 20.0,
        }
    )
    return dataclasses.replace(deps, settings=settings)


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


def tool_results(payload: dict) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for m in payload["messages"] if m["role"] == "tool"}


def ids_in(tool_output: str) -> list[str]:
    return [line.split(" | ")[0] for line in tool_output.splitlines() if " | " in line]


FIRST_TURN = (
    ("search_catalog", {"query": "upbeat energetic pop punk for running", "genres": ["pop punk"], "k": 20}),
    ("describe_genre", {"genre": "pop punk"}),
)


def final_turn(ids: list[str], **spec: Any) -> httpx.Response:
    plan = {
        "spec": {
            "count": 15,
            "explicit": "exclude",
            "genres": ["pop punk"],
            "moods": ["running"],
            "feature_targets": {"energy": 0.85},
            "query": "upbeat pop punk",
            "arc": "rise",
        }
        | spec,
        "track_ids": ids,
    }
    return tool_calls(("FinalPlaylist", plan), usage=(1400, 120))


def competent(extra_ids: tuple[str, ...] = ()):
    """A model that searches in parallel, then answers with ids taken from the search results."""

    def respond(req: httpx.Request) -> httpx.Response:
        payload = json.loads(req.content)
        if "tools" not in payload:  # another stage (narration) asking for text: keep its templates
            return completion({"role": "assistant", "content": '{"segments": []}'}, finish="stop")
        results = tool_results(payload)
        if not results:
            return tool_calls(*FIRST_TURN)
        return final_turn(ids_in(results["call_0"]) + list(extra_ids))

    return respond


# --------------------------------------------------------------------------- the happy path on the wire


def test_full_tool_calling_conversation(llm_deps, catalog):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(side_effect=competent(extra_ids=("madeUpId000000000000000",)))
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2
    first, second = body(route, 0), body(route, 1)
    assert {t["function"]["name"] for t in first["tools"]} == TOOL_NAMES
    assert first["tool_choice"] == "required" and first["parallel_tool_calls"] is True
    assert first["messages"][0]["role"] == "system" and "FinalPlaylist" in first["messages"][0]["content"]
    assert first["messages"][1] == {
        "role": "user",
        "content": f"Request: {PROMPT}\nListener: none\nRules in force: explicit excluded",
    }
    # both tool calls of the first reply were run and their results sent back in the next request
    results = tool_results(second)
    assert set(results) == {"call_0", "call_1"}
    shown = [catalog.get(i) for i in ids_in(results["call_0"])]
    assert len(shown) == 20 and all(t is not None and t.explicit is False for t in shown)
    assert all(set(t.genres) & set(catalog.matching_genres("pop punk")) for t in shown)
    assert results["call_1"].startswith("pop punk: energy ")
    # structured output became the plan; only catalog ids became candidates
    assert planned.provider == "openai" and not planned.degraded
    assert planned.spec.count == 15 and planned.spec.explicit == "exclude" and planned.spec.arc == "rise"
    assert [c.track.id for c in planned.extra_candidates] == [t.id for t in shown]
    assert planned.dropped_ids == 1
    assert planned.usage.model_dump() == {"model_calls": 2, "prompt_tokens": 2300, "completion_tokens": 180}


def test_generate_end_to_end_with_the_llm(llm_deps, catalog):
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=competent())
        playlist = generate(request(), llm_deps)
    assert playlist.provider == "openai" and playlist.degraded is False
    assert len(playlist.tracks) == 15
    assert all(t.explicit is False for t in playlist.tracks)
    assert playlist.spec.genres == ["pop punk"]
    assert playlist.usage.model_calls == route.call_count >= 3  # two planner calls, then narration


def test_prompt_version_is_selectable_and_validated(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=competent())
        plan_with_llm(request(prompt_version="v2"), llm_deps)
        system = body(route, 0)["messages"][0]["content"]
        assert (
            system.startswith("Segue planner.")
            and "$max_steps" not in system
            and "At most 4 model calls" in system
        )
        with pytest.raises(InvalidInput, match="unknown prompt version 'v9'"):
            plan_with_llm(request(prompt_version="v9"), llm_deps)
        assert route.call_count == 2


def test_stated_hard_constraints_beat_the_model(llm_deps, catalog):
    """The prompt says 15 songs and clean; a model answering 40 songs, explicit allowed, loses."""

    def respond(req: httpx.Request) -> httpx.Response:
        if not tool_results(json.loads(req.content)):
            return tool_calls(*FIRST_TURN)
        return final_turn([], count=40, explicit="allow", exclude_genres=["emo"])

    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=respond)
        planned = plan(request(), llm_deps)
    assert planned.spec.count == 15 and planned.spec.explicit == "exclude"
    assert planned.spec.exclude_genres == ["emo"]  # the model may add a restriction


def test_model_picks_cannot_smuggle_in_forbidden_tracks(llm_deps, catalog):
    """A clean request: the model proposes explicit and unknown-status tracks; none reach the playlist."""
    dirty = [t.id for t in catalog.tracks if t.explicit is not False and "pop punk" in t.genres][:10]
    assert len(dirty) == 10

    def respond(req: httpx.Request) -> httpx.Response:
        payload = json.loads(req.content)
        if "tools" not in payload:
            return completion({"role": "assistant", "content": '{"segments": []}'}, finish="stop")
        if not tool_results(payload):
            return tool_calls(*FIRST_TURN)
        return final_turn(dirty, explicit="allow")

    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=respond)
        playlist = generate(request(), llm_deps)
    assert not playlist.degraded and len(playlist.tracks) == 15
    assert all(catalog.get(t.id).explicit is False for t in playlist.tracks)
    assert not {t.id for t in playlist.tracks} & set(dirty)


def test_prompt_versions_cannot_escape_the_prompts_folder():
    from agent.prompts import load_prompt, versions

    assert {"v1", "v2"} <= set(versions())
    for bad in ("..", "../agent", "v1/../v2", ""):
        with pytest.raises(InvalidInput):
            load_prompt("planner", bad)
    with pytest.raises(InvalidInput, match="has no 'nothing' prompt"):
        load_prompt("nothing", "v1")


# --------------------------------------------------------------------------- the fault matrix


def assert_fallback(planned, reason: str) -> None:
    assert planned.degraded is True and planned.provider == "offline"
    assert reason in planned.degraded_reason and "offline planner" in planned.degraded_reason


def test_429_with_retry_after_is_retried_by_the_sdk(llm_deps):
    limited = httpx.Response(429, headers={"Retry-After": "0.01"}, json={"error": {"message": "slow down"}})
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[limited, tool_calls(*FIRST_TURN), final_turn([])])
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 3 and not planned.degraded and planned.usage.model_calls == 2


def test_no_call_is_sent_once_the_deadline_answered(llm_deps):
    """A 429 asks for a longer wait than the request deadline: the request answers at its deadline with the
    offline plan, and the SDK's retry, still pending in the abandoned worker, never goes out."""
    deps = with_settings(llm_deps, request_deadline_s=2.0)
    replies = [httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"message": "slow down"}}),
               tool_calls(*FIRST_TURN), final_turn([])]
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


def test_malformed_arguments_never_run_a_tool(llm_deps):
    """Broken JSON goes back to the model as an error; the model then recovers."""
    searched: list[str] = []

    def respond(req: httpx.Request) -> httpx.Response:
        n = len(searched)
        searched.append(req.content.decode())
        if n == 0:
            return tool_calls(("search_catalog", '{"query": "pop punk", "genres": ["pop'))  # truncated
        return final_turn([])

    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=respond)
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2 and not planned.degraded
    results = tool_results(body(route, 1))
    assert list(results.values()) == [
        "Tool call search_catalog with id call_0 could not be executed - "
        "arguments were malformed or truncated."
    ]


def test_wrong_argument_types_come_back_as_a_message(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[
                tool_calls(("search_catalog", {"query": "punk", "k": "lots", "year_min": {"a": 1}})),
                final_turn([]),
            ]
        )
        plan_with_llm(request(), llm_deps)
    (result,) = tool_results(body(route, 1)).values()
    assert "k" in result and "year_min" in result and " | " not in result  # validation error, no search ran


def test_unknown_tool_is_answered_not_run(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[tool_calls(("delete_catalog", {"all": True})), final_turn([])]
        )
        planned = plan_with_llm(request(), llm_deps)
    (result,) = tool_results(body(route, 1)).values()
    assert result.startswith("Error: delete_catalog is not a valid tool")
    assert not planned.degraded


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
    assert playlist.degraded and "model ended without a plan" in playlist.degraded_reason
    assert all("Sorry" not in s.text for s in playlist.segments) and "Sorry" not in playlist.spec.query


def test_a_model_that_searches_forever_stops_at_the_step_limit(llm_deps):
    def respond(req: httpx.Request) -> httpx.Response:
        return tool_calls(("search_catalog", {"query": f"more punk {len(req.content)}"}))

    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=respond)
        playlist = generate(request(), llm_deps)
    assert route.call_count == llm_deps.settings.llm_max_steps
    assert playlist.degraded and "step limit" in playlist.degraded_reason
    assert playlist.usage.model_calls == 4 and len(playlist.tracks) == 15


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


def scripted(deps, replies: list) -> tuple[Any, ScriptedChatModel]:
    model = ScriptedChatModel(replies=replies)
    return dataclasses.replace(deps, chat_model=model), model


def test_invalid_structured_output_is_sent_back_for_one_fix(llm_deps):
    bad = reply(call("FinalPlaylist", spec={"count": 500, "query": "punk"}, track_ids=[]))
    good = reply(call("FinalPlaylist", spec={"count": 12, "query": "punk", "genres": ["punk"]}, track_ids=[]))
    deps, model = scripted(llm_deps, [bad, good])
    planned = plan_with_llm(request("punk songs"), deps)
    assert not planned.degraded and planned.spec.count == 12 and planned.spec.genres == ["punk"]
    feedback = model.requests[1][-1]
    assert feedback.type == "tool" and "less than or equal to 100" in feedback.content


def test_scripted_loop_is_cut_at_the_step_limit(llm_deps):
    deps, model = scripted(
        with_settings(llm_deps, llm_max_steps=3),
        forever(lambda i: reply(call("describe_genre", genre=f"punk {i}"))),
    )
    planned = plan_with_llm(request(), deps)
    assert len(model.requests) == 3 and planned.degraded and planned.usage.model_calls == 3
    assert planned.usage.prompt_tokens == 300  # metered from each reply's usage record


def test_profile_tool_sees_only_the_requesting_listener(llm_deps):
    if llm_deps.profiles is None:
        pytest.skip("no profile store in this build")
    first = reply(
        call("get_taste_profile", user_id="someone_else"), call("get_taste_profile", user_id="u_demo")
    )
    deps, model = scripted(llm_deps, [first, reply(call("FinalPlaylist", spec={"query": "x"}, track_ids=[]))])
    plan_with_llm(request(user_id="u_demo"), deps)
    answers = [m.content for m in model.requests[1] if m.type == "tool"]
    assert answers[0] == "only the requesting listener's profile is available: call with user_id='u_demo'"
    assert answers[1].startswith("{") and json.loads(answers[1])


def test_offered_tools_and_parallel_calls_with_the_fake(llm_deps):
    deps, model = scripted(llm_deps, [reply(call("FinalPlaylist", spec={"query": "x"}, track_ids=[]))])
    plan_with_llm(request(), deps)
    assert set(model.bound[0]["tools"]) == TOOL_NAMES
    assert model.bound[0]["tool_choice"] == "any" and model.bound[0]["parallel_tool_calls"] is True


def test_enforce_stated_keeps_model_additions(catalog):
    parsed = parse_prompt("20 songs, no explicit", catalog)
    from agent.models import PlaylistSpec

    model = PlaylistSpec(count=5, explicit="allow", exclude_artists=["Drake"], year_min=2000, query="q")
    merged = enforce_stated(model, parsed)
    assert merged.count == parsed.count == 20 and merged.explicit == "exclude"
    assert merged.exclude_artists == ["Drake"] and merged.year_min == 2000
