"""`segue ingest`: raw files → unified tracks → vectors (shipped, or embedded) → a new store build."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from agent.config import Settings
from agent.errors import StoreError
from agent.models import Track
from tools.catalog_build import build_tracks, track_text
from tools.embeddings import dequantise, embed_all, get_embedder, quantise, text_hash, vector_path
from tools.store import BuildInfo, Progress, content_id, current_build, prune, verify, write_build

SHIPPED_VECTORS = "tracks-minilm-l6-int8.npz"


def shipped_vectors(path: Path | None = None) -> dict[tuple[str, str], np.ndarray]:
    """Precomputed int8 vectors keyed by (track id, text hash), checked against their SHA-256."""
    path = path or vector_path(SHIPPED_VECTORS)
    if not path.exists():
        return {}
    expected = (path.parent / "SHA256SUMS").read_text().split()[0] if (path.parent / "SHA256SUMS").exists() else None
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if expected and expected != actual:
        raise StoreError(f"shipped vectors {str(path)!r} fail their checksum; run `segue ingest --reembed`")
    data = np.load(path)
    vectors = dequantise(data["codes"], data["scales"])
    return {(i, h): vectors[n] for n, (i, h) in enumerate(zip(data["ids"].tolist(), data["hashes"].tolist(), strict=True))}


def vectors_for(tracks: list[Track], texts: list[str], settings: Settings, reembed: bool,
                progress: Progress | None) -> tuple[np.ndarray, str]:
    """Shipped vectors where the text is unchanged; the embedder for everything else."""
    embedder = get_embedder()
    shipped = {} if reembed or settings.embeddings != "local" else shipped_vectors()
    hashes = [text_hash(t) for t in texts]
    missing = [n for n, (t, h) in enumerate(zip(tracks, hashes, strict=True)) if (t.id, h) not in shipped]
    out = np.zeros((len(tracks), 384), dtype=np.float32)
    for n, (t, h) in enumerate(zip(tracks, hashes, strict=True)):
        if (t.id, h) in shipped:
            out[n] = shipped[(t.id, h)]
    if missing:
        done = [0]

        def tick(k: int) -> None:
            done[0] += k
            if progress:
                progress("embed", done[0], len(missing))

        fresh = embed_all(embedder, [texts[n] for n in missing], progress=tick)
        if fresh.shape[1] != out.shape[1]:
            out = np.zeros((len(tracks), fresh.shape[1]), dtype=np.float32)
        out[missing] = fresh
    return out, embedder.name


def ingest(settings: Settings, raw_dir: Path | None = None, rebuild: bool = False, reembed: bool = False,
           progress: Progress | None = None) -> tuple[BuildInfo, bool]:
    """Build the catalog store; returns (build, changed). Idempotent: same sources → same build id."""
    raw = raw_dir or settings.raw_data_dir
    if not raw.is_dir():
        raise StoreError(f"raw data directory {str(raw)!r} does not exist")
    if progress:
        progress("read", 0, 1)
    tracks = build_tracks(raw)
    texts = [track_text(t) for t in tracks]
    if progress:
        progress("read", 1, 1)
    root = settings.store_root
    try:
        existing = current_build(root)
    except StoreError:
        existing = None
    vectors, embedder_name = vectors_for(tracks, texts, settings, reembed, progress)
    build_id = content_id(tracks, texts, embedder_name + (f"@{settings.chroma_url}" if settings.chroma_url else ""))
    if existing and existing.build_id == build_id and not (rebuild or reembed):
        try:
            verify(existing)
            return existing, False
        except StoreError:
            pass
    build = write_build(root, build_id, tracks, vectors, embedder_name, settings.chroma_url, progress)
    prune(root, keep=build_id)
    return build, True


def write_shipped_vectors(tracks: list[Track], texts: list[str], vectors: np.ndarray, path: Path | None = None) -> Path:
    """Quantise and save vectors (with SHA256SUMS) so fresh clones skip the embedding step."""
    path = path or vector_path(SHIPPED_VECTORS)
    path.parent.mkdir(parents=True, exist_ok=True)
    codes, scales = quantise(vectors)
    np.savez_compressed(path, ids=np.array([t.id for t in tracks]), hashes=np.array([text_hash(x) for x in texts]),
                        codes=codes, scales=scales)
    (path.parent / "SHA256SUMS").write_text(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    return path
