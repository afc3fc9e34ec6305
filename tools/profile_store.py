"""The SQLite profile store (WAL, busy timeout): listening events and blocked lists per listener.

Profiles are computed from the events on read and cached per listener; every write bumps the
listener's version, so a cached profile is never stale, even across processes. The demo listeners
in data/listeners are loaded on first open (idempotent: keyed by the seed file and catalog build)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from core.errors import InvalidInput, StoreError
from core.settings import DATA_DIR, Settings
from tools.content_filter import ContentPolicy
from tools.normalize import clean_text, norm_artist, recording_key, song_key, split_artists
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

if TYPE_CHECKING:
    from tools.catalog import Catalog

SEED_FILE = DATA_DIR / "listeners" / "listeners.jsonl.gz"
BUSY_TIMEOUT_MS = 30_000
CACHE_SIZE = 256
MAX_BLOCKED = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  user_id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'import',
  version INTEGER NOT NULL DEFAULT 0, blocked_artists TEXT NOT NULL DEFAULT '[]',
  blocked_genres TEXT NOT NULL DEFAULT '[]', block_explicit INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, track_id TEXT NOT NULL, ts REAL,
  liked INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, seed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class TrackResolver:
    """Event → catalog track id: by id, else by normalised (artist, title) — same recording first, then same song."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def _names(self) -> tuple[dict[str, str], dict[str, str]]:
        titles, artists = _column(self.catalog, "title"), _column(self.catalog, "artists")
        popularity = self.catalog.popularity
        by_recording: dict[str, int] = {}
        by_song: dict[str, int] = {}
        for n in sorted(range(len(titles)), key=lambda i: (-float(popularity[i]), i)):
            for artist in artists[n]:
                by_recording.setdefault(recording_key(artist, titles[n]), n)
                by_song.setdefault(song_key(artist, titles[n]), n)
        ids = _column(self.catalog, "id")
        return {k: ids[n] for k, n in by_recording.items()}, {k: ids[n] for k, n in by_song.items()}

    def resolve(self, track_id: str | None = None, artist: str | None = None, title: str | None = None) -> str | None:
        if track_id and track_id in self.catalog.index:
            return track_id
        if not (artist and title):
            return None
        by_recording, by_song = self._names
        names = list(dict.fromkeys([artist, *split_artists(artist)]))
        for table, key in ((by_recording, recording_key), (by_song, song_key)):
            for name in names:
                found = table.get(key(name, title))
                if found:
                    return found
        return None


def _column(catalog: Catalog, field: str) -> list[Any]:
    """One field of every track, from the catalog's columns when it has them."""
    text = getattr(catalog.tracks, "text", None)
    if isinstance(text, dict) and field in text:
        return text[field]
    return [getattr(t, field) for t in catalog.tracks]


