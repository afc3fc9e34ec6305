"""On-disk cache of chat-model responses for eval runs: re-runs make no model calls and give the same playlists.

It plugs into LangChain's cache hook, so every chat model built by `agent.llm` (or handed in as
`deps.chat_model`) is covered whatever the agent does with it. A response is keyed by the exact request
(serialised messages + model parameters, tools included) and a namespace (the repeat index), one JSON file
per response under `<dir>/<key[:2]>/<key>.json`."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.caches import BaseCache


class DiskCache(BaseCache):
    """A LangChain cache writing one file per response (atomic rename, safe for concurrent runs)."""

    def __init__(self, directory: Path, namespace: str = "") -> None:
        self.directory = Path(directory)
        self.namespace = namespace
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def key(self, prompt: str, llm_string: str) -> str:
        return hashlib.sha256(f"{self.namespace}\x00{llm_string}\x00{prompt}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def lookup(self, prompt: str, llm_string: str) -> Sequence[Any] | None:
        from langchain_core._api import LangChainBetaWarning
        from langchain_core.load import loads

        path = self._path(self.key(prompt, llm_string))
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LangChainBetaWarning)
                generations = [loads(row, allowed_objects="core") for row in rows]
        except (OSError, ValueError):
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            self.hits += 1
        return generations

    def update(self, prompt: str, llm_string: str, return_val: Sequence[Any]) -> None:
        from langchain_core.load import dumps

        path = self._path(self.key(prompt, llm_string))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps([dumps(g) for g in return_val]), encoding="utf-8")
        os.replace(tmp, path)

    def clear(self, **kwargs: Any) -> None:
        for path in self.directory.glob("*/*.json"):
            path.unlink(missing_ok=True)


@contextmanager
def llm_cache(directory: Path) -> Iterator[DiskCache]:
    """Install a DiskCache as LangChain's cache for the duration of the block, then restore the previous one."""
    from langchain_core.globals import get_llm_cache, set_llm_cache

    cache = DiskCache(directory)
    previous = get_llm_cache()
    set_llm_cache(cache)
    try:
        yield cache
    finally:
        set_llm_cache(previous)
