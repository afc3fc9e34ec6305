"""`segue ingest`: raw files → unified tracks → vectors (shipped, or embedded) → a new store build."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.errors import StoreError
from core.settings import Settings
from core.types import Track
from tools import shipped
from tools.catalog import Catalog
from tools.catalog_build import build_tracks, track_text
from tools.embeddings import get_embedder, local_embedder, use_query_embedder, vector_path
from tools.store import (
    CONTENT_VERSION,
    BuildInfo,
    Progress,
    content_id,
    current_build,
    prune,
    verify,
    write_build,
)

SHIPPED_VECTORS = "tracks-minilm-l6-int8.npz"
log = logging.getLogger(__name__)


BUILD_CODE = ("catalog_build.py", "normalize.py", "song_identity.py", "moods.py", "columns.py", "store.py")
SOURCE_FILES = ("catalog_spotify_songs.csv.gz", "spotify_tracks_2000_2020.csv.gz",
                "tophits_2000_2019_songs_normalize.csv.gz", "artist_genres.csv.gz")


def source_fingerprint(raw: Path, settings: Settings) -> str:
    """Hash of everything a build depends on: source files, build code, embedder, Chroma location."""
    h = hashlib.sha256(f"{settings.embeddings}|{settings.embedding_model}|{settings.chroma_url}".encode())
    here = Path(__file__).parent
    for path in [raw / name for name in SOURCE_FILES] + [here / name for name in BUILD_CODE]:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"<missing>")
    return h.hexdigest()[:24]


def vectors_for(tracks: list[Track], texts: list[str], settings: Settings, reembed: bool,
                progress: Progress | None) -> tuple[np.ndarray, str]:
    """Shipped vectors where the text is unchanged; the embedder for everything else."""
    tick = (lambda done, total: progress("embed", done, total)) if progress else None
    return shipped.vectors_for([t.id for t in tracks], texts, settings, reembed,
                               vector_path(SHIPPED_VECTORS), tick)


def ingest(settings: Settings, raw_dir: Path | None = None, rebuild: bool = False, reembed: bool = False,
           progress: Progress | None = None) -> tuple[BuildInfo, bool]:
    """Build the music catalog store and, when the podcast files are present, the talk store beside it
    (tools/talk.py); returns the music (build, changed). A build on a Chroma server is published to
    SEGUE_SNAPSHOT_DIR when set, for other replicas (tools/snapshot.py)."""
    result = ingest_music(settings, raw_dir, rebuild, reembed, progress)
    if settings.chroma_url and settings.snapshot_dir:
        from tools.snapshot import publish

        publish(result[0], settings.snapshot_dir)
    from tools.talk import ingest_talk
    from tools.talk_build import SOURCE_FILES as TALK_FILES

    raw = raw_dir or settings.raw_data_dir
    if all((raw / name).exists() for name in TALK_FILES):
        ingest_talk(settings, raw, rebuild=rebuild, reembed=reembed, progress=progress)
    return result


def ingest_music(settings: Settings, raw_dir: Path | None = None, rebuild: bool = False, reembed: bool = False,
                 progress: Progress | None = None) -> tuple[BuildInfo, bool]:
    """Build the catalog store; returns (build, changed). Idempotent: same sources → same build id."""
    raw = raw_dir or settings.raw_data_dir
    if not raw.is_dir():
        raise StoreError(f"raw data directory {str(raw)!r} does not exist")
    root = settings.store_root
    fingerprint = source_fingerprint(raw, settings)
    try:
        existing = current_build(root)
    except StoreError:
        existing = None
    current = existing is not None and existing.manifest.get("content") == CONTENT_VERSION
    if existing and current and not (rebuild or reembed) and existing.manifest.get("sources") == fingerprint:
        try:
            verify(existing)
            prune(root, keep=existing.build_id)  # leftovers of a killed ingest
            return existing, False
        except StoreError:
            pass
    if progress:
        progress("read", 0, 1)
    tracks = build_tracks(raw)
    texts = [track_text(t) for t in tracks]
    if progress:
        progress("read", 1, 1)
    vectors, embedder_name = vectors_for(tracks, texts, settings, reembed, progress)
    build_id = content_id(tracks, texts, embedder_name + (f"@{settings.chroma_url}" if settings.chroma_url else ""))
    if existing and current and existing.build_id == build_id and not (rebuild or reembed):
        try:
            verify(existing)
            return existing, False
        except StoreError:
            pass
    build = write_build(root, build_id, tracks, vectors, embedder_name, settings.chroma_url, progress,
                        extra={"sources": fingerprint})
    prune(root, keep=build_id)
    return build, True


def write_shipped_vectors(tracks: Sequence[Track], texts: list[str], vectors: np.ndarray, path: Path | None = None) -> Path:
    """Quantise and save the music vectors (with their SHA256SUMS line) so fresh clones skip embedding."""
    return shipped.write(path or vector_path(SHIPPED_VECTORS), [t.id for t in tracks], texts, vectors)


def is_stale(build: BuildInfo, settings: Settings) -> bool:
    """A build made by code whose derived fields meant something else (its content version differs), when the raw
    sources to rebuild it are here (a replica that only copies shared snapshots keeps what it has)."""
    return build.manifest.get("content") != CONTENT_VERSION and settings.raw_data_dir.is_dir()


def open_catalog(settings: Settings, auto_ingest: bool = True, progress: Progress | None = None) -> Catalog:
    """Open the current catalog build. When there is none: copy the shared snapshot of the Chroma server's
    build (SEGUE_SNAPSHOT_DIR), else build it when auto_ingest is on."""
    if settings.embeddings == "local":  # load the query embedder while the catalog loads
        threading.Thread(target=local_embedder, daemon=False).start()  # daemon threads abort in onnxruntime at exit
    else:
        use_query_embedder(get_embedder(settings))
    build = current_build(settings.store_root)
    if build is None:
        from tools.snapshot import fetch

        build = fetch(settings)
    if build is None:
        if not auto_ingest:
            raise StoreError(f"no catalog at {str(settings.store_root)!r}; run `segue ingest`")
        build, _ = ingest(settings, progress=progress)
    elif is_stale(build, settings) and auto_ingest:
        log.info("catalog build %s has content version %s, not %s: rebuilding", build.build_id,
                 build.manifest.get("content"), CONTENT_VERSION)
        build, _ = ingest(settings, progress=progress)
    catalog = Catalog.load(build, settings.projected_search_min_tracks)
    gc.freeze()  # the catalog's column objects live as long as the process: keep them out of every GC pass
    return catalog
