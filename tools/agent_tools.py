"""The tools the agent may call: typed functions whose signature and docstring are the schema the model sees.

Collaborators (catalog, profiles, the request's content policy) arrive through a per-request `ToolContext`
handed to the agent run, never through globals or tool arguments. Errors the model can fix come back as a
short tool message; outputs are compact (ids plus the few fields a model needs)."""

from __future__ import annotations

import csv
import gzip
import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from langchain.tools import ToolRuntime, tool
from pydantic import BaseModel

from core.settings import DATA_DIR
from core.types import SearchFilters, Track, Usage
from tools.content_filter import ContentPolicy, apply_policy
from tools.normalize import fold

if TYPE_CHECKING:
    from core.settings import Settings
    from tools.catalog import Catalog

MAX_K = 25
MAX_IDS = 100
GENRE_PROFILES = "genre_profiles.csv.gz"
PROFILE_FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")


class ToolDeps(Protocol):
    """The collaborators a tool may use (the pipeline's Deps satisfies this)."""

    settings: Settings
    catalog: Catalog
    profiles: Any


class ToolContext:
    """What one request's tools may use. The policy comes from the request and profile, never from the model.

    A plain class (not a dataclass or model) so the tool schema treats it as opaque."""

    def __init__(self, deps: ToolDeps, policy: ContentPolicy, user_id: str | None = None) -> None:
        self.deps = deps
        self.policy = policy
        self.user_id = user_id
        self.shown: dict[str, float] = {}  # track id → search score, for every id shown to the model
        self.cancelled = threading.Event()  # set when the request deadline passed
        self.usage = Usage()  # model calls and tokens of this run


class GenreProfile(BaseModel):
    """Mean audio features of one Spotify genre (data/raw/genre_profiles.csv.gz)."""

    genre: str
    energy: float
    valence: float
    danceability: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    tempo: float
    loudness: float
    duration_ms: float


# --------------------------------------------------------------------------- the tools


@tool(parse_docstring=True)
def search_catalog(
    runtime: ToolRuntime[ToolContext],
    query: str,
    genres: list[str] | None = None,
    exclude_genres: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    tempo_min: float | None = None,
    tempo_max: float | None = None,
    explicit_ok: bool = True,
    k: int = 15,
) -> str:
    """Semantic search of the music catalog with hard filters. One line per track: id | title - artist | year | genre | bpm | energy.

    Args:
        query: What it should sound like: mood, activity, setting.
        genres: Keep tracks having any of these genres (catalog genre words).
        exclude_genres: Drop tracks having any of these genres.
        year_min: Earliest release year.
        year_max: Latest release year.
        tempo_min: Lowest BPM.
        tempo_max: Highest BPM.
        explicit_ok: False keeps only tracks known to be clean.
        k: How many tracks to return (1-25).
    """
    ctx = context_of(runtime)
    problem = check_search_args(
        ctx, query, genres or [], exclude_genres or [], year_min, year_max, tempo_min, tempo_max
    )
    if problem:
        return problem
    filters = policy_filters(ctx.policy, explicit_ok).model_copy(
        update={
            "genres": genres or [],
            "exclude_genres": list(dict.fromkeys((exclude_genres or []) + ctx.policy.blocked_genres)),
            "year_min": year_min,
            "year_max": year_max,
            "tempo_min": tempo_min,
            "tempo_max": tempo_max,
        }
    )
    k = max(1, min(MAX_K, int(k)))
    found = ctx.deps.catalog.search(query, filters, k=k * 2)
    allowed, _ = apply_policy([c.track for c in found], ctx.policy)
    scores = {c.track.id: c.score for c in found}
    tracks = allowed[:k]
    if not tracks:
        return "no tracks match these filters; drop a filter or widen the year/tempo range"
    for t in tracks:
        ctx.shown[t.id] = max(ctx.shown.get(t.id, -1.0), scores[t.id])
    return "\n".join(track_line(t) for t in tracks)


@tool(parse_docstring=True)
def get_taste_profile(runtime: ToolRuntime[ToolContext], user_id: str) -> str:
    """The listener's taste: top genres and artists, audio-feature ranges, explicit preference, blocked items.

    Args:
        user_id: The listener id given in the request.
    """
    ctx = context_of(runtime)
    if ctx.user_id is None:
        return "no listener for this request; plan from the prompt alone"
    if user_id != ctx.user_id:
        return f"only the requesting listener's profile is available: call with user_id={ctx.user_id!r}"
    if ctx.deps.profiles is None:
        return "no profile store; plan from the prompt alone"
    summary = ctx.deps.profiles.get_profile(user_id).summary()
    return clip(json.dumps(summary, separators=(",", ":"), ensure_ascii=False, default=str), 1500)


@tool(parse_docstring=True)
def filter_content(runtime: ToolRuntime[ToolContext], track_ids: list[str]) -> str:
    """Check track ids against this request's content rules (explicit, blocked artists/genres, duplicates, talk).

    Args:
        track_ids: Catalog track ids, e.g. from search_catalog.
    """
    ctx = context_of(runtime)
    if not track_ids:
        return "no track ids given"
    ids = list(dict.fromkeys(track_ids))[:MAX_IDS]
    known = [t for t in (ctx.deps.catalog.get(i) for i in ids) if t is not None]
    unknown = [i for i in ids if ctx.deps.catalog.get(i) is None]
    kept, removed = apply_policy(known, ctx.policy)
    lines = [f"allowed: {', '.join(t.id for t in kept) or 'none'}"]
    lines += [f"removed {r.id}: {r.reason}" for r in removed]
    if unknown:
        lines.append(f"not in catalog (never use): {', '.join(clip(i, 40) for i in unknown[:10])}")
    return "\n".join(lines)


