"""The talk catalog in memory: podcast episodes, their vectors and filter columns; exact filtered search.

Like tools/catalog.py for music: filters become boolean masks, scores are one matrix-vector product. The
store is a build directory under `settings.home / "talk"` (items.jsonl, vectors.npy, manifest.json, a
CURRENT pointer), written by `ingest_talk` from the podcast files and the shipped vectors."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from core.errors import InvalidInput, StoreError
from core.settings import Settings
from core.types import EXPLICIT_TEXT
from tools import shipped
from tools.catalog import embed_query, top_k
from tools.embeddings import vector_path
from tools.store import Progress, switch_current
from tools.talk_build import SOURCE_FILES, TalkItem, build_talk, talk_text

SHIPPED_TALK_VECTORS = "talk-minilm-l6-int8.npz"
TALK_FORMAT = 1


class TalkFilters(BaseModel):
    """Hard filters for talk search. Unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")

    explicit: Literal["allow", "exclude"] = Field("allow", description="exclude drops explicit AND unknown-status episodes.")
    languages: list[str] = Field(default_factory=list, description="Keep episodes in any of these language codes ('en').")
    topics: list[str] = Field(default_factory=list, description="Keep episodes having any of these topics.")
    max_duration_ms: int | None = Field(None, gt=0, description="Longest allowed episode; implies a known length.")
    known_duration_only: bool = Field(False, description="Keep only episodes whose length is known.")
    exclude_ids: list[str] = Field(default_factory=list, description="Episodes never to return.")
    exclude_shows: list[str] = Field(default_factory=list, description="Show ids never to return.")


class TalkCandidate(BaseModel):
    item: TalkItem
    score: float = Field(description="Cosine similarity to the query (higher is better).")


@dataclass
class TalkStats:
    items: int
    shows: int
    explicit: dict[str, int]
    known_duration: int
    languages: dict[str, int]
    topics: dict[str, int]
    build_id: str


class TalkCatalog:
    """Episodes + unit vectors + columns for masks. Thread-safe for reads."""

    def __init__(self, items: Sequence[TalkItem], vectors: np.ndarray, build_id: str = "memory") -> None:
        if len(items) != len(vectors):
            raise StoreError(f"talk catalog has {len(items)} episodes but {len(vectors)} vectors")
        self.items = list(items)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.build_id = build_id
        self.index = {item.id: n for n, item in enumerate(self.items)}
        self.explicit_ok = np.array([i.explicit is False for i in self.items], dtype=bool)
        self.duration = np.array([i.duration_ms if i.duration_ms else np.nan for i in self.items], dtype=np.float64)
        self.language = np.array([i.language for i in self.items])
        self.show_ids = np.array([i.show_id for i in self.items])
        topic_rows: dict[str, list[int]] = {}
        for n, item in enumerate(self.items):
            for t in item.topics:
                topic_rows.setdefault(t, []).append(n)
        self._topics: dict[str, np.ndarray] = {t: np.array(rows, dtype=np.int64) for t, rows in topic_rows.items()}

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> TalkItem | None:
        n = self.index.get(item_id)
        return None if n is None else self.items[n]

    @property
    def topics(self) -> list[str]:
        """Every topic, most common first."""
        return sorted(self._topics, key=lambda t: (-len(self._topics[t]), t))

    def topic_mask(self, topics: Sequence[str]) -> np.ndarray:
        mask = np.zeros(len(self.items), dtype=bool)
        for t in topics:
            rows = self._topics.get(t.strip().lower())
            if rows is not None:
                mask[rows] = True
        return mask

    def mask(self, f: TalkFilters) -> np.ndarray:
        """Boolean mask of the episodes passing every hard filter."""
        m = np.ones(len(self.items), dtype=bool)
        if f.explicit == "exclude":
            m &= self.explicit_ok
        if f.languages:
            m &= np.isin(self.language, [x.lower().split("-")[0] for x in f.languages])
        if f.topics:
            m &= self.topic_mask(f.topics)
        if f.known_duration_only or f.max_duration_ms is not None:
            m &= ~np.isnan(self.duration)
        if f.max_duration_ms is not None:
            m &= np.nan_to_num(self.duration, nan=np.inf) <= f.max_duration_ms
        for item_id in f.exclude_ids:
            if item_id in self.index:
                m[self.index[item_id]] = False
        if f.exclude_shows:
            m &= ~np.isin(self.show_ids, f.exclude_shows)
        return m

    def search_vector(self, query: np.ndarray, filters: TalkFilters | None = None, k: int = 20,
                      mask: np.ndarray | None = None) -> list[TalkCandidate]:
        """Top-k episodes by cosine similarity among those passing the filters (exact)."""
        if k < 1:
            raise InvalidInput(f"k must be at least 1, got {k!r}")
        m = self.mask(filters or TalkFilters()) if mask is None else mask
        scores = np.where(m, self.vectors @ query.astype(np.float32), -np.inf)
        return [TalkCandidate(item=self.items[i], score=float(scores[i])) for i in top_k(scores, k)]

    def search(self, text: str, filters: TalkFilters | None = None, k: int = 20) -> list[TalkCandidate]:
        """Semantic search by text with hard filters."""
        if not text or not text.strip():
            raise InvalidInput("search text is empty")
        return self.search_vector(embed_query(text), filters, k)

    def stats(self) -> TalkStats:
        explicit = Counter(EXPLICIT_TEXT[i.explicit] for i in self.items)
        return TalkStats(
            items=len(self.items), shows=len({i.show_id for i in self.items}),
            explicit={v: explicit.get(v, 0) for v in ("true", "false", "unknown")},
            known_duration=int((~np.isnan(self.duration)).sum()),
            languages=dict(Counter(i.language or "unknown" for i in self.items).most_common(8)),
            topics={t: len(self._topics[t]) for t in self.topics}, build_id=self.build_id,
        )


