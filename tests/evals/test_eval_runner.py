"""The runner over a tiny suite on the fixture catalog: four report formats, side-by-side variants, the CI gate,
and the model-response cache (respx-mocked endpoint: a second run makes no model call)."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
import respx
from pydantic import SecretStr
from rich.console import Console
from typer.testing import CliRunner

from evals.report import print_summary
from evals.report_files import write_reports
from evals.runner import OFFLINE_ONLY_NOTE, Variant, run_suite
from evals.suite import load_suite

SUITE = """
name: tiny
description: three prompts
thresholds: ["pass_rate >= {rate}", "violations == 0"]
defaults: [{{no_duplicates: true}}]
cases:
  - id: punk-clean
    prompt: pop punk, no explicit, 8 songs
    tags: [genre]
    assert: [{{count: 8}}, {{no_explicit: true}}]
  - id: impossible-count
    prompt: green day songs
    options: {{count: 5}}
    assert: [{{count: 6}}]
  - id: too-long
    prompt: {{repeat: "music ", times: 500}}
    expect: invalid_input
"""


def write_suite(tmp_path, rate: float = 0.5):
    path = tmp_path / "tiny.yaml"
    path.write_text(SUITE.format(rate=rate))
    return path


def test_runner_writes_all_reports_side_by_side(deps, tmp_path):
    suite = load_suite(write_suite(tmp_path))
    run = run_suite(suite, [Variant(prompt_version="v1"), Variant(prompt_version="v2")], deps,
                    cache_dir=tmp_path / "cache")
    by_id = {(r.case_id, r.variant): r for r in run.results}
    assert len(run.results) == 6 and run.variants == ["v1/offline", "v2/offline"]
    assert by_id[("punk-clean", "v1/offline")].status == "pass"
    assert by_id[("impossible-count", "v1/offline")].status == "fail"  # 5 tracks asked, 6 asserted
    assert by_id[("too-long", "v2/offline")].status == "pass"  # refused cleanly, as expected
    summary = run.summaries[0]
    assert summary.pass_rate == pytest.approx(2 / 3) and run.passed
    paths = write_reports(run, tmp_path / "out")
    console = Console(record=True, width=140)
    print_summary(run, console)
    text = console.export_text()
    assert "v2/offline" in text and "pass_rate" in text and "impossible-count" in text
    assert run.notes == [OFFLINE_ONLY_NOTE] and "prompt versions only change LLM variants" in text
    data = json.loads(paths["json"].read_text())
    assert data["passed"] is True and len(data["results"]) == 6
    assert "| pass_rate |" in paths["md"].read_text()
    html = paths["html"].read_text()
    assert html.count("<svg") >= 3 and "v1/offline" in html and "v2/offline" in html
    assert "http://" not in html and "https://" not in html  # self-contained: nothing to fetch


def test_a_blank_prompt_case_is_refused_exactly_like_an_empty_one(deps):
    from evals.runner import run_case
    from evals.scorers import ScoreContext
    from evals.suite import Case

    variant, ctx = Variant(prompt_version="v1"), ScoreContext(catalog=deps.catalog)
    results = {prompt: run_case(Case(id="blank", prompt=prompt, expect="invalid_input"), variant, 0, deps, ctx)
               for prompt in ("", "   ", "\t\n ")}
    assert {r.status for r in results.values()} == {"pass"}
    details = {r.outcomes[0].detail for r in results.values()}
    assert len(details) == 1 and "String should have at least 1 character" in details.pop()
    strict = run_case(Case(id="blank", prompt="   "), variant, 0, deps, ctx)
    assert strict.status == "fail" and strict.outcomes[0].kind == "refused"


def test_an_llm_variant_runs_beside_offline_on_the_same_cases(deps, tmp_path):
    """Side by side: offline as the base column, the model's pass rate, degraded and tool-use rates, calls and
    tokens; a second run answers from the on-disk cache without calling the model."""
    settings = deps.settings.model_copy(update={"provider": "openai", "llm_base_url": "http://llm.test/v1",
                                                "openai_api_key": SecretStr("t"), "llm_max_retries": 0})
    llm_deps = dataclasses.replace(deps, settings=settings)

    def respond(req: httpx.Request) -> httpx.Response:
        payload = json.loads(req.content)
        if "Step 2" in payload["messages"][-1]["content"]:
            message = {"role": "assistant", "content": json.dumps({"picks": list(range(1, 21))})}
        elif "tools" in payload:
            wire = [{"id": "c0", "type": "function", "function": {"name": "search_catalog",
                                                                  "arguments": json.dumps({"query": "punk", "k": 20})}}]
            message = {"role": "assistant", "content": None, "tool_calls": wire}
        else:
            message = {"role": "assistant", "content": '{"segments": []}'}
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                         "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                                         "usage": {"prompt_tokens": 500, "completion_tokens": 20, "total_tokens": 520}})

    suite = load_suite(write_suite(tmp_path))
    with respx.mock() as mock:
        route = mock.post("http://llm.test/v1/chat/completions").mock(side_effect=respond)
        run = run_suite(suite, [Variant(prompt_version="v3", provider="openai", model="m")], llm_deps,
                        cache_dir=tmp_path / "cache")
        calls = route.call_count
        again = run_suite(suite, [Variant(prompt_version="v3", provider="openai", model="m")], llm_deps,
                          cache_dir=tmp_path / "cache")
    assert run.variants == ["v3/offline", "v3/openai/m"] and calls >= 4
    assert route.call_count == calls and again.cache["hits"] >= calls  # the second run came from the cache
    offline, model = run.summaries
    assert model.means["degraded"] == 0.0 and model.means["tool_use"] == 1.0 and model.means["model_calls"] >= 2
    assert offline.means["degraded"] is None and offline.means["model_calls"] == 0.0
    assert model.pass_rate == offline.pass_rate == pytest.approx(2 / 3)
    assert "offline planner runs beside the LLM variants" in run.notes[0]


def test_threshold_failure_exits_non_zero(deps, tmp_path, monkeypatch):
    import agent.deps
    from agent.cli import app

    monkeypatch.setattr(agent.deps, "get_deps", lambda *a, **k: deps)
    cli = CliRunner()
    ok = cli.invoke(app, ["eval", "run", str(write_suite(tmp_path, 0.5)), "--prompts", "v1", "--prompts", "v2",
                          "--out", str(tmp_path / "ok"), "--cache-dir", str(tmp_path / "cache")])
    assert ok.exit_code == 0, ok.output
    assert {p.name for p in (tmp_path / "ok").iterdir()} >= {"report.json", "report.md", "report.html"}
    failing = cli.invoke(app, ["eval", "run", str(write_suite(tmp_path, 0.9)), "--out", str(tmp_path / "bad"),
                               "--cache-dir", str(tmp_path / "cache")])
    assert failing.exit_code == 6
    assert json.loads((tmp_path / "bad" / "report.json").read_text())["passed"] is False


def test_bad_suite_file_is_a_clean_error(tmp_path):
    from agent.cli import app

    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncases: [{id: a}]\n")
    result = CliRunner().invoke(app, ["eval", "run", str(path)])
    assert result.exit_code != 0 and "broken.yaml" in str(result.exception)


# --------------------------------------------------------------------------- cache

BASE = "http://llm.test/v1"


def completion(text: str) -> httpx.Response:
    return httpx.Response(200, json={
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    })


@respx.mock
def test_cache_makes_a_rerun_free_and_identical(settings, tmp_path):
    from agent.llm import chat_model
    from evals.cache import llm_cache

    route = respx.post(f"{BASE}/chat/completions").mock(side_effect=[completion("first"), completion("second")])
    model = chat_model(settings.model_copy(update={"llm_base_url": BASE, "openai_api_key": SecretStr("k")}))
    with llm_cache(tmp_path) as cache:
        assert model.invoke("pick a song").content == "first"
        assert model.invoke("pick a song").content == "first"
        assert route.call_count == 1 and cache.hits == 1 and cache.misses == 1
    with llm_cache(tmp_path) as cache:  # a later run reads the same files
        assert model.invoke("pick a song").content == "first"
        assert route.call_count == 1 and cache.hits == 1
        cache.namespace = "repeat-1"  # another repeat is another sample
        assert model.invoke("pick a song").content == "second"
        assert route.call_count == 2


@respx.mock
def test_llm_variant_second_run_makes_zero_model_calls(deps, tmp_path):
    route = respx.post(f"{BASE}/chat/completions").mock(return_value=completion("no plan, sorry"))
    llm = dataclasses.replace(deps, settings=deps.settings.model_copy(update={
        "llm_base_url": BASE, "openai_api_key": SecretStr("k"), "llm_max_retries": 0, "request_deadline_s": 20.0}))
    suite = load_suite(write_suite(tmp_path))
    variant = [Variant(provider="openai", model="test-model")]
    first = run_suite(suite, variant, llm, cache_dir=tmp_path / "cache")
    calls = route.call_count
    assert calls >= 1 and first.cache["misses"] >= 1
    second = run_suite(suite, variant, llm, cache_dir=tmp_path / "cache")
    assert route.call_count == calls and second.cache["misses"] == 0
    assert [r.tracks for r in second.results] == [r.tracks for r in first.results]
    assert [r.status for r in second.results] == [r.status for r in first.results]


def test_a_refine_case_scores_the_refined_playlist_against_the_one_it_refined(deps):
    from evals.runner import run_case
    from evals.scorers import ScoreContext
    from evals.suite import Case

    variant, ctx = Variant(prompt_version="v1"), ScoreContext(catalog=deps.catalog)
    case = Case.model_validate({"id": "calmer", "prompt": "upbeat pop punk for a run", "refine": ["calmer"],
                                "assert": [{"vs_parent": {"feature": "energy", "direction": "lower"}},
                                           {"kept_share": {"max": 0.99}}, {"count": 20}]})
    result = run_case(case, variant, 0, deps, ctx, case.assertions)
    assert result.status == "pass", result.outcomes
    assert result.prompt == "upbeat pop punk for a run · calmer"
    wrong = Case.model_validate({"id": "wrong-way", "prompt": "upbeat pop punk for a run", "refine": ["calmer"],
                                 "assert": [{"vs_parent": {"feature": "energy", "direction": "higher"}}]})
    assert run_case(wrong, variant, 0, deps, ctx, wrong.assertions).status == "fail"
    plain = Case.model_validate({"id": "no-refine", "prompt": "upbeat pop punk for a run",
                                 "assert": [{"vs_parent": {"feature": "energy", "direction": "lower"}}]})
    outcome = run_case(plain, variant, 0, deps, ctx, plain.assertions).outcomes[0]
    assert outcome.status == "fail" and "refines nothing" in outcome.detail
