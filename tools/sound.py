"""How a track sounds and what it goes with, as a vector: its audio features in words, its artists' genres,
its era and the real playlists and requests it was put in, each a phrase embedded once by the local model
(data/models/sound-phrases.npz, built by tools/sound_build.py). A track's sound vector is the weighted mean
of its phrases' vectors, so it never sees the title: "run" in a prompt matches fast high-energy tracks and
running playlists, not songs called "Run"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.settings import DATA_DIR
from tools.embeddings import dequantise, normalise

MODEL_PATH = DATA_DIR / "models" / "sound-phrases.npz"
TARGET_FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "tempo")
TEMPO_SCALE = 200.0  # tempo targets are BPM / 200, like the 0-1 features
W_GENRE, W_WORDS, W_ERA, W_WITH, W_NAME = 1.0, 1.0, 0.25, 0.8, 1.0

ENERGY = ((0.85, "intense high energy music"), (0.65, "energetic lively music"), (0.45, "steady moderate energy"),
          (0.25, "mellow calm music"), (0.0, "very quiet peaceful music"))
VALENCE = ((0.75, "happy cheerful feel-good music"), (0.55, "warm positive mood"), (0.35, "bittersweet wistful mood"),
           (0.18, "sad melancholy music"), (0.0, "dark gloomy sad music"))
DANCE = ((0.75, "danceable groove"), (0.55, "steady beat"), (0.0, "free-flowing rhythm"))
ACOUSTIC = ((0.7, "acoustic unplugged instruments"), (0.3, "mixed acoustic and electric sound"),
            (0.0, "electric produced sound"))
INSTRUMENTAL = ((0.6, "instrumental without vocals"), (0.0, "sung vocals"))
SPEECH = ((0.33, "rapped spoken vocals"), (0.0, ""))
TEMPO = ((140, "very fast tempo"), (115, "fast tempo"), (90, "mid tempo"), (1, "slow tempo"), (0, "no beat"))
DECADES = tuple(range(1950, 2030, 10))


def _pick(table: tuple[tuple[float, str], ...], value: float) -> str:
    return next(word for low, word in table if value >= low)


def feature_phrases(energy: float, valence: float, danceability: float, acousticness: float,
                    instrumentalness: float, speechiness: float, tempo: float) -> list[str]:
    """The sound words of one track's audio features (one per feature; empty ones dropped)."""
    words = [_pick(ENERGY, energy), _pick(VALENCE, valence), _pick(DANCE, danceability),
             _pick(ACOUSTIC, acousticness), _pick(INSTRUMENTAL, instrumentalness), _pick(SPEECH, speechiness),
             _pick(TEMPO, tempo)]
    return [w for w in words if w]


def era_phrase(year: int) -> str:
    return f"{year // 10 * 10}s music" if year >= 1950 else ""


def sound_words() -> list[str]:
    """Every sound and era word a track can get (what the build embeds besides genres and playlists)."""
    words = [w for table in (ENERGY, VALENCE, DANCE, ACOUSTIC, INSTRUMENTAL, SPEECH, TEMPO) for _, w in table if w]
    return list(dict.fromkeys(words + [era_phrase(d) for d in DECADES]))


@dataclass(frozen=True)
class SoundModel:
    """The embedded phrases with their kinds, mean audio features and the tracks each playlist/request holds."""

    phrases: list[str]
    kinds: np.ndarray
    features: np.ndarray
    vectors: np.ndarray
    link_track: np.ndarray
    link_phrase: np.ndarray

    def index(self, kind: str) -> dict[str, int]:
        return _index(id(self), self, kind)


_indexes: dict[tuple[int, str], dict[str, int]] = {}


def _index(key: int, model: SoundModel, kind: str) -> dict[str, int]:
    if (key, kind) not in _indexes:
        _indexes[(key, kind)] = {p: n for n, p in enumerate(model.phrases) if model.kinds[n] == kind}
    return _indexes[(key, kind)]


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> SoundModel:
    from tools.shipped import verified

    with np.load(verified(path)) as d:
        return SoundModel(phrases=d["phrases"].tolist(), kinds=d["kinds"], features=d["features"],
                          vectors=dequantise(d["codes"], d["scales"]), link_track=d["link_track"],
                          link_phrase=d["link_phrase"])


def _mean_rows(model: SoundModel, rows: Sequence[int]) -> np.ndarray:
    return model.vectors[list(rows)].mean(axis=0) if rows else np.zeros(model.vectors.shape[1], dtype=np.float32)


def _bins(table: tuple[tuple[float, str], ...], values: np.ndarray) -> np.ndarray:
    lows = np.array([low for low, _ in table][::-1], dtype=np.float64)
    return len(table) - np.searchsorted(lows, values, side="right")


def words_matrix(columns: Sequence[np.ndarray], model: SoundModel) -> np.ndarray:
    """Mean vector of the sound words of each row of feature columns (TARGET_FEATURES order, tempo in BPM)."""
    known = model.index("word")
    tables = (ENERGY, VALENCE, DANCE, ACOUSTIC, INSTRUMENTAL, SPEECH, TEMPO)
    codes = np.stack([_bins(t, np.asarray(c, dtype=np.float64)) for t, c in zip(tables, columns, strict=True)], axis=1)
    combos, inverse = np.unique(codes, axis=0, return_inverse=True)
    table = np.stack([_mean_rows(model, [known[w] for t, b in zip(tables, combo, strict=True)
                                         if (w := t[b][1]) in known]) for combo in combos])
    return table[inverse.reshape(-1)]