class SqliteProfileStore:
    """ProfileStore on one SQLite file. Safe for many threads and processes (WAL, busy timeout, short transactions)."""

    def __init__(self, path: Path, catalog: Catalog, seed_file: Path | None = SEED_FILE) -> None:
        self.path = Path(path)
        self.catalog = catalog
        self.resolver = TrackResolver(catalog)
        self._cache: OrderedDict[str, tuple[int, TasteProfile]] = OrderedDict()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._local = threading.local()  # one connection per thread, kept open
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        self.seeded = load_seeds(self, seed_file) if seed_file is not None and seed_file.exists() else 0

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened once and kept: reopening per call makes SQLite checkpoint and
        delete the WAL every time (about 10x slower writes). A failed connection is dropped and reopened."""
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
                db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open profile store {str(self.path)!r}: {exc}") from exc
            self._local.db = db
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            db.close()
            self._local.db = None
            raise StoreError(f"profile store {str(self.path)!r} failed ({exc}); "
                             "move the file away to start a fresh one") from exc

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction: IMMEDIATE for writes (takes the write lock up front, so no deadlock on upgrade).
        Writers of this process queue on a lock; other processes wait through SQLite's busy timeout."""
        with self._write_lock if write else nullcontext(), self._connect() as db:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ------------------------------------------------------------------ reads

    def get_profile(self, user_id: str) -> TasteProfile:
        """The listener's profile; an explicit cold-start profile when they have no history."""
        check_user_id(user_id)
        with self.transaction(write=False) as db:
            row = db.execute("SELECT version, blocked_artists, blocked_genres, block_explicit FROM users "
                             "WHERE user_id = ?", (user_id,)).fetchone()
            if row is None:
                return cold_start_profile(user_id)
            cached = self._cached(user_id, row[0])
            if cached is not None:
                return cached
            rows = db.execute("SELECT track_id, ts, liked, skipped FROM events WHERE user_id = ? ORDER BY id",
                              (user_id,)).fetchall()
        events = [StoredEvent(t, None if ts is None else datetime.fromtimestamp(ts, UTC), bool(lk), bool(sk))
                  for t, ts, lk, sk in rows]
        profile = build_profile(user_id, events, self.catalog, policy_from_row(row[1], row[2], row[3]))
        self._remember(user_id, row[0], profile)
        return profile

    def _cached(self, user_id: str, version: int) -> TasteProfile | None:
        with self._lock:
            hit = self._cache.get(user_id)
            if hit is None or hit[0] != version:
                return None
            self._cache.move_to_end(user_id)
            return hit[1]

    def _remember(self, user_id: str, version: int, profile: TasteProfile) -> None:
        with self._lock:
            self._cache[user_id] = (version, profile)
            self._cache.move_to_end(user_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def known(self, user_id: str) -> bool:
        """Whether the store holds anything for this listener (history or settings)."""
        with self.transaction(write=False) as db:
            return db.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)).fetchone() is not None

    def liked_ids(self, user_id: str) -> set[str]:
        """Tracks the listener liked (a refresh may always bring them back)."""
        with self.transaction(write=False) as db:
            rows = db.execute("SELECT DISTINCT track_id FROM events WHERE user_id = ? AND liked = 1", (user_id,))
            return {r[0] for r in rows.fetchall()}

    def recent_ids(self, user_id: str, limit: int = 20) -> list[str]:
        """The listener's most recently played tracks (not skipped), newest first, each once."""
        with self.transaction(write=False) as db:
            rows = db.execute("SELECT track_id, MAX(id) AS last FROM events WHERE user_id = ? AND skipped = 0 "
                              "GROUP BY track_id ORDER BY last DESC LIMIT ?", (user_id, limit)).fetchall()
        return [r[0] for r in rows]

    def list_users(self) -> list[UserInfo]:
        with self._connect() as db:
            rows = db.execute("SELECT u.user_id, u.name, u.source, COUNT(e.id) FROM users u "
                              "LEFT JOIN events e ON e.user_id = u.user_id GROUP BY u.user_id ORDER BY u.user_id").fetchall()
        return [UserInfo(user_id=u, name=n, source=s, events=c) for u, n, s, c in rows]

    def integrity_check(self) -> str:
        """'ok', or SQLite's description of what is broken."""
        with self._connect() as db:
            return "; ".join(r[0] for r in db.execute("PRAGMA integrity_check").fetchall())

    # ------------------------------------------------------------------ writes

    def add_events(self, user_id: str, events: Sequence[PlayEvent]) -> ImportReport:
        """Resolve and store events in one transaction; unknown tracks are reported, not stored."""
        check_user_id(user_id)
        rows: list[tuple] = []
        unknown: list[str] = []
        for e in events:
            track_id = self.resolver.resolve(e.track_id, e.artist, e.title)
            if track_id is None:
                unknown.append(e.label())
                continue
            ts = e.timestamp.timestamp() if e.timestamp else None
            rows.append((user_id, track_id, ts, int(e.liked), int(e.skipped)))
        if rows:
            with self.transaction() as db:
                db.execute("INSERT INTO users (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
                db.executemany("INSERT INTO events (user_id, track_id, ts, liked, skipped) VALUES (?, ?, ?, ?, ?)", rows)
                db.execute("UPDATE users SET version = version + 1 WHERE user_id = ?", (user_id,))
        return ImportReport(user_id=user_id, received=len(events), imported=len(rows),
                            unknown_count=len(unknown), unknown=unknown[:50])

    def set_blocked(self, user_id: str, artists: Sequence[str], genres: Sequence[str], explicit: bool) -> ContentPolicy:
        """Replace the listener's blocked artists and genres and their explicit setting (True = clean only)."""
        check_user_id(user_id)
        artists, genres = _clean_list(artists, "artists"), _clean_list(genres, "genres")
        with self.transaction() as db:
            db.execute("INSERT INTO users (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
            db.execute("UPDATE users SET blocked_artists = ?, blocked_genres = ?, block_explicit = ?, version = version + 1 "
                       "WHERE user_id = ?", (json.dumps(artists), json.dumps(genres), int(explicit), user_id))
        return policy_from_row(json.dumps(artists), json.dumps(genres), int(explicit)) or ContentPolicy()


def _clean_list(values: Sequence[str], what: str) -> list[str]:
    """Cleaned names, one per normalised spelling (first spelling wins)."""
    by_key: dict[str, str] = {}
    for v in values:
        c = clean_text(v)[:200]
        if norm_artist(c):
            by_key.setdefault(norm_artist(c), c)
    cleaned = list(by_key.values())
    if len(cleaned) > MAX_BLOCKED:
        raise InvalidInput(f"at most {MAX_BLOCKED} blocked {what}, got {len(cleaned)}")
    return cleaned


def policy_from_row(artists: str, genres: str, explicit: int) -> ContentPolicy | None:
    """The listener's own content policy, or None when they blocked nothing."""
    a, g = json.loads(artists), json.loads(genres)
    if not (a or g or explicit):
        return None
    return ContentPolicy(explicit="exclude" if explicit else "allow", blocked_artists=a, blocked_genres=g)


# --------------------------------------------------------------------------- seed listeners


def seed_marker(seed_file: Path, catalog: Catalog) -> str:
    digest = hashlib.sha256(seed_file.read_bytes()).hexdigest()[:16]
    build = catalog.build.build_id if catalog.build is not None else f"memory-{len(catalog)}"
    return f"{digest}:{build}"


def load_seeds(store: SqliteProfileStore, seed_file: Path) -> int:
    """Load the demo listeners once per (seed file, catalog build); returns how many events were stored."""
    marker = seed_marker(seed_file, store.catalog)
    with store._connect() as db:
        done = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
    if done and done[0] == marker:
        return 0
    listeners = read_seed_file(seed_file)
    stored = 0
    with store.transaction() as db:
        done = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
        if done and done[0] == marker:  # another process won the race
            return 0
        db.execute("DELETE FROM events WHERE seed = 1")
        for listener in listeners:
            stored += _insert_seed(db, store.catalog, listener)
        db.execute("INSERT INTO meta (key, value) VALUES ('seed', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (marker,))
    return stored


def _insert_seed(db: sqlite3.Connection, catalog: Catalog, listener: dict) -> int:
    uid = listener["user_id"]
    db.execute("INSERT INTO users (user_id, name, source) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
               "name = excluded.name, source = excluded.source, version = version + 1",
               (uid, listener.get("name", ""), listener.get("source", "seed")))
    rows = [(uid, e["track_id"], e.get("timestamp"), int(e.get("liked", False)), int(e.get("skipped", False)))
            for e in listener["events"] if e["track_id"] in catalog.index]
    db.executemany("INSERT INTO events (user_id, track_id, ts, liked, skipped, seed) VALUES (?, ?, ?, ?, ?, 1)", rows)
    return len(rows)


def read_seed_file(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------- event files


def read_events_file(path: Path) -> list[PlayEvent]:
    """Play events from a JSONL or CSV file (optionally .gz). A malformed row raises InvalidInput naming its line."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file {str(path)!r}")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        text = fh.read()
    kind = Path(path.stem).suffix if path.suffix == ".gz" else path.suffix
    rows = _csv_rows(text) if kind.lower() == ".csv" else _jsonl_rows(text, path.name)
    events: list[PlayEvent] = []
    for line, row in rows:
        try:
            events.append(PlayEvent.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "event"
            raise InvalidInput(f"{path.name} line {line}: {where}: {first['msg']}") from exc
    return events


def _jsonl_rows(text: str, name: str) -> list[tuple[int, Any]]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{name} line {n}: not JSON ({exc.msg})") from exc
    return rows


def _csv_rows(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    return [(n, {k: v for k, v in row.items() if k and v not in (None, "")}) for n, row in enumerate(reader, 2)]


def open_profile_store(settings: Settings, catalog: Catalog) -> ProfileStore:
    """The configured profile store (SQLite at settings.home/profiles.sqlite), seeded with the demo listeners."""
    return SqliteProfileStore(settings.home / "profiles.sqlite", catalog)
