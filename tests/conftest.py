"""Test-wide guards and fixtures: no real network, a small real-data catalog store, a real PostgreSQL cluster
(tests marked `postgres`; skipped only when the PostgreSQL binaries are not installed)."""

from __future__ import annotations

import socket

import pytest

_real_connect = socket.socket.connect
_real_create_connection = socket.create_connection


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")) or not isinstance(address, tuple)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that tries a real outbound connection (loopback and unix sockets are allowed)."""

    def guarded_connect(self, address):
        if not _is_loopback(address):
            raise RuntimeError(f"test tried a real network connection to {address!r}")
        return _real_connect(self, address)

    def guarded_create_connection(address, *args, **kwargs):
        if not _is_loopback(address):
            raise RuntimeError(f"test tried a real network connection to {address!r}")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("SEGUE_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("SEGUE_CHROMA_URL", raising=False)
    yield


# --------------------------------------------------------------------------- real-data fixture catalog

FIXTURE_ARTISTS = ("blink-182", "green day", "drake", "eminem", "taylor swift", "phoebe bridgers", "the national",
                   "bon iver", "daft punk", "norah jones", "metallica", "paramore", "fall out boy", "sufjan stevens")


def _cut_raw(src, dst, every: int = 12) -> None:
    """A small, deterministic cut of the real sources: every Nth song plus all songs of a few known
    artists — with every source row of each kept song, so tracks merge exactly as in the full build."""
    import csv
    import gzip
    import shutil
    import zlib

    from tools.catalog_build import read_spotify_2000_2020, read_tidytuesday, read_tophits
    from tools.normalize import fold, recording_key

    keep: set[str] = set()
    for reader in (read_spotify_2000_2020, read_tidytuesday, read_tophits):
        for rec in reader(src):
            key = recording_key(rec.artists[0], rec.title)
            if zlib.crc32(key.encode()) % every == 0 or any(a in fold(" ".join(rec.artists)) for a in FIXTURE_ARTISTS):
                keep.add(key)
    readers = {"catalog_spotify_songs.csv.gz": read_tidytuesday, "spotify_tracks_2000_2020.csv.gz": read_spotify_2000_2020,
               "tophits_2000_2019_songs_normalize.csv.gz": read_tophits}
    for name, reader in readers.items():
        wanted = [recording_key(r.artists[0], r.title) in keep for r in reader(src)]
        with gzip.open(src / name, "rt", encoding="utf-8", newline="") as fin, \
                gzip.open(dst / name, "wt", encoding="utf-8", newline="") as fout:
            rows = csv.DictReader(fin)
            writer = csv.DictWriter(fout, fieldnames=rows.fieldnames or [])
            writer.writeheader()
            kept_rows = (row for row in rows if _complete(row))
            for row, ok in zip(kept_rows, wanted, strict=True):
                if ok:
                    writer.writerow(row)
    shutil.copy(src / "artist_genres.csv.gz", dst / "artist_genres.csv.gz")


def _complete(row: dict) -> bool:
    """Rows the readers skip (no title or artist) are skipped here too, keeping the two in step."""
    import ast

    if "track_name" in row:
        return bool(row["track_name"].strip() and row["track_artist"].strip())
    if "artists" in row and "name" in row:
        return bool(row["name"].strip() and [a for a in ast.literal_eval(row["artists"]) if a.strip()])
    return True


def _fixture_cache():
    """The cut and its built store, cached under .segue/test-fixture by a hash of sources and build code,
    so repeated local runs skip the rebuild (CI starts clean and builds it once)."""
    import fcntl
    import hashlib
    from pathlib import Path

    from core.settings import DATA_DIR, REPO_ROOT, Settings
    from tools.ingest import BUILD_CODE, SOURCE_FILES, ingest

    h = hashlib.sha256(Path(__file__).read_bytes())
    build_code = [REPO_ROOT / "tools" / n for n in BUILD_CODE] + [REPO_ROOT / "core" / "types.py"]  # Track is hashed
    for path in [DATA_DIR / "raw" / n for n in SOURCE_FILES] + build_code:
        h.update(path.read_bytes())
    cache = REPO_ROOT / ".segue" / "test-fixture" / h.hexdigest()[:16]
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / "ready").exists():
            (cache / "raw").mkdir(exist_ok=True)
            _cut_raw(DATA_DIR / "raw", cache / "raw")
            ingest(Settings(home=cache / "home", raw_data_dir=cache / "raw"))
            (cache / "ready").write_text("ok")
    return cache


