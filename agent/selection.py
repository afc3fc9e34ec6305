"""candidates → the chosen tracks: content policy first, soft preferences scored, MMR-diversified, then the hard
constraints (exact count, duration within ±3%) met in code — or reported when the catalog cannot meet them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.camelot import bpm_matrix, compatible_matrix
from agent.models import Candidate, ConstraintReport, FilteredItem, PlaylistSpec, Track
from agent.wishes import wish_violation
from tools.content_filter import ContentPolicy, apply_policy
from tools.moods import mood_words, tempo_word
from tools.normalize import fold, norm_artist

DURATION_TOLERANCE = 0.03
W_FEATURES, W_TEMPO, W_TASTE, W_PRIOR = 0.6, 0.4, 0.6, 0.25
W_TEMPO_WORDS = 0.6  # a tempo word's band ('fast' → 140-200 BPM): in band gains this, outside fades over TEMPO_FADE
TEMPO_FADE = 10.0
W_DISCOVERY = 1.5  # 'deep cuts' / 'hits': × lean × (popularity rank in the pool - 0.5)
ASKED_LEAN = 0.5  # |1 - 2 × discovery| at or above this: the prompt asked (the planner's 0.15 and 0.85 give 0.7)
HALF_TIME_CREDIT = 0.5  # a track whose half or double tempo is in the band: this share of the gain
LADDER_ARCS = ("rise", "fall", "peak", "wave")  # asked shapes whose tracks are picked to span an energy range
ARC_SPAN, ARC_HEADROOM = 0.35, 0.1  # the range: from the mood's energy + headroom down by the span
W_RUNG, RUNG_FADE = 1.0, 0.2  # a track at an unfilled energy level gains W_RUNG, fading to 0 at RUNG_FADE away
SHORTLIST = 3  # diversity picks among this many times the tracks asked for, best utility first ('candlelit bath'
#               reached past 200 better-fitting tracks for a drill song when it was free to roam the whole pool)
W_SIMILAR = 0.35  # MMR: penalty per unit of cosine similarity to the closest chosen track
W_LINK = 0.3  # bonus for mixing well (compatible key and close tempo) with tracks already chosen
LINK_BPM = 8.0
W_CLEAN = 0.3  # a listener whose plays hold no explicit track: clean tracks gain this (× taste weight), never a filter
CLEAN_SCORE = {False: 1.0, None: 0.5, True: 0.0}  # by the track's explicit flag


@dataclass
class Selection:
    tracks: list[Track]
    why: dict[str, str] = field(default_factory=dict)
    constraints: list[ConstraintReport] = field(default_factory=list)
    filtered: list[FilteredItem] = field(default_factory=list)


@dataclass
class Pool:
    """The allowed candidates as arrays: utility, vectors, artist and genre ids, pairwise mixability."""

    tracks: list[Track]
    utility: np.ndarray
    relevance: np.ndarray
    vectors: np.ndarray
    artist: np.ndarray
    genre: np.ndarray
    song: np.ndarray
    duration: np.ndarray
    links: np.ndarray
    energy: np.ndarray


def spec_violation(t: Track, spec: PlaylistSpec) -> str | None:
    """Hard constraints of the spec the content policy does not cover (year, tempo, track length, only-artists,
    instrumental)."""
    if spec.year_min is not None and (t.year is None or t.year < spec.year_min):
        return f"released before {spec.year_min}"
    if spec.year_max is not None and (t.year is None or t.year > spec.year_max):
        return f"released after {spec.year_max}"
    if (spec.tempo_min is not None or spec.tempo_max is not None) and t.features_from == "audio":
        return "tempo only estimated from its audio"  # a hard tempo range is checked on catalog tempos only
    if spec.tempo_min is not None and t.tempo < spec.tempo_min:
        return f"slower than {spec.tempo_min:g} BPM"
    if spec.tempo_max is not None and t.tempo > spec.tempo_max:
        return f"faster than {spec.tempo_max:g} BPM"
    if spec.max_track_minutes is not None and t.duration_ms > spec.max_track_minutes * 60000:
        return f"longer than {spec.max_track_minutes:g} min"
    return wish_violation(t, spec)


VERSION_REASON = "another version of a song already in the playlist"


def allowed_tracks(candidates: list[Candidate], spec: PlaylistSpec,
                   policy: ContentPolicy) -> tuple[list[Track], dict[str, float], list[FilteredItem]]:
    """Best-first unique candidates (one version per song) that pass the content policy and the spec's hard
    constraints. A version set aside is listed with VERSION_REASON; `select` keeps that entry only when the
    version it lost to is in the playlist."""
    scores: dict[str, float] = {}
    for c in candidates:
        scores[c.track.id] = max(c.score, scores.get(c.track.id, -math.inf))
    ranked = sorted({c.track.id: c.track for c in candidates}.values(), key=lambda t: (-scores[t.id], t.id))
    allowed, filtered = apply_policy(ranked, policy.model_copy(update={"dedupe": False}))
    kept: list[Track] = []
    songs: set[str] = set()
    for t in allowed:
        reason = spec_violation(t, spec) or (VERSION_REASON if t.song_key in songs else None)
        if reason:
            filtered.append(FilteredItem(id=t.id, title=t.title, artists=list(t.artists), reason=reason))
            continue
        songs.add(t.song_key)
        kept.append(t)
    return kept, scores, filtered


def utilities(tracks: list[Track], scores: dict[str, float], spec: PlaylistSpec,
              profile: Any) -> tuple[np.ndarray, np.ndarray]:
    """(utility, relevance): relevance rescaled to 0-1 over the pool plus feature, tempo, taste and popularity terms."""
    raw = np.array([scores[t.id] for t in tracks], dtype=np.float64)
    spread = raw.max() - raw.min() if len(raw) else 0.0
    rel = (raw - raw.min()) / spread if spread > 1e-9 else np.ones(len(raw))
    util = rel.copy()
    targets = {f: v for f, v in spec.feature_targets.items() if not (f == "energy" and spec.arc in LADDER_ARCS)}
    if targets:  # an asked arc's energy is met by the ladder (energy_rungs), not one level
        gaps = [np.abs(np.array([getattr(t, f) for t in tracks]) - v) for f, v in targets.items()]
        util += W_FEATURES * (1.0 - np.mean(gaps, axis=0))
    if spec.tempo_target:
        d = bpm_matrix(np.array([spec.tempo_target] + [t.tempo for t in tracks]))[0, 1:]
        util += W_TEMPO * np.exp(-((d / 12.0) ** 2))
    if spec.tempo_soft_min is not None or spec.tempo_soft_max is not None:
        tempos = np.array([t.tempo for t in tracks], dtype=np.float64)
        util += W_TEMPO_WORDS * tempo_band_fit(tempos, spec.tempo_soft_min, spec.tempo_soft_max)
    genres, artists = taste_tables(profile)
    if (genres or artists) and spec.taste_weight > 0:
        util += W_TASTE * spec.taste_weight * np.array([taste_of(t, genres, artists) for t in tracks])
    if clean_history(profile):
        util += W_CLEAN * spec.taste_weight * np.array([CLEAN_SCORE[t.explicit] for t in tracks])
    util += popularity_lean(np.array([t.popularity for t in tracks], dtype=np.float64), spec.discovery)
    return util, raw


def popularity_lean(popularity: np.ndarray, discovery: float) -> np.ndarray:
    """The popularity term: a light prior, and when the prompt asks for deep cuts or hits (discovery far from
    0.5) a strong pull by popularity rank within the pool, so 'deep cuts' picks the pool's least known."""
    lean = 1.0 - 2.0 * discovery
    out = W_PRIOR * lean * np.where(popularity > 0, popularity / 100.0 - 0.5, 0.0)
    known = popularity > 0  # 0 = never measured (re-released ids): neither a deep cut nor a hit
    if abs(lean) >= ASKED_LEAN and known.sum() > 1:
        ordered = np.sort(popularity[known])
        rank = (np.searchsorted(ordered, popularity, "left") + np.searchsorted(ordered, popularity, "right") - 1) / 2
        out = out + W_DISCOVERY * lean * np.where(known, rank / (len(ordered) - 1.0) - 0.5, 0.0)
    return out


