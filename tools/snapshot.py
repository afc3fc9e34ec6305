"""A shared snapshot location for replicas in server mode (SEGUE_CHROMA_URL + SEGUE_SNAPSHOT_DIR).

The Chroma server holds the vectors and the filter metadata; the in-memory search snapshot (track columns and
vectors, tools/columns.py) is a few files beside them. An ingest into a Chroma server publishes those files to
the shared directory (a volume every replica mounts); a replica whose own SEGUE_HOME has no build copies the
published snapshot — after checking that the server holds the same build's collection, complete — instead of
reading the raw files and writing every vector to the server again. Publishing and copying are atomic (a
temporary directory renamed into place, then CURRENT switched), so a reader never sees half a snapshot."""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from pathlib import Path

from core.errors import StoreError
from core.settings import Settings
from tools.store import BuildInfo, current_build, switch_current, verify

FILES = ("columns.json", "columns.npz", "vectors.npy")
log = logging.getLogger("segue.snapshot")


def _copy_build(build: BuildInfo, root: Path, manifest: dict) -> BuildInfo:
    """Copy the snapshot files and `manifest` into root/builds/<id> atomically and make it current there."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        for name in FILES:
            shutil.copyfile(build.path / name, tmp / name)
        with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        final = builds / build.build_id
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        switch_current(root, build.build_id)
        return BuildInfo(build.build_id, final, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(build: BuildInfo, shared: Path) -> BuildInfo:
    """Make a server-mode build the shared snapshot (the previous one is kept for replicas copying it now)."""
    if build.manifest.get("backend") != "chroma-server":
        raise StoreError("only a build ingested into a Chroma server can be shared between replicas")
    try:
        previous = current_build(shared)
    except StoreError:
        previous = None
    if previous is not None and previous.build_id == build.build_id:
        try:
            verify(previous)
            return previous
        except StoreError:
            pass
    published = _copy_build(build, shared, build.manifest)
    keep = {build.build_id, previous.build_id if previous else ""}
    for child in (shared / "builds").iterdir():
        if child.name not in keep and not child.name.startswith(".tmp-"):
            shutil.rmtree(child, ignore_errors=True)
    return published


def fetch(settings: Settings) -> BuildInfo | None:
    """The shared snapshot, copied into this replica's store; None when nothing is published. Raises
    StoreError when what is published does not match the Chroma server this replica uses."""
    if not (settings.chroma_url and settings.snapshot_dir):
        return None
    shared = current_build(settings.snapshot_dir)
    if shared is None:
        return None
    verify(shared)
    _check_server(shared, settings.chroma_url)
    local = _copy_build(shared, settings.store_root, {**shared.manifest, "chroma_url": settings.chroma_url})
    log.info("catalog build %s copied from %s", shared.build_id, settings.snapshot_dir)
    return local


def _check_server(build: BuildInfo, url: str) -> None:
    """The server at `url` holds the build's collection with every track."""
    from tools.store import chroma_client

    name, count = build.manifest["collection"], build.manifest["count"]
    try:
        held = chroma_client(None, url).get_collection(name, embedding_function=None).count()
    except Exception as exc:  # server down, or another server without this build
        raise StoreError(f"the shared snapshot {build.build_id} needs collection {name!r} on the Chroma server at "
                         f"{url!r}: {exc.__class__.__name__}: {exc}") from exc
    if held != count:
        raise StoreError(f"collection {name!r} on {url!r} holds {held} tracks, the shared snapshot {count}")
