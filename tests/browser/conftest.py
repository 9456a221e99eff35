"""Browser fixtures: the real app under uvicorn on 127.0.0.1, and Debian's Chromium through Playwright.

The server runs in a background thread for the whole session; every test gets a fresh browser
context that records each request and console error, so a test can assert that a page loaded
nothing from outside this machine and logged nothing wrong.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.settings import Settings
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.serving import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 and a free port, in a background thread, configured as `hillside`."""
    with serving(Settings()) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's Chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page plus everything it asked for and complained about."""

    page: object
    base_url: str
    fresh: bool = False
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, ready: str | None = None) -> None:
        self.page.goto(self.base_url + path)
        if ready:
            self.page.wait_for_function(ready, timeout=15_000)

    def foreign_requests(self) -> list[str]:
        """Every URL the page asked for whose host is not 127.0.0.1."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if parts.hostname != "127.0.0.1":
                out.append(url)
        return out

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


class Pages:
    """One browser page per viewport, kept for the whole session and navigated by each test.

    Plotly's bundle is 4.8 MB of JavaScript: compiling it takes this machine over a second per new
    page, but a page that navigates keeps the compiled code. Each navigation starts the page's
    scripts from scratch, so tests still share no state; each test watches with fresh lists.
    """

    def __init__(self, browser: object, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: dict[tuple[int, int], object] = {}
        self.pages: dict[tuple[int, int], object] = {}
        self.current: dict[int, Watched] = {}

    def context(self, width: int, height: int) -> object:
        if (width, height) not in self.contexts:
            self.contexts[width, height] = self.browser.new_context(viewport={"width": width, "height": height})
        return self.contexts[width, height]

    def listen(self, page: object) -> None:
        def current() -> Watched | None:
            return self.current.get(id(page))

        page.on("request", lambda request: current() and current().requests.append(request.url))
        page.on("websocket", lambda ws: current() and current().requests.append(ws.url))
        page.on("console", lambda m: m.type == "error" and current() and current().errors.append(m.text))
        page.on("pageerror", lambda error: current() and current().errors.append(str(error)))
        # No page.route(): intercepting requests turns off the browser's cache. This machine has no
        # internet anyway; a request to elsewhere fails fast and is still recorded above.

    def watch(self, width: int, height: int, fresh: bool = False) -> Watched:
        if fresh:
            page = self.context(width, height).new_page()
            self.listen(page)
        else:
            if (width, height) not in self.pages:
                self.pages[width, height] = self.context(width, height).new_page()
                self.listen(self.pages[width, height])
            page = self.pages[width, height]
        watched = Watched(page, self.base_url, fresh=fresh)
        self.current[id(page)] = watched
        return watched

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def pages(browser: object, base_url: str) -> Iterator[Pages]:
    made = Pages(browser, base_url)
    yield made
    made.close()


@pytest.fixture
def watch(pages: Pages):
    """watch() gives the page at 1280x720, watch(1920, 1080) another size, watch(fresh=True) a new page."""
    made: list[Watched] = []

    def make(width: int = 1280, height: int = 720, fresh: bool = False) -> Watched:
        made.append(pages.watch(width, height, fresh))
        return made[-1]

    yield make
    for watched in made:
        if watched.fresh:
            watched.page.close()


@pytest.fixture
def watched(watch) -> Watched:
    """A fresh page at 1280x720 (the smaller projector size)."""
    return watch()
