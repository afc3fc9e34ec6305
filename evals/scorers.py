"""Deterministic assertions on a playlist (plus an optional model-graded rubric), one typed function per kind.

Each scorer has an argument model (validated when the suite loads) and returns an Outcome. Add a scorer by
writing `def name(playlist, args, ctx) -> Outcome` and listing it in SCORERS with its argument model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from agent.models import Arc, Playlist, PlaylistTrack
from evals.grounding import check_narration
from evals.metrics import in_family
from tools.catalog import Catalog, track_artist_names
from tools.normalize import fold, norm_artist

Status = Literal["pass", "fail", "skip"]


class Outcome(BaseModel):
    kind: str
    status: Status
    detail: str = ""


@dataclass
class ScoreContext:
    """What scorers may consult besides the playlist."""

    catalog: Catalog | None = None
    judge: Callable[[str], dict] | None = None  # model-graded rubric: prompt → {"score": 0-1, "reason": str}
    parent: Playlist | None = None  # for a refine case: the playlist the last follow-up refined


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Range(_Args):
    min: float | None = None
    max: float | None = None
    share: float = Field(1.0, ge=0, le=1, description="Share of tracks that must be in range.")


class CountArgs(_Args):
    min: int | None = None
    max: int | None = None


class DurationArgs(_Args):
    minutes: float
    tolerance: float = Field(0.03, ge=0, le=1, description="Relative tolerance (0.03 = ±3%).")


class GenreShareArgs(_Args):
    genres: list[str] = Field(min_length=1)
    min: float = Field(0.5, ge=0, le=1)


class ArcArgs(_Args):
    shape: Arc
    min_delta: float = Field(0.05, ge=0, le=1, description="Energy change the shape needs between thirds.")


class FeatureArgs(Range):
    feature: Literal["energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness",
                     "liveness", "popularity"]


class TitleWordArgs(_Args):
    max: float = Field(0.1, ge=0, le=1, description="Largest share of titles that may repeat a content word of the prompt.")


class MeanArgs(_Args):
    feature: Literal["energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness"]
    min: float | None = None
    max: float | None = None


class PopularityArgs(_Args):
    genres: list[str] = Field(default_factory=list, description="Compare with the catalog's tracks in these genre "
                              "families (whole words); empty = the whole catalog.")
    max: float | None = Field(None, ge=0, le=1, description="Highest percentile the playlist's median may reach.")
    min: float | None = Field(None, ge=0, le=1, description="Lowest percentile the playlist's median may reach.")


class SpacingArgs(_Args):
    min_gap: int = Field(3, ge=1, description="Same artist at least this many positions apart.")


class NarrationLengthArgs(_Args):
    max_words_per_segment: int | None = None
    max_words_total: int | None = None
    min_segments: int = 0


class ShareArgs(_Args):
    min: float = Field(1.0, ge=0, le=1, description="Share of tracks that must pass.")


class ExclusiveArgs(ShareArgs):
    artists: list[str] = Field(min_length=1)
    lead: bool = Field(False, description="The artist must lead the track (first credit), not only feature on it.")


class ReportedArgs(_Args):
    name: str
    met: bool | None = Field(None, description="The report's met flag must be this (None: any).")
    note: bool = Field(False, description="An unmet report must carry a note.")


class MoveArgs(_Args):
    feature: Literal["energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness",
                     "tempo", "year", "popularity"]
    direction: Literal["lower", "higher"]
    min_delta: float = Field(0.03, ge=0, description="Least change of the mean (tempo in BPM, year in years).")


class KeptArgs(_Args):
    min: float = Field(0.0, ge=0, le=1, description="Least share of the earlier playlist's tracks still present.")
    max: float = Field(1.0, ge=0, le=1, description="Largest share still present (below 1: something changed).")


class ThemeArgs(_Args):
    theme: str = Field(description="A theme of tools/themes.py (christmas), or soundscape.")
    min: float = Field(0.8, ge=0, le=1, description="Least share of tracks carrying it.")
    max: float = Field(1.0, ge=0, le=1, description="Largest share (0 with theme soundscape: no noise tracks).")


class TalkShareArgs(_Args):
    min: float = Field(0.0, ge=0, le=1, description="Least share of entries that are podcast episodes.")
    max: float = Field(1.0, ge=0, le=1, description="Largest share of entries that are podcast episodes.")
    topics: list[str] = Field(default_factory=list, description="Count only episodes with one of these topics.")


class RubricArgs(_Args):
    criteria: str
    min_score: float = Field(0.7, ge=0, le=1)


def outcome(kind: str, ok: bool, detail: str = "") -> Outcome:
    return Outcome(kind=kind, status="pass" if ok else "fail", detail=detail)


def _full_track(t: PlaylistTrack, catalog: Catalog | None):
    return catalog.get(t.id) if catalog is not None else None


def _genres(t: PlaylistTrack, catalog: Catalog | None) -> list[str]:
    full = _full_track(t, catalog)
    return list(full.genres) if full is not None else list(t.genres)


def _artists(t: PlaylistTrack, catalog: Catalog | None) -> list[str]:
    full = _full_track(t, catalog)
    return track_artist_names(full) if full is not None else [norm_artist(a) for a in t.artists]


def _credits(t: PlaylistTrack, catalog: Catalog | None) -> set[str]:
    """Every credited name, also the names inside combined credits ('Bob Marley & The Wailers')."""
    from tools.normalize import split_artists

    return set(_artists(t, catalog)) | {p for a in t.artists for p in split_artists(a)}


def _label(t: PlaylistTrack) -> str:
    return f"{t.title} — {', '.join(t.artists)}"


# --------------------------------------------------------------------------- scorers

def count(p: Playlist, a: CountArgs, ctx: ScoreContext) -> Outcome:
    n = len(p.tracks)
    ok = (a.min is None or n >= a.min) and (a.max is None or n <= a.max)
    return outcome("count", ok, f"{n} tracks (asked {a.min}–{a.max})")


def duration(p: Playlist, a: DurationArgs, ctx: ScoreContext) -> Outcome:
    actual = sum(t.duration_ms for t in p.tracks) / 60000
    return outcome("duration", abs(actual - a.minutes) <= a.tolerance * a.minutes,
                   f"{actual:.1f} min (asked {a.minutes:g} ±{a.tolerance:.0%})")


def no_explicit(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    bad = [_label(t) for t in p.tracks if t.explicit is not False]
    return outcome("no_explicit", not bad or not a, f"{len(bad)} explicit/unknown: {bad[:3]}" if bad else "none")


def exclude_artists(p: Playlist, a: list[str], ctx: ScoreContext) -> Outcome:
    blocked = {norm_artist(x) for x in a}
    bad = [_label(t) for t in p.tracks if blocked & _credits(t, ctx.catalog)]
    return outcome("exclude_artists", not bad, f"found {bad[:3]}" if bad else "none present")


def exclusive(p: Playlist, a: ExclusiveArgs, ctx: ScoreContext) -> Outcome:
    """'only X': every track (or a share) credits one of the artists (with `lead`, is led by one of them); an
    empty playlist fails."""
    wanted = {norm_artist(x) for x in a.artists}
    bad = [_label(t) for t in p.tracks
           if not (norm_artist(t.artists[0]) in wanted if a.lead and t.artists else wanted & _credits(t, ctx.catalog))]
    share = 1 - len(bad) / len(p.tracks) if p.tracks else 0.0
    return outcome("exclusive", bool(p.tracks) and share >= a.min - 1e-9,
                   f"{share:.0%} {'led by' if a.lead else 'credit'} {a.artists}" + (f"; not: {bad[:3]}" if bad else ""))


def instrumental_share(p: Playlist, a: ShareArgs, ctx: ScoreContext) -> Outcome:
    """Share of tracks without vocals: instrumentalness ≥ 0.5 and speechiness ≤ 0.1 (agent/wishes.py)."""
    from agent.wishes import INSTRUMENTAL_MIN, SPEECHINESS_MAX

    ok = 0
    for t in p.tracks:
        full = _full_track(t, ctx.catalog)
        ok += full is not None and full.instrumentalness >= INSTRUMENTAL_MIN and full.speechiness <= SPEECHINESS_MAX
    share = ok / len(p.tracks) if p.tracks else 0.0
    return outcome("instrumental_share", bool(p.tracks) and share >= a.min - 1e-9,
                   f"{share:.0%} instrumental (min {a.min:.0%})")


def reported(p: Playlist, a: ReportedArgs, ctx: ScoreContext) -> Outcome:
    """The constraint report has an entry of this name (with this met flag, and a note when unmet)."""
    entry = next((c for c in p.constraints if c.name == a.name), None)
    if entry is None:
        return outcome("reported", False, f"no {a.name!r} entry in {[c.name for c in p.constraints]}")
    ok = (a.met is None or entry.met == a.met) and (not a.note or entry.met or bool(entry.note))
    return outcome("reported", ok, f"{a.name}: {entry.actual} (target {entry.target}) met={entry.met} {entry.note!r}")


def filtered_honest(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    """'another version of a song already in the playlist' only when a version of that song is in it."""
    from evals.metrics import same_version_of

    bad = [f"{f.title} — {', '.join(f.artists)}" for f in p.filtered if f.reason.startswith("another version")
           and not any(same_version_of(f, t, ctx.catalog) for t in p.tracks)]
    return outcome("filtered_honest", not bad or not a, f"untrue: {bad[:3]}" if bad else f"{len(p.filtered)} removals, all true")


def no_title_words(p: Playlist, a: list[str], ctx: ScoreContext) -> Outcome:
    """No returned title names one of these words or phrases (whole words on folded text; a plural 's' too)."""
    from tools.normalize import fold

    wanted = [fold(w) for w in a]
    bad = [_label(t) for t in p.tracks
           if any(f" {w} " in (text := f" {fold(t.title)} ") or f" {w}s " in text for w in wanted)]
    return outcome("no_title_words", not bad, f"found {bad[:3]}" if bad else "none present")


def exclude_genres(p: Playlist, a: list[str], ctx: ScoreContext) -> Outcome:
    bad = [_label(t) for t in p.tracks if in_family(_genres(t, ctx.catalog), a)]
    return outcome("exclude_genres", not bad, f"found {bad[:3]}" if bad else "none present")


def genre_share(p: Playlist, a: GenreShareArgs, ctx: ScoreContext) -> Outcome:
    hits = sum(in_family(_genres(t, ctx.catalog), a.genres) for t in p.tracks)
    share = hits / len(p.tracks) if p.tracks else 0.0
    return outcome("genre_share", share >= a.min, f"{share:.0%} in {a.genres} (min {a.min:.0%})")


def _range_check(kind: str, values: list[float | None], a: Range) -> Outcome:
    inside = sum(v is not None and (a.min is None or v >= a.min) and (a.max is None or v <= a.max) for v in values)
    share = inside / len(values) if values else 0.0
    return outcome(kind, bool(values) and share >= a.share - 1e-9,
                   f"{share:.0%} within [{a.min}, {a.max}] (min {a.share:.0%})")


def year_range(p: Playlist, a: Range, ctx: ScoreContext) -> Outcome:
    return _range_check("year_range", [t.year for t in p.tracks], a)


def tempo_range(p: Playlist, a: Range, ctx: ScoreContext) -> Outcome:
    return _range_check("tempo_range", [t.tempo for t in p.tracks], a)


def feature_range(p: Playlist, a: FeatureArgs, ctx: ScoreContext) -> Outcome:
    """An audio feature (or popularity) of the catalog track within [min, max] for a share of the tracks."""
    values = []
    for t in p.tracks:
        full = _full_track(t, ctx.catalog)
        values.append(getattr(full, a.feature) if full is not None else getattr(t, a.feature, None))
    out = _range_check("feature_range", values, a)
    return out.model_copy(update={"detail": f"{a.feature}: {out.detail}"})


_NOT_CONTENT = frozenset("""a an and or the of for to in on at by my me i im we our you your it its is are be with
from some any songs song music playlist tracks mix something like sounds sound that this what when while feels
feel feeling vibe vibes give want need make play please just really kind stuff get let put am was about into
""".split())


def content_words(prompt: str) -> set[str]:
    """The prompt's content words: 3+ letters, not function words or requests."""
    return {w for w in re.findall(r"[a-z']+", fold(prompt)) if len(w) >= 3 and w not in _NOT_CONTENT}


