"""Run a suite for every variant (prompt version × provider × model) and repeat; score, measure, summarise, gate."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.deps import Deps
from agent.models import GenerateRequest, Playlist
from core.errors import InvalidInput, SegueError
from evals.metrics import compute_metrics
from evals.scorers import Outcome, ScoreContext, score
from evals.suite import Assertion, Case, Suite, Threshold

Progress = Callable[[int, int, str], None]  # (done, total, label)


class Variant(BaseModel):
    """One configuration under test."""

    prompt_version: str = "v1"
    provider: Literal["offline", "openai"] = "offline"
    model: str | None = Field(None, description="Chat model name (openai provider only).")

    @property
    def name(self) -> str:
        return "/".join(p for p in (self.prompt_version, self.provider, self.model if self.provider == "openai" else None) if p)


class CaseResult(BaseModel):
    case_id: str
    variant: str
    repeat: int = 0
    prompt: str
    tags: list[str] = Field(default_factory=list)
    status: Literal["pass", "fail", "error"]
    error: str | None = None
    outcomes: list[Outcome] = Field(default_factory=list)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    tracks: list[str] = Field(default_factory=list, description="'title — artists (year)' in playlist order.")
    segments: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    degraded: bool = False


class ThresholdResult(BaseModel):
    threshold: str
    actual: float | None
    ok: bool


class VariantSummary(BaseModel):
    variant: str
    cases: int
    passed: int
    errors: int
    pass_rate: float
    violations: float
    means: dict[str, float | None]
    thresholds: list[ThresholdResult] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.thresholds)


class EvalRun(BaseModel):
    suite: str
    description: str = ""
    started_at: str
    duration_s: float
    variants: list[str]
    repeat: int
    results: list[CaseResult]
    summaries: list[VariantSummary]
    cache: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, description="What the reader needs to read the columns right.")

    @property
    def passed(self) -> bool:
        return all(s.ok for s in self.summaries)


# --------------------------------------------------------------------------- one case

def build_request(case: Case, variant: Variant, repeat: int) -> GenerateRequest:
    o = case.options
    return GenerateRequest(prompt=case.prompt, user_id=case.user, count=o.count, minutes=o.minutes,
                           allow_explicit=o.allow_explicit, provider=variant.provider,
                           prompt_version=variant.prompt_version, seed=o.seed + repeat)


def run_case(case: Case, variant: Variant, repeat: int, deps: Deps, ctx: ScoreContext,
             assertions: list[Assertion] | None = None) -> CaseResult:
    """Generate (then refine, for a case with follow-ups), then score; a clean refusal passes only when the case
    allows one, a crash is an error."""
    from agent.generate import generate
    from agent.refine import refine

    prompt = " · ".join([case.prompt, *case.refine])
    base = {"case_id": case.id, "variant": variant.name, "repeat": repeat, "prompt": prompt[:300], "tags": case.tags}
    start = time.perf_counter()
    try:
        playlist = generate(build_request(case, variant, repeat), deps)
        for instruction in case.refine:
            ctx = dataclasses.replace(ctx, parent=playlist)
            playlist = refine(playlist, instruction, deps, seed=case.options.seed + repeat).playlist
    except (ValidationError, InvalidInput) as exc:
        refused = Outcome(kind="refused", status="fail" if case.expect == "ok" else "pass",
                          detail=_first_line(exc))
        return CaseResult(**base, status=refused.status, outcomes=[refused])
    except SegueError as exc:
        return CaseResult(**base, status="error", error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a crash is a finding, not the end of the run
        return CaseResult(**base, status="error", error=f"crash: {type(exc).__name__}: {exc}")
    latency = (time.perf_counter() - start) * 1000
    return score_playlist(case, playlist, latency, deps, ctx, base,
                          case.assertions if assertions is None else assertions)


def score_playlist(case: Case, playlist: Playlist, latency_ms: float, deps: Deps, ctx: ScoreContext,
                   base: dict[str, Any], assertions: list[Assertion]) -> CaseResult:
    outcomes = [score(playlist, a.kind, a.args, ctx) for a in assertions]
    if case.expect == "invalid_input":
        outcomes.append(Outcome(kind="refused", status="fail", detail="the request was accepted"))
    failed = any(o.status == "fail" for o in outcomes)
    return CaseResult(
        **base, status="fail" if failed else "pass", outcomes=outcomes,
        metrics=compute_metrics(playlist, deps.catalog, _profile(deps, case.user), latency_ms),
        tracks=[f"{t.title} — {', '.join(t.artists)} ({t.year or '?'})" for t in playlist.tracks],
        segments=[f"[{s.kind} @{s.before_position}] {s.text}" for s in playlist.segments],
        constraints=[f"{'✓' if c.met else '✗'} {c.name}: {c.actual} (asked {c.target})" for c in playlist.constraints],
        degraded=playlist.degraded,
    )


def _profile(deps: Deps, user: str | None) -> Any:
    if not user or deps.profiles is None:
        return None
    try:
        return deps.profiles.get_profile(user)
    except SegueError:
        return None


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc).splitlines()[0][:200]


# --------------------------------------------------------------------------- summaries and gates

def summarise(variant: str, results: list[CaseResult], thresholds: Iterable[Threshold]) -> VariantSummary:
    mine = [r for r in results if r.variant == variant]
    names = sorted({k for r in mine for k in r.metrics})
    values = {k: [r.metrics[k] for r in mine if r.metrics.get(k) is not None] for k in names}
    passed = sum(r.status == "pass" for r in mine)
    summary = VariantSummary(
        variant=variant, cases=len(mine), passed=passed, errors=sum(r.status == "error" for r in mine),
        pass_rate=passed / len(mine) if mine else 0.0,
        violations=sum(r.metrics.get("violations") or 0.0 for r in mine),
        means={k: statistics.fmean(v) if v else None for k, v in values.items()},  # type: ignore[arg-type]
    )
    summary.thresholds = [_check(t, summary, values) for t in thresholds]
    return summary


def _check(t: Threshold, s: VariantSummary, values: dict[str, list]) -> ThresholdResult:
    plain = {"pass_rate": s.pass_rate, "violations": s.violations, "errors": float(s.errors),
             "error_rate": s.errors / s.cases if s.cases else 0.0, "cases": float(s.cases)}
    stat, _, metric = t.metric.partition(".")
    if t.metric in plain:
        actual: float | None = plain[t.metric]
    elif metric and values.get(metric) and stat in ("mean", "max", "min", "median"):
        stats: dict[str, Callable[[list[float]], float]] = {
            "mean": statistics.fmean, "max": max, "min": min, "median": statistics.median}
        fn = stats[stat]
        actual = float(fn(values[metric]))
    else:
        actual = None
    return ThresholdResult(threshold=str(t), actual=actual, ok=t.holds(actual))


# --------------------------------------------------------------------------- the run

def variant_deps(deps: Deps, variant: Variant) -> Deps:
    if variant.provider == "openai" and variant.model:
        return dataclasses.replace(deps, settings=deps.settings.model_copy(update={"llm_model": variant.model}))
    return deps


def warm_up(deps: Deps) -> None:
    """One untimed offline request first, so loading the embedder does not count as the first case's latency."""
    from agent.generate import generate

    try:
        generate(GenerateRequest(prompt="warm up", count=5, provider="offline"), deps)
    except Exception:  # noqa: BLE001 — a failing warm-up shows up again, scored, in the cases
        pass


