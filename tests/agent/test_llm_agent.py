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
LOOKUPS = {"search_catalog", "describe_genre"}


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


def test_full_conversation_looks_up_then_plans(llm_deps, catalog):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(side_effect=competent(picks=(1, 2, 3, 99)))
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2
    first, second = body(route, 0), body(route, 1)
    # step 1 offers look-ups only: no final-answer tool, no tool_choice a stock server rejects
    assert {t["function"]["name"] for t in first["tools"]} == LOOKUPS
    assert "tool_choice" not in first and first["parallel_tool_calls"] is True
    assert first["messages"][1] == {
        "role": "user",
        "content": f"Request: {PROMPT}\nListener: none\nRules in force: explicit excluded",
    }
    # step 2: no look-up history, the search results as a numbered list, JSON-schema output
    assert "tools" not in second and [m["role"] for m in second["messages"]] == ["system", "user", "user"]
    assert second["messages"][:2] == first["messages"]
    assert second["response_format"]["type"] == "json_schema"
    shown = listed(second)
    assert len(shown) == 20 and all(" - " in line for line in shown)
    # both look-ups ran, and the plan picks from what was shown
    assert planned.usage.tool_calls == {"search_catalog": 1, "describe_genre": 1}
    assert planned.provider == "openai" and not planned.degraded
    assert planned.spec.count == 15 and planned.spec.explicit == "exclude" and planned.spec.arc == "rise"
    picked = [c.track for c in planned.extra_candidates]
    assert [f"{t.title} - {t.artist}" for t in picked] == [line.rsplit(" (", 1)[0] for line in shown[:3]]
    assert all(t.explicit is False for t in picked)
    assert planned.dropped_ids == planned.usage.dropped_ids == 1  # number 99 was never on the list
    assert planned.usage.model_calls == 2
    assert (planned.usage.prompt_tokens, planned.usage.completion_tokens) == (1600, 100)


def test_generate_end_to_end_with_the_llm(llm_deps, catalog):
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=competent())
        playlist = generate(request(), llm_deps)
    assert playlist.provider == "openai" and playlist.degraded is False
    assert len(playlist.tracks) == 15
    assert all(t.explicit is False for t in playlist.tracks)
    assert playlist.spec.genres == ["pop punk"]
    assert playlist.usage.model_calls == route.call_count >= 3  # two planner calls, then narration
    assert playlist.usage.tool_calls == {"search_catalog": 1, "describe_genre": 1}


def test_prompt_version_is_selectable_and_validated(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=competent())
        plan_with_llm(request(prompt_version="v2"), llm_deps)
        system = body(route, 0)["messages"][0]["content"]
        assert system.startswith("Segue planner.") and "$max_steps" not in system
        with pytest.raises(InvalidInput, match="unknown prompt version 'v9'"):
            plan_with_llm(request(prompt_version="v9"), llm_deps)
        assert route.call_count == 2


def test_stated_hard_constraints_beat_the_model(llm_deps, catalog):
    """The prompt says 15 songs and clean; a model answering 40 songs loses."""
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=competent(count=40))
        planned = plan(request(), llm_deps)
    assert planned.spec.count == 15 and planned.spec.explicit == "exclude"


def test_model_picks_cannot_smuggle_in_forbidden_tracks(llm_deps, catalog):
    """A clean request: the model names explicit catalog ids it was never shown; none reach the playlist."""
    dirty = [t.id for t in catalog.tracks if t.explicit is not False and "pop punk" in t.genres][:10]
    assert len(dirty) == 10
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=competent(track_ids=dirty, explicit="allow"))
        playlist = generate(request(), llm_deps)
    assert not playlist.degraded and len(playlist.tracks) == 15
    assert all(catalog.get(t.id).explicit is False for t in playlist.tracks)
    assert not {t.id for t in playlist.tracks} & set(dirty)


# --------------------------------------------------------------------------- what a real small model does


def test_a_model_that_answers_at_once_still_plans_from_search_results(llm_deps, catalog):
    """A small model skips the look-ups and writes its plan straight away: Segue searches itself, and the
    plan is still made from a list of real results."""
    answers_now = completion({"role": "assistant", "content": '{"picks": [1, 2]}'}, finish="stop")
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[answers_now, plan_reply([1, 2, 3])])
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2 and not planned.degraded
    shown = listed(body(route, 1))
    assert len(shown) == 20 and planned.usage.tool_calls == {}
    assert len(planned.extra_candidates) == 3
    assert all("pop punk" in " ".join(c.track.genres) and c.track.explicit is False for c in planned.extra_candidates)


