"""Library state under SEGUE_HOME/libraries/<name>/: the config, and each sync's result written as a build
and switched in atomically (the catalog's rule, tools/store.py) — an interrupted sync leaves the previous
state current. Playlists saved to a server are remembered by their first version's id, so a refined
playlist updates the server's copy instead of adding another."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from pydantic import ValidationError

from core.errors import InvalidInput, NotFound, StoreError
from tools.library.models import LibraryConfig, LibraryState, check_name
from tools.library.owned import playable_id
from tools.store import switch_current


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class LibraryStore:
    """Every configured library. Reads are cached per build; safe to share between threads."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._states: dict[str, tuple[str, LibraryState]] = {}

    def _dir(self, name: str) -> Path:
        return self.root / check_name(name)

    def folder(self, name: str) -> Path:
        """The library's own folder (config, builds, the audio analysis log)."""
        return self._dir(name)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "config.json").is_file())

    def config(self, name: str) -> LibraryConfig:
        path = self._dir(name) / "config.json"
        if not path.is_file():
            known = ", ".join(self.names()) or "none yet"
            raise NotFound(f"no library named {name!r} (libraries: {known}); add one with `segue library add`")
        try:
            return LibraryConfig.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as exc:
            raise StoreError(f"library config {str(path)!r} is unreadable; remove and add the library again") from exc

    def add(self, config: LibraryConfig) -> LibraryConfig:
        if (self._dir(config.name) / "config.json").exists():
            raise InvalidInput(f"a library named {config.name!r} exists; pick another --name or remove it first")
        return self.save_config(config.model_copy(update={"created_at": time.time()}))

    def save_config(self, config: LibraryConfig) -> LibraryConfig:
        folder = self._dir(config.name)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "config.json", config.model_dump_json(indent=2))
        return config

    def remove(self, name: str) -> None:
        self.config(name)
        shutil.rmtree(self._dir(name))
        with self._lock:
            self._states.pop(name, None)

    # ---------------------------------------------------------------- state builds

    def current_id(self, name: str) -> str | None:
        pointer = self._dir(name) / "CURRENT"
        return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None

    def state(self, name: str) -> LibraryState | None:
        """The last complete sync, or None before the first one."""
        build = self.current_id(name)
        if build is None:
            return None
        with self._lock:
            hit = self._states.get(name)
            if hit and hit[0] == build:
                return hit[1]
        path = self._dir(name) / "builds" / build / "state.json"
        try:
            state = LibraryState.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            raise StoreError(f"library {name!r} state {str(path)!r} is unreadable; run `segue library sync {name}`") from exc
        with self._lock:
            self._states[name] = (build, state)
        return state

    def write_state(self, state: LibraryState) -> str:
        """Write the state into a fresh build directory, fsync it, rename it into place, switch CURRENT."""
        folder = self._dir(state.name)
        builds = folder / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        build = f"{int(state.synced_at)}-{uuid.uuid4().hex[:8]}"
        tmp = builds / f".tmp-{build}"
        tmp.mkdir()
        try:
            write_atomic(tmp / "state.json", state.model_dump_json())
            os.replace(tmp, builds / build)
            switch_current(folder, build)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for old in builds.iterdir():
            if old.name != build:
                shutil.rmtree(old, ignore_errors=True)
        return build

    def owned(self, name: str) -> frozenset[str]:
        """Catalog ids of the library's matched tracks and the ids of its tracks with features estimated from
        their audio (tools/library/owned.py): the playable set."""
        self.config(name)  # an unknown library is not found
        state = self.state(name)
        if state is None:
            raise InvalidInput(f"library {name!r} was never synced; run `segue library sync {name}`")
        return frozenset(i for t in state.tracks if (i := playable_id(name, t)))

    def mbid_index(self) -> dict[str, str]:
        """Recording MBID → catalog id, learned from every library's name matches."""
        out: dict[str, str] = {}
        for name in self.names():
            try:
                state = self.state(name)
            except StoreError:
                continue
            for t in state.tracks if state else []:
                if t.mbid and t.catalog_id and t.match != "mbid":
                    out.setdefault(t.mbid, t.catalog_id)
        return out

    # ---------------------------------------------------------------- saved playlists

    def saved(self, name: str) -> dict[str, str]:
        path = self._dir(name) / "saved.json"
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError) as exc:
            raise StoreError(f"library {name!r} saved-playlist map {str(path)!r} is unreadable") from exc

    def remember_saved(self, name: str, lineage_id: str, remote_id: str) -> None:
        with self._lock:
            saved = self.saved(name) | {lineage_id: remote_id}
            write_atomic(self._dir(name) / "saved.json", json.dumps(saved, indent=2))


def open_library_store(root: Path) -> LibraryStore:
    return LibraryStore(root)
