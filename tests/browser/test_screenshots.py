"""Screenshots for a person to look at (test-artifacts/): every page at both projector sizes, in
normal and presenter mode. They also catch a page that errors only at one size or in one mode."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_1D, READY_2D, READY_NETWORK

pytestmark = pytest.mark.browser

HOME_READY = "() => document.querySelectorAll('#lecture-list li').length > 0"
# Every visible plot has been resized to its container (after presenter mode changes the layout).
PLOTS_FIT = (
    "() => [...document.querySelectorAll('.js-plotly-plot')].every(d => d.offsetParent === null"
    " || (d._fullLayout && Math.abs(d._fullLayout.width - d.offsetWidth) < 3"
    " && Math.abs(d._fullLayout.height - d.offsetHeight) < 3))"
)
SHOTS = [
    ("home", "/", HOME_READY, None),
    ("1d-seeds", "/1d?scene=seeds&step=4", READY_1D, 4),
    ("1d-learning-rates", "/1d?scene=learning-rates&step=12", READY_1D, 12),
    ("2d-rosenbrock", "/2d?scene=rosenbrock&step=150", READY_2D, 150),
    ("2d-fog", "/2d?scene=fog&step=8", READY_2D, 8),
    ("network-vanishing", "/network?scene=net-vanishing&step=200", READY_NETWORK, 200),
]


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)], ids=["1920x1080", "1280x720"])
def test_screenshots(watch, width: int, height: int) -> None:
    page = watch(width, height)
    for name, path, ready, step in SHOTS:
        page.open(path, ready)
        if step is not None:
            page.page.wait_for_function(f"() => window.hillside.session.cursor === {step}")
        page.page.wait_for_function(PLOTS_FIT)
        page.screenshot(f"{name}-{width}x{height}-normal")
        page.page.keyboard.press("p")
        page.page.wait_for_function("() => document.documentElement.classList.contains('presenter')")
        page.page.wait_for_function(PLOTS_FIT)
        page.screenshot(f"{name}-{width}x{height}-presenter")
    assert page.errors == []
    assert page.foreign_requests() == []
