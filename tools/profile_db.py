"""Profiles and listening history in the state database — PostgreSQL when `SEGUE_DATABASE_URL` is set, so
every replica reads and writes the same listeners (the SQLite default is tools/profile_store.py).

The same behaviour as the SQLite store: events in, a profile computed on read and cached per listener under
the listener's version (bumped by every write, so a replica never serves a stale profile), blocked lists,
and the demo listeners loaded once per (seed file, catalog build) — under an advisory lock, so replicas
starting together load them once. Podcast-episode events live beside the music events (`talk_events`)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from core.settings import Settings
from tools.content_filter import ContentPolicy
from tools.database import Database, Migration, open_database
from tools.profile_store import (
    CACHE_SIZE,
    SEED_FILE,
    TrackResolver,
    _clean_list,
    open_profile_store,
    policy_from_row,
    read_seed_file,
    seed_marker,
)
from tools.profiles import (
    ImportReport,
    PlayEvent,
    ProfileStore,
    StoredEvent,
    TasteProfile,
    UserInfo,
    build_profile,
    check_user_id,
    cold_start_profile,
)
from tools.store_health import StoreUnavailable

if TYPE_CHECKING:
    from tools.catalog import Catalog

MIGRATIONS_TABLE = "profile_migrations"
SEED_LOCK = "segue-seed-listeners"
_ID = {"sqlite": "id INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}
MIGRATIONS: list[Migration] = [
    (1, "listeners, play events, seed marker", [
        "CREATE TABLE listeners (user_id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', "
        "source TEXT NOT NULL DEFAULT 'import', version BIGINT NOT NULL DEFAULT 0, "
        "blocked_artists TEXT NOT NULL DEFAULT '[]', blocked_genres TEXT NOT NULL DEFAULT '[]', "
        "block_explicit INTEGER NOT NULL DEFAULT 0)",
        {d: f"CREATE TABLE play_events ({col}, user_id TEXT NOT NULL, track_id TEXT NOT NULL, ts DOUBLE PRECISION, "
            "liked INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, seed INTEGER NOT NULL DEFAULT 0)"
         for d, col in _ID.items()},
        "CREATE INDEX play_events_user ON play_events (user_id, id)",
        "CREATE TABLE profile_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]),
    (2, "podcast-episode events", [
        {d: f"CREATE TABLE talk_events ({col}, user_id TEXT NOT NULL, item_id TEXT NOT NULL, ts DOUBLE PRECISION, "
            "liked INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0)" for d, col in _ID.items()},
        "CREATE INDEX talk_events_user ON talk_events (user_id, id)",
    ]),
]

_lock = threading.Lock()
_databases: dict[str, Database] = {}


def profile_database(url: str) -> Database:
    """One engine per URL and process, shared by the profile store and the talk history."""
    with _lock:
        if url not in _databases:
            _databases[url] = open_database(url, None, MIGRATIONS, MIGRATIONS_TABLE)
        return _databases[url]


class ProfileCache:
    """Profiles by listener, each kept under the listener version it was computed at (LRU)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[int, TasteProfile]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: str, version: int) -> TasteProfile | None:
        with self._lock:
            hit = self._items.get(user_id)
            if hit is None or hit[0] != version:
                return None
            self._items.move_to_end(user_id)
            return hit[1]

    def put(self, user_id: str, version: int, profile: TasteProfile) -> None:
        with self._lock:
            self._items[user_id] = (version, profile)
            self._items.move_to_end(user_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def event_time(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class DatabaseProfileStore:
    """ProfileStore on a `Database`; safe for many threads, processes and replicas (short transactions)."""

    def __init__(self, db: Database, catalog: Catalog, seed_file: Path | None = SEED_FILE) -> None:
        self.db = db
        self.catalog = catalog
        self.resolver = TrackResolver(catalog)
        self.cache = ProfileCache()
        self._seeds = seed_file if seed_file is not None and seed_file.exists() else None
        self.seeded = 0
        self._seed_lock = threading.Lock()
        try:
            self._ready()
        except StoreUnavailable:  # a server down at start-up: schema and seeds on first use instead
            if db.dialect != "postgresql":
                raise

    def _ready(self) -> None:
        """The schema is current and the demo listeners are loaded (once per process; retried until it works)."""
        self.db.ensure_ready()
        if self._seeds is None:
            return
        with self._seed_lock:
            if self._seeds is not None:
                self.seeded = load_seeds(self.db, self.catalog, self._seeds)
                self._seeds = None

    # ------------------------------------------------------------------ reads

    def get_profile(self, user_id: str) -> TasteProfile:
        """The listener's profile; an explicit cold-start profile when they have no history."""
        check_user_id(user_id)
        self._ready()
        with self.db.begin() as conn:
            row = conn.execute(text("SELECT version, blocked_artists, blocked_genres, block_explicit FROM listeners "
                                    "WHERE user_id = :u"), {"u": user_id}).first()
            if row is None:
                return cold_start_profile(user_id)
            cached = self.cache.get(user_id, row[0])
            if cached is not None:
                return cached
            rows = conn.execute(text("SELECT track_id, ts, liked, skipped FROM play_events WHERE user_id = :u "
                                     "ORDER BY id"), {"u": user_id}).all()
        events = [StoredEvent(t, event_time(ts), bool(lk), bool(sk)) for t, ts, lk, sk in rows]
        profile = build_profile(user_id, events, self.catalog, policy_from_row(row[1], row[2], row[3]))
        self.cache.put(user_id, row[0], profile)
        return profile

    def known(self, user_id: str) -> bool:
        self._ready()
        return bool(self.db.rows("SELECT 1 FROM listeners WHERE user_id = :u", u=user_id))

    def liked_ids(self, user_id: str) -> set[str]:
        self._ready()
        return {r[0] for r in self.db.rows("SELECT DISTINCT track_id FROM play_events WHERE user_id = :u AND liked = 1",
                                           u=user_id)}

    def recent_ids(self, user_id: str, limit: int = 20) -> list[str]:
        """The listener's most recently played tracks (not skipped), newest first, each once."""
        self._ready()
        rows = self.db.rows("SELECT track_id, MAX(id) AS last FROM play_events WHERE user_id = :u AND skipped = 0 "
                            "GROUP BY track_id ORDER BY last DESC LIMIT :n", u=user_id, n=limit)
        return [r[0] for r in rows]

    def list_users(self) -> list[UserInfo]:
        self._ready()
        rows = self.db.rows("SELECT u.user_id, u.name, u.source, COUNT(e.id) FROM listeners u "
                            "LEFT JOIN play_events e ON e.user_id = u.user_id GROUP BY u.user_id, u.name, u.source")
        return sorted((UserInfo(user_id=u, name=n, source=s, events=c) for u, n, s, c in rows), key=lambda i: i.user_id)

    def integrity_check(self) -> str:
        """'ok' when the database answers (a server database checks its own pages)."""
        return "ok" if self.db.check() else f"database {self.db.label} does not answer"

    # ------------------------------------------------------------------ writes

    def add_events(self, user_id: str, events: Sequence[PlayEvent]) -> ImportReport:
        """Resolve and store events in one transaction; unknown tracks are reported, not stored."""
        check_user_id(user_id)
        rows, unknown = resolved(self.resolver, user_id, events)
        if rows:
            self._ready()
            with self.db.begin() as conn:
                conn.execute(text("INSERT INTO listeners (user_id) VALUES (:u) ON CONFLICT DO NOTHING"), {"u": user_id})
                conn.execute(text("INSERT INTO play_events (user_id, track_id, ts, liked, skipped) "
                                  "VALUES (:u, :t, :ts, :lk, :sk)"), rows)
                conn.execute(text("UPDATE listeners SET version = version + 1 WHERE user_id = :u"), {"u": user_id})
        return ImportReport(user_id=user_id, received=len(events), imported=len(rows),
                            unknown_count=len(unknown), unknown=unknown[:50])

    def set_blocked(self, user_id: str, artists: Sequence[str], genres: Sequence[str], explicit: bool) -> ContentPolicy:
        """Replace the listener's blocked artists and genres and their explicit setting (True = clean only)."""
        check_user_id(user_id)
        a, g = json.dumps(_clean_list(artists, "artists")), json.dumps(_clean_list(genres, "genres"))
        self._ready()
        with self.db.begin() as conn:
            conn.execute(text("INSERT INTO listeners (user_id) VALUES (:u) ON CONFLICT DO NOTHING"), {"u": user_id})
            conn.execute(text("UPDATE listeners SET blocked_artists = :a, blocked_genres = :g, block_explicit = :x, "
                              "version = version + 1 WHERE user_id = :u"), {"a": a, "g": g, "x": int(explicit), "u": user_id})
        return policy_from_row(a, g, int(explicit)) or ContentPolicy()


def resolved(resolver: TrackResolver, user_id: str, events: Sequence[PlayEvent]) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows to store, labels of events whose track the catalog does not hold)."""
    rows: list[dict[str, Any]] = []
    unknown: list[str] = []
    for e in events:
        track_id = resolver.resolve(e.track_id, e.artist, e.title)
        if track_id is None:
            unknown.append(e.label())
            continue
        rows.append({"u": user_id, "t": track_id, "ts": e.timestamp.timestamp() if e.timestamp else None,
                     "lk": int(e.liked), "sk": int(e.skipped)})
    return rows, unknown


# --------------------------------------------------------------------------- seed listeners


def load_seeds(db: Database, catalog: Catalog, seed_file: Path) -> int:
    """Load the demo listeners once per (seed file, catalog build); returns how many events were stored now."""
    marker = seed_marker(seed_file, catalog)
    done = db.rows("SELECT value FROM profile_meta WHERE key = 'seed'")
    if done and done[0][0] == marker:
        return 0
    listeners = read_seed_file(seed_file)
    with db.begin() as conn:
        if db.dialect == "postgresql":  # a second replica waits here, then finds the marker
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": SEED_LOCK})
        again = conn.execute(text("SELECT value FROM profile_meta WHERE key = 'seed'")).first()
        if again and again[0] == marker:
            return 0
        conn.execute(text("DELETE FROM play_events WHERE seed = 1"))
        stored = sum(_insert_seed(conn, catalog, listener) for listener in listeners)
        conn.execute(text("INSERT INTO profile_meta (key, value) VALUES ('seed', :m) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value"), {"m": marker})
    return stored


def _insert_seed(conn: Connection, catalog: Catalog, listener: dict) -> int:
    uid = listener["user_id"]
    conn.execute(text("INSERT INTO listeners (user_id, name, source) VALUES (:u, :n, :s) ON CONFLICT (user_id) "
                      "DO UPDATE SET name = excluded.name, source = excluded.source, version = listeners.version + 1"),
                 {"u": uid, "n": listener.get("name", ""), "s": listener.get("source", "seed")})
    rows = [{"u": uid, "t": e["track_id"], "ts": e.get("timestamp"), "lk": int(e.get("liked", False)),
             "sk": int(e.get("skipped", False))} for e in listener["events"] if e["track_id"] in catalog.index]
    if rows:
        conn.execute(text("INSERT INTO play_events (user_id, track_id, ts, liked, skipped, seed) "
                          "VALUES (:u, :t, :ts, :lk, :sk, 1)"), rows)
    return len(rows)


def open_profiles(settings: Settings, catalog: Catalog) -> ProfileStore:
    """The configured profile store, seeded with the demo listeners: on PostgreSQL when SEGUE_DATABASE_URL is
    set, else the SQLite file under settings.home (tools.profile_store.open_profile_store)."""
    if settings.database_url is None:
        return open_profile_store(settings, catalog)
    return DatabaseProfileStore(profile_database(settings.database_url.get_secret_value()), catalog)
