"""Prompted playlists and their versions in the state database. A version is written in one transaction and
only as the next number: of two refreshes racing (two replicas, or cron and the server), one writes it and
the other gets the winner's version back — never two versions, never half of one."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from agent.prompted.models import (
    SCHEDULE_SECONDS,
    PromptedIn,
    PromptedPatch,
    PromptedPlaylist,
    PromptedVersion,
    Schedule,
)
from agent.state_db import bump_revision
from core.errors import NotFound
from tools.database import Database, IntegrityError

COLUMNS = "id, user_id, prompt, schedule, count, minutes, lineage, created_at, updated_at, next_refresh_at, last_error"


def when(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def next_refresh(schedule: Schedule, after: float) -> float | None:
    return after + SCHEDULE_SECONDS[schedule] if schedule in SCHEDULE_SECONDS else None


class PromptedStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ playlists

    def create(self, user_id: str, body: PromptedIn, now: float | None = None) -> PromptedPlaylist:
        now = time.time() if now is None else now
        pid = "pp_" + secrets.token_hex(8)
        with self.db.begin() as conn:
            conn.execute(text(f"INSERT INTO prompted ({COLUMNS}) VALUES (:id, :u, :p, :s, :c, :m, 1, :t, :t, NULL, NULL)"),
                         {"id": pid, "u": user_id, "p": body.prompt, "s": body.schedule, "c": body.count,
                          "m": body.minutes, "t": now})
        bump_revision(self.db, user_id)
        return self.get(user_id, pid)

    def get(self, user_id: str, pid: str, versions: int | None = None) -> PromptedPlaylist:
        rows = self.db.rows(f"SELECT {COLUMNS} FROM prompted WHERE id = :id AND user_id = :u", id=pid, u=user_id)
        if not rows:
            raise NotFound(f"listener {user_id!r} has no prompted playlist {pid!r}")
        return self._playlist(rows[0], self.versions(pid, versions))

    def list_for(self, user_id: str, versions: int | None = 1) -> list[PromptedPlaylist]:
        rows = self.db.rows(f"SELECT {COLUMNS} FROM prompted WHERE user_id = :u ORDER BY created_at, id", u=user_id)
        return [self._playlist(r, self.versions(r[0], versions)) for r in rows]

    def update(self, user_id: str, pid: str, patch: PromptedPatch, now: float | None = None) -> PromptedPlaylist:
        """A new prompt starts a new lineage; a new schedule counts from the last refresh (or from now)."""
        now = time.time() if now is None else now
        old = self.get(user_id, pid, versions=1)
        changes: dict[str, Any] = {k: v for k, v in patch.model_dump(exclude_unset=True).items()}
        lineage = old.lineage + 1 if "prompt" in changes and changes["prompt"] != old.prompt else old.lineage
        schedule = changes.get("schedule", old.schedule)
        last = old.versions[0].created_at.timestamp() if old.versions else now
        due = next_refresh(schedule, last) if old.versions else None
        if lineage != old.lineage:
            due = now  # a new prompt deserves a playlist soon
        values = {"p": changes.get("prompt", old.prompt), "s": schedule, "c": changes.get("count", old.count),
                  "m": changes.get("minutes", old.minutes), "l": lineage, "t": now, "d": due, "id": pid}
        self.db.run("UPDATE prompted SET prompt = :p, schedule = :s, count = :c, minutes = :m, lineage = :l, "
                    "updated_at = :t, next_refresh_at = :d WHERE id = :id", **values)
        bump_revision(self.db, user_id)
        return self.get(user_id, pid)

    def delete(self, user_id: str, pid: str) -> None:
        self.get(user_id, pid, versions=0)
        with self.db.begin() as conn:
            conn.execute(text("DELETE FROM prompted_versions WHERE prompted_id = :id"), {"id": pid})
            conn.execute(text("DELETE FROM prompted WHERE id = :id"), {"id": pid})
        bump_revision(self.db, user_id)

    def due(self, now: float, limit: int = 10) -> list[tuple[str, str]]:
        """(user_id, id) of playlists whose refresh time has come, most overdue first."""
        rows = self.db.rows("SELECT user_id, id FROM prompted WHERE next_refresh_at IS NOT NULL AND "
                            "next_refresh_at <= :now ORDER BY next_refresh_at, id LIMIT :n", now=now, n=limit)
        return [(r[0], r[1]) for r in rows]

    # ------------------------------------------------------------------ versions

    def versions(self, pid: str, limit: int | None = None) -> list[PromptedVersion]:
        if limit == 0:
            return []
        sql = "SELECT body FROM prompted_versions WHERE prompted_id = :id ORDER BY version DESC"
        rows = self.db.rows(sql + (" LIMIT :n" if limit else ""), id=pid, n=limit)
        return [PromptedVersion.model_validate_json(r[0]) for r in rows]

    def next_version(self, pid: str) -> int:
        rows = self.db.rows("SELECT MAX(version) FROM prompted_versions WHERE prompted_id = :id", id=pid)
        return int(rows[0][0] or 0) + 1

    def add_version(self, pp: PromptedPlaylist, version: PromptedVersion, now: float) -> tuple[PromptedVersion, bool]:
        """Write `version` if its number is still the next one; else the version already written under that
        number. Returns (the version, whether this call wrote it)."""
        try:
            with self.db.begin() as conn:
                conn.execute(text("INSERT INTO prompted_versions (prompted_id, version, lineage, prompt, created_at, "
                                  "playlist_id, body) VALUES (:id, :v, :l, :p, :t, :pl, :b)"),
                             {"id": pp.id, "v": version.version, "l": version.lineage, "p": version.prompt, "t": now,
                              "pl": version.playlist.id, "b": version.model_dump_json()})
                conn.execute(text("UPDATE prompted SET next_refresh_at = :d, last_error = NULL, updated_at = :t "
                                  "WHERE id = :id"), {"d": next_refresh(pp.schedule, now), "t": now, "id": pp.id})
                bump_revision(self.db, pp.user_id, conn)
        except IntegrityError:
            rows = self.db.rows("SELECT body FROM prompted_versions WHERE prompted_id = :id AND version = :v",
                                id=pp.id, v=version.version)
            return PromptedVersion.model_validate_json(rows[0][0]), False
        return version, True

    def record_error(self, pid: str, reason: str, retry_at: float, first: bool = False) -> None:
        """A failed refresh: the previous version stays current; a scheduled one (or a first version, which
        is owed whatever the schedule) is tried again at `retry_at`."""
        self.db.run("UPDATE prompted SET last_error = :e, next_refresh_at = CASE WHEN next_refresh_at IS NULL "
                    "AND NOT :first THEN NULL ELSE :r END WHERE id = :id", e=reason[:500], r=retry_at, id=pid,
                    first=first)

    def _playlist(self, row: Any, versions: list[PromptedVersion]) -> PromptedPlaylist:
        pid, user, prompt, schedule, count, minutes, lineage, created, updated, due, error = row
        return PromptedPlaylist(id=pid, user_id=user, prompt=prompt, schedule=schedule, count=count, minutes=minutes,
                                lineage=lineage, created_at=when(created), updated_at=when(updated),
                                next_refresh_at=when(due), last_error=error, versions=versions)
