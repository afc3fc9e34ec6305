"""Graded genre similarity from the data: two genres are neighbours when the same artists carry both
(artist_genres.csv.gz; cosine of their PPMI-weighted co-occurrence rows) and they sound alike
(genre_profiles.csv.gz; closeness of their mean audio features). Built by `python -m tools.genre_graph`
into data/models/genre-graph.npz (top neighbours per genre, checksummed); a genre never links to one
that no artist shares with it."""

from __future__ import annotations

import csv
import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.settings import DATA_DIR, Settings
from tools.catalog_build import read_artist_genres

GRAPH_PATH = DATA_DIR / "models" / "genre-graph.npz"
TOP = 12  # neighbours kept per genre
MIN_SHARED = 2  # artists carrying both genres
MIN_WEIGHT = 0.15
PROFILE = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")


def profiles(raw: Path) -> dict[str, np.ndarray]:
    with gzip.open(raw / "genre_profiles.csv.gz", "rt", encoding="utf-8") as fh:
        return {r["genres"].strip().lower(): np.array([float(r[f]) for f in PROFILE]) for r in csv.DictReader(fh)}


def cooccurrence(artist_genres: dict[str, list[str]]) -> tuple[list[str], np.ndarray]:
    names = sorted({g for gs in artist_genres.values() for g in gs})
    index = {g: n for n, g in enumerate(names)}
    counts = np.zeros((len(names), len(names)), dtype=np.float32)
    for gs in artist_genres.values():
        rows = sorted({index[g] for g in gs})
        counts[np.ix_(rows, rows)] += 1
    return names, counts


def similarity(counts: np.ndarray, sound: np.ndarray) -> np.ndarray:
    """PPMI co-occurrence cosine × profile closeness; zero where fewer than MIN_SHARED artists overlap."""
    total = counts.sum()
    marg = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (marg * marg.T))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0).astype(np.float32)
    ppmi /= np.clip(np.linalg.norm(ppmi, axis=1, keepdims=True), 1e-9, None)
    cos = ppmi @ ppmi.T
    dist = np.sqrt(((sound[:, None, :] - sound[None, :, :]) ** 2).mean(axis=2))
    sim = cos * np.exp(-((dist / 0.15) ** 2))
    sim[counts < MIN_SHARED] = 0
    np.fill_diagonal(sim, 0)
    return sim


def build(settings: Settings, path: Path = GRAPH_PATH) -> Path:
    from tools.shipped import write_sum

    raw = settings.raw_data_dir
    names, counts = cooccurrence(read_artist_genres(raw))
    prof = profiles(raw)
    mean = np.mean(np.stack(list(prof.values())), axis=0)
    sound = np.stack([prof[g] if g in prof else mean for g in names]).astype(np.float32)
    sim = similarity(counts, sound)
    top = np.argsort(-sim, axis=1, kind="stable")[:, :TOP]
    weights = np.take_along_axis(sim, top, axis=1)
    top[weights < MIN_WEIGHT] = -1
    np.savez_compressed(path, genres=np.array(names), neighbours=top.astype(np.int32),
                        weights=np.round(np.where(top >= 0, weights, 0), 3).astype(np.float32))
    return write_sum(path)


@lru_cache(maxsize=1)
def graph(path: Path = GRAPH_PATH) -> dict[str, dict[str, float]]:
    """Genre → {neighbour: weight 0-1}, strongest first."""
    from tools.shipped import verified

    with np.load(verified(path)) as d:
        names, near, weights = d["genres"].tolist(), d["neighbours"].tolist(), d["weights"].tolist()
    return {g: {names[j]: float(w) for j, w in zip(near[n], weights[n], strict=True) if j >= 0}
            for n, g in enumerate(names)}


def neighbours(genre: str, min_weight: float = MIN_WEIGHT) -> dict[str, float]:
    return {g: w for g, w in graph().get(genre, {}).items() if w >= min_weight}


if __name__ == "__main__":
    print(build(Settings()))
