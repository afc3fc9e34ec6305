"""Playlist metrics for every eval case: flow, diversity, novelty, harmonic mixing, arc fit, honesty, cost.

| metric | definition |
|---|---|
| coherence | mean cosine similarity of neighbouring tracks' catalog vectors |
| artist_entropy | Shannon entropy of primary artists / log(track count): 1 = every artist once |
| ild | intra-list distance: mean pairwise (1 − cosine) over all track pairs |
| novelty | mean (1 − popularity/100): 1 = deep cuts |
| user_novelty | share of tracks by artists the listener has not played (only with a listener who has known artists) |
| camelot_pct | % of transitions that are Camelot-compatible: same key, ±1 on the same letter, relative major/minor |
| mean_dbpm | mean |ΔBPM| between neighbours, half/double time counted as a match |
| arc_fit | Pearson r between energies and the target arc (spec.arc, default rise-then-fall); steady: 1 − std/0.15 |
| violations | hard-constraint breaks against the spec (explicit, excluded artists/genres, year, tempo, track length, duplicates) plus unreported count/duration shortfalls and unreported missing or off-topic episodes |
| grounded | share of names/years in the narration that belong to the playlist |
| degraded | 1 when the LLM planner fell back to the offline plan, else 0 (LLM variants only) |
| tool_use | 1 when the model ran look-up tools before its plan, else 0 (non-degraded LLM runs only) |
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from agent.models import Arc, Playlist
from agent.wishes import INSTRUMENTAL_MIN, SPEECHINESS_MAX
from evals.grounding import check_narration
from tools.catalog import Catalog
from tools.catalog_names import track_artist_names
from tools.kid_safe import kid_rules, kid_unsafe
from tools.normalize import fold, norm_artist, split_artists
from tools.song_identity import same_song

HIGHER_IS_BETTER = {"coherence": True, "artist_entropy": True, "ild": True, "novelty": None, "user_novelty": None,
                    "camelot_pct": True, "mean_dbpm": False, "arc_fit": True, "violations": False, "grounded": True,
                    "narration_words": None, "latency_ms": False, "model_calls": False, "prompt_tokens": False,
                    "completion_tokens": False, "track_count": None, "minutes": None, "degraded": False,
                    "tool_use": True}


def camelot_compatible(a: str, b: str) -> bool:
    """Same code, ±1 with the same letter (12 wraps to 1), or the same number with the other letter."""
    try:
        na, la, nb, lb = int(a[:-1]), a[-1], int(b[:-1]), b[-1]
    except (ValueError, IndexError):
        return False
    if la == lb:
        return (na - nb) % 12 in (0, 1, 11)
    return na == nb


def bpm_delta(a: float, b: float) -> float:
    """|ΔBPM| where half and double time count as the same pulse."""
    return min(abs(a - b), abs(2 * a - b), abs(a - 2 * b))


def arc_target(shape: Arc | None, n: int) -> np.ndarray:
    x = np.linspace(0, 1, n) if n > 1 else np.zeros(1)
    targets = {
        "rise": x, "fall": 1 - x, "steady": np.full(n, 0.5),
        "peak": np.minimum(x / 0.7, (1 - x) / 0.3 + 0.0).clip(0, 1),
        "wave": 0.5 - 0.5 * np.cos(4 * math.pi * x),
        "rise_fall": np.sin(math.pi * x),
    }
    return targets[shape or "rise_fall"]


def arc_fit(energies: list[float], shape: Arc | None) -> float | None:
    if len(energies) < 3:
        return None
    e = np.asarray(energies, dtype=float)
    if shape == "steady":
        return float(max(-1.0, 1 - e.std() / 0.15))
    t = arc_target(shape, len(e))
    if e.std() == 0 or t.std() == 0:
        return 0.0
    return float(np.corrcoef(e, t)[0, 1])


def arc_direction(energies: list[float], shape: Arc, min_delta: float) -> tuple[bool, str]:
    """Does the energy move the way the shape says? (the same check the playlist's arc report makes)"""
    from agent.wishes import arc_direction as direction

    return direction(energies, shape, min_delta)


def hidden_shortfalls(p: Playlist) -> list[str]:
    """Count/duration/explicit targets that are missed while the constraint report says met (or says nothing)."""
    reports = {c.name: c for c in p.constraints}
    out: list[str] = []
    target = p.spec.target_count()
    songs = sum(t.kind != "talk" for t in p.tracks)  # a count counts songs; episodes are checked apart
    if target is not None and songs != target and getattr(reports.get("count"), "met", True):
        out.append(f"count {songs} ≠ {target} not reported")
    if p.spec.minutes and p.spec.count is None:
        actual = sum(t.duration_ms for t in p.tracks) / 60000
        if abs(actual - p.spec.minutes) > 0.03 * p.spec.minutes and getattr(reports.get("duration"), "met", True):
            out.append(f"duration {actual:.1f} ≠ {p.spec.minutes:g} min not reported")
    if p.spec.count_asked and songs < p.spec.count_asked and getattr(reports.get("count"), "met", True):
        out.append(f"count {songs} < {p.spec.count_asked} asked not reported")
    bad = sum(t.explicit is not False for t in p.tracks)
    if "explicit" in reports and reports["explicit"].met and bad and p.spec.explicit == "exclude":
        out.append(f"explicit reported met with {bad} explicit/unknown tracks")
    return out + talk_shortfalls(p)


def talk_shortfalls(p: Playlist) -> list[str]:
    """Episodes missing or off the asked topics while no talk report admits it: a talk-only playlist holds its
    count (else one episode per slot, unless timed), and an episode has a topic of the slots that asked for one."""
    plan = p.spec.format
    if plan.kind == "music":
        return []
    episodes = [t for t in p.tracks if t.kind == "talk"]
    admitted = any(c.name in ("talk", "count") and not c.met for c in p.constraints)
    out: list[str] = []
    wanted = p.spec.count if plan.kind == "talk" and p.spec.count else None
    if wanted is None and not (plan.kind == "talk" and p.spec.minutes):
        wanted = len(plan.talk)
    if wanted is not None and len(episodes) != wanted and not admitted:
        out.append(f"{len(episodes)} episodes ≠ {wanted} asked not reported")
    topics = {t for slot in plan.talk if slot.topics for t in slot.topics}
    if topics and all(slot.topics for slot in plan.talk):
        off = [t.title for t in episodes if not topics & set(t.genres)]
        if off and not any(c.name == "talk" and not c.met for c in p.constraints):
            out.append(f"off-topic episodes reported met: {off[:3]}")
    return out


def in_family(genres: list[str], terms: list[str]) -> bool:
    """A track is in a genre family when any of its genres contains a term as whole words."""
    folded = [f" {fold(g)} " for g in genres]
    return any(f" {fold(term)} " in g for term in terms for g in folded)


def violations(p: Playlist, catalog: Catalog | None) -> list[str]:
    """Every hard constraint of the spec the playlist breaks, plus unreported shortfalls."""
    s = p.spec
    blocked = {norm_artist(a) for a in s.exclude_artists}
    only = {norm_artist(a) for a in s.only_artists}
    out: list[str] = []
    for n, t in enumerate(p.tracks):
        full = catalog.get(t.id) if catalog is not None else None
        artists = {norm_artist(a) for a in t.artists} | {n for a in t.artists for n in split_artists(a)}
        artists |= set(track_artist_names(full)) if full is not None else set()
        genres = list(full.genres) if full is not None else t.genres
        checks = [
            (s.explicit == "exclude" and t.explicit is not False, "explicit"),
            (s.kid_safe and kid_unsafe(t.title, genres, kid_rules()) is not None, "not for children"),
            (bool(blocked & artists), "excluded artist"),
            (bool(s.only_artists) and not only & artists, "not by the only artists asked"),
            (s.instrumental and (full is None or full.instrumentalness < INSTRUMENTAL_MIN
                                 or full.speechiness > SPEECHINESS_MAX), "has vocals"),
            (bool(s.exclude_genres) and in_family(genres, s.exclude_genres), "excluded genre"),
            ((s.year_min or s.year_max) and not _within(t.year, s.year_min, s.year_max), "year"),
            ((s.tempo_min or s.tempo_max) and not _within(t.tempo, s.tempo_min, s.tempo_max), "tempo"),
            (bool(s.max_track_minutes) and t.duration_ms > (s.max_track_minutes or 0) * 60000, "track length"),
            (any(same_version_of(t, e, catalog) for e in p.tracks[:n]), "duplicate song"),
        ]
        out += [f"{why}: {t.title} — {t.artists[0] if t.artists else ''}" for bad, why in checks if bad]
    return out + hidden_shortfalls(p)


def same_version_of(a: Any, b: Any, catalog: Catalog | None) -> bool:
    """Two playlist entries (or filtered items) are versions of one song: the catalog gives them one song key,
    or, checked on their own credits, the folded titles match and one's lead artist is credited on the other."""
    full_a, full_b = (catalog.get(a.id), catalog.get(b.id)) if catalog is not None else (None, None)
    if full_a is not None and full_b is not None and full_a.song_key == full_b.song_key:
        return True
    return same_song((a.title, list(a.artists)), (b.title, list(b.artists)))


def _within(v: float | None, lo: float | None, hi: float | None) -> bool:
    return v is not None and (lo is None or v >= lo) and (hi is None or v <= hi)


def _vectors(p: Playlist, catalog: Catalog | None) -> np.ndarray | None:
    if catalog is None:
        return None
    rows = [catalog.index[t.id] for t in p.tracks if t.id in catalog.index]
    return catalog.vectors[rows] if len(rows) == len(p.tracks) and rows else None


def energies(p: Playlist) -> list[float]:
    """The energy of every entry that has audio features (talk episodes have none)."""
    return [t.energy for t in p.tracks if t.energy is not None]


def _flow(p: Playlist, vecs: np.ndarray | None) -> dict[str, float | None]:
    pairs = list(zip(p.tracks, p.tracks[1:], strict=False))
    beats = [bpm_delta(a.tempo, b.tempo) for a, b in pairs if a.tempo and b.tempo]  # no beat (0) or an episode (None)
    keys = sum(camelot_compatible(a.camelot or "", b.camelot or "") for a, b in pairs)
    out: dict[str, float | None] = {
        "camelot_pct": 100 * keys / len(pairs) if pairs else None,
        "mean_dbpm": float(np.mean(beats)) if beats else None,
        "arc_fit": arc_fit(energies(p), p.spec.arc),
        "coherence": None, "ild": None,
    }
    if vecs is not None and len(vecs) > 1:
        out["coherence"] = float(np.mean(np.sum(vecs[1:] * vecs[:-1], axis=1)))
        sims = vecs @ vecs.T
        n = len(vecs)
        out["ild"] = float(1 - (sims.sum() - np.trace(sims)) / (n * (n - 1)))
    return out


def _diversity(p: Playlist, catalog: Catalog | None, profile: Any) -> dict[str, float | None]:
    n = len(p.tracks)
    counts = Counter(norm_artist(t.artists[0]) if t.artists else "" for t in p.tracks)
    entropy = -sum(c / n * math.log(c / n) for c in counts.values()) if n else 0.0
    pops = [catalog.get(t.id).popularity for t in p.tracks if catalog is not None and catalog.get(t.id)]  # type: ignore[union-attr]
    known = _known_artists(profile)
    return {
        "artist_entropy": entropy / math.log(n) if n > 1 else None,
        "novelty": float(np.mean([1 - x / 100 for x in pops])) if pops else None,
        "user_novelty": sum(norm_artist(t.artists[0]) not in known for t in p.tracks if t.artists) / n
        if known and n else None,
    }


def _known_artists(profile: Any) -> set[str]:
    for attr in ("top_artists", "artists", "known_artists"):
        value = getattr(profile, attr, None)
        if value:
            names = value.keys() if isinstance(value, dict) else value
            return {norm_artist(x if isinstance(x, str) else getattr(x, "name", str(x))) for x in names}
    return set()


def _llm_use(p: Playlist) -> dict[str, float | None]:
    """Whether the LLM path held and whether its model looked things up (None on the offline planner)."""
    if p.usage.model_calls == 0 and not p.degraded:
        return {"degraded": None, "tool_use": None}
    return {"degraded": float(p.degraded), "tool_use": None if p.degraded else float(bool(p.usage.tool_calls))}


def compute_metrics(p: Playlist, catalog: Catalog | None, profile: Any = None,
                    latency_ms: float | None = None) -> dict[str, float | None]:
    """Every metric of one playlist (None where it does not apply, e.g. coherence of a single track)."""
    g = check_narration(p, catalog)
    return {
        **_flow(p, _vectors(p, catalog)),
        **_diversity(p, catalog, profile),
        "violations": float(len(violations(p, catalog))),
        "grounded": g.score,
        "narration_words": float(sum(len(s.text.split()) for s in p.segments)),
        "latency_ms": latency_ms,
        "model_calls": float(p.usage.model_calls),
        "prompt_tokens": float(p.usage.prompt_tokens),
        "completion_tokens": float(p.usage.completion_tokens),
        **_llm_use(p),
        "track_count": float(len(p.tracks)),
        "minutes": sum(t.duration_ms for t in p.tracks) / 60000,
    }
