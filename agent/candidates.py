"""spec (+ profile) → candidates: hard filters from the spec and policy, semantic queries from the rest.

Mood, activity and scene prompts are matched by sound (tools/sound.py: how tracks sound and what they were
put with), by title-free track text (tools/sound_text.py) and lean to the tracks real playlists and requests
with the nearest names held (tools/mood_model.went_with); prompts that name genres, artists or nothing
the sound model reads are matched against the full track text, titles included. Asked genres add a graded
genre fit (agent/genre_fit.py) and widen to their neighbours in the genre graph when thin."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import numpy as np

from agent.genre_fit import asked_genres, core_mask, genre_fit, widened
from agent.models import Candidate, PlaylistSpec, SearchFilters
from agent.wishes import with_wish_filters
from tools.catalog import Catalog, embed_query, top_k
from tools.content_filter import ContentPolicy
from tools.embeddings import normalise
from tools.library.owned import owned_mask
from tools.mood_model import learned_targets, neighbour_genres, went_with
from tools.normalize import fold, norm_artist
from tools.sound import catalog_sound, target_vector
from tools.sound_text import catalog_sound_text
from tools.soundscapes import asked as soundscapes_asked
from tools.soundscapes import named as soundscapes_named
from tools.soundscapes import soundscape_mask
from tools.themes import theme_mask, themes_of, unasked_themes

POOL = 400
W_TEXT_MOOD = 1.0  # a mood or activity prompt's title-free text similarity (tools/sound_text.py) beside its sound
W_TARGET_WORDS = 1.0  # the mood's feature targets in sound words, added to the query
W_GENRE_FIT = 0.3  # a track in an asked genre gains this over an unrelated one; neighbours a share of it
DISCOVER, NEUTRAL = 0.85, 0.5  # the planner's discovery for "deep cuts" and for prompts that say nothing
W_FAMILIAR = 0.2  # familiarity's weight in the search score at neutral discovery, for prompts naming no genre
W_LEAD = 0.3  # 'only Beyoncé': her own songs before the ones that only feature her
GENRE_ENOUGH = 3  # gather's layers of asked genres end the search once they hold this many times the tracks asked
#                   for ('bollywood': 73 Indian tracks for 20 songs, no band of Western songs for diversity to reach)
W_THEME = 1.0  # a track carrying an asked theme in its title or album ('christmas': tools/themes.py) gains this
W_WENT_WITH = 0.4  # mood, activity and scene prompts: a track the nearest real playlists and first requests hold
#                    (tools/mood_model.went_with) gains up to this


def search_filters(spec: PlaylistSpec, policy: ContentPolicy) -> SearchFilters:
    """The hard filters of a spec and a policy as catalog search filters."""
    max_ms = [m for m in (policy.max_track_ms, int(spec.max_track_minutes * 60000) if spec.max_track_minutes else None) if m]
    return with_wish_filters(SearchFilters(
        explicit="exclude" if "exclude" in (spec.explicit, policy.explicit) else "allow",
        exclude_artists=list(dict.fromkeys(spec.exclude_artists + policy.blocked_artists)),
        exclude_genres=list(dict.fromkeys(spec.exclude_genres + policy.blocked_genres)),
        year_min=spec.year_min, year_max=spec.year_max, tempo_min=spec.tempo_min, tempo_max=spec.tempo_max,
        max_duration_ms=min(max_ms) if max_ms else None,
    ), spec)


def query_text(spec: PlaylistSpec) -> str:
    """What the semantic search looks for: the free text plus recognised genres and moods."""
    parts = [spec.query, " ".join(spec.genres), " ".join(spec.moods)]
    if spec.seed_artists:
        parts.append("like " + ", ".join(spec.seed_artists))
    return " ".join(p for p in parts if p).strip() or "popular songs"


def names_things(spec: PlaylistSpec) -> bool:
    """A prompt that names genres, artists or nothing the sound model reads (a title, an album), and no mood
    or activity: its words are searched against track text too. Mood, activity and scene prompts are not."""
    return not spec.moods and bool(spec.genres or spec.seed_artists or not spec.feature_targets)


def text_vector(spec: PlaylistSpec, catalog: Catalog, profile: Any = None) -> np.ndarray:
    """The query text, the seed artists' text centroid and (weighted) the listener's taste centroid, against
    the tracks' text vectors (titles included: the prompt may name one). A seed artist found in the catalog is
    searched by its tracks, not its name's words: 'like Coldplay' is not a list of titles saying 'Cold'."""
    seeds = catalog.artist_mask(spec.seed_artists) if spec.seed_artists else None
    if seeds is None or not seeds.any():
        return _with_taste(embed_query(query_text(spec)), spec, profile)
    rest = sound_query_text(spec)
    vec = catalog.vectors[seeds].mean(axis=0)
    return _with_taste(vec + embed_query(rest) if rest else vec, spec, profile)


