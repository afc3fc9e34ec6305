"""The profile store on PostgreSQL, where it differs from one SQLite file: replicas starting together apply
the schema and load the demo listeners once; migrations are versioned per schema and per dialect."""

from __future__ import annotations

import threading

import pytest

from tools.database import open_database
from tools.profile_db import MIGRATIONS, MIGRATIONS_TABLE, DatabaseProfileStore
from tools.profile_store import SEED_FILE, read_seed_file

pytestmark = pytest.mark.postgres


def test_replicas_starting_together_load_the_seed_listeners_once(fresh_pg_url, catalog):
    barrier = threading.Barrier(3)
    stores: list[DatabaseProfileStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            db = open_database(fresh_pg_url, None, [])  # an engine of its own, like another process
            barrier.wait(timeout=30)
            db = open_database(fresh_pg_url, None, MIGRATIONS, MIGRATIONS_TABLE)
            stores.append(DatabaseProfileStore(db, catalog, seed_file=SEED_FILE))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and len(stores) == 3
    expected = sum(1 for listener in read_seed_file(SEED_FILE) for e in listener["events"]
                   if e["track_id"] in catalog.index)
    assert sorted(s.seeded for s in stores) == [0, 0, expected]
    db = stores[0].db
    assert db.rows("SELECT COUNT(*) FROM play_events WHERE seed = 1")[0][0] == expected
    assert db.versions(MIGRATIONS_TABLE) == [m[0] for m in MIGRATIONS]
    assert sum(u.events for u in stores[1].list_users()) == expected
    for s in stores:
        s.db.dispose()


def test_profile_and_state_migrations_keep_apart(fresh_pg_url):
    from agent.state_db import MIGRATIONS as STATE

    state = open_database(fresh_pg_url, None, STATE)
    profiles = open_database(fresh_pg_url, None, MIGRATIONS, MIGRATIONS_TABLE)
    try:
        assert state.versions() == [m[0] for m in STATE]
        assert profiles.versions(MIGRATIONS_TABLE) == [m[0] for m in MIGRATIONS]
        identity = profiles.rows("SELECT is_identity FROM information_schema.columns "
                                 "WHERE table_name = 'play_events' AND column_name = 'id'")
        assert identity == [("YES",)]
    finally:
        state.dispose()
        profiles.dispose()


def test_the_same_migrations_build_a_sqlite_schema(tmp_path):
    db = open_database(None, tmp_path / "p.sqlite", MIGRATIONS, MIGRATIONS_TABLE)
    try:
        sql = db.rows("SELECT sql FROM sqlite_master WHERE name = 'play_events'")[0][0]
        assert "AUTOINCREMENT" in sql
    finally:
        db.dispose()