def title_word_share(p: Playlist, a: TitleWordArgs, ctx: ScoreContext) -> Outcome:
    """Share of titles repeating a content word of the prompt (or its plural): picks by title, not by sound."""
    words = content_words(p.prompt)
    stems = {w.rstrip("s") for w in words}
    hits = [t.title for t in p.tracks if stems & {x.rstrip("s") for x in re.findall(r"[a-z']+", fold(t.title))}]
    share = len(hits) / len(p.tracks) if p.tracks else 0.0
    return outcome("title_word_share", share <= a.max + 1e-9, f"{share:.0%} of titles repeat {sorted(words)[:6]}"
                   + (f": {hits[:3]}" if hits else ""))


def feature_mean(p: Playlist, a: MeanArgs, ctx: ScoreContext) -> Outcome:
    """The playlist's mean of an audio feature within [min, max] (the mood's feature target met on average)."""
    values = [getattr(_full_track(t, ctx.catalog) or t, a.feature, None) for t in p.tracks]
    known = [float(v) for v in values if v is not None]
    mean = sum(known) / len(known) if known else float("nan")
    ok = bool(known) and (a.min is None or mean >= a.min) and (a.max is None or mean <= a.max)
    return outcome("feature_mean", ok, f"mean {a.feature} {mean:.2f} (asked [{a.min}, {a.max}])")