def _with_taste(vec: np.ndarray, spec: PlaylistSpec, profile: Any) -> np.ndarray:
    centroid = getattr(profile, "embedding_centroid", None)
    if centroid is not None and len(centroid) == len(vec) and spec.taste_weight > 0:
        vec = vec + spec.taste_weight * np.asarray(centroid, dtype=np.float32)
    return normalise(vec[None, :])[0]


def sound_query_text(spec: PlaylistSpec) -> str:
    """The query text without the seed artists' names: names say who, the seeds' sound vectors say how."""
    text = fold(" ".join(p for p in (spec.query, " ".join(spec.genres), " ".join(spec.moods)) if p))
    for name in spec.seed_artists:
        text = re.sub(rf"\b{re.escape(fold(name))}\b", " ", text)
    return " ".join(text.split()) or ("" if spec.seed_artists else "popular songs")


def query_vector(spec: PlaylistSpec, catalog: Catalog, profile: Any = None) -> np.ndarray:
    """Blend of the text query, the seed artists' sound centroid and (weighted) the listener's taste centroid,
    matched against the tracks' sound vectors (tools/sound.py), never their titles."""
    text = sound_query_text(spec)
    vec = embed_query(text) if text else np.zeros(catalog_sound(catalog).basis.shape[0], dtype=np.float32)
    words = target_vector({str(f): v for f, v in spec.feature_targets.items()}) if spec.feature_targets else None
    if words is not None:
        vec = vec + W_TARGET_WORDS * words
    seeds = catalog.artist_mask(spec.seed_artists) if spec.seed_artists else None
    if seeds is not None and seeds.any():
        vec = vec + catalog_sound(catalog).centroid(seeds)
    return _with_taste(vec, spec, profile)


BAND = 0.25  # a mood's feature target t keeps tracks within [t - BAND, t + BAND] while the pool is rich
BAND_FEATURES = ("energy", "valence", "acousticness")
HITS_DISCOVERY, HITS_POPULARITY = 0.25, 50  # "hits", "classics": familiar songs first


def feature_band(spec: PlaylistSpec, catalog: Catalog) -> np.ndarray | None:
    """Tracks near the mood's energy/valence/acousticness targets, in a tempo word's band, and popular ones
    when the prompt asks for hits (None when the spec sets none of these)."""
    targets = {f: v for f, v in spec.feature_targets.items() if f in BAND_FEATURES}
    hits = spec.discovery <= HITS_DISCOVERY
    tempo_words = spec.tempo_soft_min is not None or spec.tempo_soft_max is not None
    if not targets and not hits and not tempo_words:
        return None
    m = catalog.popularity >= HITS_POPULARITY if hits else np.ones(len(catalog), dtype=bool)
    for f, v in targets.items():
        col = catalog.features[f]
        m &= (col >= v - BAND) & (col <= v + BAND)
    if tempo_words:  # 'fast', 'slow': the band's tempos first (selection still scores half/double time)
        tempo = catalog.tempo
        m &= (tempo >= (spec.tempo_soft_min or 0.0)) & (tempo <= (spec.tempo_soft_max or np.inf))
    return m


ARC_REACH, ARC_NEAR = 0.4, 0.1  # an asked arc also draws tracks this much calmer than the mood's energy …
ARC_SHARE = 4  # … up to a 1/ARC_SHARE of the pool


