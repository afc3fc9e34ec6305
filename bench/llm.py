"""Benchmark the LLM planner's budget: model calls, prompt/completion tokens and wall time per playlist.

The endpoint is a respx mock that answers like a competent model (first turn: every tool call in parallel;
second turn: the structured plan with ids from the search results) and waits a fixed latency per call.
The baseline is a naive agent run: the same tools asked for one per model turn. Token counts are what the
mock reports as `usage`, estimated from each request's size (characters / 4). Run on the real catalog:

    python bench/llm.py [--prompts 30] [--latency-ms 150] [--prompt-version v3]

With `--real`, the same budget measured on a real model beside the mocked figures: a stock llama-server with
Qwen2.5-Coder-1.5B-Instruct Q4_K_M started by bench/llm_server.py (or `--base-url` of a server already
running, or `--model` for another GGUF), over the first `--cases` cases of evals/suites/core.yaml, each run
offline and on the model (bench/llm_real.py): pass rate, violations, degraded and tool-use rates, planner
tokens and wall time, written to `--out` as JSON.

    python bench/llm.py --real [--cases 40] [--base-url http://127.0.0.1:8088/v1] [--out bench/out/llm-real.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import respx
from pydantic import SecretStr

BASE = "http://bench.llm/v1"
FALLBACK_PROMPTS = [
    "upbeat pop punk for a run, no explicit, 15 songs",
    "rainy sunday coffee, mellow indie, about 40 minutes",
    "90s hip hop throwbacks",
    "focus music for studying, no vocals",
    "dinner party jazz, 20 songs",
    "sad songs like Phoebe Bridgers",
    "road trip classic rock, an hour",
    "house music around 124 bpm",
    "kid-friendly pop for a car ride",
    "wind down for sleep, start slow",
    "angry metal workout",
    "romantic r&b for date night",
    "summer reggaeton party, no explicit",
    "country but no Taylor Swift",
    "2000s emo nostalgia, 25 songs",
    "lofi beats to relax",
    "edm that builds to a peak",
]


# --------------------------------------------------------------------------- the mocked model


def estimate_tokens(payload: Any) -> int:
    return max(1, len(json.dumps(payload, ensure_ascii=False)) // 4)


def turn_plan(prompt: str, catalog: Any) -> list[tuple[str, dict]]:
    """The tool calls a competent model makes for this prompt (it reads the prompt like the parser does)."""
    from agent.planner.offline import parse_prompt

    spec = parse_prompt(prompt, catalog)
    hard = {
        k: v
        for k, v in (
            ("year_min", spec.year_min),
            ("year_max", spec.year_max),
            ("tempo_min", spec.tempo_min),
            ("tempo_max", spec.tempo_max),
        )
        if v is not None
    }
    if spec.explicit == "exclude":
        hard["explicit_ok"] = False
    calls = [
        ("search_catalog", {"query": spec.query or prompt, "genres": spec.genres[:2], "k": 20} | hard),
        ("search_catalog", {"query": " ".join(spec.moods + spec.genres) or prompt, "k": 15} | hard),
    ]
    if spec.genres:
        calls.append(("describe_genre", {"genre": spec.genres[0]}))
    return calls


def plan_args(ask: str, prompt: str, catalog: Any) -> dict:
    """The plan step's answer: picks from the numbered list, a few more than the count."""
    from agent.planner.offline import parse_prompt

    listed = sum(1 for line in ask.splitlines() if line[:1].isdigit() and ". " in line)
    want = (parse_prompt(prompt, catalog).count or 20) + 5
    return {"picks": list(range(1, min(listed, want) + 1))}


def model_reply(payload: dict, catalog: Any, one_per_turn: bool) -> dict:
    """The assistant message for one request: parallel tools (or one per turn), then the plan, or narration."""
    messages = payload["messages"]
    user = next(m["content"] for m in messages if m["role"] == "user")
    prompt = user.split("\n")[0].removeprefix("Request: ")
    if "Step 2" in str(messages[-1]["content"]):
        return {"role": "assistant", "content": json.dumps(plan_args(messages[-1]["content"], prompt, catalog))}
    if "tools" not in payload:
        return {"role": "assistant", "content": '{"segments": []}'}  # narration: the templates stay
    done = sum(1 for m in messages if m["role"] == "tool")
    calls = turn_plan(prompt, catalog)
    calls = calls[done:done + 1] if one_per_turn else calls
    wire = [{"id": f"call_{done + n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in enumerate(calls)]
    return {"role": "assistant", "content": None, "tool_calls": wire}


def endpoint(
    catalog: Any, one_per_turn: bool, latency_s: float, log: list[dict]
) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        time.sleep(latency_s)
        payload = json.loads(request.content)
        message = model_reply(payload, catalog, one_per_turn)
        usage = {
            "prompt_tokens": estimate_tokens([payload["messages"], payload.get("tools", [])]),
            "completion_tokens": estimate_tokens(message),
        }
        log.append({"planner": "tools" in payload or "Step 2" in str(payload["messages"][-1]["content"])} | usage)
        return httpx.Response(
            200,
            json={
                "id": "bench",
                "object": "chat.completion",
                "created": 0,
                "model": "bench-model",
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                    }
                ],
                "usage": usage | {"total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]},
            },
        )

    return respond


# --------------------------------------------------------------------------- runs and the table


def run_one(prompt: str, deps: Any, one_per_turn: bool, latency_s: float, version: str) -> dict:
    from agent.generate import generate
    from agent.models import GenerateRequest

    log: list[dict] = []
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{BASE}/chat/completions").mock(
            side_effect=endpoint(deps.catalog, one_per_turn, latency_s, log)
        )
        start = time.perf_counter()
        playlist = generate(GenerateRequest(prompt=prompt, provider="openai", prompt_version=version), deps)
        wall = time.perf_counter() - start
    planner = [e for e in log if e["planner"]]
    return {
        "calls": len(planner),
        "prompt": sum(e["prompt_tokens"] for e in planner),
        "completion": sum(e["completion_tokens"] for e in planner),
        "all_calls": len(log),
        "all_prompt": sum(e["prompt_tokens"] for e in log),
        "usage_calls": playlist.usage.model_calls,
        "usage_prompt": playlist.usage.prompt_tokens,
        "plan_ms": playlist.timings_ms.get("plan", 0.0),
        "wall_ms": wall * 1000,
        "degraded": playlist.degraded,
        "tracks": len(playlist.tracks),
    }