@pytest.fixture(scope="session")
def fixture_raw(tmp_path_factory):
    import shutil

    dst = tmp_path_factory.mktemp("fixture")
    cache = _fixture_cache()
    shutil.copytree(cache / "raw", dst / "raw")
    shutil.copytree(cache / "home", dst / "home")
    return dst / "raw"


@pytest.fixture(scope="session")
def settings(fixture_raw):
    from core.settings import Settings

    return Settings(home=fixture_raw.parent / "home", raw_data_dir=fixture_raw, provider="offline")


@pytest.fixture(scope="session")
def catalog(settings):
    from tools.ingest import open_catalog

    return open_catalog(settings)


@pytest.fixture(scope="session")
def sqlite_deps(settings, catalog):
    from agent.deps import build_deps

    return build_deps(settings)


@pytest.fixture(scope="session")
def deps(sqlite_deps):
    return sqlite_deps


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster of its own (initdb + pg_ctl, a non-root user, a free 127.0.0.1 port, a temp dir)."""
    from bench.pg_cluster import binaries, start_cluster

    if binaries() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    cluster = start_cluster()
    yield cluster
    cluster.remove()


@pytest.fixture(scope="session")
def pg_url(pg_cluster) -> str:
    """One database for the session (tests keep apart by listener and playlist ids)."""
    return pg_cluster.create_database("segue_test")


@pytest.fixture
def fresh_pg_url(pg_cluster) -> str:
    """An empty database for one test."""
    import uuid

    return pg_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def profile_store_on(request, tmp_path, catalog):
    """`make(name="profiles", seed_file=None)` → a profile store on each backend in turn (SQLite file, PostgreSQL
    database); the same name opens the same data again through a new connection, as another process would."""
    from tools.database import open_database
    from tools.profile_db import MIGRATIONS, MIGRATIONS_TABLE, DatabaseProfileStore
    from tools.profile_store import SqliteProfileStore

    urls: dict[str, str] = {}
    opened: list = []

    def make(name: str = "profiles", seed_file=None):
        if request.param == "sqlite":
            return SqliteProfileStore(tmp_path / f"{name}.sqlite", catalog, seed_file=seed_file)
        if name not in urls:
            urls[name] = request.getfixturevalue("fresh_pg_url")
        db = open_database(urls[name], None, MIGRATIONS, MIGRATIONS_TABLE)
        opened.append(db)
        return DatabaseProfileStore(db, catalog, seed_file=seed_file)

    make.backend = request.param
    yield make
    for db in opened:
        db.dispose()


def pg_settings(settings, url: str):
    from pydantic import SecretStr

    return settings.model_copy(update={"database_url": SecretStr(url)})


@pytest.fixture(scope="session")
def pg_deps(sqlite_deps, pg_url, tmp_path_factory):
    """The fixture Deps (same catalog) with the state stores on PostgreSQL."""
    import dataclasses

    from agent.playlist_store import open_playlist_store
    from agent.prompted.store import PromptedStore
    from tools.profile_db import open_profiles

    settings = pg_settings(sqlite_deps.settings, pg_url)
    playlists = open_playlist_store(settings)
    profiles = open_profiles(settings, sqlite_deps.catalog)
    yield dataclasses.replace(sqlite_deps, settings=settings, playlists=playlists, prompted=PromptedStore(playlists.db),
                              profiles=profiles)
    playlists.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state_deps(request, sqlite_deps):
    """The fixture Deps on each state backend in turn: the same test runs on SQLite and on PostgreSQL."""
    return sqlite_deps if request.param == "sqlite" else request.getfixturevalue("pg_deps")
