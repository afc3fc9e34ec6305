"""Talk fixtures: a deterministic cut of the real podcast files (every top-chart episode, a third of the
other shows), built into a talk store from the shipped vectors, and Deps that hold it."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import zlib

import pytest

from core.settings import DATA_DIR, Settings

SHOW_KEY = {"podcast_shows_spotify_explicit_2024.csv.gz": "Podcast_ID", "podcast_episode_titles_spotify_2024.csv.gz": "Podcast_ID",
            "podcast_shows_spotify_categories_2024.csv.gz": "ID", "podcast_episodes_spotify_top100_2024.csv.gz": None,
            "podcast_shows_listennotes_2017.csv.gz": "id", "podcast_episodes_listennotes_2017.csv.gz": "podcast_id"}


def kept(show_id: str) -> bool:
    return zlib.crc32(show_id.encode()) % 3 == 0


def cut_podcasts(src, dst) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for name, key in SHOW_KEY.items():
        with gzip.open(src / name, "rt", encoding="utf-8", newline="") as fin, \
                gzip.open(dst / name, "wt", encoding="utf-8", newline="") as fout:
            rows = csv.DictReader(fin)
            writer = csv.DictWriter(fout, fieldnames=rows.fieldnames or [])
            writer.writeheader()
            writer.writerows(r for r in rows if key is None or kept(r[key]))


@pytest.fixture(scope="session")
def talk_settings(tmp_path_factory, settings):
    from tools.talk import ingest_talk

    root = tmp_path_factory.mktemp("talk")
    cut_podcasts(DATA_DIR / "raw", root / "raw")
    talk = Settings(home=root / "home", raw_data_dir=root / "raw", provider="offline")
    ingest_talk(talk)
    return talk


@pytest.fixture(scope="session")
def talk(talk_settings):
    from tools.talk import open_talk

    return open_talk(talk_settings, auto_build=False)


@pytest.fixture()
def talk_deps(deps, talk):
    """The shared fixture Deps with the talk catalog in place (a copy: the session Deps stay music only)."""
    return dataclasses.replace(deps, talk_catalog=talk)


@pytest.fixture(scope="session")
def cli_home(settings, talk_settings, tmp_path_factory):
    """The fixture music store and the talk store in one home, as a user would have them."""
    import shutil

    from tools.talk import talk_root

    home = tmp_path_factory.mktemp("cli") / "home"
    shutil.copytree(settings.home / "catalog", home / "catalog")
    shutil.copytree(talk_root(talk_settings), home / "talk")
    return Settings(home=home, raw_data_dir=talk_settings.raw_data_dir)


@pytest.fixture(scope="session")
def cli(cli_home):
    """Run `segue ARGS…` in a fresh process over cli_home; returns the completed process."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGUE_", "OPENAI"))}
    env |= {"SEGUE_HOME": str(cli_home.home), "SEGUE_RAW_DATA_DIR": str(cli_home.raw_data_dir)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agent.cli", *args], env=env, capture_output=True, text=True,
                              timeout=180)

    return run
