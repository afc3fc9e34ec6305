"""The LLM planner's logic with a scripted fake chat model: the step limit, the tools on offer, the
listener's profile, and stated constraints the model cannot drop."""


from __future__ import annotations

import pytest
import respx
from fakes import call, forever, reply
from llm_helpers import (
    LOOKUPS,
    URL,
    body,
    completion,
    listed,
    plan_reply,
    request,
    scripted,
    with_settings,
)

from agent.planner.llm_agent import enforce_stated, plan_with_llm
from agent.planner.offline import parse_prompt


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
            '"k": 8}}\n```')
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[completion({"role": "assistant", "content": text}, finish="stop"),
                                                 plan_reply([1])])
        planned = plan_with_llm(request(), llm_deps)
    assert planned.usage.tool_calls == {"search_catalog": 1}
    assert len(listed(body(route, 1))) == 8  # the model's own search (k=8) made the list


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
    assert {"picks", "exclude_artists"} <= open_only and "tempo_min" not in open_only  # no tempo word
    assert {"tempo_min", "tempo_max"} <= set(delta_schema("house around 124 bpm")["properties"])
    schema = delta_schema("no Drake, 12 songs from the 90s")["properties"]
    assert schema["picks"]["maxItems"] == 8 and schema["exclude_artists"]["maxItems"] == 3