def calm_end(spec: PlaylistSpec, catalog: Catalog, genre: np.ndarray | None) -> np.ndarray | None:
    """For an asked rise, fall, peak or wave with a mood energy: tracks of the asked genres (or the mood's other
    features) between ARC_NEAR and ARC_REACH calmer than that energy, so the set has somewhere to start or land."""
    energy = spec.feature_targets.get("energy")
    if spec.arc not in ("rise", "fall", "peak", "wave") or energy is None:
        return None
    col = catalog.features["energy"]
    m = (col >= energy - ARC_REACH) & (col <= energy - ARC_NEAR)
    rest = feature_band(spec.model_copy(update={"feature_targets": {
        f: v for f, v in spec.feature_targets.items() if f != "energy"}}), catalog)
    return m & (genre if genre is not None else rest if rest is not None else True)


def wanted(spec: PlaylistSpec, catalog: Catalog, broaden: bool = False) -> np.ndarray | None:
    """Tracks of the asked genres, by the seed artists, or in the seed artists' own genres.
    broaden: also genres sharing the last word ('electric blues' → 'blues') and the asked genres' close
    neighbours in the genre graph ('bossa nova' → samba, MPB)."""
    if not (spec.genres or spec.seed_artists):
        return None
    terms = list(spec.genres)
    if broaden:
        terms += [g.split()[-1] for g in spec.genres if " " in g]
    m = core_mask(terms, catalog) if terms else np.zeros(len(catalog), dtype=bool)
    if broaden and spec.genres:
        m |= widened(list(spec.genres), catalog)
    if spec.seed_artists:
        seeds = catalog.artist_mask(spec.seed_artists)
        m |= seeds
        m |= catalog.genre_mask(_top_genres(catalog, seeds, 3))
    return m


_joined: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}


def sound_scores(spec: PlaylistSpec, catalog: Catalog, profile: Any = None) -> np.ndarray:
    """Sound similarity plus W_TEXT_MOOD × title-free text similarity, in one pass over the catalog."""
    key = id(catalog)
    if key not in _joined:
        sound, words = catalog_sound(catalog), catalog_sound_text(catalog)
        rows = sound.rows if words is None else np.ascontiguousarray(np.hstack([sound.rows, words.rows]))
        _joined.clear()
        _joined[key] = (rows, sound.basis, None if words is None else words.basis)
    rows, sound_basis, words_basis = _joined[key]
    coords = query_vector(spec, catalog, profile) @ sound_basis
    if words_basis is not None:
        coords = np.concatenate([coords, W_TEXT_MOOD * (embed_query(query_text(spec)) @ words_basis)])
    return rows @ coords.astype(np.float32)


def familiar_lean(discovery: float) -> float:
    """How much familiarity counts: 1 at neutral discovery, 2 for familiar hits, 0 for deep cuts and new artists."""
    return float(np.clip((DISCOVER - discovery) / (DISCOVER - NEUTRAL), 0.0, 2.0))


_familiar: dict[int, np.ndarray] = {}


def familiarity(catalog: Catalog) -> np.ndarray:
    """How familiar each track is (0-1): the mean of its popularity and its popularity percentile among the
    tracks of its decade, so a classic counts as familiar beside today's streaming numbers."""
    key = id(catalog)
    if key not in _familiar:
        decade = catalog.year // 10
        era = np.zeros(len(catalog), dtype=np.float32)
        for d in np.unique(decade):
            rows = np.flatnonzero(decade == d)
            rank = np.argsort(np.argsort(catalog.popularity[rows], kind="stable"), kind="stable")
            era[rows] = rank / max(1, len(rows) - 1)
        _familiar.clear()
        _familiar[key] = 0.5 * catalog.popularity / 100.0 + 0.5 * era
    return _familiar[key]


W_CLASSICS = 0.5  # 'country classics': a track of only the asked genres, CLASSICS_SPAN years or more older than
#                   their median, gains this
CLASSICS_SPAN = 20.0  # years before the asked genres' median release year at which the lean is full