_families: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}


def _family_mask(cat: Catalog, genres: tuple[str, ...]) -> np.ndarray:
    """Catalog tracks in any of the genre families (all tracks when none is named), kept per catalog."""
    key = (id(cat), genres)
    if key not in _families:
        _families[key] = (np.array([in_family(g, list(genres)) for g in cat.genre_lists], dtype=bool) if genres
                          else np.ones(len(cat), dtype=bool))
    return _families[key]


def popularity_rank(p: Playlist, a: PopularityArgs, ctx: ScoreContext) -> Outcome:
    """Where the playlist's median popularity sits among the catalog's tracks of the same genres and the spec's
    years (0 = the least
    known, 1 = the best known): deep cuts should sit low, hits high. Popularity 0 (never measured) is left out on
    both sides. Needs the catalog."""
    if ctx.catalog is None or not p.tracks:
        return outcome("popularity_rank", False, "needs the catalog and a non-empty playlist")
    cat = ctx.catalog
    pops = [float(cat.popularity[cat.index[t.id]]) for t in p.tracks if t.id in cat.index]
    pops = [x for x in pops if x > 0]  # 0 = never measured
    years = (cat.year >= (p.spec.year_min or 0)) & (cat.year <= (p.spec.year_max or 9999))  # the same eras asked
    ref = cat.popularity[_family_mask(cat, tuple(a.genres)) & years & (cat.popularity > 0)]
    if not pops or not len(ref):
        return outcome("popularity_rank", False, f"no catalog tracks in {a.genres}")
    median = float(np.median(pops))
    rank = float(((ref < median).sum() + 0.5 * (ref == median).sum()) / len(ref))
    ok = (a.max is None or rank <= a.max) and (a.min is None or rank >= a.min)
    return outcome("popularity_rank", ok, f"median popularity {median:g} is at the {rank:.0%} point of "
                   f"{len(ref)} catalog tracks in {a.genres or 'the catalog'} of those years (asked [{a.min}, {a.max}]; "
                   f"their median {float(np.median(ref)):g})")


