"""Time from opening a page to its first frame drawn, in headless Chromium over loopback.

The baseline, in the same run and browser, is opening `/` (no Plotly, no
websocket). "Cold" is a new browser context (empty cache: Plotly's 1.4 MB
gzipped bundle is fetched and compiled); "warm" is the same context again,
as a student who reloads. Each figure is the median of several loads.
"""

from __future__ import annotations

import statistics
import time

from bench.server import running_server
from bench.timing import table
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

LOADS = 5
HOME_READY = "() => document.querySelectorAll('#lecture-list li').length > 0"
# The first frame is drawn when run 0 has a frame and the map (or the curve) shows it.
READY = {
    "/": HOME_READY,
    "/1d": "() => window.hillside?.session?.histories?.[0]?.length > 0"
    " && document.getElementById('curve-plot')?.data?.length > 2",
    "/2d": "() => window.hillside?.session?.histories?.[0]?.length > 0"
    " && document.getElementById('contour-overlay')?.data?.length > 0"
    " && document.getElementById('contour-base')?.data?.length > 0",
}


def _load(page: object, url: str, ready: str) -> float:
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ready, timeout=30_000, polling=10)
    return time.perf_counter() - t0


def main() -> str:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "(skipped: playwright is not installed; `make bench` installs the test extras)"
    rows = []
    with running_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        timings: dict[tuple[str, str], list[float]] = {}
        for _ in range(LOADS):
            for path, ready in READY.items():
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                page = context.new_page()
                timings.setdefault((path, "cold"), []).append(_load(page, base + path, ready))
                timings.setdefault((path, "warm"), []).append(_load(page, base + path, ready))
                context.close()
        browser.close()
    baseline = statistics.median(timings["/", "warm"])
    for (path, cache), values in timings.items():
        median = statistics.median(values)
        label = f"{path} ({cache} cache)" + (" (baseline)" if (path, cache) == ("/", "warm") else "")
        rows.append([label, f"{median * 1e3:.0f}", f"{median / baseline:.1f}x"])
    return table(["page, to first frame drawn", "ms (median of 5)", "vs baseline"], rows)
