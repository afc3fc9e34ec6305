"""report.html: one self-contained page (inline CSS, SVG and a few lines of JS, no network) comparing variants."""

from __future__ import annotations

from html import escape

from evals.report import KEY_METRICS, case_matrix, cell_status, delta, differing, fmt, summary_rows, tag_rates
from evals.runner import CaseResult, EvalRun

PALETTE = ("#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2")
MARK = {"pass": "✓", "fail": "✗", "error": "⚠", "missing": "·"}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111;background:#fafafa}
h1{margin:0 0 4px} h2{margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555} .badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.ok{background:#059669} .bad{background:#dc2626}
table{border-collapse:collapse;background:#fff;margin:6px 0} th,td{border:1px solid #e5e5e5;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6} td.num{text-align:right;font-variant-numeric:tabular-nums}
.better{color:#059669} .worse{color:#dc2626} .same,.neutral{color:#888}
.pass{color:#059669;font-weight:600} .fail{color:#dc2626;font-weight:600} .error{color:#b45309;font-weight:600}
tr.diff td:first-child{border-left:4px solid #d97706} .charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{background:#fff;border:1px solid #e5e5e5;padding:6px} details summary{cursor:pointer}
.small{font-size:12px;color:#444} .legend span{margin-right:14px} ol{margin:4px 0;padding-left:22px}
"""

JS = """
function filterRows(){const d=document.getElementById('onlydiff').checked,f=document.getElementById('onlyfail').checked;
document.querySelectorAll('#cases tbody tr').forEach(r=>{const show=(!d||r.classList.contains('diff'))&&(!f||r.dataset.fail==='1');
r.style.display=show?'':'none';});}
"""


def colour(n: int) -> str:
    return PALETTE[n % len(PALETTE)]


def html_report(run: EvalRun) -> str:
    parts = [_header(run), _summary_table(run), _thresholds(run), _tags(run), _charts(run), _cases(run)]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Segue eval · {escape(run.suite)}</title><style>{CSS}</style></head><body>"
            + "".join(parts) + f"<script>{JS}</script></body></html>")


def _header(run: EvalRun) -> str:
    badge = "<span class='badge ok'>PASS</span>" if run.passed else "<span class='badge bad'>FAIL</span>"
    legend = "".join(f"<span style='color:{colour(n)}'>● {escape(v)}</span>" for n, v in enumerate(run.variants))
    return (f"<h1>Segue eval: {escape(run.suite)} {badge}</h1><div class='meta'>{escape(run.description)}</div>"
            f"<div class='meta'>{escape(run.started_at)} · {len(run.results)} runs · {run.duration_s:.1f}s · "
            f"repeat {run.repeat} · model-response cache: {run.cache.get('hits', 0)} hits, "
            f"{run.cache.get('misses', 0)} misses</div><p class='legend'>{legend}</p>")


def _summary_table(run: EvalRun) -> str:
    head = "".join(f"<th style='color:{colour(n)}'>{escape(v)}{' (base)' if n == 0 and len(run.variants) > 1 else ''}</th>"
                   for n, v in enumerate(run.variants))
    rows = []
    for metric, vals in summary_rows(run):
        cells = []
        for n, v in enumerate(vals):
            text, verdict = delta(vals[0], v, metric.split()[0]) if n else ("", "")
            arrow = f" <span class='{verdict}'>{escape(text)}</span>" if text else ""
            cells.append(f"<td class='num'>{fmt(v, metric)}{arrow}</td>")
        rows.append(f"<tr><td>{escape(metric)}</td>{''.join(cells)}</tr>")
    return f"<h2>Side by side</h2><table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>" \
           "<div class='small'>▲/▼: change against the first variant; green = better, red = worse, grey = no preferred direction.</div>"


def _thresholds(run: EvalRun) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.variant)}</td><td><code>{escape(t.threshold)}</code></td><td class='num'>{fmt(t.actual)}</td>"
        f"<td class='{'pass' if t.ok else 'fail'}'>{'✓ holds' if t.ok else '✗ fails'}</td></tr>"
        for s in run.summaries for t in s.thresholds)
    return "<h2>Thresholds</h2>" + (f"<table><tr><th>variant</th><th>threshold</th><th>actual</th><th></th></tr>{rows}</table>"
                                     if rows else "<p>none</p>")


def _tags(run: EvalRun) -> str:
    rows = []
    for tag, vals in tag_rates(run):
        cells = []
        for n, v in enumerate(vals):
            text, verdict = delta(vals[0], v, "pass_rate") if n else ("", "")
            cells.append(f"<td class='num'>{fmt(v)}{f' <span class={verdict}>{escape(text)}</span>' if text else ''}</td>")
        rows.append(f"<tr><td>{escape(tag)}</td>{''.join(cells)}</tr>")
    head = "".join(f"<th>{escape(v)}</th>" for v in run.variants)
    return f"<h2>Pass rate by tag</h2><table><tr><th>tag</th>{head}</tr>{''.join(rows)}</table>" if rows else ""


# --------------------------------------------------------------------------- charts

def strip_chart(metric: str, series: list[tuple[str, list[float]]], width: int = 330) -> str:
    """One row of dots per variant (every case's value) with a bar at the mean; inline SVG."""
    values = [x for _, xs in series for x in xs]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    row_h, left, right = 26, 8, 8
    height = 34 + row_h * len(series)

    def x_of(v: float) -> float:
        return left + (v - lo) / span * (width - left - right)

    out = [f"<svg width='{width}' height='{height}' role='img' "
           f"aria-label='{escape(metric)} distribution'><text x='4' y='13' font-size='12' font-weight='600'>{escape(metric)}</text>"]
    for n, (_, xs) in enumerate(series):
        y = 28 + n * row_h
        out.append(f"<line x1='{left}' x2='{width - right}' y1='{y}' y2='{y}' stroke='#eee'/>")
        for i, v in enumerate(xs):
            jitter = ((i * 37) % 11 - 5) * 0.9
            out.append(f"<circle cx='{x_of(v):.1f}' cy='{y + jitter:.1f}' r='2.6' fill='{colour(n)}' fill-opacity='0.45'/>")
        if xs:
            m = sum(xs) / len(xs)
            out.append(f"<rect x='{x_of(m) - 1.5:.1f}' y='{y - 9}' width='3' height='18' fill='{colour(n)}'>"
                       f"<title>mean {m:.3f}</title></rect>")
    out.append(f"<text x='{left}' y='{height - 4}' font-size='10' fill='#666'>{lo:.3g}</text>"
               f"<text x='{width - right}' y='{height - 4}' font-size='10' fill='#666' text-anchor='end'>{hi:.3g}</text></svg>")
    return "".join(out)


def pass_rate_chart(run: EvalRun, width: int = 330) -> str:
    bar_h = 22
    height = 24 + bar_h * len(run.summaries)
    out = [f"<svg width='{width}' height='{height}'>"
           "<text x='4' y='13' font-size='12' font-weight='600'>pass rate</text>"]
    for n, s in enumerate(run.summaries):
        y = 20 + n * bar_h
        w = s.pass_rate * (width - 70)
        out.append(f"<rect x='4' y='{y}' width='{w:.1f}' height='{bar_h - 6}' fill='{colour(n)}'/>"
                   f"<text x='{w + 8:.1f}' y='{y + 12}' font-size='11'>{s.pass_rate:.1%}</text>")
    return "".join(out) + "</svg>"


def _charts(run: EvalRun) -> str:
    charts = [pass_rate_chart(run)]
    for metric in KEY_METRICS:
        series = [(v, [r.metrics[metric] for r in run.results if r.variant == v and r.metrics.get(metric) is not None])
                  for v in run.variants]
        values = {x for _, xs in series for x in xs}
        if len(values) > 1:  # a metric that is the same everywhere says nothing as a chart
            charts.append(strip_chart(metric, series))  # type: ignore[arg-type]
    return "<h2>Metric distributions</h2><div class='charts'>" + "".join(
        f"<div class='chart'>{c}</div>" for c in charts if c) + "</div>"


# --------------------------------------------------------------------------- per-case diff

def _cell(results: list[CaseResult]) -> str:
    status = cell_status(results)
    if not results:
        return "<td>·</td>"
    r = next((x for x in results if x.status != "pass"), results[0])
    lines = [f"<div class='small'>{escape(o.kind)}: <span class='{o.status}'>{o.status}</span> — {escape(o.detail)}</div>"
             for o in r.outcomes]
    if r.error:
        lines.insert(0, f"<div class='error'>{escape(r.error)}</div>")
    tracks = "".join(f"<li>{escape(t)}</li>" for t in r.tracks)
    talk = "".join(f"<div class='small'><i>{escape(s)}</i></div>" for s in r.segments)
    cons = "".join(f"<div class='small'>{escape(c)}</div>" for c in r.constraints)
    tally = f" {sum(x.status == 'pass' for x in results)}/{len(results)}" if len(results) > 1 else ""
    return (f"<td><details><summary class='{status}'>{MARK[status]} {status}{tally}</summary>{''.join(lines)}{cons}"
            f"{talk}<ol class='small'>{tracks}</ol></details></td>")


def _cases(run: EvalRun) -> str:
    diff = set(differing(run))
    head = "".join(f"<th style='color:{colour(n)}'>{escape(v)}</th>" for n, v in enumerate(run.variants))
    rows = []
    for cid, by in case_matrix(run):
        first = next(iter(by.values()))[0]
        failing = any(cell_status(by.get(v, [])) != "pass" for v in run.variants)
        cells = "".join(_cell(by.get(v, [])) for v in run.variants)
        rows.append(f"<tr class='{'diff' if cid in diff else ''}' data-fail='{int(failing)}'><td><b>{escape(cid)}</b>"
                    f"<div class='small'>{escape(first.prompt[:160])}</div></td>{cells}</tr>")
    controls = ("<label><input type='checkbox' id='onlydiff' onchange='filterRows()'> only cases that differ "
                f"({len(diff)})</label> &nbsp; <label><input type='checkbox' id='onlyfail' onchange='filterRows()'> "
                "only cases with a failure</label>")
    return (f"<h2>Per-case pass/fail</h2>{controls}<table id='cases'><thead><tr><th>case</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