def classics_lean(spec: PlaylistSpec, catalog: Catalog) -> np.ndarray | float:
    """'country classics', 'classic hip hop': a score term for the older songs of the asked genres, growing
    from 0 at the genres' median release year in the catalog to W_CLASSICS at CLASSICS_SPAN years before it,
    times the share of the track's genres that are asked ones (Jolene, 3 of 3 country genres, gets it all;
    Sweet Home Alabama, 'country rock' among 9, a ninth). A lean, never a year filter: the hits of the last
    decades still compete. 0 when classics are not asked."""
    if not (spec.classics and spec.genres):
        return 0.0
    known = catalog.year > 0
    years = catalog.year[catalog.genre_mask(spec.genres) & known]
    if not len(years):
        return 0.0
    age = np.clip((float(np.median(years)) - catalog.year) / CLASSICS_SPAN, 0.0, 1.0)
    return W_CLASSICS * np.where(known, age, 0.0).astype(np.float32) * genre_share(spec.genres, catalog)


_genre_counts: dict[int, np.ndarray] = {}


def genre_share(terms: list[str], catalog: Catalog) -> np.ndarray:
    """Per track: the share of its genres that contain an asked term (0 for a track without genres)."""
    key = id(catalog)
    if key not in _genre_counts:
        _genre_counts.clear()
        _genre_counts[key] = np.fromiter((len(g) for g in catalog.genre_lists), dtype=np.float32, count=len(catalog))
    hits = np.zeros(len(catalog), dtype=np.float32)
    for g in asked_genres(terms, catalog):
        hits[catalog.genre_rows(g)] += 1.0
    return hits / np.maximum(_genre_counts[key], 1.0)


def learned_genres(spec: PlaylistSpec, catalog: Catalog) -> list[str]:
    """For a prompt read only by the learned model: the genres its nearest real playlists and requests hold."""
    if spec.moods or spec.genres or spec.seed_artists or not spec.feature_targets:
        return []
    learned = learned_targets(embed_query(query_text(spec)))
    return neighbour_genres(learned, catalog) if learned else []


def seed_genres(spec: PlaylistSpec, catalog: Catalog) -> list[str]:
    """The seed artists' own main genres ('sounds like Daft Punk' → electro, filter house)."""
    if not spec.seed_artists:
        return []
    seeds = catalog.artist_mask(spec.seed_artists)
    return _top_genres(catalog, seeds, 2) if seeds.any() else []


def _top_genres(catalog: Catalog, mask: np.ndarray, n: int) -> list[str]:
    counts: dict[str, int] = {}
    for i in np.flatnonzero(mask)[:200]:
        for g in catalog.genre_lists[i][:4]:
            counts[g] = counts.get(g, 0) + 1
    return sorted(counts, key=lambda g: (-counts[g], g))[:n]


def themed(spec: PlaylistSpec, catalog: Catalog) -> np.ndarray | None:
    """Tracks carrying every asked theme in their title or album ('christmas songs'), or the soundscapes asked
    for ('rain sounds for sleeping'); None when none is asked."""
    masks = [theme_mask(catalog, t) for t in themes_of(list(spec.moods))]
    if soundscapes_named(list(spec.moods)):
        masks.append(soundscape_mask(catalog))
    return np.logical_and.reduce(masks) if masks else None


