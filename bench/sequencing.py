"""Sequencing benchmark: Segue's order vs the same tracks in random order vs sorted by energy, over a few hundred
playlists built on the real catalog from the eval prompts; plus sequencing time for 30 and 100 tracks and the
relevance cost of selection. Run: `python -m bench.sequencing [--limit N] [--json]`."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from agent.camelot import bpm_distance, compatible
from agent.models import Arc, GenerateRequest, Track
from agent.sequencing import energy_targets, sequence
from tools.normalize import norm_artist

SUITES = Path(__file__).resolve().parent.parent / "evals" / "suites"
GENRES = ("indie rock", "hip hop", "house", "jazz", "country", "metal", "r&b", "pop punk", "folk", "techno",
          "soul", "reggaeton", "k-pop", "latin", "edm")
MOODS = ("for a run", "to focus", "for a dinner party", "on a rainy day", "to wind down", "for a road trip",
         "for a house party", "sad and slow", "sunny and happy")
ARC_WORDS = {"start slow and build": "rise", "wind down at the end": "fall", "": None}


def prompts(limit: int) -> list[str]:
    """Eval-suite prompts first, then genre × mood × arc combinations, `limit` in all."""
    import yaml

    out: list[str] = []
    for name in ("core.yaml", "adversarial.yaml"):
        path = SUITES / name
        if path.exists():
            cases = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases", [])
            out += [c["prompt"] for c in cases if isinstance(c, dict) and isinstance(c.get("prompt"), str)]
    rng = random.Random(7)
    while len(out) < limit:
        out.append(f"{rng.choice(GENRES)} {rng.choice(MOODS)} {rng.choice(list(ARC_WORDS))}".strip())
    return out[:limit]


@dataclass
class Orders:
    """One playlist: the chosen tracks in each ordering, its arc, and its relevance figures."""

    segue: list[Track]
    arc: Arc | None
    relevance: float
    top_relevance: float
    rand: list[Track] = field(default_factory=list)
    energy: list[Track] = field(default_factory=list)


def build(prompt: str, deps, count: int | None = None) -> Orders | None:
    """The generate() pipeline up to sequencing, keeping candidate scores for the relevance comparison."""
    from agent.candidates import gather
    from agent.planner import plan
    from agent.policy import policy_for
    from agent.selection import allowed_tracks, select

    request = GenerateRequest(prompt=prompt, count=count)
    planned = plan(request, deps)
    policy = policy_for(request, planned.spec, None, deps)
    candidates = gather(planned.spec, policy, deps.catalog) + planned.extra_candidates
    chosen = select(candidates, planned.spec, policy, None, 0, catalog=deps.catalog).tracks
    if len(chosen) < 3:
        return None
    allowed, scores, _ = allowed_tracks(candidates, planned.spec, policy)
    top = [scores[t.id] for t in allowed[:len(chosen)]]
    ordered = sequence(chosen, planned.spec.arc)
    rand = list(chosen)
    random.Random(len(chosen)).shuffle(rand)
    return Orders(segue=ordered, arc=planned.spec.arc, relevance=float(np.mean([scores[t.id] for t in chosen])),
                  top_relevance=float(np.mean(top)), rand=rand, energy=sorted(chosen, key=lambda t: t.energy))


def safe_build(prompt: str, deps, count: int | None = None) -> Orders | None:
    """build(), skipping prompts Segue rightly refuses (invalid input)."""
    from core.errors import SegueError

    try:
        return build(prompt, deps, count)
    except (SegueError, ValueError):
        return None


def metrics(tracks: list[Track], arc: Arc | None) -> dict[str, float]:
    """% Camelot-compatible transitions, mean half/double-aware |ΔBPM|, energy-arc correlation, spacing violations."""
    pairs = list(zip(tracks, tracks[1:], strict=False))
    beats = [bpm_distance(a.tempo, b.tempo) for a, b in pairs if a.tempo > 0 and b.tempo > 0]
    energy = np.array([t.energy for t in tracks])
    target = energy_targets(energy, arc)
    fit = float(np.corrcoef(energy, target)[0, 1]) if energy.std() > 1e-9 and target.std() > 1e-9 else float("nan")
    names = [{norm_artist(a) for a in t.artists} for t in tracks]
    clashes = sum(bool(names[i] & names[j]) for i in range(len(names)) for j in range(i + 1, min(i + 3, len(names))))
    return {"compatible": 100.0 * sum(compatible(a.camelot, b.camelot) for a, b in pairs) / len(pairs),
            "bpm_step": float(np.mean(beats)) if beats else 0.0, "arc_fit": fit, "spacing": float(clashes)}


def timing(lists: list[list[Track]], repeat: int = 3) -> dict[str, float]:
    times = []
    for tracks in lists:
        for _ in range(repeat):
            start = time.perf_counter()
            sequence(tracks)
            times.append((time.perf_counter() - start) * 1000)
    if not times:
        return {"n": 0, "p50_ms": float("nan"), "p95_ms": float("nan")}
    return {"n": len(lists), "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2)}


def summarise(rows: list[Orders]) -> dict[str, dict[str, float]]:
    out = {}
    for name in ("segue", "random", "energy_sorted"):
        key = {"random": "rand", "energy_sorted": "energy"}.get(name, name)
        ms = [metrics(getattr(r, key), r.arc) for r in rows]
        fits = [m["arc_fit"] for m in ms if m["arc_fit"] == m["arc_fit"]]
        out[name] = {"compatible_pct": round(statistics.mean(m["compatible"] for m in ms), 1),
                     "mean_abs_dbpm": round(statistics.mean(m["bpm_step"] for m in ms), 2),
                     "energy_arc_fit": round(statistics.mean(fits), 3) if fits else float("nan"),
                     "spacing_violations_per_list": round(statistics.mean(m["spacing"] for m in ms), 3),
                     "lists_with_violations_pct": round(100.0 * sum(m["spacing"] > 0 for m in ms) / len(ms), 1)}
    return out


def run(limit: int, big: int) -> dict:
    from agent.deps import get_deps

    deps = get_deps()
    start = time.perf_counter()
    rows = [o for p in prompts(limit) if (o := safe_build(p, deps)) is not None]
    sized = {n: [o.segue for p in prompts(big) if (o := safe_build(p, deps, count=n)) is not None] for n in (30, 100)}
    return {
        "playlists": len(rows), "mean_tracks": round(statistics.mean(len(r.segue) for r in rows), 1),
        "orders": summarise(rows),
        "relevance": {"selected_mean_score": round(statistics.mean(r.relevance for r in rows), 4),
                      "top_by_score_mean_score": round(statistics.mean(r.top_relevance for r in rows), 4)},
        "sequencing_time": {f"{n}_tracks": timing(lists) for n, lists in sized.items()},
        "wall_s": round(time.perf_counter() - start, 1),
    }


def print_report(report: dict) -> None:
    print(f"{report['playlists']} playlists (mean {report['mean_tracks']} tracks), {report['wall_s']} s\n")
    cols = ("compatible_pct", "mean_abs_dbpm", "energy_arc_fit", "spacing_violations_per_list", "lists_with_violations_pct")
    print(f"{'order':<15}" + "".join(f"{c:>30}" for c in cols))
    for name, m in report["orders"].items():
        print(f"{name:<15}" + "".join(f"{m[c]:>30}" for c in cols))
    rel = report["relevance"]
    print(f"\nmean relevance (cosine) of selected tracks {rel['selected_mean_score']} vs top-by-score "
          f"{rel['top_by_score_mean_score']}")
    for size, t in report["sequencing_time"].items():
        print(f"sequencing {size}: p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms over {t['n']} playlists")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300, help="playlists for the order comparison")
    parser.add_argument("--big", type=int, default=25, help="playlists of 30 and of 100 tracks for timing")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    report = run(args.limit, args.big)
    print(json.dumps(report, indent=2) if args.json else "", end="")
    if not args.json:
        print_report(report)


if __name__ == "__main__":
    main()