# --------------------------------------------------------------------------- the store


def talk_root(settings: Settings) -> Path:
    return settings.home / "talk"


def talk_fingerprint(raw: Path, embedder: str) -> str:
    """Hash of what a talk build depends on: the podcast files, the build code and the embedder."""
    h = hashlib.sha256(f"v{TALK_FORMAT}|{embedder}".encode())
    here = Path(__file__).parent
    for path in [raw / name for name in SOURCE_FILES] + [here / "talk_build.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"<missing>")
    return h.hexdigest()[:20]


def current_talk_build(root: Path) -> Path | None:
    """The build directory CURRENT points to; None when nothing was built yet."""
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    path = root / "builds" / pointer.read_text(encoding="utf-8").strip()
    return path if (path / "manifest.json").exists() else None


def load_talk(path: Path) -> TalkCatalog:
    """Open a talk build; a damaged one raises StoreError naming the fix."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        with open(path / "items.jsonl", encoding="utf-8") as fh:
            items = [TalkItem.model_validate_json(line) for line in fh if line.strip()]
        vectors = np.load(path / "vectors.npy")
    except (OSError, ValueError) as exc:
        raise StoreError(f"talk store {str(path)!r} is corrupt ({exc.__class__.__name__}); "
                         "run `segue ingest --rebuild`") from exc
    return TalkCatalog(items, vectors, manifest.get("build_id", path.name))


def talk_vectors(items: list[TalkItem], texts: list[str], settings: Settings, reembed: bool,
                 progress: Progress | None = None) -> tuple[np.ndarray, str]:
    """Shipped vectors where the text is unchanged; the embedder for the rest."""
    tick = (lambda done, total: progress("embed talk", done, total)) if progress else None
    return shipped.vectors_for([i.id for i in items], texts, settings, reembed,
                               vector_path(SHIPPED_TALK_VECTORS), tick)


def ingest_talk(settings: Settings, raw_dir: Path | None = None, rebuild: bool = False, reembed: bool = False,
                progress: Progress | None = None) -> tuple[Path, bool]:
    """Build the talk store; returns (build path, changed). Same sources → same build, nothing rewritten."""
    raw = raw_dir or settings.raw_data_dir
    missing = [name for name in SOURCE_FILES if not (raw / name).exists()]
    if missing:
        raise StoreError(f"podcast files missing from {str(raw)!r}: {', '.join(missing)}")
    root = talk_root(settings)
    embedder_name = "openai:" + settings.embedding_model if settings.embeddings == "openai" else "minilm-l6-int8"
    build_id = talk_fingerprint(raw, embedder_name)
    existing = current_talk_build(root)
    if existing is not None and existing.name == build_id and not (rebuild or reembed):
        return existing, False
    items = build_talk(raw)
    texts = [talk_text(i) for i in items]
    vectors, _ = talk_vectors(items, texts, settings, reembed, progress)
    return write_talk_build(root, build_id, items, vectors), True


def write_talk_build(root: Path, build_id: str, items: list[TalkItem], vectors: np.ndarray) -> Path:
    """Write into a temporary directory, rename it into place, then switch CURRENT (crash-safe)."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        with open(tmp / "items.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(item.model_dump_json() + "\n" for item in items)
        np.save(tmp / "vectors.npy", vectors.astype(np.float32))
        manifest = {"format": TALK_FORMAT, "build_id": build_id, "count": len(items)}
        (tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        final = builds / build_id
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        switch_current(root, build_id)
        for child in builds.iterdir():
            if child.name != build_id:
                shutil.rmtree(child, ignore_errors=True)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def open_talk(settings: Settings, auto_build: bool = True) -> TalkCatalog:
    """Open the current talk build; build it first (seconds, from shipped vectors) when none exists."""
    path = current_talk_build(talk_root(settings))
    if path is None:
        if not auto_build:
            raise StoreError(f"no talk catalog at {str(talk_root(settings))!r}; run `segue ingest`")
        path, _ = ingest_talk(settings)
    return load_talk(path)


def write_talk_vectors(items: list[TalkItem], texts: list[str], vectors: np.ndarray, path: Path | None = None) -> Path:
    """Quantise and save the talk vectors, and set their line in SHA256SUMS (other lines kept)."""
    return shipped.write(path or vector_path(SHIPPED_TALK_VECTORS), [i.id for i in items], texts, vectors)
