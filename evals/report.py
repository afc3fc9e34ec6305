"""Eval reports, variants side by side: the rows every format shares, the terminal table (rich) and report.md."""

from __future__ import annotations

from typing import Any

from evals.metrics import HIGHER_IS_BETTER
from evals.runner import CaseResult, EvalRun, VariantSummary

KEY_METRICS = ("coherence", "artist_entropy", "ild", "novelty", "camelot_pct", "mean_dbpm", "arc_fit", "grounded",
               "violations", "degraded", "tool_use", "latency_ms", "model_calls", "prompt_tokens", "completion_tokens")


def fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "–"
    if metric in ("latency_ms", "mean_dbpm", "camelot_pct", "prompt_tokens", "completion_tokens", "minutes"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def delta(base: float | None, value: float | None, metric: str) -> tuple[str, str]:
    """('▲ 0.012', 'better' | 'worse' | 'same' | 'neutral') of value against the baseline variant."""
    if base is None or value is None:
        return "", "neutral"
    d = value - base
    if abs(d) < 1e-9:
        return "= 0", "same"
    arrow = "▲" if d > 0 else "▼"
    direction = HIGHER_IS_BETTER.get(metric, True) if metric != "pass_rate" else True
    verdict = "neutral" if direction is None else ("better" if (d > 0) == direction else "worse")
    return f"{arrow} {abs(d):.3g}", verdict


def summary_rows(run: EvalRun) -> list[tuple[str, list[float | None]]]:
    """(metric, value per variant) rows shared by every format."""
    rows: list[tuple[str, list[float | None]]] = [
        ("pass_rate", [s.pass_rate for s in run.summaries]),
        ("errors", [float(s.errors) for s in run.summaries]),
    ]
    for m in KEY_METRICS:
        if any(s.means.get(m) is not None for s in run.summaries):
            vals = [s.violations if m == "violations" else s.means.get(m) for s in run.summaries]
            rows.append((m if m != "violations" else "violations (total)", vals))
    return rows


def tag_rates(run: EvalRun) -> list[tuple[str, list[float | None]]]:
    """Pass rate per case tag and variant (what kind of prompt regressed)."""
    tags = sorted({t for r in run.results for t in r.tags})
    rows = []
    for tag in tags:
        rates = []
        for v in run.variants:
            mine = [r for r in run.results if r.variant == v and tag in r.tags]
            rates.append(sum(r.status == "pass" for r in mine) / len(mine) if mine else None)
        rows.append((tag, rates))
    return rows


def case_matrix(run: EvalRun) -> list[tuple[str, dict[str, list[CaseResult]]]]:
    """Case id → variant → its results (one per repeat), in suite order."""
    order: dict[str, dict[str, list[CaseResult]]] = {}
    for r in run.results:
        order.setdefault(r.case_id, {}).setdefault(r.variant, []).append(r)
    return list(order.items())


def cell_status(results: list[CaseResult]) -> str:
    if not results:
        return "missing"
    if any(r.status == "error" for r in results):
        return "error"
    return "pass" if all(r.status == "pass" for r in results) else "fail"


def differing(run: EvalRun) -> list[str]:
    """Cases whose pass/fail differs between variants."""
    return [cid for cid, by in case_matrix(run) if len({cell_status(by.get(v, [])) for v in run.variants}) > 1]


def failure_text(r: CaseResult) -> str:
    if r.error:
        return r.error
    return "; ".join(f"{o.kind}: {o.detail}" for o in r.outcomes if o.status == "fail")


# --------------------------------------------------------------------------- terminal

def print_summary(run: EvalRun, console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{run.suite} · {len(run.results)} runs · {run.duration_s:.0f}s", header_style="bold cyan")
    table.add_column("metric")
    for n, v in enumerate(run.variants):
        table.add_column(escape(v) + (" (base)" if n == 0 and len(run.variants) > 1 else ""), justify="right")
    colours = {"better": "green", "worse": "red", "same": "dim", "neutral": "dim"}
    for metric, vals in summary_rows(run):
        cells = []
        for n, value in enumerate(vals):
            text, verdict = delta(vals[0], value, metric.split()[0]) if n else ("", "")
            cells.append(fmt(value, metric) + (f" [{colours[verdict]}]{text}[/]" if text else ""))
        table.add_row(metric, *cells)
    console.print(table)
    for note in run.notes:
        console.print(f"  [yellow]note:[/] {escape(note)}")
    for s in run.summaries:
        for t in s.thresholds:
            mark = "[green]✓[/]" if t.ok else "[bold red]✗[/]"
            console.print(f"  {mark} {escape(s.variant)}: {escape(t.threshold)} (actual {fmt(t.actual)})")
    diffs = differing(run)
    if diffs:
        console.print(f"  [yellow]{len(diffs)} case(s) differ between variants:[/] {escape(', '.join(diffs[:12]))}")
    failed = [r for r in run.results if r.status != "pass"]
    for r in failed[:15]:
        console.print(f"  [red]✗[/] {escape(r.variant)} · {escape(r.case_id)}: {escape(failure_text(r)[:160])}")
    if len(failed) > 15:
        console.print(f"  [dim]… {len(failed) - 15} more failures in report.md[/]")


# --------------------------------------------------------------------------- markdown

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(run: EvalRun) -> str:
    lines = [f"# Eval report: {run.suite}", "", run.description, "",
             f"{run.started_at} · {len(run.results)} runs · {run.duration_s:.1f}s · repeat {run.repeat} · "
             f"cache {run.cache.get('hits', 0)} hits / {run.cache.get('misses', 0)} misses · "
             f"**{'PASS' if run.passed else 'FAIL'}**", "",
             *[f"> note: {note}" for note in run.notes], *([""] if run.notes else []),
             "| metric | " + " | ".join(run.variants) + " |", "|---" * (len(run.variants) + 1) + "|"]
    for metric, vals in summary_rows(run):
        cells = [fmt(v, metric) + (" " + delta(vals[0], v, metric.split()[0])[0] if n else "") for n, v in enumerate(vals)]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    lines += ["", "## Pass rate by tag", "", "| tag | " + " | ".join(run.variants) + " |",
              "|---" * (len(run.variants) + 1) + "|"]
    lines += [f"| {tag} | " + " | ".join(fmt(v) for v in vals) + " |" for tag, vals in tag_rates(run)]
    lines += ["", "## Thresholds", ""]
    lines += [f"- {'✓' if t.ok else '✗'} {s.variant}: `{t.threshold}` (actual {fmt(t.actual)})"
              for s in run.summaries for t in s.thresholds] or ["(none)"]
    lines += ["", "## Cases that differ between variants", ""]
    matrix = dict(case_matrix(run))
    lines += [f"- `{cid}`: " + ", ".join(f"{v} {cell_status(matrix[cid].get(v, []))}" for v in run.variants)
              for cid in differing(run)] or ["(none)"]
    lines += ["", "## Failures", ""]
    lines += [f"- {r.variant} · `{r.case_id}` (repeat {r.repeat}): {_md_cell(failure_text(r))}"
              for r in run.results if r.status != "pass"] or ["(none)"]
    return "\n".join(lines) + "\n"


def summary_for(run: EvalRun, variant: str) -> VariantSummary:
    return next(s for s in run.summaries if s.variant == variant)
