"""The state database's schema, as versioned migrations: kept playlists, prompted playlists and their
versions, and a per-listener revision that tells every replica when a listener's Home is out of date."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text

from core.settings import Settings
from tools.database import Database, Migration, open_database

MIGRATIONS: list[Migration] = [
    (1, "kept playlists", [
        "CREATE TABLE IF NOT EXISTS playlists (id TEXT PRIMARY KEY, parent_id TEXT, "
        "created_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL)",
    ]),
    (2, "prompted playlists and their versions", [
        "CREATE TABLE prompted (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, prompt TEXT NOT NULL, "
        "schedule TEXT NOT NULL, count INTEGER, minutes DOUBLE PRECISION, lineage INTEGER NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, "
        "next_refresh_at DOUBLE PRECISION, last_error TEXT)",
        "CREATE INDEX prompted_user ON prompted (user_id, created_at)",
        "CREATE INDEX prompted_due ON prompted (next_refresh_at)",
        "CREATE TABLE prompted_versions (prompted_id TEXT NOT NULL REFERENCES prompted (id) ON DELETE CASCADE, "
        "version INTEGER NOT NULL, lineage INTEGER NOT NULL, prompt TEXT NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, playlist_id TEXT NOT NULL, body TEXT NOT NULL, "
        "PRIMARY KEY (prompted_id, version))",
    ]),
    (3, "listener revisions", [
        "CREATE TABLE listener_revisions (user_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, "
        "updated_at DOUBLE PRECISION NOT NULL)",
    ]),
]


def open_state_db(settings: Settings) -> Database:
    """PostgreSQL at SEGUE_DATABASE_URL, else SQLite at $SEGUE_HOME/playlists.sqlite3; migrated."""
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return open_database(url, settings.home / "playlists.sqlite3", MIGRATIONS)


BUMP = ("INSERT INTO listener_revisions (user_id, revision, updated_at) VALUES (:u, 1, :t) "
        "ON CONFLICT (user_id) DO UPDATE SET revision = listener_revisions.revision + 1, updated_at = :t")


def bump_revision(db: Database, user_id: str, conn: Any = None) -> None:
    """Something a listener's Home shows changed (history, prompted playlists): every replica sees it.
    With `conn`, inside that transaction (one commit for the change and its revision)."""
    params = {"u": user_id, "t": time.time()}
    if conn is not None:
        conn.execute(text(BUMP), params)
    else:
        db.run(BUMP, **params)


def revision(db: Database, user_id: str) -> int:
    rows = db.rows("SELECT revision FROM listener_revisions WHERE user_id = :u", u=user_id)
    return int(rows[0][0]) if rows else 0
