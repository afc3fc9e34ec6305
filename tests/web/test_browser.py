"""The web page end to end in headless Chromium: prompt → streamed playlist → refine → export; text stays text.

Needs the Debian `chromium` package (/usr/bin/chromium) and the `playwright` Python package; skips with the
reason otherwise. The screenshot is saved under the test's tmp dir, or SEGUE_SCREENSHOT_DIR when set."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.server
CHROMIUM = os.environ.get("SEGUE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
EVIL_TITLE = "<script>window.__pwned = 1</script>Evil Song"
EVIL_NARRATION = '<img src=x onerror="window.__pwned = 2">Up next, something <b>bold</b>.'


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def server(deps):
    """uvicorn on a free 127.0.0.1 port, in a thread, over the fixture Deps."""
    import uvicorn

    from app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(lambda: deps, settings=deps.settings, warm=False)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def test_prompt_stream_refine_export(page, server, deps, tmp_path):
    page.goto(server)
    page.fill("#prompt", "upbeat pop punk for a run")
    page.fill("#length", "8")
    with page.expect_response(lambda r: r.url.endswith("/generate/stream")) as streamed:
        page.click("#go")
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_selector("#status:has-text('Ready')")
    rows = page.locator("#tracks tbody tr.track")
    assert rows.count() == 8
    assert page.locator("#tracks tbody tr.narration").count() >= 1
    assert len(page.get_attribute("#chart polyline.energy", "points").split()) == 8
    first_id = page.get_attribute("#tracks tbody tr.track >> nth=0", "data-id")
    assert deps.catalog.get(first_id) is not None
    shot = _screenshot_dir(tmp_path) / "segue-playlist.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    old_id = page.evaluate("new URLSearchParams(location.search).get('playlist')")
    page.fill("#instruction", "no explicit")
    page.click("#refine-go")
    page.wait_for_selector("#status:has-text('Refined')")
    new_id = page.evaluate("new URLSearchParams(location.search).get('playlist')")
    assert new_id and new_id != old_id
    assert page.is_visible("#diff")
    ids = page.eval_on_selector_all("#tracks tbody tr.track", "rows => rows.map(r => r.dataset.id)")
    assert ids and all(deps.catalog.get(i).explicit is False for i in ids)

    with page.expect_download() as download:
        page.click("#export-m3u8")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("#EXTM3U")
    assert [line.rsplit("/", 1)[1] for line in text.splitlines() if line.startswith("https://")] == ids


def test_titles_and_narration_render_as_text(page, server, deps):
    from agent.generate import generate
    from agent.models import GenerateRequest, Playlist, Segment

    source = generate(GenerateRequest(prompt="quiet piano", count=3), deps)
    evil_track = source.tracks[0].model_copy(update={"title": EVIL_TITLE, "why": "<i>why</i>"})
    evil = Playlist.model_validate(source.model_dump() | {
        "id": "pl_evil0000000000", "prompt": "<script>window.__pwned = 3</script>",
        "tracks": [evil_track.model_dump()], "segments": [Segment(kind="intro", before_position=1, text=EVIL_NARRATION).model_dump()]})
    deps.playlists.save(evil)
    page.goto(f"{server}/?playlist={evil.id}")
    page.wait_for_selector("#status:has-text('Loaded')")
    assert page.inner_text("#tracks tbody tr.track td.title").startswith(EVIL_TITLE)
    assert page.inner_text("#tracks tbody tr.narration td") == EVIL_NARRATION
    assert page.inner_text("#title") == evil.prompt
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#result img, #result script, #result b, #result i").count() == 0


def test_explicit_marks_and_an_episode_without_audio_features(page, server, deps):
    """The "E" mark follows explicit === true (false and null get none); an episode's null energy, tempo and key
    leave its cells empty and keep it off the chart, with no script error."""
    from agent.generate import generate
    from agent.models import GenerateRequest, PlaylistTrack
    from core.settings import DATA_DIR
    from tools.talk_build import spotify_shows, top_episodes

    source = generate(GenerateRequest(prompt="2000s hip hop party", count=8), deps)
    episode = PlaylistTrack.of_talk(0, next(top_episodes(DATA_DIR / "raw", spotify_shows(DATA_DIR / "raw"))), "news")
    entries = [*source.tracks[:4], episode, *source.tracks[4:]]
    mixed = source.model_copy(update={"id": "pl_mixedcontract00", "segments": [], "tracks": [
        t.model_copy(update={"position": n}) for n, t in enumerate(entries, 1)]})
    assert {t.explicit for t in source.tracks} >= {True, False}
    deps.playlists.save(mixed)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/?playlist={mixed.id}")
    page.wait_for_selector("#status:has-text('Loaded')")
    marked = page.eval_on_selector_all("#tracks tbody tr.track", "rows => rows.map(r => !!r.querySelector('.explicit'))")
    assert marked == [t.explicit is True for t in mixed.tracks]
    talk_row = page.locator("#tracks tbody tr.track >> nth=4")
    assert talk_row.get_attribute("data-id") == episode.id and talk_row.locator(".energy").count() == 0
    assert talk_row.locator("td.num >> nth=2").inner_text() == ""
    assert len(page.get_attribute("#chart polyline.energy", "points").split()) == 8
    assert errors == []


def _screenshot_dir(tmp_path: Path) -> Path:
    target = os.environ.get("SEGUE_SCREENSHOT_DIR")
    if not target:
        return tmp_path
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_skip_reason_is_visible_when_chromium_is_missing(monkeypatch):
    monkeypatch.setattr(f"{__name__}.CHROMIUM", "/nonexistent/chromium")
    assert "Chromium not found at /nonexistent/chromium" in (_browser_missing() or "")
