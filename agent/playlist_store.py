"""Kept playlists, so `GET /playlists/{id}` and refinements work across restarts and replicas: a table of the
state database (SQLite by default, PostgreSQL with SEGUE_DATABASE_URL; see agent/state_db.py)."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import ValidationError

from agent.models import Playlist
from agent.state_db import open_state_db
from core.errors import NotFound, StoreError
from core.settings import Settings
from tools.database import Database


class PlaylistStore:
    """Playlists by id. Safe to share between threads, processes and replicas."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path

    def save(self, playlist: Playlist, parent_id: str | None = None) -> None:
        """Insert or replace (ids are content hashes: the same input gives the same playlist)."""
        params = {"id": playlist.id, "parent": parent_id, "at": time.time(), "body": playlist.model_dump_json()}
        self.db.run("INSERT INTO playlists (id, parent_id, created_at, body) VALUES (:id, :parent, :at, :body) "
                    "ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, created_at = excluded.created_at, "
                    "body = excluded.body", **params)

    def get(self, playlist_id: str) -> Playlist:
        rows = self.db.rows("SELECT body FROM playlists WHERE id = :id", id=playlist_id)
        if not rows:
            raise NotFound(f"no playlist with id {playlist_id!r}")
        try:
            return Playlist.model_validate_json(rows[0][0])
        except ValidationError as exc:
            raise StoreError(f"stored playlist {playlist_id!r} no longer matches the current format") from exc

    def parent_of(self, playlist_id: str) -> str | None:
        rows = self.db.rows("SELECT parent_id FROM playlists WHERE id = :id", id=playlist_id)
        return rows[0][0] if rows else None

    def count(self) -> int:
        return int(self.db.rows("SELECT COUNT(*) FROM playlists")[0][0])

    def journal_mode(self) -> str:
        return str(self.db.rows("PRAGMA journal_mode")[0][0]) if self.db.dialect == "sqlite" else "server"

    def check(self) -> bool:
        """True when the database answers (used by /readyz)."""
        return self.db.check()

    def close(self) -> None:
        self.db.dispose()


def open_playlist_store(settings: Settings, db: Database | None = None) -> PlaylistStore:
    path = settings.home / "playlists.sqlite3"
    return PlaylistStore(db or open_state_db(settings), None if settings.database_url else path)
