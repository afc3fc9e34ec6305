"""Crash-safe ingest: `segue ingest --rebuild` SIGKILLed at random points (10×, under -m slow; CI kills at fixed
points in tests/tools/test_store.py) never
leaves a store that fails to open or answer; the final count equals the source, with no duplicate id in the
columns or in Chroma; re-ingesting 3× keeps the same count."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from core.settings import Settings
from tools.catalog import Catalog
from tools.ingest import ingest
from tools.store import current_build, verify


@pytest.fixture
def own_store(tmp_path, settings):
    """A private copy of the fixture store (so killed ingests touch nothing shared)."""
    mine = Settings(home=tmp_path / "home", raw_data_dir=settings.raw_data_dir, provider="offline")
    shutil.copytree(settings.store_root, mine.store_root)
    return mine


def ingest_process(s: Settings) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGUE_", "OPENAI"))}
    env |= {"SEGUE_HOME": str(s.home), "SEGUE_RAW_DATA_DIR": str(s.raw_data_dir)}
    return subprocess.Popen([sys.executable, "-m", "agent.cli", "ingest", "--rebuild", "--json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def full_run_seconds(s: Settings) -> float:
    start = time.perf_counter()
    proc = ingest_process(s)
    assert proc.wait(timeout=600) == 0
    return time.perf_counter() - start


def assert_store_answers(s: Settings) -> Catalog:
    """The store opens, its files match their checksums, search answers, ids are unique (columns and Chroma)."""
    from tools.chroma_search import open_collection

    build = current_build(s.store_root)
    assert build is not None
    verify(build)
    catalog = Catalog.load(build)
    assert len(catalog) == build.manifest["count"] and len(set(catalog.ids)) == len(catalog)
    assert len(catalog.search("melancholy indie folk", k=5)) == 5
    collection = open_collection(catalog)
    assert collection.count() == len(catalog)
    return catalog


def kill_at_random_points(s: Settings, kills: int, seed: int) -> list[float]:
    span = full_run_seconds(s)
    rng = random.Random(seed)
    delays = sorted(round(rng.uniform(0.2, span), 2) for _ in range(kills))
    for delay in delays:
        proc = ingest_process(s)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_store_answers(s)
    print(f"ingest: full run {span:.1f}s, killed at {delays}")
    return delays


def check_final_state(s: Settings, source_count: int) -> None:
    build, _ = ingest(s)  # a clean run after the kills: leftovers pruned
    assert [p.name for p in (s.store_root / "builds").iterdir()] == [build.build_id]
    assert not list(s.store_root.glob(".CURRENT.*"))
    assert len(assert_store_answers(s)) == source_count
    for _ in range(3):
        again, _ = ingest(s)
        assert again.build_id == build.build_id and again.manifest["count"] == source_count
    rebuilt, changed = ingest(s, rebuild=True)
    assert changed and rebuilt.build_id == build.build_id and len(assert_store_answers(s)) == source_count


def source_count(s: Settings) -> int:
    from tools.catalog_build import build_tracks

    tracks = build_tracks(s.raw_data_dir)
    assert len({t.id for t in tracks}) == len(tracks)
    return len(tracks)


@pytest.mark.slow
def test_ten_random_kills(own_store):
    kill_at_random_points(own_store, 10, seed=int(time.time()) % 1000)
    check_final_state(own_store, source_count(own_store))
