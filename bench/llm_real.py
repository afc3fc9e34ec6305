"""The LLM planner against a real model: the cases of evals/suites/core.yaml run offline and on the model.

Per case: both playlists are scored with the suite's own assertions (pass/fail) and metrics (hard-constraint
violations); the model run records whether it degraded, whether its model ran look-up tools before the plan,
the planner's own calls and tokens (narration excluded: snapshotted when the plan is made) and the playlist's
wall time. `python bench/llm.py --real` prints the summary beside the mocked figures.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import time
from pathlib import Path
from typing import Any

from core.settings import REPO_ROOT

SUITE = REPO_ROOT / "evals" / "suites" / "core.yaml"


def subset(n: int) -> tuple[Any, list[Any]]:
    """The suite and its first n cases (suite order) that expect a playlist."""
    from evals.suite import load_suite

    suite = load_suite(SUITE)
    return suite, [c for c in suite.cases if c.expect == "ok"][:n]


def run_case(case: Any, suite: Any, deps: Any, provider: str) -> dict[str, Any]:
    from agent.generate import generate
    from evals.runner import Variant, build_request, score_playlist
    from evals.scorers import ScoreContext

    planner: dict[str, Any] = {}

    def on_event(kind: str, model: Any) -> None:
        if kind == "spec":
            planner.update(model.usage.model_dump())

    request = build_request(case, Variant(prompt_version=deps.settings.prompt_version, provider=provider), 0)  # type: ignore[arg-type]
    start = time.perf_counter()
    playlist = generate(request, deps, on_event=on_event)
    wall_ms = (time.perf_counter() - start) * 1000
    ctx = ScoreContext(catalog=deps.catalog, judge=None)
    scored = score_playlist(case, playlist, wall_ms, deps, ctx, {"case_id": case.id, "variant": provider,
                                                                 "prompt": case.prompt}, suite.assertions_for(case))
    return {"case": case.id, "provider": provider, "pass": scored.status == "pass",
            "violations": scored.metrics.get("violations") or 0.0, "degraded": playlist.degraded,
            "reason": playlist.degraded_reason, "tools": planner.get("tool_calls", {}),
            "planner_calls": planner.get("model_calls", 0), "planner_prompt": planner.get("prompt_tokens", 0),
            "planner_completion": planner.get("completion_tokens", 0), "wall_ms": wall_ms,
            "plan_ms": playlist.timings_ms.get("plan", 0.0), "notes": playlist.usage.notes,
            "failed": [o.kind for o in scored.outcomes if o.status == "fail"]}


def measure(base_url: str, n: int, deps: Any, progress: bool = True, out: Path | None = None,
            deadline_s: float | None = None) -> list[dict[str, Any]]:
    """Each case offline, then on the model at `base_url`; rows in case order (also written to `out` after
    every case, so a long run that is stopped keeps what it measured)."""
    suite, cases = subset(n)
    changes = {"request_deadline_s": deadline_s, "llm_timeout_s": deadline_s} if deadline_s else {}
    settings = deps.settings.pointed_at(base_url, **changes)  # what a listener's loopback URL gets
    model_deps = dataclasses.replace(deps, settings=settings)
    rows = []
    for i, case in enumerate(cases, 1):
        rows.append(run_case(case, suite, deps, "offline"))
        rows.append(run_case(case, suite, model_deps, "openai"))
        if progress:
            r = rows[-1]
            print(f"[{i}/{len(cases)}] {case.id}: pass {r['pass']} degraded {r['degraded']} tools {r['tools']} "
                  f"prompt {r['planner_prompt']} compl {r['planner_completion']} wall {r['wall_ms'] / 1000:.1f}s",
                  flush=True)
        if out is not None:
            write(rows, summarise(rows), out)
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    model = [r for r in rows if r["provider"] == "openai"]
    offline = [r for r in rows if r["provider"] == "offline"]
    held = [r for r in model if not r["degraded"]]
    med = lambda key, rs: statistics.median(r[key] for r in rs) if rs else float("nan")  # noqa: E731
    return {
        "cases": len(model),
        "pass_rate_model": sum(r["pass"] for r in model) / len(model),
        "pass_rate_offline": sum(r["pass"] for r in offline) / len(offline),
        "violations_model": sum(r["violations"] for r in model),
        "violations_offline": sum(r["violations"] for r in offline),
        "degraded_rate": 1 - len(held) / len(model),
        "tool_use_rate": sum(bool(r["tools"]) for r in held) / len(held) if held else 0.0,
        "median_planner_prompt_tokens": med("planner_prompt", held),
        "median_planner_completion_tokens": med("planner_completion", held),
        "median_planner_calls": med("planner_calls", held),
        "median_wall_s": med("wall_ms", model) / 1000,
        "median_plan_s": med("plan_ms", model) / 1000,
        "median_wall_s_offline": med("wall_ms", offline) / 1000,
    }


GOALS = {"violations_model": ("<=", 0), "degraded_rate": ("<=", 0.10), "tool_use_rate": (">=", 0.90),
         "median_planner_prompt_tokens": ("<=", 1500), "median_planner_completion_tokens": ("<=", 300),
         "median_wall_s": ("<=", 15)}


def print_summary(figures: dict[str, float], title: str) -> None:
    print(f"\n{title}")
    for key, value in figures.items():
        goal, verdict = GOALS.get(key), ""
        if goal is not None:
            met = value <= goal[1] if goal[0] == "<=" else value >= goal[1]
            verdict = f"  {'ok' if met else 'MISSED'} (goal {goal[0]} {goal[1]:g})"
        print(f"  {key:<34}{float(value):>10.3f}{verdict}")


def write(rows: list[dict[str, Any]], figures: dict[str, float], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": figures, "rows": rows}, indent=1, default=str), encoding="utf-8")