def search_scores(spec: PlaylistSpec, catalog: Catalog, profile: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Every catalog track's score for the spec: sound (or text) similarity, graded genre fit, familiarity at
    neutral discovery, what people put with phrases like this one, an asked theme; and the theme's tracks."""
    if names_things(spec):
        scores = catalog.scores(text_vector(spec, catalog, profile))
    else:
        scores = sound_scores(spec, catalog, profile)
    fit_terms = list(spec.genres) or seed_genres(spec, catalog) or learned_genres(spec, catalog)
    if fit_terms:
        scores = scores + W_GENRE_FIT * genre_fit(fit_terms, catalog)
    scores = scores + classics_lean(spec, catalog)  # 'country classics': the genre's older songs first
    if not spec.genres:  # a named genre already narrows the search; it keeps its own deep cuts
        scores = scores + W_FAMILIAR * familiar_lean(spec.discovery) * (familiarity(catalog) - 0.5)
    votes = went_with_votes(spec, catalog)
    if votes is not None:
        scores = scores + W_WENT_WITH * votes
    if spec.only_artists:
        scores = scores + W_LEAD * lead_mask(spec.only_artists, catalog)
    theme = themed(spec, catalog)
    if theme is not None:
        scores = scores + W_THEME * theme
    return scores, theme


def lead_mask(names: list[str], catalog: Catalog) -> np.ndarray:
    """Tracks whose lead (first-credited) artist is one of `names`, not a featured guest."""
    wanted_names = {norm_artist(n) for n in names}
    mask = np.zeros(len(catalog), dtype=bool)
    credited = np.flatnonzero(catalog.artist_mask(names))
    artists = catalog.tracks.text["artists"]
    mask[[i for i in credited if artists[i] and norm_artist(artists[i][0]) in wanted_names]] = True
    return mask


def went_with_votes(spec: PlaylistSpec, catalog: Catalog) -> np.ndarray | None:
    """Mood, activity and scene prompts: the tracks real playlists and requests with the nearest names held
    (tools/mood_model.went_with); with asked genres, only those within the genres and their neighbours, so a
    'synthwave night drive' does not take the rock of other people's drives."""
    if names_things(spec) or not W_WENT_WITH:
        return None
    votes = went_with(embed_query(query_text(spec)), catalog)
    if votes is not None and spec.genres:
        votes = votes * wanted(spec, catalog, broaden=True)
    return votes


def gather(spec: PlaylistSpec, policy: ContentPolicy, catalog: Catalog, profile: Any = None,
           k: int = POOL, exclude_ids: Collection[str] = ()) -> list[Candidate]:
    """Candidates passing every hard filter (noise and nature recordings only when asked, a theme's songs only
    when asked or welcome unless the prompt names artists), from the most
    specific pool that is rich enough: an asked theme's tracks first, then wanted genres/artists within the
    mood's feature band, then without the band, then broadened genres, then the band alone, then everything
    that passes the hard filters. A candidate's score is `search_scores`."""
    scores, theme = search_scores(spec, catalog, profile)
    hard = catalog.mask(search_filters(spec, policy)) & owned_mask(policy, catalog)  # a library: owned tracks only
    hard[[catalog.index[i] for i in exclude_ids if i in catalog.index]] = False  # tracks the request left out
    if not soundscapes_asked(list(spec.moods), list(spec.genres)):  # noise and nature recordings: only when asked
        hard &= ~soundscape_mask(catalog)
    if not (spec.seed_artists or spec.only_artists):  # 'disco night' holds no Christmas songs; 'Mariah Carey' may
        for other in unasked_themes(list(spec.moods)):
            hard &= ~theme_mask(catalog, other)
    asked = spec.target_count() or int((spec.minutes or 60) / 3.5)
    enough = max(60, 4 * asked)
    band, genre = feature_band(spec, catalog), wanted(spec, catalog)
    layers = [(theme, False), (genre & band if genre is not None and band is not None else None, True), (genre, True),
              (wanted(spec, catalog, broaden=True) if genre is not None else None, True), (band, False),
              (np.ones(len(catalog), dtype=bool), False)]  # (mask, holds only asked genres)
    pool: dict[str, Candidate] = {}
    for layer, in_genre in layers:
        if layer is None:
            continue
        for i in top_k(np.where(hard & layer, scores, -np.inf), k):
            pool.setdefault(catalog.ids[i], Candidate.model_construct(track=catalog.tracks[i], score=float(scores[i])))
        if len(pool) >= (GENRE_ENOUGH * asked if in_genre else enough):
            break
    reach = calm_end(spec, catalog, genre)
    for i in top_k(np.where(hard & reach, scores, -np.inf), k // ARC_SHARE) if reach is not None else ():
        pool.setdefault(catalog.ids[i], Candidate.model_construct(track=catalog.tracks[i], score=float(scores[i])))
    return list(pool.values())