def tempo_band_fit(tempos: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    """0-1 per track: 1 inside [low, high], fading outside; a half- or double-time match earns HALF_TIME_CREDIT
    (a punk track measured at 85 BPM may be played at 170); no detectable beat earns nothing."""
    def fit(bpm: np.ndarray) -> np.ndarray:
        gap = np.maximum(0.0, np.maximum((low or 0.0) - bpm, bpm - (high or np.inf)))
        return np.exp(-((gap / TEMPO_FADE) ** 2))

    half_double = HALF_TIME_CREDIT * np.maximum(fit(tempos * 2.0), fit(tempos / 2.0))
    return np.where(tempos > 0, np.maximum(fit(tempos), half_double), 0.0)


def clean_history(profile: Any) -> bool:
    """A personalised listener with at least 3 plays of known explicit status, none of them explicit."""
    return (getattr(profile, "explicit_share", None) == 0 and not getattr(profile, "cold_start", True)
            and getattr(profile, "clean_plays", 0) >= 3)


def taste_of(t: Track, genres: dict[str, float], artists: dict[str, float]) -> float:
    g = max((genres.get(fold(x), 0.0) for x in t.genres), default=0.0)
    a = max((artists.get(norm_artist(x), 0.0) for x in t.artists), default=0.0)
    return 0.6 * max(g, 0.0) + 0.4 * max(a, 0.0) + 0.4 * min(a, 0.0)


def build_pool(tracks: list[Track], scores: dict[str, float], spec: PlaylistSpec, profile: Any,
               catalog: Any) -> Pool:
    util, rel = utilities(tracks, scores, spec, profile)
    dim = catalog.vectors.shape[1] if catalog is not None else 1
    vecs = np.zeros((len(tracks), dim), dtype=np.float32)
    if catalog is not None:
        for n, t in enumerate(tracks):
            row = catalog.index.get(t.id)
            if row is not None:
                vecs[n] = catalog.vectors[row]
    ids: dict[str, int] = {}
    links = compatible_matrix([t.camelot for t in tracks]) & (bpm_matrix(np.array([t.tempo for t in tracks])) <= LINK_BPM)
    return Pool(
        tracks=tracks, utility=util, relevance=rel, vectors=vecs,
        artist=np.array([ids.setdefault("a:" + norm_artist(t.artist), len(ids)) for t in tracks], dtype=np.int64),
        genre=np.array([ids.setdefault("g:" + (fold(t.genres[0]) if t.genres else ""), len(ids)) for t in tracks],
                       dtype=np.int64),
        song=np.array([ids.setdefault("s:" + t.song_key, len(ids)) for t in tracks], dtype=np.int64),
        duration=np.array([t.duration_ms for t in tracks], dtype=np.int64), links=links,
        energy=np.array([t.energy for t in tracks], dtype=np.float64),
    )


def energy_rungs(pool: Pool, spec: PlaylistSpec, count: int) -> np.ndarray | None:
    """For an asked rise, fall, peak or wave: `count` energy levels from calm to the mood's energy (or the best
    candidates' median), so the set spans enough energy for the shape ('ramp up for the party' starts lower)."""
    if spec.arc not in LADDER_ARCS or not len(pool.tracks) or count < 3:
        return None
    top = pool.energy[np.argsort(-pool.utility, kind="stable")[:50]]
    high = min(1.0, float(spec.feature_targets.get("energy", np.median(top))) + ARC_HEADROOM)
    low = max(0.05, high - ARC_SPAN)
    return np.linspace(low, low + ARC_SPAN if low == 0.05 else high, count)


def artist_cap(count: int) -> int:
    """At most this many tracks per artist: 2 for 20 tracks, 1 for up to 10, scaling with the count."""
    return max(1, math.ceil(count / 10))


def diversified(pool: Pool, length: int, spec: PlaylistSpec, count: int) -> list[int]:
    """Greedy MMR order of up to `length` pool indices: utility, minus similarity to what is chosen, plus
    mixability with it; artist (none when the prompt asks for only some artists) and (for broad prompts) genre
    caps, relaxed only when the pool runs dry."""
    n = len(pool.tracks)
    broad = not (spec.genres or spec.seed_artists)
    cap_a = count if spec.only_artists else artist_cap(count)  # 'only Drake': Drake's own songs, not his features
    cap_g = max(2, math.ceil(count * 0.3)) if broad else n
    chosen: list[int] = []
    free = np.ones(n, dtype=bool)
    max_sim = np.zeros(n)
    link_count = np.zeros(n)
    a_count = np.zeros(pool.artist.max() + 1 if n else 1, dtype=np.int64)
    g_count = np.zeros(pool.genre.max() + 1 if n else 1, dtype=np.int64)
    relax = 0
    rungs = energy_rungs(pool, spec, count)
    shortlist = np.zeros(n, dtype=bool)  # MMR re-ranks the most useful tracks, not the whole pool
    shortlist[np.argsort(-pool.utility, kind="stable")[:SHORTLIST * max(count, 1)]] = True
    while len(chosen) < min(length, n):
        ok = free & shortlist & (a_count[pool.artist] < cap_a + relax) & (g_count[pool.genre] < cap_g + relax)
        if not ok.any():
            if not free.any():
                break
            if not shortlist.all():
                shortlist[:] = True
            else:
                relax += 1
            continue
        value = pool.utility - W_SIMILAR * max_sim + W_LINK * np.minimum(link_count, 2) / 2
        if rungs is not None and len(rungs):
            gap = np.min(np.abs(pool.energy[:, None] - rungs[None, :]), axis=1)
            value = value + W_RUNG * (1.0 - np.minimum(gap / RUNG_FADE, 1.0))
        k = int(np.argmax(np.where(ok, value, -np.inf)))
        if rungs is not None and len(rungs):
            rungs = np.delete(rungs, int(np.argmin(np.abs(rungs - pool.energy[k]))))
        chosen.append(k)
        free[k] = False
        free &= pool.song != pool.song[k]
        a_count[pool.artist[k]] += 1
        g_count[pool.genre[k]] += 1
        max_sim = np.maximum(max_sim, pool.vectors @ pool.vectors[k])
        link_count += pool.links[k]
    return chosen


def select(candidates: list[Candidate], spec: PlaylistSpec, policy: ContentPolicy, profile: Any = None,
           seed: int = 0, catalog: Any = None) -> Selection:
    """The playlist's tracks (unordered), each with a factual `why`, plus reports on the hard constraints.
    Deterministic: ties break on track id; `seed` only varies the choice among exactly equal options."""
    tracks, scores, filtered = allowed_tracks(candidates, spec, policy)
    if not tracks:
        return Selection(tracks=[], constraints=shortfall_reports(spec, 0), filtered=filtered)
    pool = build_pool(tracks, scores, spec, profile, catalog)
    count = spec.target_count()
    if spec.minutes:
        chosen, reports = fit_duration(pool, spec, count)
    else:
        chosen, reports = fit_count(pool, spec, count or 20)
    picked = [pool.tracks[k] for k in chosen]
    return Selection(tracks=picked, why={t.id: why_for(t, spec, profile) for t in picked}, constraints=reports,
                     filtered=true_of(filtered, picked, candidates))


def true_of(filtered: list[FilteredItem], picked: list[Track], candidates: list[Candidate]) -> list[FilteredItem]:
    """Only the removals that are true of the playlist: a version set aside stays listed only when another
    version of its song was picked (otherwise it simply was not chosen)."""
    in_playlist = {t.song_key for t in picked}
    song = {c.track.id: c.track.song_key for c in candidates}
    return [f for f in filtered if f.reason != VERSION_REASON or song.get(f.id) in in_playlist]


def shortfall_reports(spec: PlaylistSpec, found: int) -> list[ConstraintReport]:
    note = "no catalog track passes the filters"
    out = []
    if spec.target_count() is not None:
        out.append(ConstraintReport(name="count", target=str(spec.target_count()), actual=str(found), met=False, note=note))
    if spec.minutes:
        out.append(ConstraintReport(name="duration", target=f"{spec.minutes:g} min ±3%", actual="0.0 min", met=False,
                                    note=note))
    return out


# --------------------------------------------------------------------------- hard constraints: count and duration

def fit_count(pool: Pool, spec: PlaylistSpec, count: int) -> tuple[list[int], list[ConstraintReport]]:
    chosen = diversified(pool, count, spec, count)
    note = "" if len(chosen) == count else f"only {len(chosen)} tracks pass the filters"
    return chosen, [ConstraintReport(name="count", target=str(count), actual=str(len(chosen)),
                                     met=len(chosen) == count, note=note)]


def fit_duration(pool: Pool, spec: PlaylistSpec, count: int | None) -> tuple[list[int], list[ConstraintReport]]:
    """Tracks whose total length lands within ±3% of the minutes asked (with the exact count when one is set)."""
    target = float(spec.minutes or 0) * 60000
    lo, hi = target * (1 - DURATION_TOLERANCE), target * (1 + DURATION_TOLERANCE)
    if count is None:
        estimate = max(1, round(target / float(np.median(pool.duration[np.argsort(-pool.utility)[:50]]))))
        order = diversified(pool, estimate * 2 + 40, spec, estimate)
        cum = np.cumsum(pool.duration[order])
        k = min(int(np.searchsorted(cum, lo)) + 1, len(order))
        if k > 1 and abs(cum[k - 2] - target) < abs(cum[k - 1] - target):
            k -= 1
    else:
        order = diversified(pool, count + 80, spec, count)
        k = min(count, len(order))
    chosen = repair(pool, order[:k], order[k:], (lo, hi, target), resize=count is None)
    reports = []
    if count is not None:
        reports.append(ConstraintReport(name="count", target=str(count), actual=str(len(chosen)),
                                        met=len(chosen) == count,
                                        note="" if len(chosen) == count else f"only {len(chosen)} tracks pass the filters"))
    total = float(pool.duration[chosen].sum())
    met = lo <= total <= hi
    note = "" if met else (f"closest achievable from the {len(pool.tracks)} tracks that pass the filters"
                           + ("" if count is None else f" with exactly {count} tracks"))
    reports.append(ConstraintReport(name="duration", target=f"{spec.minutes:g} min ±3%", actual=f"{total / 60000:.1f} min",
                                    met=met, note=note))
    return chosen, reports


def repair(pool: Pool, chosen: list[int], spare: list[int], band: tuple[float, float, float],
           resize: bool) -> list[int]:
    """Swap (and, when the count is free, add or drop) tracks until the total length is inside the band,
    losing as little utility as possible; without a landing move, take the one that gets closest."""
    lo, hi, target = band
    chosen, spare = list(chosen), list(spare)
    cap = max([artist_cap(len(chosen))] + [int(np.sum(pool.artist[chosen] == a)) for a in set(pool.artist[chosen])])
    for _ in range(2 * len(chosen) + 2):
        total = float(pool.duration[chosen].sum())
        if lo <= total <= hi or not chosen:
            break
        moves = candidate_moves(pool, chosen, spare, total, cap, resize)
        if not moves:
            break
        landing = [m for m in moves if lo <= m[0] <= hi]
        best = min(landing, key=lambda m: (m[1], m[2], m[3])) if landing else min(
            moves, key=lambda m: (abs(m[0] - target), m[1], m[2], m[3]))
        if not landing and abs(best[0] - target) >= abs(total - target):
            break
        _, _, out, into = best
        if out >= 0:
            chosen.remove(out)
            spare.append(out)
        if into >= 0:
            spare.remove(into)
            chosen.append(into)
    return chosen


def candidate_moves(pool: Pool, chosen: list[int], spare: list[int], total: float, cap: int,
                    resize: bool) -> list[tuple[float, float, int, int]]:
    """(new total, utility lost, track out or -1, track in or -1) for every allowed swap, add and drop."""
    c, s = np.array(chosen), np.array(spare, dtype=np.int64)
    counts = {a: int(np.sum(pool.artist[c] == a)) for a in set(pool.artist[c].tolist())}
    moves: list[tuple[float, float, int, int]] = []
    if len(s):
        new = total - pool.duration[c][:, None] + pool.duration[s][None, :]
        loss = pool.utility[c][:, None] - pool.utility[s][None, :]
        room = np.array([counts.get(a, 0) for a in pool.artist[s]])[None, :] - (pool.artist[c][:, None] == pool.artist[s][None, :])
        ok = room < cap
        for i, j in zip(*np.nonzero(ok), strict=False):
            moves.append((float(new[i, j]), float(loss[i, j]), int(c[i]), int(s[j])))
    if resize:
        moves += [(total + float(pool.duration[j]), 0.0, -1, int(j)) for j in s if counts.get(pool.artist[j], 0) < cap]
        if len(c) > 1:
            moves += [(total - float(pool.duration[i]), float(pool.utility[i]), int(i), -1) for i in c]
    return moves


# --------------------------------------------------------------------------- why each track

ACTIVITIES = {"run": "run", "running": "run", "jog": "run", "jogging": "run", "workout": "workout", "gym": "workout",
              "cardio": "workout", "exercise": "workout", "dance": "dance floor", "party": "party", "cycling": "ride"}


def taste_tables(profile: Any) -> tuple[dict[str, float], dict[str, float]]:
    """The listener's genre and artist affinities, folded keys, scaled so the strongest is 1."""
    def scaled(raw: Any, key) -> dict[str, float]:
        if not isinstance(raw, dict) or not raw:
            return {}
        top = max(abs(float(v)) for v in raw.values()) or 1.0
        return {key(str(k)): float(v) / top for k, v in raw.items()}

    return (scaled(getattr(profile, "genre_affinities", None), fold),
            scaled(getattr(profile, "artist_affinities", None), norm_artist))


def top_genres(profile: Any, k: int = 3) -> list[str]:
    """The listener's favourite genres (display names), strongest first."""
    raw = getattr(profile, "genre_affinities", None)
    if not isinstance(raw, dict):
        return []
    return [str(g) for g, v in sorted(raw.items(), key=lambda kv: -float(kv[1])) if float(v) > 0][:k]


def matched_genre(t: Track, terms: list[str]) -> str | None:
    wanted = [fold(g) for g in terms if fold(g)]
    return next((g for g in t.genres if any(f" {w} " in f" {fold(g)} " for w in wanted)), None)


def why_for(t: Track, spec: PlaylistSpec, profile: Any) -> str:
    """A short reason made only of facts: matched genre, seed artist, taste, moods, tempo, year, popularity."""
    facts: list[str] = []
    if g := matched_genre(t, spec.genres):
        facts.append(g)
    seeds = {norm_artist(a) for a in spec.seed_artists}
    if named := next((a for a in t.artists if norm_artist(a) in seeds), None):  # a guest may be the one named
        facts.append(f"{named}, named in the prompt" if named == t.artist else f"with {named}, named in the prompt")
    facts += taste_facts(t, profile)
    estimated = t.features_from == "audio"  # only tempo, key and energy, and only estimated: said so
    if not estimated and (words := mood_words(t)[:2]):
        facts.append(" and ".join(words))
    activity = next((ACTIVITIES[m] for m in spec.moods if m in ACTIVITIES), None)
    if t.tempo > 0 and (activity or spec.tempo_target):
        bpm = f"about {round(t.tempo)} BPM (estimated from your file)" if estimated else f"{round(t.tempo)} BPM"
        facts.append(bpm + (f" for the {activity}" if activity else ""))
    if t.year and (spec.year_min or spec.year_max):
        facts.append(f"from {t.year}")
    if t.popularity >= 70 and spec.discovery <= 0.35:
        facts.append("a familiar hit")
    elif t.popularity < 30 and spec.discovery >= 0.65:
        facts.append("a deeper cut")
    if not facts and estimated:
        facts.append("from your library; tempo and key estimated from the file")
    if not facts:
        facts.append(f"{tempo_word(t.tempo)} {t.genres[0]}" if t.genres else f"{tempo_word(t.tempo)} pick")
    text = "; ".join(facts[:3])
    return text[0].upper() + text[1:]


def taste_facts(t: Track, profile: Any) -> list[str]:
    genres, artists = taste_tables(profile)
    artist = next((a for a in t.artists if artists.get(norm_artist(a), 0.0) >= 0.3), None)
    if artist:
        return [f"you play a lot of {artist}"]
    genre = next((g for g in t.genres if genres.get(fold(g), 0.0) >= 0.3), None)
    return [f"you play a lot of {genre}"] if genre else []