def test_final_answer_beside_placeholder_calls_does_not_end_the_run(llm_deps):
    """The reply that used to end the run at once: a final-answer call beside placeholder look-ups."""
    first = tool_calls(("FinalPlaylist", {"spec": {"query": "x"}, "track_ids": []}),
                       ("search_catalog", {"query": "pop punk", "genres": ["pop punk"]}))
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[first, plan_reply([1])])
        planned = plan_with_llm(request(), llm_deps)
    assert planned.usage.tool_calls == {"search_catalog": 1} and not planned.degraded
    assert len(listed(body(route, 1))) == 15  # the search ran (k defaults to 15) and its results were shown


def test_malformed_call_is_dropped_never_sent_back(llm_deps):
    """llama-server answers 500 to a history holding a tool call it cannot parse: such a call never goes
    back; the search runs from the parse instead."""
    broken = tool_calls(("search_catalog", '{"query": "pop punk", "genres": ["pop'))
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[broken, plan_reply([1, 2])])
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 2 and not planned.degraded
    assert '"pop' not in route.calls[1].request.content.decode().replace('"pop punk', "")
    assert all(m["role"] != "tool" and not m.get("tool_calls") for m in body(route, 1)["messages"])


def test_a_500_naming_an_invalid_request_is_not_retried(llm_deps):
    invalid = httpx.Response(500, json={"error": {"code": 500, "type": "server_error",
                                                  "message": "Failed to parse tool call arguments as JSON"}})
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=invalid)
        planned = plan_with_llm(request(), llm_deps)
    assert route.call_count == 1
    assert_fallback(planned, "HTTP 500")


def test_model_restrictions_need_the_prompts_words(llm_deps):
    """Tempo 300-300, the asked genre excluded, a count the prompt never says, a case-only duplicate."""
    prompt = "pop punk for a run, no Drake"
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=competent(
            tempo_min=300, tempo_max=300, exclude_genres=["pop punk", "emo"], count=40,
            exclude_artists=["Drake", "drake", "Phoebe Bridgers"]))
        planned = plan_with_llm(request(prompt), llm_deps)
    spec = planned.spec
    assert spec.tempo_min is None and spec.tempo_max is None
    assert spec.exclude_genres == [] and spec.count is None
    assert [a.lower() for a in spec.exclude_artists] == ["drake"]
    notes = " | ".join(planned.usage.notes)
    for bit in ("tempo_min 300", "exclude_genres 'pop punk': the request asks for it", "emo", "count 40",
                "duplicate exclude_artists 'drake'", "Phoebe Bridgers"):
        assert bit in notes, bit
    assert not planned.degraded


def test_supported_restrictions_are_kept(llm_deps):
    prompt = "house music between 120 and 128 bpm, a dozen songs, nothing by Daft Punk"
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=competent(tempo_min=120, tempo_max=128, count=12,
                                                  exclude_artists=["Daft Punk"]))
        planned = plan_with_llm(request(prompt), llm_deps)
    assert (planned.spec.tempo_min, planned.spec.tempo_max, planned.spec.count) == (120, 128, 12)
    assert planned.spec.exclude_artists == ["Daft Punk"]


def test_a_plan_matching_no_track_falls_back_degraded(llm_deps):
    """The model narrows the years to a range the prompt names but the catalog does not hold."""
    prompt = "songs recorded between 1901 and 1902"
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=competent(picks=(), year_min=1901, year_max=1902))
        planned = plan_with_llm(request(prompt), llm_deps)
    assert_fallback(planned, "matches no catalog track")


def test_schema_and_prompts_stay_small_and_example_free(llm_deps):
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=competent())
        plan_with_llm(request(), llm_deps)
    tools_json = json.dumps(body(route, 0)["tools"])
    schema_json = json.dumps(body(route, 1)["response_format"])
    assert len(tools_json) < 2200 and len(schema_json) < 1600
    for text in (tools_json, schema_json, body(route, 0)["messages"][0]["content"]):
        assert "e.g." not in text and "Phoebe" not in text and "128" not in text and "examples" not in text


def test_local_base_url_gets_cpu_friendly_time_limits():
    from core.settings import Settings

    local = Settings(llm_base_url="http://127.0.0.1:8088/v1")
    remote = Settings(llm_base_url="https://models.example/v1")
    assert local.llm_timeout_s >= 60 and local.request_deadline_s >= 90 and local.llm_max_retries == 0
    assert local.llm_narration == "ends" and remote.llm_narration == "all"
    assert (remote.llm_timeout_s, remote.request_deadline_s) == (20.0, 45.0)
    assert Settings(llm_base_url="http://localhost:1/v1", request_deadline_s=7).request_deadline_s == 7


