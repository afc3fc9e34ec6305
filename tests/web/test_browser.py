"""The web page end to end in headless Chromium: prompt → streamed playlist → refine → export; text stays text.

Needs the Debian `chromium` package (/usr/bin/chromium) and the `playwright` Python package; skips with the
reason otherwise (tests/web/conftest.py). The screenshot is saved under the test's tmp dir, or
SEGUE_SCREENSHOT_DIR when set."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.server
EVIL_TITLE = "<script>window.__pwned = 1</script>Evil Song"
EVIL_NARRATION = '<img src=x onerror="window.__pwned = 2">Up next, something <b>bold</b>.'


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_prompt_stream_refine_export(page, server, deps, screenshot_dir):
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
    shot = screenshot_dir / "segue-playlist.png"
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


def test_skip_reason_is_visible_when_chromium_is_missing(monkeypatch):
    import web_helpers

    monkeypatch.setattr(web_helpers, "CHROMIUM", "/nonexistent/chromium")
    assert "Chromium not found at /nonexistent/chromium" in (web_helpers.browser_missing() or "")
