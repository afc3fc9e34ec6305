"""Synthetic catalogs for scale tests only: the real catalog expanded to N tracks with perturbed copies of
real tracks (jittered audio features and vectors, ids `syn_<n>`, the source label `synthetic`).

A synthetic catalog is written as its own store under its own home directory (default `.segue/synthetic/`)
with the same build layout as the real store, so `Catalog.load` opens it; it never touches the real store.

    python -m tools.synthetic --tracks 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.types import FEATURES
from tools.columns import NUMERIC_FIELDS
from tools.store import FORMAT_VERSION, BuildInfo, current_build, sha256_file, switch_current

LABEL = "synthetic"
PREFIX = "syn_"
VECTOR_NOISE = 0.02  # per-dimension gaussian sigma before renormalising: cosine to the original ≈ 0.93
FEATURE_NOISE = 0.04  # 0-1 audio features
CHUNK = 100_000
Progress = Callable[[int, int], None]  # (done, total)


def synth_text(text: dict[str, list], rows: np.ndarray, start: int) -> dict[str, list]:
    """Text columns of synthetic copies of `rows`; copy n gets id `syn_<start+n>` and a distinct song key."""
    out: dict[str, list] = {}
    for field, values in text.items():
        out[field] = [values[r] for r in rows]
    n = range(start, start + len(rows))
    out["id"] = [f"{PREFIX}{i}" for i in n]
    out["title"] = [f"{title} (syn {i})" for title, i in zip(out["title"], n, strict=True)]
    out["song_key"] = [f"{key}~syn{i}" for key, i in zip(out["song_key"], n, strict=True)]
    out["sources"] = [[LABEL, *src] for src in out["sources"]]
    return out


def synth_numeric(numeric: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Numeric columns with jitter, every value kept in its valid range (key, mode and year unchanged)."""
    out = {f: numeric[f][rows].copy() for f in NUMERIC_FIELDS}
    size = len(rows)
    for f in FEATURES:
        out[f] = np.clip(out[f] + rng.normal(0, FEATURE_NOISE, size), 0.0, 1.0).astype(np.float32)
    tempo = out["tempo"]
    out["tempo"] = np.where(tempo > 0, np.clip(tempo * (1 + rng.normal(0, 0.02, size)), 30.0, 250.0), 0.0).astype(np.float32)
    out["loudness"] = np.clip(out["loudness"] + rng.normal(0, 0.5, size), -60.0, 3.0).astype(np.float32)
    dur = out["duration_ms"] * (1 + rng.normal(0, 0.03, size))
    out["duration_ms"] = np.maximum(dur, 1000).astype(np.int64)
    pop = out["popularity"] + rng.integers(-5, 6, size)
    out["popularity"] = np.clip(pop, 0, 100).astype(np.int64)
    return out


