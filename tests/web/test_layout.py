"""The page at a phone's width (390 px) and a laptop's (1280 px): a generated playlist's track table fits,
nothing scrolls sideways, long titles wrap. Screenshots are saved for a look (tests/web/conftest.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server
OVERFLOW = """() => {
  const doc = document.documentElement, table = document.querySelector('#tracks'),
        wrap = document.querySelector('.table-wrap');
  return {page: doc.scrollWidth, viewport: doc.clientWidth, table: table.scrollWidth, box: wrap.clientWidth,
          cells: [...table.querySelectorAll('td, th')].filter(c => c.offsetParent !== null)
                   .filter(c => c.scrollWidth > c.clientWidth + 1).length};
}"""


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_the_track_table_fits_without_sideways_scrolling(browser, server, screenshot_dir, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server)
        page.fill("#prompt", "late night jazz for reading, long titles welcome")
        page.fill("#length", "10")
        page.click("#go")
        page.wait_for_selector("#status:has-text('Ready')")
        assert page.locator("#tracks tbody tr.track").count() == 10
        sizes = page.evaluate(OVERFLOW)
        page.screenshot(path=str(screenshot_dir / f"segue-{width}px.png"), full_page=True, animations="disabled")
        page.locator(".table-wrap").screenshot(path=str(screenshot_dir / f"segue-{width}px-table.png"), animations="disabled")
        assert sizes["page"] <= sizes["viewport"], sizes
        assert sizes["table"] <= sizes["box"], sizes
        assert sizes["cells"] == 0, sizes  # no cell clips its text
        titles = page.eval_on_selector_all("#tracks tbody tr.track td.title", "cells => cells.map(c => c.innerText)")
        assert all(titles)
    finally:
        context.close()


def test_an_unbroken_long_title_wraps_at_390px(browser, server, deps, screenshot_dir):
    from agent.generate import generate
    from agent.models import GenerateRequest

    source = generate(GenerateRequest(prompt="quiet piano", count=4), deps)
    long_word = "Supercalifragilisticexpialidocious" * 3
    tracks = [source.tracks[0].model_copy(update={"title": f"{long_word} (Extended Remix)", "explicit": True,
                                                  "artists": ["An Artist With A Remarkably Long Name"] * 3}),
              *source.tracks[1:]]
    wide = source.model_copy(update={"id": "pl_longtitle00000", "tracks": tracks})
    deps.playlists.save(wide)
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/?playlist={wide.id}")
        page.wait_for_selector("#status:has-text('Loaded')")
        sizes = page.evaluate(OVERFLOW)
        page.locator(".table-wrap").screenshot(path=str(screenshot_dir / "segue-390px-long-title.png"),
                                               animations="disabled")
        assert sizes["page"] <= sizes["viewport"] and sizes["table"] <= sizes["box"] and sizes["cells"] == 0, sizes
        title = page.inner_text("#tracks tbody tr.track td.title >> nth=0")
        assert title.startswith(long_word) and "E" in title and "An Artist With" in title
    finally:
        context.close()
