"""Every scene of /, /1d and /2d, played to its end (or 200 steps), reads well where it is used: on a projector at
1280x720 and 1920x1080, in presenter mode, and on a phone. Nothing overlaps, nothing is cut off, no
text is too small to read from the back of a hall, and on a projector the plots are on the screen.

The scene ids come from the server (GET /api/v1/scenes?page=...) when it offers them, else from the
page itself (its scene list), so the test follows whatever scenes exist.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.browser.helpers import PLOTS_SIZED
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

READY = "() => window.hillside?.session?.histories?.[0]?.length > 0 && window.hillside.session.target === 0"
SETTLED = PLOTS_SIZED
# A link asks for this step (one chunk of the replay): the page replays every run to it, or until they all stop.
# Most scenes end before it; the two long Rosenbrock races have shown all there is to show by then
# (who converged, who crawls) and replaying their 3,000 steps would triple the time this test takes.
END = 200
# (width, height, presenter, smallest text in CSS px): presenter mode is read from the back of a hall.
SIZES = [(1280, 720, False, 12), (1920, 1080, False, 12), (1280, 720, True, 15), (390, 844, False, 12)]
# Beyond the scenes: the learning-rate lesson with six runners, the most columns a 1D table shows.
EXTRA = {"1d": ["fn=quadratic&runs=gd(lr:0.01);gd(lr:0.1);gd(lr:0.5);gd(lr:0.9);gd(lr:1);gd(lr:1.1)&start=8"], "2d": []}
# On a projector the pictures a caption talks about are on the screen without scrolling.
FOLD = {"1d": ["#curve-plot", "#loss-plot"], "2d": ["#landscape", "#scoreboard"]}


def scene_ids(base_url: str, page: object, name: str) -> list[str]:
    try:
        with urllib.request.urlopen(f"{base_url}/api/v1/scenes?page={name}", timeout=10) as answer:
            listed = json.load(answer)
    except urllib.error.HTTPError:
        listed = None
    if listed is not None:
        scenes = listed.get("scenes", listed) if isinstance(listed, dict) else listed
        return [scene["id"] for scene in scenes]
    page.goto(f"{base_url}/{name}")
    page.wait_for_function(READY, timeout=20_000)
    return page.evaluate("window.hillside.scenes.map((s) => s.id)")


def layout_problems_everywhere(watch, width: int, height: int, presenter: bool, min_font: float, lang: str) -> None:
    """Walk the home page and every scene of /1d and /2d in ``lang`` at one size; fail with every problem found."""
    watched = watch(width, height)
    page = watched.page
    mode = ("&presenter=1" if presenter else "") + f"&lang={lang}"
    fold = width >= 1280
    problems: list[str] = []

    page.goto(f"{watched.base_url}/?{mode[1:]}")
    page.wait_for_function("() => document.querySelectorAll('#lecture-list li').length > 0")
    problems += [f"/: {p}" for p in layout_problems(page, min_font_px=min_font)]

    for name in ("1d", "2d"):
        queries = [f"scene={scene}" for scene in scene_ids(watched.base_url, page, name)] + EXTRA[name]
        for query in queries:
            page.goto(f"{watched.base_url}/{name}?{query}&step={END}{mode}")
            page.wait_for_function(READY, timeout=60_000)
            page.wait_for_function(SETTLED)
            found = layout_problems(page, min_font_px=min_font, fold=FOLD[name] if fold else ())
            problems += [f"/{name}?{query}: {p}" for p in found]

    assert watched.errors == []
    assert problems == [], f"{len(problems)} layout problems at {width}x{height} in {lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("width", "height", "presenter", "min_font"), SIZES, ids=["1280", "1920", "present", "phone"])
def test_pages_read_well(watch, width: int, height: int, presenter: bool, min_font: float) -> None:
    layout_problems_everywhere(watch, width, height, presenter, min_font, "en")
