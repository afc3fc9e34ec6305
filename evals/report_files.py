"""Write an eval run to disk: report.json, report.md and a self-contained report.html."""

from __future__ import annotations

import json
from pathlib import Path

from evals.report import differing, markdown
from evals.report_html import html_report
from evals.runner import EvalRun


def write_reports(run: EvalRun, out: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into `out`; returns the paths by format."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    data = run.model_dump(mode="json") | {"passed": run.passed,
                                          "differing_cases": differing(run)}
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(markdown(run), encoding="utf-8")
    paths["html"].write_text(html_report(run), encoding="utf-8")
    return paths
