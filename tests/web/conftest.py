"""Browser test fixtures: the app served by uvicorn on a free 127.0.0.1 port over the fixture Deps, and headless
Chromium (the Debian `chromium` package) driven by Playwright; tests skip with the reason when either is missing.
Screenshots go under the test's tmp dir, or SEGUE_SCREENSHOT_DIR when set."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from web_helpers import CHROMIUM, FLAGS, browser_missing


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def browser(server):
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    target = os.environ.get("SEGUE_SCREENSHOT_DIR")
    if not target:
        return tmp_path
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path
