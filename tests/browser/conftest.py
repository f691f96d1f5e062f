"""Browser tests: the real app over real HTTP, driven by Debian's Chromium through Playwright.

The app is served by uvicorn on 127.0.0.1 (a free port) in a background thread with its own
event loop, so it reads and writes the test's database (the temporary SQLite file, or the
PostgreSQL test database of MARKET_DATABASE_URL). Chromium is the one `apt-get install chromium`
puts in /usr/bin: Playwright never downloads a browser here. Without it the tests skip, saying
why, unless MARKET_REQUIRE_BROWSER=1 (CI), where they fail instead.

axe-core, the accessibility checker the tests inject into pages, comes from npm: pinned in
tests/browser/package.json (and its lock), installed by `npm ci` into tests/browser/node_modules (ignored by git)
the first time a test needs it, or when the pin changed. The app never serves it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = "Debian's chromium is not installed: apt-get install chromium"
PAGE_TIMEOUT_MS = 15_000
NPM_PROJECT = Path(__file__).parent
AXE = NPM_PROJECT / "node_modules" / "axe-core"


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file() and os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture
def chromium_path() -> str:
    """The Chromium executable; skip without it, or fail when MARKET_REQUIRE_BROWSER=1."""
    path = find_chromium()
    if path is None:
        _missing(MISSING_CHROMIUM)
    return path


def _missing(reason: str) -> None:
    if os.environ.get("MARKET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MARKET_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def _axe_installed() -> bool:
    pinned = json.loads((NPM_PROJECT / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = AXE / "package.json"
    return installed.is_file() and json.loads(installed.read_text())["version"] == pinned


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe.min.js, installed with `npm ci` when missing (one test process at a time installs it)."""
    if not _axe_installed():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is not installed (apt-get install npm): the accessibility checks need axe-core from npm")
        with open(NPM_PROJECT / ".npm-install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another pytest-xdist worker may be installing it right now
            if not _axe_installed():
                done = subprocess.run(
                    [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(NPM_PROJECT)],
                    capture_output=True, text=True, timeout=300, check=False,
                )
                if done.returncode != 0:
                    pytest.fail(f"npm ci in {NPM_PROJECT} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return (AXE / "axe.min.js").read_text()


@pytest.fixture
async def chromium(chromium_path: str) -> AsyncIterator[Browser]:
    # start()/stop() rather than `async with`: setup and teardown of an async fixture may run
    # in different tasks.
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


@pytest.fixture
async def page(chromium: Browser, live_server: str) -> AsyncIterator[Page]:
    """A fresh page (own cookies) whose relative URLs go to the live server."""
    context: BrowserContext = await chromium.new_context(base_url=live_server)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield await context.new_page()
    finally:
        await context.close()
