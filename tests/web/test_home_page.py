"""The Home view in headless Chromium: shelves painted one by one from the NDJSON stream, in the API's order,
text kept as text, nothing scrolling sideways at 390 or 1280 px."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.server


@pytest.mark.parametrize("width", [390, 1280])
def test_home_paints_every_shelf(browser, server, screenshot_dir, width):
    expected = [s["id"] for s in httpx.get(f"{server}/users/pl-cardio/home", timeout=60).json()["shelves"]]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{server}/home?user=pl-cardio")
        page.wait_for_function(f"document.querySelectorAll('section.shelf').length === {len(expected)}")
        shown = page.eval_on_selector_all("section.shelf", "els => els.map(e => e.dataset.shelf)")
        assert shown == expected
        assert page.locator("section.shelf .tile").count() >= 3 * len(expected)
        sizes = page.evaluate("() => ({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth})")
        page.screenshot(path=str(screenshot_dir / f"home-{width}px.png"), full_page=True)
        assert sizes["page"] <= sizes["view"], sizes
    finally:
        context.close()


def test_an_unknown_listener_gets_the_reason(browser, server):
    page = browser.new_page()
    try:
        page.goto(f"{server}/home?user=nobody-at-all")
        page.wait_for_selector("#status:has-text('no listener')")
        assert page.locator("section.shelf").count() == 0
    finally:
        page.close()
