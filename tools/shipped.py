"""Precomputed vectors shipped in data/vectors: int8 codes + per-row scales, keyed by (item id, text
hash), each file guarded by its line in SHA256SUMS. Used by the music and talk ingests alike."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.errors import StoreError
from core.settings import Settings
from tools.embeddings import DIM, dequantise, embed_all, get_embedder, quantise, text_hash


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expected_sum(path: Path) -> str | None:
    sums = path.parent / "SHA256SUMS"
    lines = sums.read_text().splitlines() if sums.exists() else []
    return next((ln.split()[0] for ln in lines if ln.split()[-1:] == [path.name]), None)


def expected_sum(path: Path) -> str | None:
    """The file's checksum as SHA256SUMS records it (None when it has no line)."""
    return _expected_sum(path)


def lookup(path: Path, keys: list[tuple[str, str]]) -> tuple[list[int], np.ndarray]:
    """(positions of the keys found, their vectors); a file failing its checksum is an error."""
    if not path.exists():
        return [], np.zeros((0, DIM), dtype=np.float32)
    expected = _expected_sum(path)
    if expected and expected != _sha256(path):
        raise StoreError(f"shipped vectors {str(path)!r} fail their checksum; run `segue ingest --reembed`")
    with np.load(path) as data:
        rows = {k: n for n, k in enumerate(zip(data["ids"].tolist(), data["hashes"].tolist(), strict=True))}
        found = [(pos, rows[k]) for pos, k in enumerate(keys) if k in rows]
        if not found:
            return [], np.zeros((0, DIM), dtype=np.float32)
        idx = [r for _, r in found]
        return [p for p, _ in found], dequantise(data["codes"][idx], data["scales"][idx])


def vectors_for(ids: list[str], texts: list[str], settings: Settings, reembed: bool, shipped: Path,
                progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, str]:
    """Shipped vectors where the text is unchanged; the configured embedder for everything else."""
    embedder = get_embedder(settings)
    out = np.zeros((len(ids), DIM), dtype=np.float32)
    have: set[int] = set()
    if not reembed and settings.embeddings == "local":
        positions, vectors = lookup(shipped, [(i, text_hash(t)) for i, t in zip(ids, texts, strict=True)])
        if positions:
            out[positions] = vectors
        have = set(positions)
    missing = [n for n in range(len(ids)) if n not in have]
    if missing:
        done = [0]

        def tick(k: int) -> None:
            done[0] += k
            if progress:
                progress(done[0], len(missing))

        fresh = embed_all(embedder, [texts[n] for n in missing], progress=tick)
        if fresh.shape[1] != out.shape[1]:
            out = np.zeros((len(ids), fresh.shape[1]), dtype=np.float32)
        out[missing] = fresh
    return out, embedder.name


def write(path: Path, ids: list[str], texts: list[str], vectors: np.ndarray) -> Path:
    """Quantise and save vectors, and set this file's line in SHA256SUMS (other lines kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    codes, scales = quantise(vectors)
    np.savez_compressed(path, ids=np.array(ids), hashes=np.array([text_hash(t) for t in texts]),
                        codes=codes, scales=scales)
    return write_sum(path)


def write_sum(path: Path) -> Path:
    """Set the file's line in the SHA256SUMS beside it (other lines kept)."""
    sums = path.parent / "SHA256SUMS"
    lines = [ln for ln in (sums.read_text().splitlines() if sums.exists() else []) if not ln.endswith(f"  {path.name}")]
    sums.write_text("\n".join([*lines, f"{_sha256(path)}  {path.name}"]) + "\n")
    return path


def verified(path: Path) -> Path:
    """The path, once its SHA256SUMS line matches (StoreError when it does not, or the file is missing)."""
    expected = _expected_sum(path)
    if not path.exists() or expected is None or expected != _sha256(path):
        raise StoreError(f"shipped model {str(path)!r} is missing or fails its checksum")
    return path
