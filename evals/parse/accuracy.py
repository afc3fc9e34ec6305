"""Field-level parse accuracy of the offline planner on the labelled prompt set.

Every field is scored on every prompt: a field a row does not label is expected at its default, so a
spurious genre or a made-up count is an error too. Besides the all-prompt figure, the "active" column
scores only the prompts where the label or the prediction is not the default (the harder cases).
Rows marked "split": "holdout" were labelled after the parser was tuned and are also reported alone.

    python -m evals.parse.accuracy [--failures]"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.models import PlaylistSpec
from agent.planner.lexicon import GENRE_ALIASES
from tools.catalog import Catalog
from tools.normalize import fold, norm_artist

LABELS = Path(__file__).with_name("labelled_prompts.jsonl")
FIELDS = ("count", "minutes", "max_track_minutes", "explicit", "exclude_artists", "exclude_genres", "year_min",
          "year_max", "tempo", "genres", "seed_artists", "moods", "arc", "discovery", "taste", "narration")
DEFAULTS: dict[str, Any] = {"explicit": "allow", "exclude_artists": [], "exclude_genres": [], "genres": [],
                            "seed_artists": [], "moods": [], "discovery": "mid", "taste": "mid",
                            "narration": "radio", "tempo": {"min": None, "max": None, "target": None}}


def bucket(value: float) -> str:
    return "low" if value < 0.35 else "high" if value > 0.65 else "mid"


def canonical_genre(genre: str) -> str:
    key = fold(genre)
    return fold(GENRE_ALIASES.get(key, GENRE_ALIASES.get(genre.lower(), genre)))


def observed(spec: PlaylistSpec) -> dict[str, Any]:
    """The scored view of a spec, in the label vocabulary."""
    return {
        "count": spec.count, "minutes": spec.minutes, "max_track_minutes": spec.max_track_minutes,
        "explicit": spec.explicit, "exclude_artists": spec.exclude_artists, "exclude_genres": spec.exclude_genres,
        "year_min": spec.year_min, "year_max": spec.year_max,
        "tempo": {"min": spec.tempo_min, "max": spec.tempo_max, "target": spec.tempo_target},
        "genres": spec.genres, "seed_artists": spec.seed_artists, "moods": spec.moods, "arc": spec.arc,
        "discovery": bucket(spec.discovery), "taste": bucket(spec.taste_weight), "narration": spec.narration,
    }


def _as_set(values: Iterable[str], key: Callable[[str], str]) -> frozenset[str]:
    return frozenset(key(v) for v in values)


def same(name: str, expected: Any, got: Any) -> bool:
    if name in ("genres", "exclude_genres"):
        return _as_set(expected, canonical_genre) == _as_set(got, canonical_genre)
    if name in ("seed_artists", "exclude_artists"):
        return _as_set(expected, norm_artist) == _as_set(got, norm_artist)
    if name == "moods":
        return set(expected) == set(got)
    if name == "tempo":
        exp = DEFAULTS["tempo"] | expected
        return all(_num(exp[k]) == _num(got[k]) for k in ("min", "max", "target"))
    if isinstance(expected, (int, float)) or isinstance(got, (int, float)):
        return _num(expected) == _num(got)
    return expected == got


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass
class FieldScore:
    correct: int = 0
    total: int = 0
    active_correct: int = 0
    active_total: int = 0


@dataclass
class Report:
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    failures: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    prompts: int = 0

    def accuracy(self, names: Iterable[str] = FIELDS, active: bool = False) -> float:
        scores = [self.fields[n] for n in names]
        total = sum(s.active_total if active else s.total for s in scores)
        correct = sum(s.active_correct if active else s.correct for s in scores)
        return correct / total if total else 1.0


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(catalog: Catalog, rows: list[dict[str, Any]], names: Iterable[str] = FIELDS) -> Report:
    from agent.planner.offline import parse_prompt

    report = Report()
    for row in rows:
        got = observed(parse_prompt(row["prompt"], catalog))
        report.prompts += 1
        for name in names:
            expected = row["expect"].get(name, DEFAULTS.get(name))
            ok = same(name, expected, got[name])
            default = DEFAULTS.get(name)
            active = not (same(name, default, got[name]) and same(name, default, expected))
            score = report.fields[name]
            score.total += 1
            score.correct += ok
            score.active_total += active
            score.active_correct += ok and active
            if not ok:
                report.failures.append((row["prompt"], name, expected, got[name]))
    return report


def render(report: Report) -> str:
    lines = [f"{'field':<18}{'correct':>9}{'labelled':>10}{'acc':>8}{'active':>14}{'acc':>8}"]
    for name, s in report.fields.items():
        if not s.total:
            continue
        acc = s.correct / s.total
        act = f"{s.active_correct}/{s.active_total}"
        act_acc = f"{s.active_correct / s.active_total:.1%}" if s.active_total else "-"
        lines.append(f"{name:<18}{s.correct:>9}{s.total:>10}{acc:>8.1%}{act:>14}{act_acc:>8}")
    lines.append(f"{'overall':<18}{'':>9}{'':>10}{report.accuracy():>8.1%}{'':>14}{report.accuracy(active=True):>8.1%}")
    lines.append(f"{report.prompts} prompts")
    return "\n".join(lines)


def _real_catalog() -> Catalog:
    """The real catalog of the configured store (the process-wide deps, or the catalog alone)."""
    from agent.deps import get_deps
    from core.errors import SegueError
    from core.settings import get_settings
    from tools.ingest import open_catalog

    try:
        return get_deps().catalog
    except (SegueError, TypeError, ImportError):
        return open_catalog(get_settings(), auto_ingest=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list every mismatch")
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    catalog = _real_catalog()
    rows = load_labels(args.labels)
    report = evaluate(catalog, rows)
    print(render(report))
    holdout = evaluate(catalog, [r for r in rows if r.get("split") == "holdout"])
    if holdout.prompts:
        print(f"held-out prompts (written after the parser was tuned): {holdout.prompts}, "
              f"overall {holdout.accuracy():.1%}, active {holdout.accuracy(active=True):.1%}")
    if args.failures:
        for prompt, name, expected, got in report.failures:
            print(f"- {name}: expected {expected!r} got {got!r}  ← {prompt!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
