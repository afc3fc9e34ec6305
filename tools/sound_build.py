"""Build data/models/sound-phrases.npz from the real data: `python -m tools.sound_build`.

Phrases, each embedded once with the local model:
- `genre`: every Spotify genre of genre_profiles.csv.gz, with its mean audio features;
- `playlist`: the names of the real Spotify playlists, with the mean features of their tracks;
- `request`: CPCD first turns, with the mean features of the goal playlist's tracks in the catalog;
- `word`: the sound words that describe a track's audio features and era (tools/sound.py), no features.
Only playlists and conversations of the learning half (tools/folds.py) are read. Links (track row id →
playlist/request phrase) record what each track was put with. Deterministic: same data, same file."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np

from core.settings import DATA_DIR, Settings
from tools.embeddings import embed_all, local_embedder, quantise
from tools.folds import learns_from
from tools.normalize import song_key
from tools.shipped import write_sum
from tools.sound import TARGET_FEATURES, sound_words

MODEL_PATH = DATA_DIR / "models" / "sound-phrases.npz"
MIN_TRACKS = 3  # a playlist or request teaches only with at least this many catalog tracks


def genre_rows(raw: Path) -> list[tuple[str, list[float]]]:
    with gzip.open(raw / "genre_profiles.csv.gz", "rt", encoding="utf-8") as fh:
        return [(r["genres"].strip().lower(), [float(r[f]) if f != "tempo" else float(r[f]) / 200.0
                                               for f in TARGET_FEATURES])
                for r in csv.DictReader(fh) if r["genres"].strip()]


def _features(catalog, rows: list[int]) -> list[float]:
    return [float(np.mean(catalog.features[f][rows])) if f != "tempo" else float(np.mean(catalog.tempo[rows])) / 200.0
            for f in TARGET_FEATURES]


def playlist_rows(raw: Path, catalog) -> list[tuple[str, list[float], list[int]]]:
    out = []
    with gzip.open(raw / "playlists_spotify_songs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)
            if not learns_from(p["playlist_id"]) or not p["playlist_name"].strip():
                continue
            rows = sorted({catalog.index[t["track_id"]] for t in p["tracks"] if t["track_id"] in catalog.index})
            if len(rows) >= MIN_TRACKS:
                out.append((p["playlist_name"].strip(), _features(catalog, rows), rows))
    return out


def request_rows(raw: Path, catalog) -> list[tuple[str, list[float], list[int]]]:
    by_key: dict[str, int] = {}
    for n, key in enumerate(catalog.tracks.text["song_key"]):
        by_key.setdefault(key, n)
    out = []
    with gzip.open(raw / "cpcd_v1_dev_conversations.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            c = json.loads(line)
            first = (c.get("turns") or [{}])[0].get("user_query", "").strip()
            if not learns_from(c["id"]) or not first:
                continue
            keys = {song_key(m["track_artists"][0], m["track_titles"]) for tid in c.get("goal_playlist", [])
                    if (m := c.get("tracks", {}).get(tid)) and m.get("track_titles") and m.get("track_artists")}
            rows = sorted(by_key[k] for k in map(catalog.song_of, keys) if k in by_key)
            if len(rows) >= MIN_TRACKS:
                out.append((first, _features(catalog, rows), rows))
    return out


def build(settings: Settings, path: Path = MODEL_PATH) -> Path:
    from tools.ingest import open_catalog

    catalog = open_catalog(settings)
    raw = settings.raw_data_dir
    phrases: list[str] = []
    kinds: list[str] = []
    feats: list[list[float]] = []
    link_track: list[str] = []
    link_phrase: list[int] = []
    def add(text: str, kind: str, f: list[float]) -> None:
        phrases.append(text)
        kinds.append(kind)
        feats.append(f)

    for name, f in genre_rows(raw):
        add(name, "genre", f)
    for kind, rows in (("playlist", playlist_rows(raw, catalog)), ("request", request_rows(raw, catalog))):
        for text, f, members in rows:
            for r in members:
                link_track.append(catalog.ids[r])
                link_phrase.append(len(phrases))
            add(text, kind, f)
    for word in sound_words():
        add(word, "word", [np.nan] * len(TARGET_FEATURES))
    vectors = embed_all(local_embedder(), phrases)
    codes, scales = quantise(vectors)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, phrases=np.array(phrases), kinds=np.array(kinds),
                        features=np.array(feats, dtype=np.float32), codes=codes, scales=scales,
                        link_track=np.array(link_track), link_phrase=np.array(link_phrase, dtype=np.int32))
    write_sum(path)
    return path


if __name__ == "__main__":
    print(build(Settings()))