@tool(parse_docstring=True)
def describe_genre(runtime: ToolRuntime[ToolContext], genre: str) -> str:
    """Typical sound of a genre (mean audio features 0-1, tempo) and how many catalog tracks carry it.

    Args:
        genre: A genre name.
    """
    ctx = context_of(runtime)
    profiles = genre_profiles(genre_profiles_path(ctx.deps))
    p = profiles.get(fold(genre))
    if p is None:
        return f"unknown genre {clip(genre, 60)!r}; closest genres: {', '.join(closest(genre, list(profiles_names(profiles))))}"
    feats = ", ".join(f"{f} {getattr(p, f):.2f}" for f in PROFILE_FEATURES)
    n = sum(ctx.deps.catalog.genre_count(g) for g in ctx.deps.catalog.matching_genres(p.genre))
    return f"{p.genre}: {feats}, tempo {p.tempo:.0f} bpm, loudness {p.loudness:.1f} dB; {n} catalog tracks"


ALL_TOOLS = [search_catalog, get_taste_profile, filter_content, describe_genre]


# --------------------------------------------------------------------------- helpers


def context_of(runtime: ToolRuntime[ToolContext]) -> ToolContext:
    ctx = runtime.context
    if not isinstance(ctx, ToolContext):
        raise TypeError("agent tools need a ToolContext as the run context")
    return ctx


def call_tool(name: str, ctx: ToolContext, **args: Any) -> str:
    """Run one tool outside an agent (offline planner, tests) with the same validation the model gets."""
    chosen = {t.name: t for t in ALL_TOOLS}[name]
    runtime: ToolRuntime[ToolContext] = ToolRuntime(
        state={}, context=ctx, config={}, stream_writer=lambda _: None, tool_call_id=None, store=None
    )
    return chosen.invoke({**args, "runtime": runtime})


def policy_filters(policy: ContentPolicy, explicit_ok: bool = True) -> SearchFilters:
    """The request's content policy as search filters; the model can only make them stricter."""
    return SearchFilters(
        explicit="exclude" if policy.explicit == "exclude" or not explicit_ok else "allow",
        exclude_genres=list(policy.blocked_genres),
        exclude_artists=list(policy.blocked_artists),
        max_duration_ms=policy.max_track_ms,
    )


def check_search_args(
    ctx: ToolContext,
    query: str,
    genres: list[str],
    exclude_genres: list[str],
    year_min: int | None,
    year_max: int | None,
    tempo_min: float | None,
    tempo_max: float | None,
) -> str | None:
    """A message the model can act on when the arguments cannot work, else None."""
    if not query or not query.strip():
        return "query is empty; describe the sound you want"
    catalog = ctx.deps.catalog
    for g in genres + exclude_genres:
        if not catalog.matching_genres(g):
            return f"no tracks match genre {clip(g, 60)!r}; closest genres: {', '.join(closest(g, catalog.genres))}"
    if year_min is not None and year_max is not None and year_min > year_max:
        return f"year_min {year_min} is after year_max {year_max}"
    if tempo_min is not None and tempo_max is not None and tempo_min > tempo_max:
        return f"tempo_min {tempo_min:g} is above tempo_max {tempo_max:g}"
    return None


def closest(term: str, choices: list[str], limit: int = 5) -> list[str]:
    from rapidfuzz import fuzz, process

    hits = process.extract(fold(term), choices, scorer=fuzz.WRatio, processor=fold, limit=limit)
    return [h[0] for h in hits]


def track_line(t: Track) -> str:
    genres = ", ".join(t.genres[:2]) or "?"
    return (
        f"{t.id} | {clip(t.title, 60)} - {clip(t.artist, 40)} | {t.year or '?'} | {clip(genres, 40)} | "
        f"{t.tempo:.0f}bpm | e{t.energy:.2f}"
    )


def clip(text: str, n: int) -> str:
    """Catalog text as inert data: control and zero-width characters removed, length capped."""
    text = _CONTROL.sub(" ", str(text)).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def genre_profiles_path(deps: ToolDeps) -> Path:
    local = deps.settings.raw_data_dir / GENRE_PROFILES
    return local if local.exists() else DATA_DIR / "raw" / GENRE_PROFILES


def profiles_names(profiles: dict[str, GenreProfile]) -> list[str]:
    return [p.genre for p in profiles.values()]


@lru_cache(maxsize=2)
def genre_profiles(path: Path) -> dict[str, GenreProfile]:
    """Folded genre name → its mean audio features."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, GenreProfile] = {}
    for row in rows:
        name = row["genres"].strip()
        if name:
            out[fold(name)] = GenreProfile(
                genre=name, **{k: float(row[k]) for k in GenreProfile.model_fields if k != "genre"}
            )
    return out
