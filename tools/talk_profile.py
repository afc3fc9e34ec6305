"""Talk topics in a listener's taste: topic and show affinities from listening events that reference
podcast episodes (talk-catalog ids). The music profile store keeps only music tracks, so episode events live
in their own small SQLite file (`settings.home / "talk" / "history.sqlite"`), or in the `talk_events` table of
the PostgreSQL database when `SEGUE_DATABASE_URL` is set (tools/profile_db.py). Weights follow the music
profile: likes boost, skips reduce, older events decay (tools.profiles)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, overload

from pydantic import BaseModel, Field
from sqlalchemy import text

from core.errors import StoreError
from core.settings import Settings
from tools.database import Database
from tools.profiles import StoredEvent, affinities, check_user_id, decayed_weights

if TYPE_CHECKING:
    from tools.talk import TalkCatalog

TOP_TOPICS = 10
SCHEMA = """CREATE TABLE IF NOT EXISTS talk_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, item_id TEXT NOT NULL, ts REAL,
  liked INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS talk_events_user ON talk_events (user_id, id);"""


class TalkEvent(BaseModel):
    """One listening event of a podcast episode."""

    item_id: str = Field(max_length=64, description="Talk-catalog episode id.")
    timestamp: datetime | None = Field(None, description="When it was played (naive = UTC).")
    liked: bool = False
    skipped: bool = False


class TalkTaste(BaseModel):
    """What a listener likes to hear in talk."""

    user_id: str
    episodes: int = Field(0, description="Events that resolved to talk-catalog episodes.")
    topic_affinities: dict[str, float] = Field(default_factory=dict, description="Topic → weighted share (-1..1), best first.")
    show_affinities: dict[str, float] = Field(default_factory=dict, description="Show → weighted share (-1..1), best first.")

    def top_topics(self, k: int = 3) -> list[str]:
        return [t for t, v in self.topic_affinities.items() if v > 0][:k]


def talk_taste(user_id: str, events: Sequence[TalkEvent], talk: TalkCatalog) -> TalkTaste:
    """Topic and show affinities from the events whose episode the talk catalog holds."""
    known = [(e, talk.get(e.item_id)) for e in events]
    pairs = [(e, item) for e, item in known if item is not None]
    if not pairs:
        return TalkTaste(user_id=user_id)
    stored = [StoredEvent(e.item_id, _utc(e.timestamp), e.liked, e.skipped) for e, _ in pairs]
    weights = decayed_weights(stored)
    return TalkTaste(user_id=user_id, episodes=len(pairs),
                     topic_affinities=affinities([item.topics for _, item in pairs], weights, TOP_TOPICS),
                     show_affinities=affinities([[item.show] for _, item in pairs], weights, TOP_TOPICS))


@overload
def _utc(ts: datetime) -> datetime: ...
@overload
def _utc(ts: None) -> None: ...
def _utc(ts: datetime | None) -> datetime | None:
    return None if ts is None else ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


class TalkHistory:
    """Episode events per listener in one SQLite file (WAL); only talk-catalog ids are stored."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open talk history {str(self.path)!r}: {exc}") from exc
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"talk history {str(self.path)!r} failed ({exc})") from exc
        finally:
            db.close()

    def add(self, user_id: str, events: Sequence[TalkEvent], talk: TalkCatalog) -> tuple[int, list[str]]:
        """Store the events whose episode the catalog holds; returns (stored, unknown ids)."""
        check_user_id(user_id)
        rows = [(user_id, e.item_id, _utc(e.timestamp).timestamp() if e.timestamp else None, int(e.liked), int(e.skipped))
                for e in events if talk.get(e.item_id) is not None]
        with self._connect() as db:
            db.executemany("INSERT INTO talk_events (user_id, item_id, ts, liked, skipped) VALUES (?, ?, ?, ?, ?)", rows)
        return len(rows), [e.item_id for e in events if talk.get(e.item_id) is None]

    def events(self, user_id: str) -> list[TalkEvent]:
        with self._connect() as db:
            rows = db.execute("SELECT item_id, ts, liked, skipped FROM talk_events WHERE user_id = ? ORDER BY id",
                              (user_id,)).fetchall()
        return [TalkEvent(item_id=i, timestamp=None if ts is None else datetime.fromtimestamp(ts, UTC),
                          liked=bool(lk), skipped=bool(sk)) for i, ts, lk, sk in rows]


class DatabaseTalkHistory:
    """Episode events per listener in the `talk_events` table of the state database (every replica's)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, user_id: str, events: Sequence[TalkEvent], talk: TalkCatalog) -> tuple[int, list[str]]:
        check_user_id(user_id)
        rows = [{"u": user_id, "i": e.item_id, "ts": _utc(e.timestamp).timestamp() if e.timestamp else None,
                 "lk": int(e.liked), "sk": int(e.skipped)} for e in events if talk.get(e.item_id) is not None]
        if rows:
            with self.db.begin() as conn:
                conn.execute(text("INSERT INTO talk_events (user_id, item_id, ts, liked, skipped) "
                                  "VALUES (:u, :i, :ts, :lk, :sk)"), rows)
        return len(rows), [e.item_id for e in events if talk.get(e.item_id) is None]

    def events(self, user_id: str) -> list[TalkEvent]:
        rows = self.db.rows("SELECT item_id, ts, liked, skipped FROM talk_events WHERE user_id = :u ORDER BY id",
                            u=user_id)
        return [TalkEvent(item_id=i, timestamp=None if ts is None else datetime.fromtimestamp(ts, UTC),
                          liked=bool(lk), skipped=bool(sk)) for i, ts, lk, sk in rows]


class History(Protocol):
    def add(self, user_id: str, events: Sequence[TalkEvent], talk: TalkCatalog) -> tuple[int, list[str]]: ...

    def events(self, user_id: str) -> list[TalkEvent]: ...


def history_path(home: Path) -> Path:
    return home / "talk" / "history.sqlite"


def talk_history(settings: Settings, create: bool = True) -> History | None:
    """The configured talk history: the server database's table, else the SQLite file (None when that file
    does not exist and `create` is off)."""
    if settings.database_url is not None:
        from tools.profile_db import profile_database

        return DatabaseTalkHistory(profile_database(settings.database_url.get_secret_value()))
    path = history_path(settings.home)
    return TalkHistory(path) if create or path.exists() else None


def taste_for(user_id: str, deps) -> TalkTaste:
    """The listener's talk taste; empty (without opening the talk catalog) when nobody recorded talk events."""
    history = talk_history(deps.settings, create=False)
    events = history.events(user_id) if history is not None else []
    return talk_taste(user_id, events, deps.talk) if events else TalkTaste(user_id=user_id)