def test_a_process_exits_at_the_deadline_without_waiting_for_the_worker(tmp_path):
    """The CLI answered at its deadline; the abandoned model call must not hold the process open."""
    import subprocess
    import sys

    code = ("import threading, time\n"
            "from agent.llm import DeadlineExceeded, run_with_deadline\n"
            "try:\n    run_with_deadline(lambda: time.sleep(20), 0.3, threading.Event())\n"
            "except DeadlineExceeded:\n    print('deadline')\n")
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "deadline" and time.monotonic() - start < 8


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
    # the call failed validation, so the list is Segue's own search from the parse (20 tracks, not k="lots")
    assert len(listed(body(route, 1))) == 20 and not planned.degraded


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


def scripted(deps, replies: list) -> tuple[Any, ScriptedChatModel]:
    model = ScriptedChatModel(replies=replies)
    return dataclasses.replace(deps, chat_model=model), model


def test_scripted_loop_is_cut_at_the_step_limit(llm_deps):
    deps, model = scripted(
        with_settings(llm_deps, llm_max_steps=3, llm_tool_rounds=5),
        forever(lambda i: reply(call("describe_genre", genre=f"punk {i}"))),
    )
    planned = plan_with_llm(request(), deps)
    assert len(model.requests) == 3 and planned.degraded and planned.usage.model_calls == 3
    assert planned.usage.prompt_tokens == 300  # metered from each reply's usage record
    assert planned.usage.tool_calls == {"describe_genre": 2}


def test_profile_tool_sees_only_the_requesting_listener(llm_deps):
    if llm_deps.profiles is None:
        pytest.skip("no profile store in this build")
    first = reply(
        call("get_taste_profile", user_id="someone_else"), call("get_taste_profile", user_id="u_demo")
    )
    deps, model = scripted(llm_deps, [first, reply(text='{"picks": [1]}')])
    plan_with_llm(request(user_id="u_demo"), deps)
    ask = model.requests[1][-1].content
    assert "get_taste_profile: only the requesting listener's profile is available: call with user_id='u_demo'" in ask
    assert 'get_taste_profile: {"' in ask


def test_offered_tools_and_parallel_calls_with_the_fake(llm_deps):
    deps, model = scripted(llm_deps, [reply(), reply(text='{"picks": []}')])
    plan_with_llm(request(user_id="u_demo"), deps)
    assert set(model.bound[0]["tools"]) == LOOKUPS | {"get_taste_profile"}
    assert "tool_choice" not in model.bound[0] or model.bound[0]["tool_choice"] in (None, "auto")
    assert model.bound[0]["parallel_tool_calls"] is True


def test_enforce_stated_keeps_model_additions(catalog):
    parsed = parse_prompt("20 songs, no explicit", catalog)
    from agent.models import PlaylistSpec

    model = PlaylistSpec(count=5, explicit="allow", exclude_artists=["Drake"], year_min=2000, query="q")
    merged = enforce_stated(model, parsed)
    assert merged.count == parsed.count == 20 and merged.explicit == "exclude"
    assert merged.exclude_artists == ["Drake"] and merged.year_min == 2000


def test_a_tool_call_written_as_text_is_run(llm_deps):
    """Qwen2.5-Coder on llama-server answers the look-up turn with a ```json block instead of a tool call."""
    text = ('```json\n{"name": "search_catalog", "arguments": {"query": "fast pop punk", "genres": ["pop punk"], '
            '"k": 12}}\n```')
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[completion({"role": "assistant", "content": text}, finish="stop"),
                                                 plan_reply([1])])
        planned = plan_with_llm(request(), llm_deps)
    assert planned.usage.tool_calls == {"search_catalog": 1}
    assert len(listed(body(route, 1))) == 12  # the model's own search (k=12) made the list


def test_plan_schema_offers_only_fields_the_prompt_could_support():
    from agent.models import PlaylistSpec
    from agent.planner.delta import delta_schema

    plain = set(delta_schema("sad songs like Phoebe Bridgers")["properties"])
    assert "picks" in plain and not plain & {"count", "tempo_min", "year_min", "exclude_artists", "exclude_genres"}
    full = set(delta_schema("no Drake, 12 songs from the 90s")["properties"])
    assert {"count", "year_min", "exclude_artists", "exclude_genres"} <= full
    parsed = PlaylistSpec(count=12, year_min=1990, year_max=1999, moods=["chill"], feature_targets={"energy": 0.3})
    open_only = set(delta_schema("no Drake, 12 songs from the 90s, chill", parsed)["properties"])
    assert not open_only & {"count", "minutes", "year_min", "year_max", "moods", "feature_targets"}
    assert {"picks", "tempo_min", "exclude_artists"} <= open_only
