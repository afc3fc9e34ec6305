"""Library fixtures: real audio files tagged with real songs, and a real Subsonic server (Supysonic) over them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.settings import REPO_ROOT
from tests.library.music import make_library, pick_songs
from tests.library.server import PASSWORD, supysonic


@pytest.fixture(scope="session")
def songs(catalog):
    return pick_songs(catalog)


@pytest.fixture(scope="session")
def music(tmp_path_factory, songs):
    folder = tmp_path_factory.mktemp("music")
    make_library(folder, songs)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, music):
    """(url, rescan) of Supysonic serving the music folder."""
    pytest.importorskip("supysonic")
    with supysonic(tmp_path_factory.mktemp("supysonic"), music) as running:
        yield running


@pytest.fixture
def segue(settings):
    """Run the `segue` command line on the fixture store: (exit code, stdout, stderr)."""

    def run(*args: str, password: str | None = PASSWORD, **env_extra: str):
        env = {**os.environ, "SEGUE_HOME": str(settings.home), "SEGUE_RAW_DATA_DIR": str(settings.raw_data_dir),
               "SEGUE_PROVIDER": "offline", "COLUMNS": "200", **env_extra}
        env.pop("SEGUE_SUBSONIC_PASSWORD", None)
        env.pop("SEGUE_SUBSONIC_API_KEY", None)
        if password is not None:
            env["SEGUE_SUBSONIC_PASSWORD"] = password
        env.update(env_extra)
        done = subprocess.run([sys.executable, "-m", "agent.cli", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def client(deps):
    from fastapi.testclient import TestClient

    from app import create_app

    with TestClient(create_app(lambda: deps, settings=deps.settings, warm=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def lib_deps(deps, tmp_path):
    """The fixture Deps with a library store of their own (tmp) and the Supysonic password set."""
    import dataclasses

    from pydantic import SecretStr

    from tools.library.store import LibraryStore

    settings = deps.settings.model_copy(update={"subsonic_password": SecretStr(PASSWORD)})
    return dataclasses.replace(deps, settings=settings, extra={**deps.extra, "libraries": LibraryStore(tmp_path / "libs")})


@pytest.fixture
def lib_client(lib_deps):
    from fastapi.testclient import TestClient

    from app import create_app

    with TestClient(create_app(lambda: lib_deps, settings=lib_deps.settings, warm=False),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def synced(lib_deps):
    """`synced(config)` → the library added to lib_deps' store and synced once; returns its state."""
    from agent.library import libraries
    from tools.library.sync import sync_library

    def run(config):
        store = libraries(lib_deps)
        store.add(config)
        state, _ = sync_library(config.name, store, lib_deps.catalog, lib_deps.settings)
        return state

    return run
