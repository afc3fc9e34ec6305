"""Test-wide guards and fixtures: no real network, a small real-data catalog store."""

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


def _cut_raw(src, dst, every: int = 14) -> None:
    """A small, deterministic cut of the real sources: every Nth row plus all rows of a few known artists."""
    import csv
    import gzip
    import shutil

    from tools.normalize import fold

    def keep(n: int, row: dict) -> bool:
        who = fold(" ".join(str(row.get(k, "")) for k in ("track_artist", "artists", "artist")))
        return n % every == 0 or any(a in who for a in FIXTURE_ARTISTS)

    for name in ("catalog_spotify_songs.csv.gz", "spotify_tracks_2000_2020.csv.gz", "tophits_2000_2019_songs_normalize.csv.gz"):
        with gzip.open(src / name, "rt", encoding="utf-8", newline="") as fin, \
                gzip.open(dst / name, "wt", encoding="utf-8", newline="") as fout:
            reader = csv.DictReader(fin)
            writer = csv.DictWriter(fout, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            for n, row in enumerate(reader):
                if keep(n, row):
                    writer.writerow(row)
    shutil.copy(src / "artist_genres.csv.gz", dst / "artist_genres.csv.gz")


@pytest.fixture(scope="session")
def fixture_raw(tmp_path_factory):
    from agent.config import DATA_DIR

    dst = tmp_path_factory.mktemp("raw")
    _cut_raw(DATA_DIR / "raw", dst)
    return dst


@pytest.fixture(scope="session")
def settings(tmp_path_factory, fixture_raw):
    from agent.config import Settings

    return Settings(home=tmp_path_factory.mktemp("home"), raw_data_dir=fixture_raw, provider="offline")


@pytest.fixture(scope="session")
def catalog(settings):
    from agent.deps import open_catalog

    return open_catalog(settings)


@pytest.fixture(scope="session")
def deps(settings, catalog):
    from agent.deps import build_deps

    return build_deps(settings)