def default_cache_dir(deps: Deps) -> Path:
    return deps.settings.home / "eval-cache"


OFFLINE_ONLY_NOTE = ("prompt versions only change LLM variants (provider openai); the offline planner is the same "
                     "for every version, so these columns are the same run repeated")


def with_offline_baseline(variants: list[Variant]) -> tuple[list[Variant], list[str]]:
    """An LLM variant is always measured beside the offline planner on the same cases (added first, as the
    base column, when not asked for); offline-only runs of several prompt versions get a note saying why
    their columns agree."""
    notes: list[str] = []
    llm = [v for v in variants if v.provider == "openai"]
    if llm and not any(v.provider == "offline" for v in variants):
        variants = [Variant(prompt_version=llm[0].prompt_version, provider="offline"), *variants]
        notes.append("the offline planner runs beside the LLM variants as the baseline on the same cases")
    if not llm and len({v.prompt_version for v in variants}) > 1:
        notes.append(OFFLINE_ONLY_NOTE)
    return variants, notes


def run_suite(suite: Suite, variants: list[Variant], deps: Deps, *, repeat: int = 1, cache_dir: Path | None = None,
              progress: Progress | None = None) -> EvalRun:
    """Every case × variant × repeat, with LLM responses cached on disk (namespace = repeat index)."""
    variants, notes = with_offline_baseline(variants)
    from evals.cache import llm_cache
    from evals.judge import judge_for

    started, t0 = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    # interleaved, alternating which variant goes first: per-prompt caches warm both variants equally
    jobs = [(v, r, c) for n, c in enumerate(suite.cases) for r in range(repeat)
            for v in (variants if n % 2 == 0 else variants[::-1])]
    results: list[CaseResult] = []
    warm_up(deps)
    with llm_cache(cache_dir or default_cache_dir(deps)) as cache:
        for done, (variant, rep, case) in enumerate(jobs, 1):
            cache.namespace = f"repeat-{rep}"
            vdeps = variant_deps(deps, variant)
            ctx = ScoreContext(catalog=deps.catalog, judge=judge_for(vdeps, suite))
            results.append(run_case(case, variant, rep, vdeps, ctx, suite.assertions_for(case)))
            if progress:
                progress(done, len(jobs), f"{variant.name} · {case.id}")
        stats = {"dir": str(cache.directory), "hits": cache.hits, "misses": cache.misses}
    names = list(dict.fromkeys(v.name for v in variants))
    return EvalRun(suite=suite.name, description=suite.description, started_at=started,
                   duration_s=round(time.perf_counter() - t0, 2), variants=names, repeat=repeat, results=results,
                   summaries=[summarise(n, results, suite.thresholds) for n in names], cache=stats, notes=notes)