def energy_arc(p: Playlist, a: ArcArgs, ctx: ScoreContext) -> Outcome:
    from evals.metrics import arc_direction, energies

    ok, detail = arc_direction(energies(p), a.shape, a.min_delta)
    return outcome("energy_arc", ok, detail)


def artist_spacing(p: Playlist, a: SpacingArgs, ctx: ScoreContext) -> Outcome:
    last: dict[str, int] = {}
    bad: list[str] = []
    for t in p.tracks:
        who = norm_artist(t.artists[0]) if t.artists else ""
        if who in last and t.position - last[who] < a.min_gap:
            bad.append(f"{t.artists[0]} at {last[who]} and {t.position}")
        last[who] = t.position
    return outcome("artist_spacing", not bad, f"{bad[:3]}" if bad else f"every artist ≥ {a.min_gap} apart")


def narration_grounded(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    g = check_narration(p, ctx.catalog)
    return outcome("narration_grounded", not g.ungrounded or not a,
                   f"ungrounded: {g.ungrounded[:4]}" if g.ungrounded else f"{len(g.mentions)} mentions, all grounded")


def narration_length(p: Playlist, a: NarrationLengthArgs, ctx: ScoreContext) -> Outcome:
    words = [len(s.text.split()) for s in p.segments]
    ok = len(words) >= a.min_segments
    ok &= a.max_words_per_segment is None or all(w <= a.max_words_per_segment for w in words)
    ok &= a.max_words_total is None or sum(words) <= a.max_words_total
    return outcome("narration_length", ok, f"{len(words)} segments, words {words[:8]}")


def no_duplicates(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    """No two versions of one song: one catalog song key, or the same folded title with a lead artist in common."""
    from evals.metrics import same_version_of

    dupes = [_label(t) for n, t in enumerate(p.tracks) if any(same_version_of(t, e, ctx.catalog) for e in p.tracks[:n])]
    return outcome("no_duplicates", not dupes, f"repeated: {dupes[:3]}" if dupes else "all distinct")


def constraints_honest(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    """Every reported constraint's `met` agrees with the playlist itself (a shortfall is fine if admitted)."""
    from evals.metrics import hidden_shortfalls

    lies = hidden_shortfalls(p)
    return outcome("constraints_honest", not lies, f"{lies}" if lies else f"{len(p.constraints)} reports, all honest")


def constraints_met(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    unmet = [f"{c.name}: {c.actual} (asked {c.target})" for c in p.constraints if not c.met]
    return outcome("constraints_met", not unmet, f"{unmet[:3]}" if unmet else "all met")


def not_degraded(p: Playlist, a: bool, ctx: ScoreContext) -> Outcome:
    return outcome("not_degraded", not p.degraded or not a, p.degraded_reason or "")


def rubric(p: Playlist, a: RubricArgs, ctx: ScoreContext) -> Outcome:
    """Model-graded: only when a model is configured; otherwise skipped, never failed."""
    if ctx.judge is None:
        return Outcome(kind="rubric", status="skip", detail="no model configured")
    tracks = "\n".join(f"{t.position}. {_label(t)} ({t.year}, {', '.join(t.genres[:3])})" for t in p.tracks)
    talk = "\n".join(s.text for s in p.segments)
    verdict = ctx.judge(f"Criteria: {a.criteria}\n\nPrompt: {p.prompt}\n\nPlaylist:\n{tracks}\n\nNarration:\n{talk}")
    score = float(verdict.get("score", 0.0))
    return outcome("rubric", score >= a.min_score, f"{score:.2f}: {str(verdict.get('reason', ''))[:160]}")


def _mean_of(p: Playlist, feature: str, catalog: Catalog | None) -> float | None:
    values = [getattr(_full_track(t, catalog) or t, feature, None) for t in p.tracks if t.kind != "talk"]
    known = [float(v) for v in values if v]  # 0: a year or tempo not known
    return sum(known) / len(known) if known else None


def vs_parent(p: Playlist, a: MoveArgs, ctx: ScoreContext) -> Outcome:
    """A refine moved the mean of a feature the asked way ('calmer': energy lower than before)."""
    if ctx.parent is None:
        return outcome("vs_parent", False, "the case refines nothing: no playlist to compare with")
    before, after = _mean_of(ctx.parent, a.feature, ctx.catalog), _mean_of(p, a.feature, ctx.catalog)
    if before is None or after is None:
        return outcome("vs_parent", False, f"{a.feature} unknown")
    moved = (before - after) if a.direction == "lower" else (after - before)
    return outcome("vs_parent", moved >= a.min_delta - 1e-9,
                   f"mean {a.feature} {before:.2f} → {after:.2f} (asked {a.direction} by ≥ {a.min_delta:g})")


def kept_share(p: Playlist, a: KeptArgs, ctx: ScoreContext) -> Outcome:
    """Share of the refined playlist's tracks still in the refined one: a mix-in keeps most, a hard change few."""
    if ctx.parent is None:
        return outcome("kept_share", False, "the case refines nothing: no playlist to compare with")
    old = {t.id for t in ctx.parent.tracks}
    share = len(old & {t.id for t in p.tracks}) / len(old) if old else 0.0
    return outcome("kept_share", a.min - 1e-9 <= share <= a.max + 1e-9,
                   f"{share:.0%} of the {len(old)} tracks kept (asked [{a.min:.0%}, {a.max:.0%}])")


def theme_share(p: Playlist, a: ThemeArgs, ctx: ScoreContext) -> Outcome:
    """Share of tracks whose title or album carries the theme's words ('christmas songs' are Christmas songs), or
    (theme `soundscape`) that are noise or nature recordings (tools/soundscapes.py)."""
    from tools.soundscapes import is_soundscape
    from tools.themes import THEMES

    if a.theme not in THEMES and a.theme != "soundscape":
        return outcome("theme_share", False, f"unknown theme {a.theme!r}")
    albums = [getattr(_full_track(t, ctx.catalog), "album", "") or "" for t in p.tracks]
    hits = [is_soundscape(t.title, _genres(t, ctx.catalog)) if a.theme == "soundscape" else
            bool(THEMES[a.theme].search(fold(f"{t.title} {album}"))) for t, album in zip(p.tracks, albums, strict=True)]
    share = sum(hits) / len(hits) if hits else 0.0
    misses = [t.title for t, h in zip(p.tracks, hits, strict=True) if not h]
    hit_titles = [t.title for t, h in zip(p.tracks, hits, strict=True) if h]
    return outcome("theme_share", a.min - 1e-9 <= share <= a.max + 1e-9,
                   f"{share:.0%} carry {a.theme} (asked [{a.min:.0%}, {a.max:.0%}])"
                   + (f"; not: {misses[:3]}" if misses and share < a.min else "")
                   + (f"; carry: {hit_titles[:3]}" if share > a.max else ""))


def talk_share(p: Playlist, a: TalkShareArgs, ctx: ScoreContext) -> Outcome:
    """Share of entries that are podcast episodes (of the topics, when given): a podcast request is mostly talk,
    'a podcast and some music' keeps songs."""
    wanted = {fold(t) for t in a.topics}
    hits = [t for t in p.tracks if t.kind == "talk" and (not wanted or wanted & {fold(g) for g in t.genres})]
    share = len(hits) / len(p.tracks) if p.tracks else 0.0
    what = f"{'/'.join(a.topics)} episodes" if a.topics else "episodes"
    return outcome("talk_share", a.min - 1e-9 <= share <= a.max + 1e-9,
                   f"{len(hits)} of {len(p.tracks)} entries are {what} ({share:.0%}; asked [{a.min:.0%}, {a.max:.0%}])")


Scorer = Callable[[Playlist, Any, ScoreContext], Outcome]
SCORERS: dict[str, tuple[Any, Scorer]] = {
    "count": (CountArgs, count), "duration": (DurationArgs, duration), "no_explicit": (bool, no_explicit),
    "exclude_artists": (list[str], exclude_artists), "exclude_genres": (list[str], exclude_genres),
    "genre_share": (GenreShareArgs, genre_share), "year_range": (Range, year_range),
    "tempo_range": (Range, tempo_range), "feature_range": (FeatureArgs, feature_range), "energy_arc": (ArcArgs, energy_arc),
    "artist_spacing": (SpacingArgs, artist_spacing), "narration_grounded": (bool, narration_grounded),
    "narration_length": (NarrationLengthArgs, narration_length), "no_duplicates": (bool, no_duplicates),
    "constraints_honest": (bool, constraints_honest), "constraints_met": (bool, constraints_met),
    "not_degraded": (bool, not_degraded), "rubric": (RubricArgs, rubric),
    "exclusive": (ExclusiveArgs, exclusive), "instrumental_share": (ShareArgs, instrumental_share),
    "reported": (ReportedArgs, reported), "filtered_honest": (bool, filtered_honest),
    "title_word_share": (TitleWordArgs, title_word_share), "feature_mean": (MeanArgs, feature_mean),
    "popularity_rank": (PopularityArgs, popularity_rank), "no_title_words": (list[str], no_title_words),
    "vs_parent": (MoveArgs, vs_parent), "kept_share": (KeptArgs, kept_share), "theme_share": (ThemeArgs, theme_share),
    "talk_share": (TalkShareArgs, talk_share),
}


def _shorthand(kind: str, args: Any) -> Any:
    """Suite-file shorthands: `count: 15`, `energy_arc: rise`, `rubric: "…"`, `artist_spacing: 3`."""
    if kind == "count" and isinstance(args, int):
        return {"min": args, "max": args}
    if kind == "duration" and isinstance(args, int | float):
        return {"minutes": args}
    if kind == "energy_arc" and isinstance(args, str):
        return {"shape": args}
    if kind == "rubric" and isinstance(args, str):
        return {"criteria": args}
    if kind == "title_word_share" and isinstance(args, int | float):
        return {"max": args}
    if kind == "artist_spacing" and isinstance(args, int):
        return {"min_gap": args}
    if kind == "exclusive" and isinstance(args, list | str):
        return {"artists": [args] if isinstance(args, str) else args}
    if kind == "instrumental_share" and isinstance(args, int | float):
        return {"min": args}
    if kind == "reported" and isinstance(args, str):
        return {"name": args}
    return args


def validate_args(kind: str, args: Any) -> Any:
    if kind not in SCORERS:
        raise ValueError(f"unknown assertion {kind!r}; known: {', '.join(sorted(SCORERS))}")
    model = SCORERS[kind][0]
    try:
        return TypeAdapter(model).validate_python(_shorthand(kind, args))
    except ValidationError as exc:
        raise ValueError(f"bad arguments for {kind!r}: {exc.errors()[0]['msg']}") from exc


def score(playlist: Playlist, kind: str, args: Any, ctx: ScoreContext) -> Outcome:
    return SCORERS[kind][1](playlist, args, ctx)
