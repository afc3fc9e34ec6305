"""`segue eval run` (suites → side-by-side reports, non-zero exit when a threshold fails) and `segue eval bench`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.output import console, err, escape, print_json, progress_bar

THRESHOLD_FAILED = 6

eval_app = typer.Typer(help="Prompt evals: run suites against prompt versions and models; real-data benchmarks.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


@eval_app.command("run", help="Run a suite for every variant (prompt version × provider × model) and write "
                   "report.md, report.json and report.html.\n\nExit code 6 when a suite threshold fails.\n\n"
                   "Example:  segue eval run evals/suites/core.yaml --prompts v1 --prompts v2 --out eval-out")
def run(
    suite: Annotated[Path, typer.Argument(help="Suite file (YAML or JSONL).")],
    prompts: Annotated[list[str] | None, typer.Option("--prompts", help="Prompt version; repeat to compare.")] = None,
    provider: Annotated[list[str] | None, typer.Option(help="offline or openai; repeat to compare.")] = None,
    model: Annotated[list[str] | None, typer.Option(help="Chat model (openai provider); repeat to compare.")] = None,
    repeat: Annotated[int, typer.Option(min=1, max=20, help="Runs per case (seed + i).")] = 1,
    out: Annotated[Path | None, typer.Option(help="Report directory (default <home>/eval-runs/<suite>).")] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Model-response cache (default <home>/eval-cache).")] = None,
) -> None:
    from evals.report import print_summary
    from evals.report_files import write_reports
    from evals.runner import run_suite
    from evals.suite import load_suite

    loaded = load_suite(suite)
    variants = build_variants(prompts, provider, model)
    with progress_bar() as bar:
        from agent.deps import get_deps

        deps = get_deps(progress=bar)
        result = run_suite(loaded, variants, deps, repeat=repeat, cache_dir=cache_dir,
                           progress=(lambda done, total, label: bar("eval " + loaded.name, done, total)) if bar else None)
    paths = write_reports(result, out or deps.settings.home / "eval-runs" / loaded.name)
    print_summary(result, console)
    console.print(f"  reports: {escape(str(paths['html']))} · report.md · report.json")
    if not result.passed:
        err.print("[bold red]threshold failed[/]")
        raise typer.Exit(THRESHOLD_FAILED)


def build_variants(prompts: list[str] | None, providers: list[str] | None, models: list[str] | None):
    """The cross product prompt version × provider × model (models only matter for openai)."""
    from core.errors import InvalidInput
    from core.settings import get_settings
    from evals.runner import Variant

    settings = get_settings()
    bad = [p for p in providers or [] if p not in ("offline", "openai")]
    if bad:
        raise InvalidInput(f"unknown provider {bad[0]!r}; use offline or openai")
    out: list[Variant] = []
    for version in prompts or [settings.prompt_version]:
        for prov in providers or [settings.resolved_provider()]:
            for name in (models or [settings.llm_model]) if prov == "openai" else [None]:
                out.append(Variant(prompt_version=version, provider=prov, model=name))  # type: ignore[arg-type]
    return out


@eval_app.command("bench", help="Real-data benchmark: Segue against random, most-popular, dense-only and BM25 "
                  "baselines.\n\nplaylists: playlist titles → their tracks.  cpcd: CPCD first turns → goal playlists.  "
                  "mood: prompt valence/energy targets against Deezer valence/arousal labels (Spearman).")
def bench(
    name: Annotated[str, typer.Argument(help="playlists, cpcd or mood")],
    limit: Annotated[int | None, typer.Option(min=1, help="Sample this many queries (seeded); default 100 playlists, all CPCD.")] = None,
    seed: Annotated[int, typer.Option(help="Sampling and random-baseline seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    fold: Annotated[str, typer.Option(help="measure: the half no learned model read (reported figures); "
                                           "learn: the half they read (tune there).")] = "measure",
) -> None:
    from core.errors import InvalidInput
    from evals.benchmarks import run_benchmark

    if name not in ("playlists", "cpcd", "mood"):
        raise InvalidInput(f"unknown benchmark {name!r}; use playlists, cpcd or mood")
    if fold not in ("measure", "learn"):
        raise InvalidInput(f"unknown fold {fold!r}; use measure or learn")
    with progress_bar(not as_json) as bar:
        from agent.deps import get_deps

        deps = get_deps(progress=bar)
        result = run_benchmark(name, deps, limit=limit, seed=seed, progress=bar, fold=fold)  # type: ignore[arg-type]
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        from evals.benchmarks.common import print_table

        print_table(result, console)
