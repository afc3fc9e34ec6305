"""The catalog store: idempotent, crash-safe, clear errors on damage, same results on a Chroma server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from agent.models import SearchFilters
from core.errors import StoreError
from core.settings import Settings
from tools.catalog import Catalog, embed_query
from tools.ingest import ingest
from tools.store import current_build, verify


@pytest.fixture()
def small_settings(tmp_path, fixture_raw):
    return Settings(home=tmp_path / "home", raw_data_dir=fixture_raw, provider="offline")


def test_ingest_is_idempotent(settings, catalog):
    first = current_build(settings.store_root)
    for _ in range(3):
        build, changed = ingest(settings)
        assert not changed and build.build_id == first.build_id
    assert Catalog.load(build).stats().tracks == len(catalog)


def test_rebuild_gives_the_same_build_and_count(settings, catalog):
    build, changed = ingest(settings, rebuild=True)
    assert changed and build.manifest["count"] == len(catalog)
    assert len(list((settings.store_root / "builds").iterdir())) == 1


def test_corrupt_store_is_a_clear_error(small_settings, settings):
    root = small_settings.store_root
    shutil.copytree(settings.store_root, root)
    build = current_build(root)
    (build.path / "columns.json").write_text("{not json")
    with pytest.raises(StoreError, match="corrupt"):
        verify(build)
    with pytest.raises(StoreError, match="segue ingest --rebuild"):
        Catalog.load(build)
    (build.path / "manifest.json").write_text("garbage")
    with pytest.raises(StoreError, match="unreadable"):
        current_build(root)


def _env(s: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGUE_", "OPENAI"))}
    return env | {"SEGUE_HOME": str(s.home), "SEGUE_RAW_DATA_DIR": str(s.raw_data_dir)}


def test_killed_ingest_never_leaves_a_broken_store(small_settings, settings):
    shutil.copytree(settings.store_root, small_settings.store_root)
    good = current_build(small_settings.store_root).build_id
    for delay in (1.0, 3.0, 6.0):
        proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "ingest", "--rebuild", "--json"],
                                env=_env(small_settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        build = current_build(small_settings.store_root)
        assert build is not None and build.build_id == good
        verify(build)
        assert len(Catalog.load(build)) == build.manifest["count"]
    build, _ = ingest(small_settings)  # leftovers of killed runs are cleaned up
    assert [p.name for p in (small_settings.store_root / "builds").iterdir()] == [build.build_id]


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], env=_env(settings),
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "code", "message"), [
    (("search", "   "), 2, "search text is empty"),
    (("search", "rock", "--filter", '{"bogus": 1}'), 2, "bad filter 'bogus'"),
    (("search", "rock", "--filter", "{oops"), 2, "not valid JSON"),
])
def test_cli_bad_input_is_one_line_and_nonzero(settings, catalog, args, code, message):
    out = _cli(settings, *args)
    assert out.returncode == code
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_corrupt_store_exit_code(small_settings, settings):
    shutil.copytree(settings.store_root, small_settings.store_root)
    build = current_build(small_settings.store_root)
    (build.path / "manifest.json").write_text("{}")
    out = _cli(small_settings, "search", "rock")
    assert out.returncode == 3 and "segue ingest --rebuild" in out.stderr and "Traceback" not in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.server
def test_chroma_server_returns_the_same_results(tmp_path, fixture_raw, catalog):
    from tools.chroma_search import chroma_search, open_collection

    chroma = shutil.which("chroma", path=os.path.dirname(sys.executable)) or shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    server = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(port)
        remote = Settings(home=tmp_path / "home", raw_data_dir=fixture_raw, chroma_url=url)
        build, _ = ingest(remote)
        assert build.manifest["backend"] == "chroma-server"
        server_catalog = Catalog.load(build)
        q = embed_query("melancholy indie folk")
        f = SearchFilters(explicit="exclude", year_min=2008)
        on_server = chroma_search(server_catalog, open_collection(server_catalog), q, f, k=20)
        embedded = chroma_search(catalog, open_collection(catalog), q, f, k=20)
        exact = catalog.search_vector(q, f, k=20)
        assert [c.track.id for c in on_server][:10] == [c.track.id for c in embedded][:10]
        overlap = {c.track.id for c in on_server} & {c.track.id for c in exact}
        assert len(overlap) >= 18
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"chroma server did not start on port {port}")


class FlakyCollection:
    """A collection whose first `failures` upserts fail in transport, like a Chroma server restarting."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls, self.rows = failures, error, 0, {}

    def upsert(self, ids, embeddings, metadatas):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        self.rows.update(zip(ids, metadatas, strict=True))


@pytest.fixture
def no_backoff(monkeypatch):
    import tools.store

    monkeypatch.setattr(tools.store, "UPSERT_WAIT_S", (0.0, 0.0))


def test_upsert_retries_transport_failures(no_backoff):
    import httpx
    import numpy as np

    from tools.store import upsert_batch

    col = FlakyCollection(2, httpx.ConnectError("connection refused"))
    upsert_batch(col, ["a", "b"], np.zeros((2, 3), dtype=np.float32), [{"n": 1}, {"n": 2}])
    assert col.calls == 3 and col.rows == {"a": {"n": 1}, "b": {"n": 2}}


def test_upsert_gives_up_with_a_store_error(no_backoff):
    import httpx
    import numpy as np

    from tools.store import UPSERT_ATTEMPTS, upsert_batch

    col = FlakyCollection(99, httpx.ReadTimeout("server busy"))
    with pytest.raises(StoreError, match="did not take a batch"):
        upsert_batch(col, ["a"], np.zeros((1, 3), dtype=np.float32), [{}])
    assert col.calls == UPSERT_ATTEMPTS


def test_upsert_does_not_retry_bad_requests(no_backoff):
    import numpy as np

    from tools.store import upsert_batch

    col = FlakyCollection(1, ValueError("dimension mismatch"))
    with pytest.raises(ValueError):
        upsert_batch(col, ["a"], np.zeros((1, 3), dtype=np.float32), [{}])
    assert col.calls == 1


def test_a_build_of_an_older_content_version_rebuilds_when_opened(small_settings, settings):
    """A store built before song keys joined re-credited versions (no `content` in its manifest) is rebuilt once
    on open, from the raw sources, and then opened as it is."""
    import json

    from tools.ingest import open_catalog
    from tools.store import CONTENT_VERSION

    shutil.copytree(settings.store_root, small_settings.store_root)
    old = current_build(small_settings.store_root)
    manifest = json.loads((old.path / "manifest.json").read_text())
    manifest.pop("content")
    (old.path / "manifest.json").write_text(json.dumps(manifest))
    catalog = open_catalog(small_settings)
    new = current_build(small_settings.store_root)
    assert new.manifest["content"] == CONTENT_VERSION and len(catalog) == new.manifest["count"]
    open_catalog(small_settings)
    assert current_build(small_settings.store_root).manifest == new.manifest  # opened as it is
