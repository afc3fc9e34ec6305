"""The agent with a real model in the loop (opt-in: `make test-llm`). Each test asks what the design
promises of any model, small or large: look-ups run before the plan, the plan keeps the stated constraints,
narration is grounded, and a failure is an honest, degraded fallback rather than an error."""

from __future__ import annotations

import dataclasses

import pytest

from agent.generate import generate
from agent.grounding import build_facts, check
from agent.models import GenerateRequest
from agent.planner.llm_agent import plan_with_llm

pytestmark = pytest.mark.llm


def test_the_planner_looks_things_up_then_plans(real_deps):
    planned = plan_with_llm(GenerateRequest(prompt="upbeat pop punk for a run, no explicit, 15 songs"), real_deps)
    assert not planned.degraded, planned.degraded_reason
    assert planned.usage.tool_calls.get("search_catalog", 0) >= 1
    assert planned.spec.count == 15 and planned.spec.explicit == "exclude"
    assert planned.extra_candidates and planned.usage.dropped_ids <= len(planned.extra_candidates)
    assert all(c.track.explicit is False for c in planned.extra_candidates)


def test_a_playlist_keeps_its_constraints_and_grounded_narration(real_deps):
    prompt = "90s hip hop throwbacks, 12 songs, no explicit"
    narrated = dataclasses.replace(real_deps, settings=real_deps.settings.model_copy(update={"llm_narration": "intro"}))
    playlist = generate(GenerateRequest(prompt=prompt, provider="openai"), narrated)
    assert len(playlist.tracks) == 12 and all(t.explicit is False for t in playlist.tracks)
    assert all(c.met for c in playlist.constraints), playlist.constraints
    assert playlist.usage.model_calls >= 3 and playlist.usage.prompt_tokens > 0  # look-ups, plan, the intro
    tracks = [real_deps.catalog.get(t.id) for t in playlist.tracks]
    facts = build_facts(tracks, playlist.spec, prompt, [])
    for segment in playlist.segments:
        assert check(segment.text, facts).ok, segment.text


def test_model_restrictions_stay_within_the_prompt(real_deps):
    prompt = "house music, no Daft Punk"
    planned = plan_with_llm(GenerateRequest(prompt=prompt), real_deps)
    spec = planned.spec
    assert {a.lower() for a in spec.exclude_artists} <= {"daft punk"}
    assert spec.count is None and spec.tempo_min is None and spec.year_min is None
    assert "house" not in [g.lower() for g in spec.exclude_genres]