def load_prompts(n: int) -> list[str]:
    from core.settings import REPO_ROOT

    path = REPO_ROOT / "evals" / "suites" / "core.yaml"
    try:
        import yaml

        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        prompts = [c["prompt"] for c in cases if isinstance(c.get("prompt"), str)]
    except (OSError, KeyError, TypeError, ImportError):
        prompts = []
    return (prompts or FALLBACK_PROMPTS)[:n]


def med_max(rows: list[dict], key: str) -> str:
    values = [float(r[key]) for r in rows]
    return f"{statistics.median(values):,.0f} / {max(values):,.0f}"


def print_table(results: dict[str, list[dict]], latency_ms: float) -> None:
    print(
        f"\nLLM planner per playlist, {len(next(iter(results.values())))} prompts, mocked latency {latency_ms:g} ms/call "
        "(median / max; narration not included)"
    )
    head = f"{'agent':<26}{'model calls':>13}{'prompt tokens':>17}{'compl. tokens':>15}{'plan ms':>15}{'degraded':>10}"
    print(head + "\n" + "-" * len(head))
    for name, rows in results.items():
        print(
            f"{name:<26}{med_max(rows, 'calls'):>13}{med_max(rows, 'prompt'):>17}{med_max(rows, 'completion'):>15}"
            f"{med_max(rows, 'plan_ms'):>15}{sum(r['degraded'] for r in rows):>10}"
        )
    ours, naive = results["segue (parallel tools)"], results["naive (1 tool per turn)"]
    ratio = statistics.median(n["prompt"] / o["prompt"] for o, n in zip(ours, naive, strict=True))
    usage_ok = all(r["usage_calls"] == r["all_calls"] and r["usage_prompt"] == r["all_prompt"] for r in ours)
    print(
        f"\nnaive / segue prompt tokens, median per prompt: {ratio:.2f}x; "
        f"Playlist.usage (planner + narration calls, median {statistics.median(r['all_calls'] for r in ours):g} per playlist) "
        f"equals what the endpoint reported: {usage_ok}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--prompt-version", default="v3")
    parser.add_argument("--real", action="store_true", help="also measure a real model (bench/llm_server.py)")
    parser.add_argument("--cases", type=int, default=40, help="core.yaml cases for --real")
    parser.add_argument("--base-url", help="a running OpenAI-compatible server for --real")
    parser.add_argument("--model", type=Path, help="a GGUF for --real (default: the pinned 1.5B)")
    parser.add_argument("--out", type=Path, help="where --real writes its rows and summary (JSON)")
    parser.add_argument("--deadline", type=float, help="request deadline and call timeout for --real (s); "
                        "default the loopback defaults")
    args = parser.parse_args()

    from agent.deps import get_deps

    deps = get_deps()
    base = deps.settings.model_copy(
        update={
            "provider": "openai",
            "llm_base_url": BASE,
            "openai_api_key": SecretStr("bench"),
            "llm_max_retries": 0,
        }
    )
    agents = {
        "segue (parallel tools)": (dataclasses.replace(deps, settings=base), False),
        "naive (1 tool per turn)": (
            dataclasses.replace(deps, settings=base.model_copy(update={"llm_max_steps": 10, "llm_tool_rounds": 3})),
            True,
        ),
    }
    prompts = load_prompts(args.prompts)
    run_one(prompts[0], agents["segue (parallel tools)"][0], False, 0.0, args.prompt_version)  # warm caches
    results = {
        name: [run_one(p, d, naive, args.latency_ms / 1000, args.prompt_version) for p in prompts]
        for name, (d, naive) in agents.items()
    }
    print_table(results, args.latency_ms)
    if args.real:
        run_real(deps, args)


def run_real(deps: Any, args: argparse.Namespace) -> None:
    import contextlib

    from bench import llm_real, llm_server

    server = contextlib.nullcontext(args.base_url) if args.base_url else llm_server.running(args.model)
    with server as base_url:
        rows = llm_real.measure(base_url, args.cases, deps, out=args.out, deadline_s=args.deadline)
    figures = llm_real.summarise(rows)
    llm_real.print_summary(figures, f"Real model at {base_url}, first {figures['cases']} core.yaml cases "
                                    "(planner tokens exclude narration; wall = whole playlist)")
    if args.out:
        llm_real.write(rows, figures, args.out)


if __name__ == "__main__":
    main()
