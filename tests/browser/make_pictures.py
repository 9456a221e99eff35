"""Make the landing page's pictures from the pages themselves (static/img/1d.png, 2d.png and network.png, 640x360)
and the README's screenshot of the whole /2d page (docs/screenshot-2d.png, 1280x720).

Run it against a running server after the pages change:
    .venv/bin/hillside --port 8123 &
    .venv/bin/python -m tests.browser.make_pictures http://127.0.0.1:8123
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
PICTURES = {
    "1d.png": ("/1d?scene=worked-example&step=4&presenter=1", 4),
    "2d.png": ("/2d?scene=rosenbrock&step=400&presenter=1", 400),
    "network.png": ("/network?scene=net-spiral&step=400&presenter=1", 400),
}
README_PICTURE = ("/2d?scene=rosenbrock&step=1200", 1200)


def main(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Drawn at 1280x720 and saved at half the size: the landing page shows them 640 wide at most.
        context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=0.5)
        page = context.new_page()
        for name, (path, step) in PICTURES.items():
            page.goto(base_url + path)
            page.wait_for_function(f"() => window.hillside?.session?.cursor === {step}", timeout=20_000)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ROOT / "static" / "img" / name))
            print("wrote", name)
        # The README shows the whole page, top bar and controls included, at full size.
        page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        path, step = README_PICTURE
        page.goto(base_url + path)
        page.wait_for_function(f"() => window.hillside?.session?.cursor === {step}", timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-2d.png"))
        print("wrote screenshot-2d.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123")
