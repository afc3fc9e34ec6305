"""The catalog store: built into a fresh directory and switched in atomically, so a killed ingest
never leaves a store that fails to open. Chroma holds vectors + metadata (embedded PersistentClient,
or a server via SEGUE_CHROMA_URL); a numpy snapshot beside it gives fast exact filtered search."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import StoreError
from core.types import EXPLICIT_TEXT, Track

COLLECTION = "segue_tracks"
FORMAT_VERSION = 2
#: What a build's derived fields mean. A build of another content version opens as stale and is rebuilt from the
#: raw sources (tools/ingest.py `open_catalog`). 2: a song key joins every version of a song, re-credited ones too.
CONTENT_VERSION = 2
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildInfo:
    build_id: str
    path: Path
    manifest: dict[str, Any]


def chroma_client(path: Path | None, url: str | None):
    """The one place a Chroma client is built: HTTP when a server URL is set, else embedded on disk."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        from urllib.parse import urlparse

        u = urlparse(url)
        return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                   ssl=u.scheme == "https", settings=settings)
    assert path is not None
    return chromadb.PersistentClient(path=str(path), settings=settings)


def collection_name(build_id: str, url: str | None) -> str:
    """Embedded stores live in their own build directory; a shared server keeps one collection per build."""
    return f"{COLLECTION}_{build_id[:12]}" if url else COLLECTION


def track_metadata(t: Track) -> dict[str, Any]:
    """The metadata Chroma filters on with `where` (the Chroma search backend). Kept to four fields:
    each field is a row in Chroma's metadata table and dominates ingest time; everything else is
    filtered on the catalog columns."""
    return {"explicit": EXPLICIT_TEXT[t.explicit], "year": t.year or 0, "tempo": float(t.tempo), "duration_ms": t.duration_ms}


def content_id(tracks: list[Track], texts: list[str], embedder: str) -> str:
    """Deterministic build id: the same sources and embedder always give the same id."""
    h = hashlib.sha256(f"v{FORMAT_VERSION}|{embedder}".encode())
    for t, text in zip(tracks, texts, strict=True):
        h.update(t.model_dump_json().encode())
        h.update(text.encode())
    return h.hexdigest()[:20]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())


def write_build(root: Path, build_id: str, tracks: list[Track], vectors: np.ndarray, embedder: str,
                chroma_url: str | None, progress: Progress | None = None, batch: int = 2000,
                extra: dict[str, Any] | None = None) -> BuildInfo:
    """Write a complete build into a temporary directory, then rename it into place and switch CURRENT."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        from tools.columns import write_columns

        write_columns(tmp, tracks)
        np.save(tmp / "vectors.npy", vectors.astype(np.float32))
        _upsert_chroma(tmp / "chroma", build_id, tracks, vectors, chroma_url, progress, batch)
        manifest = {
            "format": FORMAT_VERSION, "content": CONTENT_VERSION, "build_id": build_id, "count": len(tracks),
            "embedder": embedder, "dim": int(vectors.shape[1]), "backend": "chroma-server" if chroma_url else "chroma-embedded",
            "chroma_url": chroma_url, "collection": collection_name(build_id, chroma_url),
            **(extra or {}),
            "sha256": {name: sha256_file(tmp / name) for name in ("columns.json", "columns.npz", "vectors.npy")},
        }
        _write_json(tmp / "manifest.json", manifest)
        _fsync_dir(tmp)
        final = builds / build_id
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        switch_current(root, build_id)
        return BuildInfo(build_id, final, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


UPSERT_ATTEMPTS = 5
UPSERT_WAIT_S = (0.5, 8.0)  # exponential backoff between attempts: first and longest wait


def upsert_batch(collection: Any, ids: list[str], embeddings: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
    """One idempotent upsert (same ids, same values), retried with backoff when the transport fails — a
    Chroma server restarting or briefly overloaded mid-ingest. Anything else, or the last failure, raises
    StoreError; the build directory is then never switched in."""
    import httpx
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    transient = (httpx.TransportError, ConnectionError, TimeoutError)
    retrying = Retrying(retry=retry_if_exception_type(transient), stop=stop_after_attempt(UPSERT_ATTEMPTS), reraise=True,
                        wait=wait_exponential(multiplier=UPSERT_WAIT_S[0], max=UPSERT_WAIT_S[1]))
    try:
        for attempt in retrying:
            with attempt:
                collection.upsert(ids=ids, embeddings=embeddings, metadatas=metadatas)
    except transient as exc:
        raise StoreError(f"chroma store did not take a batch after {UPSERT_ATTEMPTS} attempts: "
                         f"{exc.__class__.__name__}: {exc}") from exc


def _upsert_chroma(path: Path, build_id: str, tracks: list[Track], vectors: np.ndarray,
                   url: str | None, progress: Progress | None, batch: int) -> None:
    client = chroma_client(None if url else path, url)
    col = client.get_or_create_collection(collection_name(build_id, url), configuration={"hnsw": {"space": "cosine"}},
                                         embedding_function=None)
    for start in range(0, len(tracks), batch):
        chunk = tracks[start:start + batch]
        upsert_batch(col, [t.id for t in chunk], vectors[start:start + batch], [track_metadata(t) for t in chunk])
        if progress:
            progress("store", min(start + batch, len(tracks)), len(tracks))
    if col.count() != len(tracks):
        raise StoreError(f"chroma collection holds {col.count()} tracks, expected {len(tracks)}")
    del col, client


def switch_current(root: Path, build_id: str) -> None:
    tmp = root / f".CURRENT.{uuid.uuid4().hex}"
    tmp.write_text(build_id + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")
    _fsync_dir(root)


def current_build(root: Path) -> BuildInfo | None:
    """The build CURRENT points to, validated; None when nothing was built yet."""
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    build_id = pointer.read_text(encoding="utf-8").strip()
    path = root / "builds" / build_id
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"catalog store at {str(root)!r} is unreadable ({exc.__class__.__name__}); "
                         "run `segue ingest --rebuild`") from exc
    if manifest.get("format") != FORMAT_VERSION or manifest.get("build_id") != build_id:
        raise StoreError(f"catalog store at {str(root)!r} has an unknown format; run `segue ingest --rebuild`")
    return BuildInfo(build_id, path, manifest)


def verify(build: BuildInfo) -> None:
    """Check file checksums against the manifest (used by `segue catalog verify` and readiness)."""
    for name, digest in build.manifest["sha256"].items():
        if not (build.path / name).exists() or sha256_file(build.path / name) != digest:
            raise StoreError(f"catalog file {name!r} in {str(build.path)!r} is corrupt; run `segue ingest --rebuild`")


def prune(root: Path, keep: str) -> None:
    """Remove old builds and leftovers of killed ingests."""
    builds = root / "builds"
    for child in builds.iterdir() if builds.exists() else []:
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
    for stray in root.glob(".CURRENT.*"):
        stray.unlink(missing_ok=True)