def synth_vectors(vectors: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors near the originals: gaussian noise added, then renormalised."""
    v = vectors[rows] + rng.normal(0, VECTOR_NOISE, (len(rows), vectors.shape[1])).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def synthesize(text: dict[str, list], numeric: dict[str, np.ndarray], vectors: np.ndarray, count: int,
               seed: int = 0, start: int = 0) -> tuple[dict[str, list], dict[str, np.ndarray], np.ndarray]:
    """`count` synthetic tracks copied from the base columns, ids from `syn_<start>`. Deterministic:
    the same base, count, seed and start always give the same tracks."""
    base = len(text["id"])
    if base == 0 or count < 0:
        raise ValueError("need a non-empty base catalog and a non-negative count")
    rng = np.random.default_rng([seed, start])
    rows = (np.arange(start, start + count) % base).astype(np.int64)
    return synth_text(text, rows, start), synth_numeric(numeric, rows, rng), synth_vectors(vectors, rows, rng)


def _load_base(build: BuildInfo) -> tuple[dict[str, list], dict[str, np.ndarray], np.ndarray]:
    with open(build.path / "columns.json", encoding="utf-8") as fh:
        text = json.load(fh)
    with np.load(build.path / "columns.npz") as data:
        numeric = {f: data[f] for f in NUMERIC_FIELDS}
    return text, numeric, np.load(build.path / "vectors.npy")


def build_id_for(base: BuildInfo, total: int, seed: int) -> str:
    return "syn" + hashlib.sha256(f"{base.build_id}|{total}|{seed}|{VECTOR_NOISE}|{FEATURE_NOISE}".encode()).hexdigest()[:17]


def write_store(base: BuildInfo, total: int, home: Path, seed: int = 0, progress: Progress | None = None) -> BuildInfo:
    """A store of `total` tracks under `home/catalog`: the base catalog plus synthetic copies. Reused when
    the same base, total and seed were written before (the build id is derived from them)."""
    root = home / "catalog"
    build_id = build_id_for(base, total, seed)
    existing = current_build(root) if (root / "CURRENT").exists() else None
    if existing is not None and existing.build_id == build_id:
        return existing
    text, numeric, vectors = _load_base(base)
    if total < len(vectors):
        raise ValueError(f"a synthetic catalog holds at least the {len(vectors):,} base tracks, asked {total:,}")
    path = root / "builds" / build_id
    path.mkdir(parents=True, exist_ok=True)
    out_vec = np.lib.format.open_memmap(path / "vectors.npy", mode="w+", dtype=np.float32, shape=(total, vectors.shape[1]))
    out_vec[: len(vectors)] = vectors
    all_text = {f: list(v) for f, v in text.items()}
    parts = {f: [numeric[f]] for f in NUMERIC_FIELDS}
    for start in range(0, total - len(vectors), CHUNK):
        count = min(CHUNK, total - len(vectors) - start)
        t, n, v = synthesize(text, numeric, vectors, count, seed=seed, start=start)
        for f in all_text:
            all_text[f].extend(t[f])
        for f in NUMERIC_FIELDS:
            parts[f].append(n[f])
        out_vec[len(vectors) + start: len(vectors) + start + count] = v
        if progress:
            progress(len(vectors) + start + count, total)
    out_vec.flush()
    del out_vec
    _write_columns(path, all_text, {f: np.concatenate(p) for f, p in parts.items()})
    manifest = _manifest(base, build_id, total, seed, vectors.shape[1], path)
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    switch_current(root, build_id)
    return BuildInfo(build_id, path, manifest)


def _write_columns(path: Path, text: dict[str, list], numeric: dict[str, np.ndarray]) -> None:
    with open(path / "columns.json", "w", encoding="utf-8") as fh:
        json.dump(text, fh, ensure_ascii=False, separators=(",", ":"))
    with open(path / "columns.npz", "wb") as fh:
        arrays: dict[str, Any] = numeric  # numpy's stub types **kwds against allow_pickle: bool too
        np.savez(fh, **arrays)


def _manifest(base: BuildInfo, build_id: str, total: int, seed: int, dim: int, path: Path) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION, "content": base.manifest.get("content"), "build_id": build_id, "count": total, "embedder": base.manifest.get("embedder", ""),
        "dim": dim, "backend": "chroma-embedded", "chroma_url": None, "collection": "segue_tracks",
        "synthetic": True, "base_build": base.build_id, "base_count": base.manifest.get("count"), "seed": seed,
        "sha256": {name: sha256_file(path / name) for name in ("columns.json", "columns.npz", "vectors.npy")},
    }


def main() -> None:
    from core.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=1_000_000, help="total tracks (real + synthetic)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--home", type=Path, default=None, help="default: <SEGUE_HOME>/synthetic/<tracks>")
    args = parser.parse_args()
    settings = get_settings()
    base = current_build(settings.store_root)
    if base is None:
        raise SystemExit("no real catalog to expand; run `segue ingest` first")
    home = args.home or settings.home / "synthetic" / str(args.tracks)
    build = write_store(base, args.tracks, home, args.seed, lambda d, t: print(f"\r{d:,}/{t:,}", end="", flush=True))
    print(f"\n{build.manifest['count']:,} tracks in {build.path}")


if __name__ == "__main__":
    main()