def genre_vectors(model: SoundModel) -> dict[str, np.ndarray]:
    """A genre as it sounds: the sound words of its mean features, plus its name at W_NAME."""
    rows = [n for n, k in enumerate(model.kinds) if k == "genre"]
    f = model.features[rows]
    cols = [f[:, i] * (TEMPO_SCALE if name == "tempo" else 1.0) for i, name in enumerate(TARGET_FEATURES)]
    sound = words_matrix(cols, model)
    return {model.phrases[r]: sound[i] + W_NAME * model.vectors[r] for i, r in enumerate(rows)}


def genre_part(genre_lists: Sequence[Sequence[str]], model: SoundModel) -> np.ndarray:
    """Mean sound of each track's first six genres (shared lists computed once)."""
    known = genre_vectors(model)
    zero = np.zeros(model.vectors.shape[1], dtype=np.float32)
    cache: dict[tuple[str, ...], np.ndarray] = {}
    out = np.zeros((len(genre_lists), model.vectors.shape[1]), dtype=np.float32)
    for n, genres in enumerate(genre_lists):
        key = tuple(genres[:6])
        if key not in cache:
            vs = [known[g] for g in key if g in known]
            cache[key] = np.mean(vs, axis=0) if vs else zero
        out[n] = cache[key]
    return out


def era_part(year: np.ndarray, model: SoundModel) -> np.ndarray:
    known = model.index("word")
    out = np.zeros((len(year), model.vectors.shape[1]), dtype=np.float32)
    for d in DECADES:
        if (w := era_phrase(d)) in known:
            out[(year >= d) & (year < d + 10)] = model.vectors[known[w]]
    return out


def with_part(ids: Sequence[str], model: SoundModel) -> np.ndarray:
    """Mean vector of the playlists and requests each track was put in (zero for the others)."""
    row = {tid: n for n, tid in enumerate(ids)}
    out = np.zeros((len(ids), model.vectors.shape[1]), dtype=np.float32)
    count = np.zeros(len(ids), dtype=np.float32)
    for tid, p in zip(model.link_track.tolist(), model.link_phrase.tolist(), strict=True):
        n = row.get(tid)
        if n is not None:
            out[n] += model.vectors[p]
            count[n] += 1
    return out / np.clip(count, 1, None)[:, None]


def sound_vectors(ids: Sequence[str], genre_lists: Sequence[Sequence[str]], features: dict[str, np.ndarray],
                  tempo: np.ndarray, year: np.ndarray, model: SoundModel | None = None) -> np.ndarray:
    """Unit sound vectors for catalog rows: genres + sound words + era + what the track was put with."""
    m = model or load_model()
    own = words_matrix([features[f] for f in TARGET_FEATURES[:-1]] + [tempo], m)
    vec = (W_GENRE * genre_part(genre_lists, m) + W_WORDS * own + W_ERA * era_part(year, m)
           + W_WITH * with_part(ids, m))
    return normalise(vec)


RANK = 96  # sound vectors searched in their top principal directions (95% of the variance, 4× less to scan)


@dataclass(frozen=True)
class SoundIndex:
    """A catalog's sound vectors as coordinates on an orthonormal basis of their main directions."""

    rows: np.ndarray  # (tracks, RANK)
    basis: np.ndarray  # (DIM, RANK)

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.rows @ (query.astype(np.float32) @ self.basis)

    def centroid(self, mask: np.ndarray) -> np.ndarray:
        return self.rows[mask].mean(axis=0) @ self.basis.T


def project(vectors: np.ndarray, rank: int = RANK) -> SoundIndex:
    _, _, vt = np.linalg.svd(vectors[:: max(1, len(vectors) // 12000)], full_matrices=False)
    basis = np.ascontiguousarray(vt[:rank].T, dtype=np.float32)
    return SoundIndex(rows=np.ascontiguousarray(vectors @ basis, dtype=np.float32), basis=basis)


_by_catalog: dict[int, SoundIndex] = {}


def catalog_sound(catalog) -> SoundIndex:
    """The catalog's sound index, computed once per catalog and kept beside its store build."""
    key = id(catalog)
    if key not in _by_catalog:
        _by_catalog.clear()
        _by_catalog[key] = _cached_or_computed(catalog)
    return _by_catalog[key]


def _cached_or_computed(catalog) -> SoundIndex:
    from tools.shipped import expected_sum

    build = getattr(catalog, "build", None)
    stamp = (expected_sum(MODEL_PATH) or "none")[:16]
    weights = f"{W_GENRE}-{W_WORDS}-{W_ERA}-{W_WITH}-{W_NAME}"
    path = build.path / f"sound-{stamp}-{RANK}-{weights}.npz" if build is not None else None
    if path is not None and path.exists():
        with np.load(path) as d:
            if d["rows"].shape[0] == len(catalog):
                return SoundIndex(rows=d["rows"].astype(np.float32), basis=d["basis"])
    index = project(sound_vectors(catalog.ids, catalog.genre_lists, catalog.features, catalog.tempo, catalog.year))
    if path is not None:
        try:
            np.savez(path, rows=index.rows.astype(np.float16), basis=index.basis)
        except OSError:
            pass
    return index


def target_vector(targets: Mapping[str, float], model: SoundModel | None = None) -> np.ndarray | None:
    """The sound words of a set of feature targets (only the features given), as one unit vector."""
    m = model or load_model()
    known = m.index("word")
    tables = dict(zip(TARGET_FEATURES, (ENERGY, VALENCE, DANCE, ACOUSTIC, INSTRUMENTAL, SPEECH, TEMPO), strict=True))
    words = [w for f, v in targets.items() if f in tables and (w := _pick(tables[f], v)) in known]
    return normalise(_mean_rows(m, [known[w] for w in words])[None, :])[0] if words else None
