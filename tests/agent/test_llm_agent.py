"""The LLM planner against a respx-mocked OpenAI-compatible endpoint: the conversation it holds, what it may
plan and what Segue enforces over it. No test reaches the network."""


from __future__ import annotations

import json
import time

import httpx
import pytest
import respx
from llm_helpers import (
    LOOKUPS,
    PROMPT,
    URL,
    assert_fallback,
    body,
    competent,
    completion,
    listed,
    plan_reply,
    request,
    tool_calls,
)

from agent.generate import generate
from agent.planner import plan
from agent.planner.llm_agent import MAX_LISTED, plan_with_llm
from core.errors import InvalidInput


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
    assert len(shown) == MAX_LISTED and all(" - " in line for line in shown)
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
    assert len(shown) == MAX_LISTED and planned.usage.tool_calls == {}
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
    assert len(listed(body(route, 1))) == MAX_LISTED  # the search ran (15 results) and the best were shown


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
    assert local.llm_narration == "off" and remote.llm_narration == "all"
    assert (remote.llm_timeout_s, remote.request_deadline_s) == (20.0, 45.0)
    assert Settings(llm_base_url="http://localhost:1/v1", request_deadline_s=7).request_deadline_s == 7
    moved = remote.pointed_at("http://127.0.0.1:8088/v1")  # a copy moved to a local server gets its defaults
    assert (moved.llm_narration, moved.llm_max_retries, moved.request_deadline_s) == ("off", 0, local.request_deadline_s)
    kept = Settings(llm_narration="intro").pointed_at("http://127.0.0.1:8088/v1", request_deadline_s=300.0)
    assert (kept.llm_narration, kept.request_deadline_s, kept.llm_timeout_s) == ("intro", 300.0, local.llm_timeout_s)


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


