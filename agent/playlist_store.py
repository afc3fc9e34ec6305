"""Kept playlists: a small SQLite (WAL) store so `GET /playlists/{id}` and refinements work across restarts."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from pydantic import ValidationError

from agent.models import Playlist
from core.errors import NotFound, StoreError
from core.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS playlists (
    id         TEXT PRIMARY KEY,
    parent_id  TEXT,
    created_at REAL NOT NULL,
    body       TEXT NOT NULL
)
"""


class PlaylistStore:
    """Playlists by id. One connection guarded by a lock; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=10.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"playlist store {str(path)!r} is unusable ({exc})") from exc

    def save(self, playlist: Playlist, parent_id: str | None = None) -> None:
        """Insert or replace (ids are content hashes: the same input gives the same playlist)."""
        row = (playlist.id, parent_id, time.time(), playlist.model_dump_json())
        self._run("INSERT OR REPLACE INTO playlists (id, parent_id, created_at, body) VALUES (?, ?, ?, ?)", row)

    def get(self, playlist_id: str) -> Playlist:
        rows = self._run("SELECT body FROM playlists WHERE id = ?", (playlist_id,))
        if not rows:
            raise NotFound(f"no playlist with id {playlist_id!r}")
        try:
            return Playlist.model_validate_json(rows[0][0])
        except ValidationError as exc:
            raise StoreError(f"stored playlist {playlist_id!r} no longer matches the current format") from exc

    def parent_of(self, playlist_id: str) -> str | None:
        rows = self._run("SELECT parent_id FROM playlists WHERE id = ?", (playlist_id,))
        return rows[0][0] if rows else None

    def count(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM playlists", ())[0][0])

    def journal_mode(self) -> str:
        return str(self._run("PRAGMA journal_mode", ())[0][0])

    def check(self) -> bool:
        """True when the database answers (used by /readyz)."""
        try:
            self._run("SELECT 1", ())
            return True
        except StoreError:
            return False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: tuple) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"playlist store {str(self.path)!r} failed: {exc}") from exc


def open_playlist_store(settings: Settings) -> PlaylistStore:
    return PlaylistStore(settings.home / "playlists.sqlite3")
